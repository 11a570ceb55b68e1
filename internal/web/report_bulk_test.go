package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"
)

// TestBulkApproveRefuses: a tick naming no report of the plan is not found,
// a malformed one is invalid, and the first tick at fault decides.
func TestBulkApproveRefuses(t *testing.T) {
	e := newServer(t)
	staff := e.login(t, "staff")
	_, body := staff.get(e.planURL("/review?period=2023-05&status=submitted"))
	m := regexp.MustCompile(`name="report" value="(\d+:\d+)" form="bulk-approve"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no report waiting in the demo's May")
	}
	query := "period=2023-05&status=submitted&unit=0"
	for _, c := range []struct {
		ticks  []string
		status int
	}{
		{[]string{m[1], "99999999:1"}, http.StatusNotFound},
		{[]string{m[1], "x:1"}, http.StatusUnprocessableEntity},
		{[]string{"99999999:1", "x:1"}, http.StatusNotFound},
		{[]string{"x:1", "99999999:1"}, http.StatusUnprocessableEntity},
	} {
		if resp, _ := staff.post(e.planURL("/review/approve"), url.Values{"report": c.ticks, "query": {query}}); resp.StatusCode != c.status {
			t.Fatalf("%v: %d, want %d", c.ticks, resp.StatusCode, c.status)
		}
	}
}
