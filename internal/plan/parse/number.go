package parse

import (
	"strings"
	"unicode"
)

// Heading levels of Chinese official documents, from the outermost.
const (
	levelNone   = 0
	levelCN     = 1 // 一、
	levelParen  = 2 // （一）
	levelArabic = 3 // 1. 1、 1．
	levelParen1 = 4 // （1）
)

// heading is the numbering at the start of a paragraph.
type heading struct {
	level int
	n     int
	rest  string // the paragraph after the number, as in the document
}

var cnDigits = map[rune]int{'〇': 0, '零': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

// cnNumber parses a Chinese numeral from 一 to 九十九.
func cnNumber(rs []rune) (int, bool) {
	digit := func(r rune) (int, bool) {
		d, ok := cnDigits[r]
		return d, ok && d > 0 && r != '两'
	}
	switch len(rs) {
	case 1:
		if rs[0] == '十' {
			return 10, true
		}
		return digit(rs[0])
	case 2:
		if rs[0] == '十' {
			d, ok := digit(rs[1])
			return 10 + d, ok
		}
		if rs[1] == '十' {
			d, ok := digit(rs[0])
			return d * 10, ok
		}
	case 3:
		if rs[1] == '十' {
			t, ok1 := digit(rs[0])
			d, ok2 := digit(rs[2])
			return t*10 + d, ok1 && ok2
		}
	}
	return 0, false
}

func isCNNumeral(r rune) bool {
	if r == '十' {
		return true
	}
	d, ok := cnDigits[r]
	return ok && d > 0 && r != '两'
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// parseHeading recognises the numbering at the start of s (a cleaned
// paragraph): 一、 （一） 1. 1、 （1）. Full-width forms are accepted.
func parseHeading(s string) (heading, bool) {
	rs := []rune(s)
	if len(rs) < 2 {
		return heading{}, false
	}
	f := func(i int) rune {
		if i < len(rs) {
			return fold(rs[i])
		}
		return 0
	}
	rest := func(i int) string {
		for i < len(rs) && (isSpace(rs[i]) || fold(rs[i]) == '、' || fold(rs[i]) == '.') {
			i++
		}
		return string(rs[i:])
	}
	switch c := f(0); {
	case isCNNumeral(c):
		i := 0
		for i < len(rs) && i < 4 && isCNNumeral(rs[i]) {
			i++
		}
		n, ok := cnNumber(rs[:i])
		if !ok {
			return heading{}, false
		}
		j := i
		for j < len(rs) && isSpace(rs[j]) {
			j++
		}
		switch f(j) {
		case '、', ',', '.':
			return heading{levelCN, n, rest(j + 1)}, true
		}
	case c == '(':
		i := 1
		for i < len(rs) && isSpace(rs[i]) {
			i++
		}
		start := i
		if isCNNumeral(f(i)) {
			for i < len(rs) && i-start < 4 && isCNNumeral(rs[i]) {
				i++
			}
			n, ok := cnNumber(rs[start:i])
			if ok && f(i) == ')' {
				return heading{levelParen, n, rest(i + 1)}, true
			}
		} else if isDigit(f(i)) {
			for i < len(rs) && i-start < 3 && isDigit(f(i)) {
				i++
			}
			n := atoi(rs[start:i])
			if n > 0 && f(i) == ')' {
				return heading{levelParen1, n, rest(i + 1)}, true
			}
		}
	case isDigit(c):
		i := 0
		for i < len(rs) && i < 4 && isDigit(f(i)) {
			i++
		}
		if i > 3 {
			return heading{}, false
		}
		n := atoi(rs[:i])
		j := i
		for j < len(rs) && isSpace(rs[j]) {
			j++
		}
		if d := f(j); n > 0 && (d == '、' || d == '.' && !isDigit(f(j+1))) { // not 1.5
			r := rest(j + 1)
			if r != "" && !strings.HasPrefix(r, "%") {
				return heading{levelArabic, n, r}, true
			}
		}
	}
	return heading{}, false
}

// atoi parses ASCII or full-width digits; the caller bounds the length.
func atoi(rs []rune) int {
	n := 0
	for _, r := range rs {
		r = fold(r)
		if !isDigit(r) || n > 1e8 {
			return n
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// markerOnly reports whether s is nothing but a numbering (“1.” “一、”), as
// when a list number and its text land on separate lines.
func markerOnly(s string) bool {
	rs := []rune(strings.TrimSpace(s))
	if len(rs) == 0 || len(rs) > 6 {
		return false
	}
	last := fold(rs[len(rs)-1])
	if last != '、' && last != '.' && last != ')' {
		return false
	}
	_, ok := parseHeading(s + "x")
	return ok
}

// isHan reports whether r is a Han character.
func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }
