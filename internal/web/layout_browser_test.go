package web_test

import (
	"bytes"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/luoshi/luoshi/internal/testenv"
)

// TestBrowserPhoneAndPrint: on a phone the left navigation folds behind a
// menu button and tables scroll inside their card; in print the navigation,
// header and buttons disappear and the key items page prints as a PDF.
func TestBrowserPhoneAndPrint(t *testing.T) {
	e := newServer(t)
	ctx := testenv.Browser(t)
	browserLogin(t, ctx, e.ts.URL, "staff", e.password(t, "staff"))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		must(err)
		return v
	}

	must(chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(e.ts.URL+e.planURL("/sections")),
		chromedp.WaitVisible("section.section-block")))
	if d := eval(`getComputedStyle(document.querySelector(".nav-toggle")).display`); d == "none" {
		t.Error("no menu button on a phone")
	}
	// The page itself does not scroll sideways.
	if w := eval(`String(document.documentElement.scrollWidth <= window.innerWidth + 1)`); w != "true" {
		t.Errorf("the page is wider than the phone: %s; widest: %s", eval(`document.documentElement.scrollWidth + " > " + window.innerWidth`),
			eval(`Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest(".table-wrap, .card table, table")).slice(0, 6).map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right)).join(", ")`))
	}
	testenv.Screenshot(t, ctx, "phone sections")

	must(chromedp.Do(ctx, chromedp.EmulateViewport(1366, 900), chromedp.Navigate(e.ts.URL+e.planURL("/key-items")),
		chromedp.WaitVisible("section.key-item")))
	_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
	must(err)
	for _, sel := range []string{".app-nav", ".app-header"} {
		if d := eval(`getComputedStyle(document.querySelector("` + sel + `")).display`); d != "none" {
			t.Errorf("%s is shown in print (display %s)", sel, d)
		}
	}
	if d := eval(`getComputedStyle(document.querySelector("section.key-item")).display`); d == "none" {
		t.Error("the content is hidden in print")
	}
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF())
	must(err)
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || len(pdf) < 10000 {
		t.Fatalf("print gave %d bytes", len(pdf))
	}
}
