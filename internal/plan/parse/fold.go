package parse

import (
	"regexp"
	"unicode/utf8"
)

// folded is a text with its folded form (see fold), for matching regular
// expressions against the folded form while returning the document's text.
type folded struct {
	orig []rune
	s    string
}

func newFolded(s string) folded {
	return folded{orig: []rune(s), s: foldString(s)}
}

// text returns the original text of the folded byte range [a, b).
func (f folded) text(a, b int) string {
	ra := utf8.RuneCountInString(f.s[:a])
	rb := ra + utf8.RuneCountInString(f.s[a:b])
	if rb > len(f.orig) {
		rb = len(f.orig)
	}
	if ra > rb {
		return ""
	}
	return string(f.orig[ra:rb])
}

// firstMatch returns the original text of re's first match in f, and the
// submatch indexes of the folded form.
func (f folded) firstMatch(re *regexp.Regexp) (string, []int) {
	loc := re.FindStringSubmatchIndex(f.s)
	if loc == nil {
		return "", nil
	}
	return f.text(loc[0], loc[1]), loc
}
