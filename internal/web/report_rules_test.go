package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/luoshi/luoshi/internal/period"
)

// TestRulesForm: the assignment page's rules form carries the plan's
// version; sending it back saves the rules, sending it again is a conflict.
func TestRulesForm(t *testing.T) {
	e := newServer(t)
	staff := e.login(t, "staff")
	_, body := staff.get(e.planURL("/assign"))
	m := regexp.MustCompile(`(?s)action="/plans/\d+/rules">.*?name="version" value="(\d+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no rules form with the plan's version")
	}
	form := url.Values{"frequency": {"quarterly"}, "open_day": {"1"}, "close_day": {"10"}, "version": {m[1]}}
	if resp, _ := staff.post(e.planURL("/rules"), form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save rules: %d", resp.StatusCode)
	}
	if rules, _, _ := e.db.PlanRules(context.Background(), e.demo.PlanID); rules.Frequency != period.Quarterly || rules.CloseDay != 10 {
		t.Fatalf("rules %+v", rules)
	}
	if resp, _ := staff.post(e.planURL("/rules"), form); resp.StatusCode != http.StatusConflict {
		t.Fatalf("stale rules: %d", resp.StatusCode)
	}
}
