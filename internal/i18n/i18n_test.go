package i18n

import (
	"sort"
	"testing"
)

// TestCataloguesInStep: every key has a text in every language.
func TestCataloguesInStep(t *testing.T) {
	zh, en := Keys("zh-CN"), Keys("en")
	sort.Strings(zh)
	sort.Strings(en)
	missing := func(a, b []string) []string {
		set := map[string]bool{}
		for _, k := range b {
			set[k] = true
		}
		var out []string
		for _, k := range a {
			if !set[k] {
				out = append(out, k)
			}
		}
		return out
	}
	if m := missing(zh, en); len(m) > 0 {
		t.Errorf("en lacks %v", m)
	}
	if m := missing(en, zh); len(m) > 0 {
		t.Errorf("zh-CN lacks %v", m)
	}
}

func TestMatchAndFallback(t *testing.T) {
	for in, want := range map[string]string{"": "zh-CN", "en-US,en;q=0.9": "en", "zh-TW": "zh-CN", "fr": "zh-CN", "en": "en"} {
		if got := Match(in); got != want {
			t.Errorf("Match(%q) = %q, want %q", in, got, want)
		}
	}
	if got := T("en", "app.name"); got != "Luoshi" {
		t.Errorf("en app.name = %q", got)
	}
	if got := T("zh-CN", "plan.measures_done", 2, 3); got != "已完成 2/3 项举措" {
		t.Errorf("formatted = %q", got)
	}
	if got := T("en", "no.such.key"); got != "no.such.key" {
		t.Errorf("unknown key = %q", got)
	}
}
