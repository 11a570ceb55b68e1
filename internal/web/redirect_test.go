package web

import "testing"

// TestLocalPath: only paths on this site pass, judged as a browser reads
// them (tabs and newlines removed, \ as /, control characters and spaces
// trimmed at the ends).
func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "/",
		"/":                     "/",
		"/plans/3":              "/plans/3",
		"/plans?x=1&y=2#top":    "/plans?x=1&y=2#top",
		"/audit?q=%2F%2Fevil":   "/audit?q=%2F%2Fevil",
		"/\t/evil.example":      "/",
		"/\r\n/evil.example":    "/",
		"\t//evil.example":      "/",
		" //evil.example":       "/",
		"\x00//evil.example":    "/",
		"//evil.example":        "/",
		"///evil.example":       "/",
		"/\\evil.example":       "/",
		"\\\\evil.example":      "/",
		"\\/evil.example":       "/",
		"https://evil.example":  "/",
		"HTTPS://evil.example/": "/",
		"javascript:alert(1)":   "/",
		" javascript:alert(1)":  "/",
		"java\tscript:alert(1)": "/",
		"evil.example":          "/",
		"plans":                 "/",
		"/pl\tans":              "/plans",
		"/\x00/evil.example":    "/",
		"/a b":                  "/",
		"/\x7f":                 "/",
		"/%09/evil.example":     "/%09/evil.example", // a literal %09 stays encoded: a path
		"/.//evil.example":      "/.//evil.example",  // a path on this host
		"/plans/\\..\\\\evil":   "/plans//..//evil",
		"/计划":                   "/计划",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}
