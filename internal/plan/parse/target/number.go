package target

import (
	"math"
	"strconv"
	"strings"
)

// ParseNumber reads a whole string as a number: Arabic digits (ASCII or
// full-width, with a decimal point and unambiguous thousands separators such
// as 1,200), optionally followed by a Chinese multiplier (1.2万, 15.3亿,
// 3千万), or Chinese numerals (三, 十二, 一百二十, 两千, 三千万, 二〇二三).
// It reports false for anything else, including names such as 十四五.
func ParseNumber(s string) (float64, bool) {
	rs := []rune(strings.TrimSpace(s))
	if len(rs) == 0 {
		return 0, false
	}
	if isDigit(rs[0]) {
		end, digits, ok := scanArabic(rs, 0)
		if !ok {
			return 0, false
		}
		factor := 1.0
		if end < len(rs) {
			f, ok := multipliers[string(rs[end:])]
			if !ok {
				return 0, false
			}
			factor = f
		}
		return arabicValue(digits, factor), true
	}
	return parseChinese(rs)
}

// multipliers are the Chinese words that scale a number, as in 15.3亿 or
// 3千万; longest first in multiplierList.
var multipliers = map[string]float64{
	"十": 1e1, "百": 1e2, "千": 1e3, "万": 1e4, "十万": 1e5, "百万": 1e6,
	"千万": 1e7, "亿": 1e8, "十亿": 1e9, "百亿": 1e10, "千亿": 1e11, "万亿": 1e12,
}

var multiplierList = []string{"万亿", "千亿", "百亿", "十亿", "千万", "百万", "十万", "亿", "万", "千", "百", "十"}

// isDigit reports an ASCII or full-width decimal digit.
func isDigit(r rune) bool {
	return (r >= '0' && r <= '9') || (r >= '０' && r <= '９')
}

func asciiDigit(r rune) byte {
	if r >= '０' && r <= '９' {
		return byte('0' + (r - '０'))
	}
	return byte(r)
}

// scanArabic reads an Arabic number starting at rs[i] (a digit). It returns
// the end of the number and its digits in ASCII with at most one '.', and
// false for things that are not one quantity, such as a version or section
// number (1.2.3).
func scanArabic(rs []rune, i int) (end int, digits string, ok bool) {
	var b strings.Builder
	j := i
	for j < len(rs) && isDigit(rs[j]) {
		b.WriteByte(asciiDigit(rs[j]))
		j++
	}
	// Thousands separators: only ASCII commas, only after a first group of at
	// most three digits, each followed by exactly three digits. A comma that
	// does not fit stays a clause separator.
	if j-i <= 3 {
		for j+3 < len(rs) && rs[j] == ',' && isDigit(rs[j+1]) && isDigit(rs[j+2]) && isDigit(rs[j+3]) &&
			(j+4 == len(rs) || !isDigit(rs[j+4])) {
			b.WriteByte(asciiDigit(rs[j+1]))
			b.WriteByte(asciiDigit(rs[j+2]))
			b.WriteByte(asciiDigit(rs[j+3]))
			j += 4
		}
	}
	if j+1 < len(rs) && (rs[j] == '.' || rs[j] == '．') && isDigit(rs[j+1]) {
		b.WriteByte('.')
		j++
		for j < len(rs) && isDigit(rs[j]) {
			b.WriteByte(asciiDigit(rs[j]))
			j++
		}
		// 1.2.3 is a section or version number.
		if j+1 < len(rs) && (rs[j] == '.' || rs[j] == '．') && isDigit(rs[j+1]) {
			for j < len(rs) && (isDigit(rs[j]) || rs[j] == '.' || rs[j] == '．') {
				j++
			}
			return j, "", false
		}
	}
	return j, b.String(), true
}

// arabicValue returns digits × factor, exact when the digits allow it: 15.3
// × 1e8 is 1530000000, not 1530000000.0000002.
func arabicValue(digits string, factor float64) float64 {
	intPart, frac, _ := strings.Cut(digits, ".")
	if len(intPart)+len(frac) <= 15 {
		if m, err := strconv.ParseInt(intPart+frac, 10, 64); err == nil {
			v := float64(m) * factor / math.Pow10(len(frac))
			return v
		}
	}
	f, err := strconv.ParseFloat(digits, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0
	}
	return f * factor
}

// cnDigits maps Chinese digits (also the financial forms) to their value.
var cnDigits = map[rune]int{
	'零': 0, '〇': 0, '一': 1, '壹': 1, '二': 2, '贰': 2, '两': 2, '三': 3, '叁': 3,
	'四': 4, '肆': 4, '五': 5, '伍': 5, '六': 6, '陆': 6, '七': 7, '柒': 7,
	'八': 8, '捌': 8, '九': 9, '玖': 9,
}

// cnUnits maps the Chinese place words to their value.
var cnUnits = map[rune]float64{
	'十': 10, '拾': 10, '百': 100, '佰': 100, '千': 1000, '仟': 1000,
	'万': 1e4, '亿': 1e8,
}

func isCNNumeral(r rune) bool {
	_, d := cnDigits[r]
	_, u := cnUnits[r]
	return d || u
}

// isCNStart reports a rune that may begin a Chinese numeral in running
// text. A bare 百/千/万/亿 does not: 万亩种业园区 and 千万 are words.
func isCNStart(r rune) bool {
	if r == '零' || r == '〇' {
		return false
	}
	_, d := cnDigits[r]
	return d || r == '十' || r == '拾'
}

// parseChinese reads Chinese numerals. It rejects malformed runs such as
// 十四五 or 一二 (two digits without a place word), so that names holding
// numerals are not read as numbers; digit-by-digit years (二〇二三) are read
// when they contain 〇.
func parseChinese(rs []rune) (float64, bool) {
	if len(rs) == 0 {
		return 0, false
	}
	allDigits, hasZero := true, false
	for _, r := range rs {
		if _, ok := cnDigits[r]; !ok {
			allDigits = false
		}
		if r == '〇' {
			hasZero = true
		}
		if !isCNNumeral(r) {
			return 0, false
		}
	}
	if allDigits && len(rs) > 1 {
		if !hasZero {
			return 0, false
		}
		v := 0.0
		for _, r := range rs {
			v = v*10 + float64(cnDigits[r])
		}
		return v, true
	}
	var (
		yi, wan, sec float64
		num          = -1   // pending digit, -1 when none
		lastSmall    = 1e9  // last place word (十百千) in this section
		lastBig      = 1e18 // last 万/亿 seen
		afterZero    bool
		any          bool
	)
	for i, r := range rs {
		if d, ok := cnDigits[r]; ok {
			if d == 0 {
				if num > 0 {
					return 0, false
				}
				afterZero = true
				continue
			}
			if num >= 0 {
				return 0, false // two digits in a row: 十四五, 一二
			}
			num = d
			any = true
			continue
		}
		u := cnUnits[r]
		switch {
		case u < 1e4: // 十 百 千
			if u >= lastSmall {
				return 0, false
			}
			n := num
			if n < 0 {
				// 十二 = 12, but only 十 may stand without a digit, and only
				// at the start of a section.
				if u != 10 || sec != 0 || (i > 0 && !isBig(rs[i-1]) && !afterZero) {
					return 0, false
				}
				n = 1
			}
			sec += float64(n) * u
			lastSmall = u
			num = -1
			afterZero = false
			any = true
		default: // 万 亿
			n := 0.0
			if num > 0 {
				n = float64(num)
			}
			if sec+n == 0 && wan == 0 {
				return 0, false
			}
			if u == 1e8 {
				// 万亿 is allowed: 一万亿 = 1e12.
				wanYi := lastBig == 1e4 && i > 0 && rs[i-1] == '万'
				if lastBig <= 1e8 && !wanYi {
					return 0, false
				}
				yi = (yi + wan + sec + n) * 1e8
				wan = 0
				lastBig = 1e8
			} else {
				if lastBig <= 1e4 || sec+n == 0 {
					return 0, false
				}
				wan = (sec + n) * 1e4
				lastBig = 1e4
			}
			sec, num, lastSmall, afterZero = 0, -1, 1e9, false
		}
	}
	if !any {
		return 0, false
	}
	v := yi + wan + sec
	if num > 0 {
		v += float64(num)
	}
	return v, true
}

func isBig(r rune) bool { return r == '万' || r == '亿' }
