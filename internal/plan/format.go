package plan

import (
	"strconv"
	"strings"
)

// FormatValue writes a value in base units the way a Chinese document does:
// money in 亿元 or 万元 when large, counts with their measure word.
func FormatValue(v float64, unit string) string {
	if unit == "元" {
		switch abs := v; {
		case abs >= 1e12 || abs <= -1e12:
			return trimFloat(v/1e12) + "万亿元"
		case abs >= 1e8 || abs <= -1e8:
			return trimFloat(v/1e8) + "亿元"
		case abs >= 1e4 || abs <= -1e4:
			return trimFloat(v/1e4) + "万元"
		}
	}
	return trimFloat(v) + unit
}

func trimFloat(v float64) string {
	s := strconv.FormatFloat(v, 'f', 4, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// ValueText is the target's value as the document writes it: Display when
// the parser kept it, otherwise formatted from the value.
func (t Target) ValueText() string {
	if t.Display != "" {
		return t.Display
	}
	return FormatValue(t.Value, t.Unit)
}

// StretchText formats the stretch value, or "" when there is none.
func (t Target) StretchText() string {
	if t.Stretch == nil {
		return ""
	}
	return FormatValue(*t.Stretch, t.Unit)
}

// ComparatorKey names the catalogue entry for the comparator's wording.
func (t Target) ComparatorKey() string {
	if t.Increment {
		return "cmp.increment"
	}
	switch t.Comparator {
	case MoreThan:
		return "cmp.gt"
	case About:
		return "cmp.about"
	case AtMost:
		return "cmp.le"
	}
	return "cmp.ge"
}

// DoneCount returns how many of a key item's measures are done.
func (t Task) DoneCount() int {
	n := 0
	for _, m := range t.Measures {
		if m.Done {
			n++
		}
	}
	return n
}

// ItemCount returns the number of work items in all sections.
func (p *Plan) ItemCount() int {
	n := 0
	for _, s := range p.Sections {
		n += len(s.Items)
	}
	return n
}

// ChineseNumeral writes 1–99 the way section headings do: 一, 十, 十二,
// 二十三. Other numbers stay in digits.
func ChineseNumeral(n int) string {
	digits := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n <= 0 || n >= 100:
		return strconv.Itoa(n)
	case n < 10:
		return digits[n]
	case n == 10:
		return "十"
	case n < 20:
		return "十" + digits[n%10]
	case n%10 == 0:
		return digits[n/10] + "十"
	}
	return digits[n/10] + "十" + digits[n%10]
}
