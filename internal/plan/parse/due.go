package parse

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// maxDueScan bounds the text searched for deadline phrases.
const maxDueScan = 8 << 10

var (
	// Phrases that are deadlines wherever they appear.
	reDueDay     = regexp.MustCompile(`(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日(?:前|之前|以前)?`)
	reDueMonth   = regexp.MustCompile(`(?:(\d{4})年)?(\d{1,2})月(?:份)?(底|末|上旬|中旬|下旬)?(前|之前|以前)?`)
	reDueYearEnd = regexp.MustCompile(`(?:(\d{4})年|年)(?:底|末)(?:前|之前|以前)?`)
	reDueHalf    = regexp.MustCompile(`(?:(\d{4})年)?(上半年|下半年)`)
	reDueQuarter = regexp.MustCompile(`(?:(\d{4})年)?第?([一二三四1-4])季度(?:末|底)?(?:前)?`)
	// Recurring deadlines: in running text only with a point in the period
	// (每季度末, 每月10日前); in a deadline column also 每月, 长期.
	reDueRecur     = regexp.MustCompile(`每(?:个)?(?:季度|月|年|半年|周|旬)(?:末|底|初|\d{1,2}日)(?:前)?`)
	reDueRecurCell = regexp.MustCompile(`每(?:个)?(?:季度|月|年|半年|周|旬)|长期|常态化|持续推进`)
	// In a deadline column a bare year or month is a deadline too.
	reDueYear = regexp.MustCompile(`(\d{4})年(?:度)?`)
	reDueDots = regexp.MustCompile(`(\d{4})[./-](\d{1,2})(?:[./-](\d{1,2}))?`)
)

type dueMatch struct {
	a, b      int    // folded byte range
	date      string // YYYY-MM-DD, empty when not definite
	recurring bool
}

// findDue finds the deadline phrases of s. In a deadline column (cell) a
// bare year or month counts; in running text only phrases such as 6月底前,
// 2023年12月底, 年底前. Due is the latest definite date, and only when no
// recurring phrase (每季度末) is present; dueText is the phrase of that date
// (or the recurring phrase), or the whole cell.
func findDue(s string, year int, cell bool) (due, dueText string) {
	if len(s) > maxDueScan {
		s = strings.ToValidUTF8(s[:maxDueScan], "")
	}
	f := newFolded(s)
	var ms []dueMatch
	add := func(a, b int, date string, recurring bool) {
		for _, m := range ms {
			if a < m.b && m.a < b {
				return // overlaps a phrase found before (a more specific one)
			}
		}
		ms = append(ms, dueMatch{a, b, date, recurring})
	}
	num := func(loc []int, k int) int {
		if loc[2*k] < 0 {
			return 0
		}
		n, _ := strconv.Atoi(f.s[loc[2*k]:loc[2*k+1]])
		return n
	}
	yearOr := func(y int) int {
		if y == 0 {
			return year
		}
		return y
	}
	for _, loc := range reDueRecur.FindAllStringIndex(f.s, -1) {
		add(loc[0], loc[1], "", true)
	}
	if cell {
		for _, loc := range reDueRecurCell.FindAllStringIndex(f.s, -1) {
			add(loc[0], loc[1], "", true)
		}
	}
	for _, loc := range reDueDay.FindAllStringSubmatchIndex(f.s, -1) {
		d, _ := isoDate(yearOr(num(loc, 1)), num(loc, 2), num(loc, 3))
		add(loc[0], loc[1], d, false)
	}
	for _, loc := range reDueMonth.FindAllStringSubmatchIndex(f.s, -1) {
		part, before := loc[6] >= 0, loc[8] >= 0
		hasYear := loc[2] >= 0
		if !cell && !part && !before && !hasYear {
			continue // “3月” in running text is not a deadline
		}
		if !cell && !part && !before {
			continue // “2023年3月召开” neither
		}
		y, m := yearOr(num(loc, 1)), num(loc, 2)
		d := ""
		if m >= 1 && m <= 12 && y > 0 {
			switch {
			case !part && before:
				// 6月前: before June or by June? Ambiguous.
			case part && f.s[loc[6]:loc[7]] == "上旬":
				d, _ = isoDate(y, m, 10)
			case part && f.s[loc[6]:loc[7]] == "中旬":
				d, _ = isoDate(y, m, 20)
			default:
				d, _ = isoDate(y, m, daysIn(y, m))
			}
		}
		add(loc[0], loc[1], d, false)
	}
	for _, loc := range reDueYearEnd.FindAllStringSubmatchIndex(f.s, -1) {
		d, _ := isoDate(yearOr(num(loc, 1)), 12, 31)
		add(loc[0], loc[1], d, false)
	}
	for _, loc := range reDueHalf.FindAllStringSubmatchIndex(f.s, -1) {
		y := yearOr(num(loc, 1))
		d := ""
		if f.s[loc[4]:loc[5]] == "上半年" {
			d, _ = isoDate(y, 6, 30)
		} else {
			d, _ = isoDate(y, 12, 31)
		}
		add(loc[0], loc[1], d, false)
	}
	for _, loc := range reDueQuarter.FindAllStringSubmatchIndex(f.s, -1) {
		q := -1
		switch f.s[loc[4]:loc[5]] {
		case "一", "1":
			q = 0
		case "二", "2":
			q = 1
		case "三", "3":
			q = 2
		case "四", "4":
			q = 3
		}
		y := yearOr(num(loc, 1))
		d := ""
		if q >= 0 && q < 4 {
			d, _ = isoDate(y, 3*q+3, daysIn(max(y, 1900), 3*q+3))
		}
		add(loc[0], loc[1], d, false)
	}
	if cell {
		for _, loc := range reDueDots.FindAllStringSubmatchIndex(f.s, -1) {
			y, m, dd := num(loc, 1), num(loc, 2), num(loc, 3)
			if dd == 0 && m >= 1 && m <= 12 {
				dd = daysIn(y, m)
			}
			d, _ := isoDate(y, m, dd)
			add(loc[0], loc[1], d, false)
		}
		for _, loc := range reDueYear.FindAllStringSubmatchIndex(f.s, -1) {
			d, _ := isoDate(num(loc, 1), 12, 31)
			add(loc[0], loc[1], d, false)
		}
	}
	if len(ms) == 0 {
		if cell {
			return "", strings.Join(strings.Fields(s), " ")
		}
		return "", ""
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].a < ms[j].a })
	best := -1
	for i, m := range ms {
		if m.recurring {
			best = i
			break
		}
		if m.date != "" && (best < 0 || m.date >= ms[best].date) {
			best = i
		}
	}
	if best < 0 {
		best = len(ms) - 1
	}
	m := ms[best]
	if !m.recurring {
		due = m.date
	}
	if cell {
		return due, strings.Join(strings.Fields(s), " ")
	}
	return due, f.text(m.a, m.b)
}
