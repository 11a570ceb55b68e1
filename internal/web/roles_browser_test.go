package web_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/luoshi/luoshi/internal/testenv"
)

// TestBrowserRoleMenus signs in as each role in Chromium and checks that
// the left menu offers exactly that role's pages.
func TestBrowserRoleMenus(t *testing.T) {
	e := newServer(t)
	ctx := testenv.Browser(t)
	plan := e.planURL("")
	account := []string{"/account/password", "/account/sessions", "/account/tokens"}
	planMenu := []string{plan, plan + "/sections", plan + "/key-items", "/plans", "/registry"}
	// The bureau's readers also have the dashboard, bulletin and assessment.
	bureau := []string{plan + "/dashboard", plan + "/bulletin", plan + "/assessment"}
	supMenu := []string{"/supervision", "/supervision/watch"}
	want := map[string][]string{
		"staff": concat(planMenu, bureau, []string{"/plans/import", "/units", plan + "/assign", plan + "/review"}, supMenu,
			[]string{"/notify/channels", "/notify/outbox"}, account),
		"reporter": concat(planMenu, []string{"/", "/my/tasks", plan + "/report"}, supMenu, account),
		"leader":   concat(planMenu, bureau, []string{"/units", "/", plan + "/review"}, supMenu, account),
		"sysadmin": concat([]string{"/admin/users", "/units"}, account),
		"secadmin": concat([]string{"/admin/policy", "/admin/online"}, account),
		"auditor":  concat([]string{"/audit", "/audit/logins"}, account),
	}
	for _, role := range []string{"staff", "reporter", "leader", "sysadmin", "secadmin", "auditor"} {
		browserLogin(t, ctx, e.ts.URL, role, e.password(t, role))
		links, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
			`Array.from(document.querySelectorAll("nav.app-nav a.nav-link")).map(a => a.getAttribute("href"))`))
		if err != nil {
			t.Fatal(err)
		}
		got, exp := slices.Sorted(slices.Values(links)), slices.Sorted(slices.Values(want[role]))
		if !slices.Equal(got, exp) {
			t.Errorf("%s's menu:\n got %v\nwant %v", role, got, exp)
		}
		who, err := chromedp.Run(ctx, chromedp.Text(".user-name"))
		if err != nil || !strings.HasPrefix(who, role) {
			t.Errorf("header shows %q for %s (%v)", who, role, err)
		}
		testenv.Screenshot(t, ctx, role+" menu")
		if err := chromedp.Do(ctx, chromedp.Click(`.header-user button[type="submit"]`), chromedp.WaitVisible("#username")); err != nil {
			t.Fatalf("logout %s: %v", role, err)
		}
	}
}

func concat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
