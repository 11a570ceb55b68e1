package parse

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// fold maps a rune to the form used for matching: full-width ASCII to
// half-width, the ideographic space to a space and curly or corner quotes to
// straight ones. It maps one rune to one rune, so rune offsets found in a
// folded string are valid in the original.
func fold(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFF01 + '!'
	case r == 0x3000 || r == 0x00A0 || r == '\t':
		return ' '
	case r == '“' || r == '”' || r == '„' || r == '‟' || r == '「' || r == '」' || r == '『' || r == '』':
		return '"'
	case r == '‘' || r == '’':
		return '\''
	case r == '｜':
		return '|'
	case r == '〔' || r == '【':
		return '['
	case r == '〕' || r == '】':
		return ']'
	}
	return r
}

// foldString folds every rune of s (see fold).
func foldString(s string) string {
	return strings.Map(fold, s)
}

// isCJK reports whether r is a Han character or CJK/full-width punctuation,
// the neighbours between which a space is an artefact of copying.
func isCJK(r rune) bool {
	switch {
	case unicode.Is(unicode.Han, r):
		return true
	case r >= 0x3000 && r <= 0x303F: // CJK symbols and punctuation
		return r != 0x3000
	case r >= 0xFF00 && r <= 0xFFEF: // full-width forms
		return true
	case r == '“' || r == '”' || r == '‘' || r == '’' || r == '…' || r == '—':
		return true
	}
	return false
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == 0x3000 || r == 0x00A0 || r == '\r' || r == '\v' || r == '\f' ||
		r == 0x2002 || r == 0x2003 || r == 0x2009 || r == 0x202F
}

// invisible reports runes that are dropped: zero-width characters, the BOM,
// bidirectional controls (issue 7: they reorder what a reader sees), and
// C0 and C1 control characters other than the newline.
func invisible(r rune) bool {
	switch r {
	case 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF, 0x061C, utf8.RuneError:
		return true
	}
	return r < 0x20 && r != '\n' && r != '\t' && r != '\r' || r == 0x7F || (r >= 0x80 && r <= 0x9F) ||
		(r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// clean trims a line, drops invisible runes, removes spaces between CJK
// characters (「通 知」 → 通知) and collapses other runs of spaces to one.
// Newlines are kept (a table cell may hold several paragraphs); each line is
// cleaned on its own.
func clean(s string) string {
	if strings.IndexByte(s, '\n') >= 0 {
		parts := strings.Split(s, "\n")
		out := parts[:0]
		for _, p := range parts {
			if p = cleanLine(p); p != "" {
				out = append(out, p)
			}
		}
		return strings.Join(out, "\n")
	}
	return cleanLine(s)
}

func cleanLine(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	var prev rune = -1 // last rune written, -1 at start
	pendingSpace := false
	for _, r := range s {
		if r == '\n' || isSpace(r) {
			pendingSpace = prev != -1
			continue
		}
		if invisible(r) {
			continue
		}
		if pendingSpace {
			if !(isCJK(prev) && isCJK(r)) {
				b.WriteByte(' ')
			}
			pendingSpace = false
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// squeeze removes all spaces: for short labels such as unit names and table
// headers, where a space is never meaningful.
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if isSpace(r) || r == '\n' || invisible(r) {
			return -1
		}
		return r
	}, s)
}

// runeLen is the number of runes of s.
func runeLen(s string) int { return utf8.RuneCountInString(s) }

// trimEndPunct trims the clause separators and sentence terminators that end s.
func trimEndPunct(s string) string {
	return strings.TrimRightFunc(s, func(r rune) bool {
		switch fold(r) {
		case ';', ',', '.', ':', ' ', '、', '。':
			return true
		}
		return isSpace(r) || r == '\n'
	})
}
