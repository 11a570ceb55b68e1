package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/report"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/testenv"
)

// TestBrowserMonth runs a whole month in Chromium on the demo: staff
// assign a key item in the table; the county's reporter opens its home,
// presses the one button and reports everything due (with its indicator
// value and one evidence file) on one screen; the reviewer returns a
// report with a comment; the reporter corrects and resubmits; the reviewer
// approves. It times the county's month and counts the interactions it
// took (the README quotes both; see the log line "county month").
func TestBrowserMonth(t *testing.T) {
	e := newServer(t)
	ctx := testenv.Browser(t)
	bg := context.Background()
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
	logout := func() {
		t.Helper()
		must(chromedp.Do(ctx, chromedp.Click(`.header-user button[type="submit"]`), chromedp.WaitVisible("#username")))
	}
	p, err := e.db.Plan(bg, auth.Everything, e.demo.PlanID)
	must(err)
	k := "t" + itoa(p.KeyItems[8].ID) // 9. 支持射洪市创建…

	// 1. Staff assign: a person, a due date and milestones for key item 9.
	browserLogin(t, ctx, e.ts.URL, "staff", e.password(t, "staff"))
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			testenv.Screenshot(t, ctx, "failed "+name)
			t.Fatalf("%s: %v", name, err)
		}
	}
	// The table filtered to the county's items (the whole plan is a long page).
	shehong, _ := e.db.UnitByCode(bg, "510981")
	step("open assignments", chromedp.Navigate(e.ts.URL+e.planURL("/assign?unit="+itoa(shehong.ID))), chromedp.WaitVisible(`table.assign-table`))
	step("fill assignment",
		chromedp.SetValue(`input[name="person_`+k+`"]`, "王五"),
		chromedp.SetValue(`input[name="phone_`+k+`"]`, "0825-6629999"),
		chromedp.SetValue(`textarea[name="milestones_`+k+`"]`, "2023-06-30 完成创建方案\n2023-11-30 通过省级评审"))
	step("save assignment", chromedp.Click(`#assign-save`), chromedp.WaitVisible(`.flash-success`))
	a, err := e.db.Assignment(bg, auth.Everything, p.KeyItems[8].ID, 0)
	must(err)
	if a.PersonName != "王五" || len(a.Milestones) != 2 {
		t.Fatalf("assigned %+v", a)
	}
	logout()

	// 2. The county's month: home → one button → everything on one page.
	evidence := filepath.Join(t.TempDir(), "创建方案.pdf")
	must(os.WriteFile(evidence, []byte("%PDF-1.4\n% 射洪市 创建方案\n"), 0o600))
	browserLogin(t, ctx, e.ts.URL, "reporter", e.password(t, "reporter"))
	must(chromedp.Do(ctx, chromedp.WaitVisible(`#report-now`)))
	testenv.Screenshot(t, ctx, "reporter home")
	interactions := 0
	start := time.Now()
	must(chromedp.Do(ctx, chromedp.Click(`#report-now`), chromedp.WaitVisible(`form.sheet-form`)))
	interactions++
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("section.sheet-row")).map(s => s.dataset.key)`))
	must(err)
	if len(rows) != 6 {
		t.Fatalf("the county's June shows %d rows, want 6", len(rows))
	}
	for i, key := range rows {
		must(chromedp.Do(ctx,
			chromedp.SendKeys(`textarea[name="progress_`+key+`"]`, "六月按计划推进,完成阶段目标"),
			chromedp.SetValue(`input[name="percent_`+key+`"]`, "50"),
		))
		interactions += 2
		if i == 0 {
			must(chromedp.Do(ctx, chromedp.SetUploadFiles(`input[name="file_`+key+`"]`, []string{evidence})))
			interactions++
		}
	}
	values, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("input[name^='value_']")).map(i => i.name)`))
	must(err)
	if len(values) == 0 {
		t.Fatal("no indicator to give a value for")
	}
	for _, name := range values {
		must(chromedp.Do(ctx, chromedp.SendKeys(`input[name="`+name+`"]`, "1")))
		interactions++
	}
	testenv.Screenshot(t, ctx, "county month filled")
	must(chromedp.Do(ctx, chromedp.Click(`#sheet-submit`), chromedp.WaitVisible(`.flash-success`)))
	interactions++
	took := time.Since(start)
	t.Logf("county month: %d items, %d indicator values, 1 evidence file: %d interactions, %s in the browser",
		len(rows), len(values), interactions, took.Round(10*time.Millisecond))
	if n := countOf(`section.sheet-row[data-status="submitted"]`); n != 6 {
		t.Fatalf("%d rows submitted", n)
	}
	logout()

	// 3. The reviewer returns the report that carries the evidence.
	reports, err := e.db.Reports(bg, auth.Everything, store.ReportFilter{PlanID: p.ID, UnitID: shehong.ID, Period: "2023-06", WithDetails: true})
	must(err)
	var withFile report.Report
	for _, r := range reports {
		if len(r.Files) == 1 {
			withFile = r
		}
	}
	if withFile.ID == 0 {
		t.Fatal("no report holds the evidence file")
	}
	card := `section.review-report[data-report="` + itoa(withFile.ID) + `"]`
	browserLogin(t, ctx, e.ts.URL, "staff", e.password(t, "staff"))
	step("open review",
		chromedp.Click(`nav.app-nav a[href$="/review"]`),
		chromedp.WaitVisible(`select[name="period"]`))
	step("return the report",
		chromedp.Navigate(e.ts.URL+e.planURL("/review?period=2023-06&unit="+itoa(shehong.ID))),
		chromedp.WaitVisible(card),
		chromedp.SendKeys(card+` input[name="comment"]`, "请补充方案的印发文号"),
		chromedp.Click(card+` button[value="return"]`),
		chromedp.WaitVisible(`.flash-success`),
	)
	testenv.Screenshot(t, ctx, "review after return")
	logout()

	// 4. The reporter sees the comment, corrects, resubmits.
	browserLogin(t, ctx, e.ts.URL, "reporter", e.password(t, "reporter"))
	row := `section.sheet-row[data-status="returned"]`
	step("reopen the month", chromedp.Click(`#report-now`), chromedp.WaitVisible(row))
	comment, err := chromedp.Run(ctx, chromedp.Text(row+` .returned-comment`))
	must(err)
	if !strings.Contains(comment, "请补充方案的印发文号") {
		t.Fatalf("returned comment %q", comment)
	}
	must(chromedp.Do(ctx,
		chromedp.SendKeys(row+` textarea[name^="progress_"]`, "(方案已印发,射科发〔2023〕12号)"),
		chromedp.Click(`#sheet-submit`),
		chromedp.WaitVisible(`.flash-success`),
	))
	logout()

	// 5. The reviewer approves; the history keeps every version.
	browserLogin(t, ctx, e.ts.URL, "staff", e.password(t, "staff"))
	must(chromedp.Do(ctx,
		chromedp.Navigate(e.ts.URL+e.planURL("/review?period=2023-06&unit="+itoa(shehong.ID))),
		chromedp.WaitVisible(card),
		chromedp.Click(card+` button[value="approve"]`),
		chromedp.WaitVisible(`.flash-success`),
		chromedp.Navigate(e.ts.URL+"/reports/"+itoa(withFile.ID)),
		chromedp.WaitVisible(`.revisions`),
	))
	if n := countOf(`tr.revision`); n != 4 {
		t.Fatalf("history shows %d versions, want 4 (submitted, returned, submitted, approved)", n)
	}
	testenv.Screenshot(t, ctx, "report history")
	logout()

	r, err := e.db.Report(bg, auth.Everything, withFile.ID)
	must(err)
	if r.Status != report.Approved || r.Revision != 2 || !strings.Contains(r.Progress, "射科发") || len(r.Files) != 1 {
		t.Fatalf("final report %+v", r)
	}
}

// TestBrowserLeaderHome: a leader's home lists what is behind in the latest
// reported month, and in any month chosen, with the lead unit and person.
func TestBrowserLeaderHome(t *testing.T) {
	e := newServer(t)
	ctx := testenv.Browser(t)
	browserLogin(t, ctx, e.ts.URL, "leader", e.password(t, "leader"))
	count := func(sel string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+quote(sel)+`).length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(`table.behind`)); err != nil {
		t.Fatal(err)
	}
	// The demo's latest reported month is May: missing, late and 滞后 items.
	for _, reason := range []string{"missing", "late", "behind"} {
		if count(`tr.behind-row[data-reason="`+reason+`"]`) == 0 {
			t.Errorf("no %s item on the leader's home", reason)
		}
	}
	who, err := chromedp.Run(ctx, chromedp.Text(`tr.behind-row td:nth-child(3)`))
	if err != nil || who == "" {
		t.Fatalf("no person named: %q %v", who, err)
	}
	testenv.Screenshot(t, ctx, "leader home")
	// Another month: March was approved throughout, nothing is behind.
	// (Navigate waits for the new page; a click on 查看 would race the old one.)
	if err := chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+"/?period=2023-03"), chromedp.WaitVisible(`h1.page-title`)); err != nil {
		t.Fatal(err)
	}
	if title, _ := chromedp.Run(ctx, chromedp.Text(`h1.page-title`)); !strings.Contains(title, "2023年3月") {
		t.Fatalf("title %q", title)
	}
	if n := count(`tr.behind-row`); n != 0 {
		t.Fatalf("March shows %d items behind", n)
	}
}
