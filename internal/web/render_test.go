package web_test

import (
	"strings"
	"testing"
)

// TestNoFormattingErrors opens every page each role may open and fails on
// a catalogue entry whose arguments do not match its verbs (%!d, %!(EXTRA…)).
func TestNoFormattingErrors(t *testing.T) {
	e := newServer(t)
	for _, role := range []string{"staff", "reporter", "leader", "sysadmin", "secadmin", "auditor"} {
		c := e.login(t, role)
		for pattern, roles := range e.srv.Routes() {
			method, path, _ := strings.Cut(pattern, " ")
			if method != "GET" || strings.Contains(strings.TrimSuffix(path, "{$}"), "{") {
				continue
			}
			allowed := false
			for _, r := range roles {
				allowed = allowed || string(r) == role
			}
			if !allowed {
				continue
			}
			for _, lang := range []string{"zh-CN", "en"} {
				c.get("/lang/" + lang)
				resp, body := c.get(strings.TrimSuffix(path, "{$}"))
				if resp.StatusCode >= 500 {
					t.Errorf("%s %s (%s): %d", role, path, lang, resp.StatusCode)
				}
				if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
					continue // downloads are not pages
				}
				if i := strings.Index(body, "%!"); i >= 0 {
					t.Errorf("%s %s (%s): formatting error near %q", role, path, lang, body[max(0, i-60):min(len(body), i+40)])
				}
			}
		}
	}
}
