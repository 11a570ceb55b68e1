// Package text holds the one rule for what characters a text field may
// hold (issue 7). Every single-line field (names, titles, codes) refuses
// invalid UTF-8, NUL and the other C0 and C1 control characters, line
// breaks, bidirectional overrides and isolates, and zero-width characters:
// they hide or reorder what a reader sees (a unit name that displays as
// another), break exports and logs, and PostgreSQL refuses NUL outright.
// Multi-line fields allow line feeds and tabs besides. The domain and
// service checks call these functions, so the web forms, the API and the
// CLI refuse the same input with the same message.
package text

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// forbidden reports whether r may not appear in any text field; line
// breaks and tabs are decided by the callers.
func forbidden(r rune) bool {
	switch {
	case r < 0x20 || r == 0x7f: // C0 controls and DEL
		return true
	case r >= 0x80 && r <= 0x9f: // C1 controls
		return true
	case r == 0x061c: // Arabic letter mark (a bidi control)
		return true
	case r >= 0x200b && r <= 0x200f: // zero-width space, non-joiner, joiner; LRM, RLM
		return true
	case r == 0x2028 || r == 0x2029: // line and paragraph separators
		return true
	case r >= 0x202a && r <= 0x202e: // bidi embeddings and overrides
		return true
	case r >= 0x2060 && r <= 0x2064: // word joiner, invisible operators
		return true
	case r >= 0x2066 && r <= 0x2069: // bidi isolates
		return true
	case r == 0xfeff: // zero-width no-break space (BOM)
		return true
	case r == 0xfffe || r == 0xffff || r == utf8.RuneError:
		return true
	}
	return false
}

// describe names a refused character for a message.
func describe(r rune) string {
	switch {
	case r == '\n' || r == '\r':
		return "换行符"
	case r == '\t':
		return "制表符"
	case r == 0:
		return "空字符(U+0000)"
	case r == utf8.RuneError:
		return "无效的 UTF-8 编码"
	case (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x061c || r == 0x200e || r == 0x200f:
		return fmt.Sprintf("文字方向控制字符(U+%04X)", r)
	case (r >= 0x200b && r <= 0x200d) || (r >= 0x2060 && r <= 0x2064) || r == 0xfeff:
		return fmt.Sprintf("零宽字符(U+%04X)", r)
	}
	return fmt.Sprintf("控制字符(U+%04X)", r)
}

// bad returns the first refused rune of s, and whether there is one.
// Invalid UTF-8 counts as utf8.RuneError.
func bad(s string, multiLine bool) (rune, bool) {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				return r, true
			}
		}
		if multiLine && (r == '\n' || r == '\t') {
			continue
		}
		if forbidden(r) {
			return r, true
		}
	}
	return 0, false
}

// Line checks a single-line field: it returns "" when s is acceptable,
// else a Chinese message for the field's error, e.g.
// "不能包含换行符". label, when not empty, starts the message
// ("单位名称不能包含…").
func Line(label, s string) string {
	if r, ok := bad(s, false); ok {
		return label + "不能包含" + describe(r)
	}
	return ""
}

// Multi checks a multi-line field, which may hold line feeds and tabs
// besides (carriage returns of CRLF line ends are removed by NormalizeMulti
// first).
func Multi(label, s string) string {
	if r, ok := bad(s, true); ok {
		return label + "不能包含" + describe(r)
	}
	return ""
}

// NormalizeMulti turns CRLF and lone CR line ends (as browsers send a
// textarea) into LF.
func NormalizeMulti(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// CleanLine removes what Line refuses from s, for values that are not
// typed into a form but must still be stored or looked up safely: an
// uploaded file's name, a search box, the name tried at a failed sign-in.
func CleanLine(s string) string {
	if _, ok := bad(s, false); !ok {
		return s
	}
	s = strings.ToValidUTF8(s, "")
	return strings.Map(func(r rune) rune {
		if forbidden(r) || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, s)
}
