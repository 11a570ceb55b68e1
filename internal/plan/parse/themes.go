package parse

import (
	"regexp"
	"strings"
)

// reThemeLabel is a quoted label that counts what precedes it: “六大体系”,
// “三大工程”, "5大行动".
var reThemeLabel = regexp.MustCompile(`"([一二三四五六七八九十两\d]{1,3})(?:大|个|项)\p{Han}{1,4}"`)

// themeVerbs open the clause of an enumeration and are not part of its
// first name: 加快健全全域协同创新、… → 全域协同创新.
var themeVerbs = []string{
	"加快", "健全", "构建", "建设", "打造", "完善", "实施", "推进", "推动", "着力", "聚力", "聚焦",
	"围绕", "突出", "强化", "提升", "坚持", "加强", "深化", "深入", "全面", "持续", "大力", "做强",
	"做优", "抓好", "形成", "建立", "培育", "筑牢", "夯实", "优化", "实现", "开展", "努力", "积极",
}

// findThemes returns the names of an enumeration right before a quoted
// label that counts them, as in 加快健全全域协同创新、高新技术产业、…、现代
// 科技治理“六大体系”. The number of names must equal the label's count.
func findThemes(text string) []string {
	if len(text) > 1<<16 {
		text = strings.ToValidUTF8(text[:1<<16], "")
	}
	f := newFolded(text)
	for _, loc := range reThemeLabel.FindAllStringSubmatchIndex(f.s, 5) {
		want := countOf(f.s[loc[2]:loc[3]])
		// The clause before the label.
		start := strings.LastIndexAny(f.s[:loc[0]], ",.;:!?。\"()") + 1
		clause := f.text(start, loc[0])
		parts := strings.Split(clause, "、")
		if len(parts) < 2 || want > 0 && len(parts) != want {
			continue
		}
		out := make([]string, 0, len(parts))
		for i, p := range parts {
			p = squeeze(p)
			if i == 0 {
				p = afterVerb(p)
			}
			if i == len(parts)-1 {
				p = strings.TrimSuffix(p, "等")
			}
			if p == "" || runeLen(p) > 16 {
				out = nil
				break
			}
			out = append(out, p)
		}
		if len(out) >= 2 {
			return out
		}
	}
	return nil
}

func countOf(s string) int {
	if n := atoi([]rune(s)); n > 0 {
		return n
	}
	if s == "两" {
		return 2
	}
	n, _ := cnNumber([]rune(s))
	return n
}

// afterVerb cuts the subject and verbs that open an enumeration's clause:
// 全市科技工作要加快构建科技创新 → 科技创新. It cuts after the last verb that
// leaves at least two runes.
func afterVerb(p string) string {
	cut := 0
	for _, v := range themeVerbs {
		for from := 0; ; {
			i := strings.Index(p[from:], v)
			if i < 0 {
				break
			}
			end := from + i + len(v)
			if end > cut && runeLen(p[end:]) >= 2 {
				cut = end
			}
			from = from + i + len(v)
		}
	}
	return p[cut:]
}
