package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/luoshi/luoshi/internal/testenv"
)

// TestBrowserPlan opens the demo plan in Chromium: the overview, the 6
// sections with 17 items, the 10 key items, and Chinese drawn with a CJK font.
func TestBrowserPlan(t *testing.T) {
	e := newServer(t)
	ts, res := e.ts, e.demo
	ctx := testenv.Browser(t)
	base := ts.URL + "/plans/" + itoa(res.PlanID)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	countOf := func(sel string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+quote(sel)+`).length`))
		must(err)
		return n
	}

	browserLogin(t, ctx, ts.URL, "staff", e.password(t, "staff"))
	must(chromedp.Do(ctx, chromedp.Navigate(base), chromedp.WaitVisible("h1.page-title")))
	title, err := chromedp.Run(ctx, chromedp.Text("h1.page-title"))
	must(err)
	if title != "2023年全市科技创新工作要点" || countOf("tr.target") != 5 {
		t.Fatalf("overview: title %q, %d targets", title, countOf("tr.target"))
	}
	if n := testenv.CJKGlyphs(t, ctx, "h1.page-title"); n < 10 {
		t.Errorf("the title's Chinese was drawn with %v CJK glyphs; want a CJK font", n)
	}
	testenv.Screenshot(t, ctx, "plan overview")

	must(chromedp.Do(ctx, chromedp.Navigate(base+"/sections"), chromedp.WaitVisible("section.section-block")))
	first, err := chromedp.Run(ctx, chromedp.Text("section.section-block h2"))
	must(err)
	if s, i := countOf("section.section-block"), countOf("tr.item"); s != 6 || i != 17 || !strings.Contains(first, "加速区域创新融入") {
		t.Fatalf("sections page: %d sections, %d items, first %q", s, i, first)
	}
	testenv.Screenshot(t, ctx, "plan sections")

	must(chromedp.Do(ctx, chromedp.Navigate(base+"/key-items"), chromedp.WaitVisible("section.key-item")))
	if k, d := countOf("section.key-item"), countOf("li.measure.done"); k != 10 || d != 2 {
		t.Fatalf("key items page: %d key items, %d done measures", k, d)
	}

	// The plan selector navigates (app.js; the CSP allows no inline script).
	// Value and event in one step: the change event starts the navigation.
	must(chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/units"), chromedp.WaitVisible("select.plan-select")))
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		const s = document.querySelector("select.plan-select");
		s.value = "/plans/`+itoa(res.PlanID)+`";
		return s.dispatchEvent(new Event("change", {bubbles: true}));
	})()`))
	must(err)
	must(chromedp.Do(ctx, chromedp.WaitVisible("tr.target")))
	path, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
	must(err)
	if path != "/plans/"+itoa(res.PlanID) {
		t.Fatalf("plan selector went to %q", path)
	}
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

// browserLogin signs in through the login form.
func browserLogin(t testing.TB, ctx context.Context, base, username, password string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible("#username"),
		chromedp.SendKeys("#username", username),
		chromedp.SendKeys("#password", password),
		chromedp.Click(`button[type="submit"]`),
		chromedp.WaitVisible("header.app-header"),
	)
	if err != nil {
		t.Fatalf("browser login %s: %v", username, err)
	}
}
