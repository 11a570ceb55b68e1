package target

import "strings"

// baseUnits are the units a target's value is stored in. Money is 元 (or
// 美元); counts keep their measure word; measures keep their own unit. Units
// that begin with a multiplier character (千瓦, 千克, 千米, 百分点) are units in
// their own right and are never split.
var baseUnits = map[string]bool{
	// money
	"元": true, "美元": true,
	// percent and percentage points
	"%": true, "百分点": true,
	// measure words of counts
	"家": true, "个": true, "项": true, "支": true, "颗": true, "件": true,
	"人": true, "名": true, "位": true, "次": true, "所": true, "座": true,
	"台": true, "套": true, "篇": true, "户": true, "场": true, "批": true,
	"条": true, "种": true, "株": true, "头": true, "只": true, "辆": true,
	"架": true, "艘": true, "册": true, "份": true, "本": true, "处": true,
	"栋": true, "幢": true, "期": true, "款": true, "例": true, "对": true,
	"组": true, "队": true, "间": true, "部": true, "门": true, "节": true,
	"人次": true, "家次": true, "户次": true, "项次": true, "场次": true,
	"批次": true,
	// measures
	"亩": true, "公顷": true, "平方米": true, "平方公里": true, "公里": true,
	"千米": true, "米": true, "吨": true, "千克": true, "公斤": true,
	"千瓦": true, "兆瓦": true, "千瓦时": true, "立方米": true,
	"标准箱": true,
}

// unitAliases normalise spellings of the same unit.
var unitAliases = map[string]string{
	"％":    "%",
	"个百分点": "百分点",
}

// maxUnitLen is the longest unit with a multiplier, in runes (万亿 + 平方公里).
const maxUnitLen = 6

// Scale splits a unit as a document writes it into the base unit its
// values are stored in and the factor to get there: 亿元 → (元, 1e8), 万元 →
// (元, 1e4), 万亿元 → (元, 1e12), 千万元 → (元, 1e7), 万人 → (人, 1e4), ％ →
// (%, 1), 家 → (家, 1). A unit it does not know comes back unchanged with
// factor 1.
func Scale(unit string) (base string, factor float64) {
	u := strings.TrimSpace(unit)
	if b, ok := normalUnit(u); ok {
		return b, 1
	}
	for _, m := range multiplierList {
		rest, ok := strings.CutPrefix(u, m)
		if !ok {
			continue
		}
		if b, ok := normalUnit(rest); ok && b != "%" && b != "百分点" {
			return b, multipliers[m]
		}
	}
	return u, 1
}

func normalUnit(u string) (string, bool) {
	if a, ok := unitAliases[u]; ok {
		return a, true
	}
	return u, baseUnits[u]
}

// isUnit reports whether u, as written, is a known unit (with or without a
// multiplier).
func isUnit(u string) bool {
	if _, ok := normalUnit(u); ok {
		return true
	}
	b, f := Scale(u)
	return f != 1 || baseUnits[b]
}

// matchUnit finds the longest unit written at rs[i:], with an optional 多 or
// 余 ("300余家": more than 300) between the number and the unit or between
// the multiplier and the unit. It returns the end of the unit text.
func matchUnit(rs []rune, i int) (end int, base string, factor float64, more bool, ok bool) {
	j := i
	if j < len(rs) && (rs[j] == '多' || rs[j] == '余') {
		more = true
		j++
	}
	if e, b, f, ok := longestUnit(rs, j); ok {
		return e, b, f, more, true
	}
	if more {
		return 0, "", 0, false, false
	}
	// 3万余人: multiplier, 余, unit.
	for _, m := range multiplierList {
		mr := []rune(m)
		if !hasRunes(rs, i, mr) {
			continue
		}
		k := i + len(mr)
		if k < len(rs) && (rs[k] == '多' || rs[k] == '余') {
			if e, b, f, ok := longestUnit(rs, k+1); ok && f == 1 && b != "%" && b != "百分点" {
				return e, b, multipliers[m], true, true
			}
		}
	}
	return 0, "", 0, false, false
}

func longestUnit(rs []rune, i int) (end int, base string, factor float64, ok bool) {
	for l := min(maxUnitLen, len(rs)-i); l >= 1; l-- {
		u := string(rs[i : i+l])
		if !isUnit(u) {
			continue
		}
		b, f := Scale(u)
		return i + l, b, f, true
	}
	return 0, "", 0, false
}

func hasRunes(rs []rune, i int, w []rune) bool {
	if i < 0 || i+len(w) > len(rs) {
		return false
	}
	for k, r := range w {
		if rs[i+k] != r {
			return false
		}
	}
	return true
}
