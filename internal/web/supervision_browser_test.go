package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/luoshi/luoshi/internal/testenv"
)

// TestBrowserSupervision is issue 8's supervision done-when, in Chromium on
// the demo: a missing report of 射洪市 shows up red on the watch lists;
// staff issue a notice from that line; the 射洪市 reporter finds it in the
// inbox (the header counts it), replies with an evidence file; staff close
// it. The trail shows every step.
func TestBrowserSupervision(t *testing.T) {
	e := newServer(t)
	ctx := testenv.Browser(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(sel))
		must(err)
		return s
	}
	logout := func() {
		t.Helper()
		must(chromedp.Do(ctx, chromedp.Click(`.header-user button[type="submit"]`), chromedp.WaitVisible("#username")))
	}

	// Staff: the watch lists show 射洪市's missing report in red.
	browserLogin(t, ctx, e.ts.URL, "staff", e.password(t, "staff"))
	must(chromedp.Do(ctx, chromedp.Click(`nav.app-nav a[href="/supervision/watch"]`), chromedp.WaitVisible(`#watch-reports`)))
	row, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const tr = Array.from(document.querySelectorAll("#watch-reports tr.watch-item.color-red"))
			.find(tr => tr.querySelector("a.supervise[title='射洪市']"));
		return tr ? tr.innerText : "";
	})()`))
	must(err)
	if !strings.Contains(row, "缺报") || !strings.Contains(row, "射洪市") {
		t.Fatalf("no red missing report of 射洪市 on the watch lists: %q", row)
	}
	testenv.Screenshot(t, ctx, "supervision watch")
	// 督办 from that line: the form comes filled in with unit and subject.
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		const tr = Array.from(document.querySelectorAll("#watch-reports tr.watch-item.color-red"))
			.find(tr => tr.querySelector("a.supervise[title='射洪市']"));
		tr.querySelector("a.supervise[title='射洪市']").click();
		return true;
	})()`))
	must(err)
	must(chromedp.Do(ctx, chromedp.WaitVisible(`#subject`)))
	unit, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#unit_id").selectedOptions[0].textContent.trim()`))
	must(err)
	subject, err := chromedp.Run(ctx, chromedp.Value(`#subject`))
	must(err)
	if unit != "射洪市" || subject == "" {
		t.Fatalf("notice form: unit %q, subject %q", unit, subject)
	}
	must(chromedp.Do(ctx,
		chromedp.SendKeys(`#body`, "请说明6月以来未报原因,并于期限内补报。"),
		chromedp.Click(`form[action="/supervision/notices"] button[type="submit"]`),
		chromedp.WaitVisible(`#notice-status`)))
	number := text(`.notice-number`)
	if !strings.HasPrefix(number, "督〔") || text(`#notice-status`) != "待回复" {
		t.Fatalf("issued notice: %q %q", number, text(`#notice-status`))
	}
	noticeURL, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
	must(err)
	logout()

	// The reporter: one unread message; it opens the notice; the reply
	// carries a PDF.
	browserLogin(t, ctx, e.ts.URL, "reporter", e.password(t, "reporter"))
	if n := text(`#unread-count`); n == "" || n == "0" {
		t.Fatalf("unread count %q", n)
	}
	must(chromedp.Do(ctx, chromedp.Click(`a.inbox-link`), chromedp.WaitVisible(`.inbox-item.unread`)))
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { Array.from(document.querySelectorAll(".inbox-item.unread button"))
		.find(b => b.textContent.includes("`+number+`")).click(); return true; })()`))
	must(err)
	must(chromedp.Do(ctx, chromedp.WaitVisible(`#reply`)))
	if got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`)); got != noticeURL {
		t.Fatalf("the message opened %q, want %q", got, noticeURL)
	}
	file := filepath.Join(t.TempDir(), "补报说明.pdf")
	must(os.WriteFile(file, []byte("%PDF-1.4\n% 补报说明\n%%EOF\n"), 0o644))
	must(chromedp.Do(ctx,
		chromedp.SendKeys(`#text-replied`, "6月至今的月报已补报,原因是填报人员调整。"),
		chromedp.SetUploadFiles(`#files`, []string{file}),
		chromedp.Click(`#reply button[type="submit"]`),
		chromedp.WaitVisible(`.flash-success`)))
	if s := text(`#notice-status`); s != "已回复待审核" {
		t.Fatalf("after the reply: %q", s)
	}
	testenv.Screenshot(t, ctx, "supervision reply")
	logout()

	// Staff close it (办结销号); the trail has every step with its time.
	browserLogin(t, ctx, e.ts.URL, "staff", e.password(t, "staff"))
	must(chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+noticeURL), chromedp.WaitVisible(`#close`)))
	must(chromedp.Do(ctx, chromedp.SendKeys(`#text-closed`, "已补报,同意销号。"), chromedp.Click(`#close`),
		chromedp.WaitVisible(`.flash-success`)))
	if s := text(`#notice-status`); s != "已办结销号" {
		t.Fatalf("after closing: %q", s)
	}
	trail := text(`ol.trail`)
	for _, want := range []string{"下发督办", "单位回复", "补报说明.pdf", "办结销号"} {
		if !strings.Contains(trail, want) {
			t.Errorf("the trail lacks %s:\n%s", want, trail)
		}
	}
	testenv.Screenshot(t, ctx, "supervision closed")
}
