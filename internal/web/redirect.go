package web

import (
	"net/url"
	"strings"
)

// localPath returns target as a path on this site, normalised as a browser
// would read it, or "/" when it could lead anywhere else. Every redirect to
// an address taken from the request (login's next, the language switch's
// back) goes through it.
//
// Browsers remove tabs, CR and LF anywhere in a URL, trim control
// characters and spaces at its ends and read \ as /, so "/\t/evil.example"
// and "/\\evil.example" are "//evil.example": another host (issue 7). The
// check is made on the normalised form, and that form is what is returned.
func localPath(target string) string {
	s := strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return -1
		case '\\':
			return '/'
		}
		return r
	}, target)
	s = strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
	if s == "" || s[0] != '/' || strings.HasPrefix(s, "//") {
		return "/"
	}
	for _, r := range s {
		// Other control characters and spaces have no place in a path we
		// made; refuse rather than guess how a browser reads them.
		if r < ' ' || r == 0x7f || r == ' ' {
			return "/"
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.User != nil {
		return "/"
	}
	return s
}
