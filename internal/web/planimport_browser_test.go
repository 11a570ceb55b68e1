package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/luoshi/luoshi/internal/testenv"
)

// TestBrowserImport uploads a plan document in Chromium, reviews it (6
// sections, 17 items, 10 key items, 5 headline targets with their source
// marked), edits the title and a target, saves, and sees the new plan.
func TestBrowserImport(t *testing.T) {
	e := newServer(t)
	ctx := testenv.Browser(t)
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
	file := filepath.Join(t.TempDir(), "2024年全市科技创新工作要点.txt")
	must(os.WriteFile(file, importDoc(), 0o600))

	browserLogin(t, ctx, e.ts.URL, "staff", e.password(t, "staff"))
	must(chromedp.Do(ctx,
		chromedp.Click(`nav.app-nav a[href="/plans/import"]`),
		chromedp.WaitVisible(`input[type="file"]#file`),
		chromedp.SetUploadFiles(`#file`, []string{file}),
		chromedp.Click(`form.import-upload button[type="submit"]`),
		chromedp.WaitVisible(`form.import-review`),
	))
	if s, i, k, h := countOf("section.review-section"), countOf("tr.review-item"), countOf("section.review-key-item"),
		countOf("tr.review-target.headline"); s != 6 || i != 17 || k != 10 || h != 5 {
		t.Fatalf("review: %d sections, %d items, %d key items, %d headline targets", s, i, k, h)
	}
	if n := countOf("tr.review-target.headline .source-sentence mark.hl"); n != 5 {
		t.Fatalf("%d headline sources with the number marked", n)
	}
	mark, err := chromedp.Run(ctx, chromedp.Text(`tr.review-target.headline:nth-child(3) mark.hl`))
	must(err)
	if mark != "15.3亿元" {
		t.Fatalf("third headline target marks %q", mark)
	}
	testenv.Screenshot(t, ctx, "import review")

	must(chromedp.Do(ctx,
		chromedp.SetValue(`#f-title`, "2024年全市科技创新工作要点"),
		chromedp.SetValue(`input[name="target.0.value"]`, "200"),
		chromedp.SetValue(`#f-year`, "2024"),
		chromedp.Click(`form.import-review button[type="submit"]`),
		chromedp.WaitVisible(`tr.target`),
	))
	title, err := chromedp.Run(ctx, chromedp.Text("h1.page-title"))
	must(err)
	path, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
	must(err)
	flash, err := chromedp.Run(ctx, chromedp.Text(".flash-success"))
	must(err)
	first, err := chromedp.Run(ctx, chromedp.Text(`tr.target td.num`))
	must(err)
	if title != "2024年全市科技创新工作要点" || path == e.planURL("") || !strings.HasPrefix(path, "/plans/") ||
		!strings.Contains(flash, "已导入计划") || !strings.Contains(first, "200家") {
		t.Fatalf("after save: %q at %s, flash %q, first target %q", title, path, flash, first)
	}
	if n := countOf("tr.target"); n != 5 {
		t.Fatalf("new plan shows %d headline targets", n)
	}
	testenv.Screenshot(t, ctx, "imported plan")
}
