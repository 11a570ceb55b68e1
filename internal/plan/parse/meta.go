package parse

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// orgSuffixes end the names of issuing organisations.
var orgSuffixes = []string{"委员会", "管委会", "办公室", "办公厅", "领导小组", "政府", "局", "厅", "委", "办", "科协", "协会", "中心"}

// isOrgLine reports whether s is an organisation's name on its own line,
// such as the issuer at the head of a notice or its signature.
func isOrgLine(s string) bool {
	n := runeLen(s)
	if n < 3 || n > 40 {
		return false
	}
	for _, r := range s {
		switch fold(r) {
		case '.', ',', ';', ':', '。', '!', '?', '"', '《', '》':
			return false
		}
		if isDigit(fold(r)) {
			return false
		}
	}
	for _, suf := range orgSuffixes {
		if strings.HasSuffix(s, suf) {
			return true
		}
	}
	return false
}

var (
	reDateFull = regexp.MustCompile(`(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日`)
	reDateCN   = regexp.MustCompile(`([〇零一二三四五六七八九○Ｏ]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日`)
)

// findDate returns the first date written 2023年2月28日 or
// 二〇二三年二月二十八日 in s as YYYY-MM-DD, and the folded byte range of
// it.
func findDate(s string) (string, [2]int, bool) {
	f := foldString(s)
	loc := reDateFull.FindStringSubmatchIndex(f)
	locCN := reDateCN.FindStringSubmatchIndex(f)
	if loc != nil && (locCN == nil || loc[0] <= locCN[0]) {
		y, _ := strconv.Atoi(f[loc[2]:loc[3]])
		m, _ := strconv.Atoi(f[loc[4]:loc[5]])
		d, _ := strconv.Atoi(f[loc[6]:loc[7]])
		if iso, ok := isoDate(y, m, d); ok {
			return iso, [2]int{loc[0], loc[1]}, true
		}
		return "", [2]int{}, false
	}
	if locCN != nil {
		y := 0
		for _, r := range f[locCN[2]:locCN[3]] {
			d, ok := cnDigits[r]
			if r == '○' || r == 'Ｏ' {
				d, ok = 0, true
			}
			if !ok {
				return "", [2]int{}, false
			}
			y = y*10 + d
		}
		m, ok1 := cnNumber([]rune(f[locCN[4]:locCN[5]]))
		d, ok2 := cnNumber([]rune(f[locCN[6]:locCN[7]]))
		if iso, ok := isoDate(y, m, d); ok && ok1 && ok2 {
			return iso, [2]int{locCN[0], locCN[1]}, true
		}
	}
	return "", [2]int{}, false
}

func isoDate(y, m, d int) (string, bool) {
	if y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return "", false
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d), true
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// dateLine returns the date of a paragraph that is only a date, as under a
// signature: 2023年2月28日, (二〇二三年二月二十八日).
func dateLine(s string) (string, bool) {
	t := strings.Trim(squeeze(s), "()（）")
	if runeLen(t) > 16 {
		return "", false
	}
	iso, loc, ok := findDate(t)
	if !ok || loc[0] != 0 || loc[1] != len(foldString(t)) {
		return "", false
	}
	return iso, true
}

// printLine returns the date of a line such as “X局办公室 2023年2月28日印发”
// and the organisation before the date.
func printLine(s string) (org, date string, ok bool) {
	if !strings.HasSuffix(s, "印发") || runeLen(s) > 60 {
		return "", "", false
	}
	iso, loc, ok := findDate(s)
	if !ok {
		return "", "", false
	}
	org = strings.TrimSpace(newFolded(s).text(0, loc[0]))
	return org, iso, true
}

var reDocNo = regexp.MustCompile(`(\p{Han}{1,8})\s*[\[(]\s*(\d{4})\s*[\])]\s*(\d{1,4})\s*号`)

// docNo returns a document number such as 川科发〔2022〕2号 in s.
func docNo(s string) string {
	f := newFolded(s)
	t, loc := f.firstMatch(reDocNo)
	if loc == nil {
		return ""
	}
	return squeeze(t)
}

// titleWords mark the title of a plan.
var titleWords = []string{"工作要点", "要点", "工作计划", "计划", "任务", "清单", "工作安排"}

// isTitle reports whether a paragraph is the plan's title, such as
// 2023年全市科技创新工作要点.
func isTitle(s string) bool {
	n := runeLen(s)
	if n < 4 || n > 60 {
		return false
	}
	f := foldString(s)
	if strings.ContainsAny(f, "。;") || strings.HasSuffix(f, ":") || strings.HasSuffix(f, ",") ||
		strings.Contains(f, "《") || strings.Contains(f, "通知") || strings.Contains(f, "印发") ||
		strings.HasPrefix(f, "关于") || strings.HasPrefix(f, "附件") || strings.HasPrefix(f, "现将") {
		return false
	}
	if _, ok := parseHeading(s); ok {
		return false
	}
	for _, w := range titleWords {
		if strings.Contains(f, w) {
			return true
		}
	}
	return false
}

// noticeTitle returns the plan's title quoted in a notice's title or text,
// as in 关于印发《2023年全市科技创新工作要点》的通知, and the text before
// 关于 (the issuer, when the notice title names it).
func noticeTitle(s string) (title, before string, ok bool) {
	i := strings.Index(s, "《")
	j := strings.Index(s, "》")
	if i < 0 || j < i {
		return "", "", false
	}
	inner := strings.TrimSpace(s[i+len("《") : j])
	f := foldString(s)
	if !strings.Contains(f, "印发") && !strings.Contains(f, "通知") && !strings.Contains(f, "关于") {
		return "", "", false
	}
	ok = false
	for _, w := range titleWords {
		if strings.Contains(inner, w) {
			ok = true
		}
	}
	if k := strings.Index(s, "关于"); k > 0 {
		before = strings.TrimSpace(s[:k])
	}
	return squeezeCJK(inner), before, ok
}

// squeezeCJK drops spaces between CJK characters and trims.
func squeezeCJK(s string) string { return cleanLine(s) }

// addressees reports whether s is the line of addressees of a notice, such
// as 各县(市、区)科技主管部门: and returns it without the colon.
func addressees(s string) (string, bool) {
	f := foldString(s)
	if !strings.HasSuffix(f, ":") || runeLen(s) > 200 {
		return "", false
	}
	body := strings.TrimRight(s, ":：")
	fb := foldString(body)
	if strings.HasPrefix(fb, "现将") || strings.HasPrefix(fb, "根据") || strings.Contains(fb, "。") {
		return "", false
	}
	if strings.Contains(fb, "各") || containsAny(lastRunes(fb, 3), "单位", "部门", "处室", "事处", "政府", "科室") {
		return body, true
	}
	return "", false
}

func lastRunes(s string, n int) string {
	rs := []rune(s)
	return string(rs[max(0, len(rs)-n):])
}

var (
	reYear   = regexp.MustCompile(`(\d{4})\s*(?:年|—|-)`)
	reYearCN = regexp.MustCompile(`^([〇零一二三四五六七八九○]{4})年`)
)

// titleYear returns the year a title names (2023年…), or 0.
func titleYear(s string) int {
	f := foldString(s)
	for _, m := range reYear.FindAllStringSubmatch(f, 3) {
		if y, err := strconv.Atoi(m[1]); err == nil && y > 1949 && y < 2200 {
			return y
		}
	}
	if m := reYearCN.FindStringSubmatch(f); m != nil {
		y := 0
		for _, r := range m[1] {
			d := cnDigits[r]
			y = y*10 + d
		}
		if y > 1949 && y < 2200 {
			return y
		}
	}
	return 0
}
