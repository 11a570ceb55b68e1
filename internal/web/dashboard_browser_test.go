package web_test

import (
	"bytes"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/luoshi/luoshi/internal/testenv"
)

// TestBrowserDashboard opens the leader's dashboard in Chromium: five
// headline cards, ECharts drawn on canvas for each chart, the behind list
// and the key items board, and a click through to an indicator.
func TestBrowserDashboard(t *testing.T) {
	e := newServer(t)
	ctx := testenv.Browser(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	browserLogin(t, ctx, e.ts.URL, "leader", e.password(t, "leader"))
	must(chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+e.planURL("/dashboard")), chromedp.WaitVisible(".dash-card"),
		chromedp.WaitVisible(".chart-trend canvas")))
	counts, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[
		document.querySelectorAll(".dash-card").length,
		document.querySelectorAll(".chart[data-chart-ready='1'] canvas").length,
		document.querySelectorAll(".chart[data-chart]").length,
		document.querySelectorAll("tr.key-row").length,
		document.querySelectorAll("tr.behind-row").length]`))
	must(err)
	if counts[0] != 5 || counts[1] < counts[2] || counts[2] < 10 || counts[3] != 10 || counts[4] == 0 {
		t.Fatalf("cards %d, drawn charts %d of %d, key items %d, behind rows %d", counts[0], counts[1], counts[2], counts[3], counts[4])
	}
	if n := testenv.CJKGlyphs(t, ctx, ".dash-card .card-title"); n < 4 {
		t.Errorf("card titles drawn with %v CJK glyphs", n)
	}
	testenv.Screenshot(t, ctx, "dashboard")

	// Choosing a month reloads the dashboard for it.
	must(chromedp.Do(ctx, chromedp.SetValue("#period", "2023-03"), chromedp.Click(".period-form button"),
		chromedp.WaitVisible(".dash-card")))
	sel, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#period").value`))
	must(err)
	if sel != "2023-03" {
		t.Fatalf("period after choosing March: %q", sel)
	}
	// A card's title leads to the indicator with its monthly table.
	must(chromedp.Do(ctx, chromedp.Click(".dash-card .card-title a"), chromedp.WaitVisible("table.values")))
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("table.values tbody tr").length`))
	must(err)
	if rows < 8 {
		t.Fatalf("indicator page: %d unit rows", rows)
	}
	testenv.Screenshot(t, ctx, "indicator")
}

// TestBrowserBulletinPrint prints the bulletin to PDF: A4 pages, the
// sections starting on new pages, the navigation hidden.
func TestBrowserBulletinPrint(t *testing.T) {
	e := newServer(t)
	ctx := testenv.Browser(t)
	browserLogin(t, ctx, e.ts.URL, "staff", e.password(t, "staff"))
	if err := chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+e.planURL("/bulletin?period=2023-06")), chromedp.WaitVisible("h1.bulletin-title")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector(".app-nav")).display === "none" &&
		getComputedStyle(document.querySelector(".period-form")).display === "none"`))
	if err != nil || !hidden {
		t.Fatalf("navigation or toolbar printed: %v %v", hidden, err)
	}
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF())
	if err != nil {
		t.Fatal(err)
	}
	if pages := bytes.Count(pdf, []byte("/Type /Page\n")) + bytes.Count(pdf, []byte("/Type /Page ")) + bytes.Count(pdf, []byte("/Type /Page>")); !bytes.HasPrefix(pdf, []byte("%PDF-")) || pages < 3 {
		t.Fatalf("print gave %d bytes, %d pages", len(pdf), pages)
	}
}
