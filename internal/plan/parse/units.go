package parse

import (
	"regexp"
	"sort"
	"strings"
)

// Place names are found only after a verb that assigns work to a unit
// (支持射洪市…, 推动遂宁高新区…), and enumerations right after one
// (支持蓬溪县、安居区…): a bare 射洪 in 省农科院(射洪) or a place outside
// the plan's area named with 联合 is not a unit of the plan. Precision is
// preferred over recall; Options.KnownUnits does better.
var (
	rePlace     = regexp.MustCompile(`(?:支持|推动|指导|鼓励|督促|引导|帮助|协助)(?:市|省)?(\p{Han}{2,4}?(?:高新区|经开区|新区|县|区|市))`)
	rePlaceNext = regexp.MustCompile(`^[、和及](\p{Han}{2,4}?(?:高新区|经开区|新区|县|区|市))`)
)

// placeStop are parts of words that are not place names: 国家高新区,
// 产业园区, 示范县, 有条件的县.
var placeStop = []string{
	"国家", "省级", "市级", "县级", "区级", "全", "各", "本", "该", "其", "产业", "园", "示范", "开发",
	"社", "片", "景", "地", "级", "高新", "经开", "试验", "实验", "功能", "保税", "自贸", "农业",
	"工业", "科技", "创新", "重点", "相关", "有关", "辖", "山区", "老区", "库区", "灾区", "牧区",
	"的", "之", "和", "与", "及", "等", "在", "对", "为", "向", "把", "将", "或", "以", "并", "加快", "加强", "建设",
}

func placeCore(name string) bool {
	core := name
	for _, suf := range []string{"高新区", "经开区", "新区", "县", "区", "市"} {
		if strings.HasSuffix(name, suf) {
			core = strings.TrimSuffix(name, suf)
			break
		}
	}
	if runeLen(core) < 2 || strings.HasSuffix(core, "城") && strings.HasSuffix(name, "市") { // 智慧城市
		return false
	}
	for _, w := range placeStop {
		if strings.Contains(core, w) {
			return false
		}
	}
	return true
}

// findUnits returns the org unit names mentioned in s, in order of first
// appearance, without duplicates: the known names when known is not empty,
// else place names found by the heuristics above.
func findUnits(s string, known []string) []string {
	if len(s) > 1<<16 {
		s = strings.ToValidUTF8(s[:1<<16], "")
	}
	s = squeeze(s)
	if len(known) > 0 {
		return findKnown(s, known)
	}
	var out []string
	seen := map[string]bool{}
	addName := func(n string) {
		if !seen[n] && placeCore(n) {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, loc := range rePlace.FindAllStringSubmatchIndex(s, -1) {
		name := s[loc[2]:loc[3]]
		if !placeCore(name) {
			continue
		}
		addName(name)
		for end := loc[1]; ; {
			m := rePlaceNext.FindStringSubmatchIndex(s[end:])
			if m == nil || !placeCore(s[end+m[2]:end+m[3]]) {
				break
			}
			addName(s[end+m[2] : end+m[3]])
			end += m[1]
		}
	}
	return out
}

func findKnown(s string, known []string) []string {
	type hit struct {
		at   int
		name string
	}
	var hits []hit
	for _, k := range known {
		k = squeeze(k)
		if k == "" {
			continue
		}
		if i := strings.Index(s, k); i >= 0 {
			hits = append(hits, hit{i, k})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].at != hits[j].at {
			return hits[i].at < hits[j].at
		}
		return len(hits[i].name) > len(hits[j].name)
	})
	var out []string
	seen := map[string]bool{}
	for _, h := range hits {
		if seen[h.name] {
			continue
		}
		// 遂宁高新区 found, 遂宁 is not another unit.
		inside := false
		for _, o := range out {
			if strings.Contains(o, h.name) && strings.Count(s, h.name) == strings.Count(s, o) {
				inside = true
				break
			}
		}
		if inside {
			continue
		}
		seen[h.name] = true
		out = append(out, h.name)
	}
	return out
}

// splitUnits splits a 牵头单位/配合单位 cell into unit names.
func splitUnits(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool {
		switch fold(r) {
		case '、', ',', ';', '/', '\n', ' ', '。':
			return true
		}
		return isSpace(r)
	})
	var out []string
	seen := map[string]bool{}
	for _, u := range f {
		u = strings.TrimSuffix(squeeze(u), "等")
		if u == "" || seen[u] || runeLen(u) > 40 {
			continue
		}
		seen[u] = true
		out = append(out, u)
	}
	return out
}
