package web_test

import (
	"bytes"
	"context"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/report"
	"github.com/luoshi/luoshi/internal/store"
)

// TestReportPagesRender opens every reporting page as the role that uses it.
func TestReportPagesRender(t *testing.T) {
	e := newServer(t)
	staff, reporter, leader := e.login(t, "staff"), e.login(t, "reporter"), e.login(t, "leader")
	for _, c := range []struct {
		who  *client
		path string
		want string
	}{
		{staff, e.planURL("/assign"), "任务分工"},
		{staff, e.planURL("/review"), "审核进展"},
		{staff, e.planURL("/review?status=all&period=2023-05"), "演示数据"},
		{leader, "/", "滞后事项"},
		{reporter, "/", "填报本期进展"},
		{reporter, "/my/tasks", "支持射洪市创建国家、省级创新型县(市)"},
		{reporter, e.planURL("/report"), "全部提交"},
		{reporter, e.planURL("/report?period=2023-03"), "已通过"},
	} {
		resp, body := c.who.get(c.path)
		if resp.StatusCode != 200 || !strings.Contains(body, c.want) {
			i := strings.Index(body, `<main`)
			if i < 0 {
				i = 0
			}
			t.Errorf("GET %s: %d, want %q in\n%.3000s", c.path, resp.StatusCode, c.want, body[i:])
		}
	}
}

var (
	sheetKeyRE = regexp.MustCompile(`class="card sheet-row" data-key="([^"]+)" data-status="([^"]+)"`)
	versionRE  = regexp.MustCompile(`name="version_([^"]+)" value="(\d+)"`)
	valueRE    = regexp.MustCompile(`name="(value_[^"]+)"`)
	reportIDRE = regexp.MustCompile(`data-report="(\d+)"[^>]*data-unit="射洪市"`)
)

// sheetForm fills every editable row of the reporter's month as a person
// would: progress text, percent, state, indicator values.
func sheetForm(t *testing.T, body, period, unit, text string) url.Values {
	t.Helper()
	form := url.Values{"period": {period}, "unit": {unit}}
	for _, m := range versionRE.FindAllStringSubmatch(body, -1) {
		k := m[1]
		form.Set("version_"+k, m[2])
		form.Set("progress_"+k, text)
		form.Set("percent_"+k, "60")
		form.Set("state_"+k, "in_progress")
	}
	for _, m := range valueRE.FindAllStringSubmatch(body, -1) {
		form.Set(m[1], "1")
	}
	return form
}

// postMultipart posts form with one file under field.
func (c *client) postMultipart(path string, form url.Values, field, name string, data []byte) (*http.Response, string) {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf_token", c.csrf)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if field != "" {
		fw, _ := mw.CreateFormFile(field, name)
		fw.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", c.base+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// TestMonthByForms runs a month through the pages: staff assign in the
// table, the county submits its month with an evidence file, staff return
// a report, the county corrects and resubmits, staff approve; the history
// keeps every version.
func TestMonthByForms(t *testing.T) {
	e := newServer(t)
	ctx := context.Background()
	staff, reporter := e.login(t, "staff"), e.login(t, "reporter")
	p, _ := e.db.Plan(ctx, auth.Everything, e.demo.PlanID)
	key9 := p.KeyItems[8]
	k := "t" + itoa(key9.ID)

	// Staff change key item 9's person in the table; other rows untouched.
	_, body := staff.get(e.planURL("/assign"))
	orig := regexp.MustCompile(`name="orig_` + k + `" value="([^"]*)"`).FindStringSubmatch(body)
	if orig == nil {
		t.Fatal("no row for key item 9")
	}
	a, _ := e.db.Assignment(ctx, auth.Everything, key9.ID, 0)
	form := url.Values{"orig_" + k: {html.UnescapeString(orig[1])}, "version_" + k: {itoa(a.Version)},
		"person_" + k: {"李四"}, "phone_" + k: {"0825-6620000"}, "due_" + k: {"2023-12-31"},
		"milestones_" + k: {"2023-06-30 完成创建方案\n2023-11-30 通过省级评审"}}
	for _, u := range a.LeadUnits {
		form.Add("lead_"+k, itoa(u.ID))
	}
	for _, u := range a.CoUnits {
		form.Add("co_"+k, itoa(u.ID))
	}
	if resp, body := staff.post(e.planURL("/assign"), form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("assign: %d %s", resp.StatusCode, body)
	}
	a, _ = e.db.Assignment(ctx, auth.Everything, key9.ID, 0)
	if a.PersonName != "李四" || len(a.Milestones) != 2 || a.Milestones[1].Deliverable != "通过省级评审" {
		t.Fatalf("assignment %+v", a)
	}
	// The same stale form again is a conflict showing the new person.
	if resp, body := staff.post(e.planURL("/assign"), form); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "李四") {
		t.Fatalf("stale assign: %d", resp.StatusCode)
	}
	// The person may be an account instead of a name; an unknown account
	// is refused, naming the row.
	form.Set("version_"+k, itoa(a.Version))
	form.Set("user_"+k, "reporter")
	if resp, body := staff.post(e.planURL("/assign"), form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("assign a user: %d %s", resp.StatusCode, body)
	}
	a, _ = e.db.Assignment(ctx, auth.Everything, key9.ID, 0)
	if a.PersonUser != "reporter" || a.PersonName != "李四" {
		t.Fatalf("person user %+v", a)
	}
	_, body = staff.get(e.planURL("/assign"))
	orig = regexp.MustCompile(`name="orig_` + k + `" value="([^"]*)"`).FindStringSubmatch(body)
	form.Set("orig_"+k, html.UnescapeString(orig[1]))
	form.Set("user_"+k, "nobody")
	if resp, body := staff.post(e.planURL("/assign"), form); resp.StatusCode != 422 || !strings.Contains(body, "没有名为「nobody」") {
		t.Fatalf("unknown user: %d", resp.StatusCode)
	}
	form.Set("user_"+k, "reporter")
	// A bad date names the row.
	form.Set("version_"+k, itoa(a.Version))
	form.Set("due_"+k, "2023-02-30")
	if resp, body := staff.post(e.planURL("/assign"), form); resp.StatusCode != 422 || !strings.Contains(body, "完成时限须为日期") {
		t.Fatalf("bad date: %d", resp.StatusCode)
	}

	// The county's June, all on one page.
	shehong, _ := e.db.UnitByCode(ctx, "510981")
	unit := itoa(shehong.ID)
	_, body = reporter.get(e.planURL("/report?period=2023-06"))
	rows := sheetKeyRE.FindAllStringSubmatch(body, -1)
	if len(rows) != 6 {
		t.Fatalf("June has %d rows for 射洪市, want 6", len(rows))
	}
	form = sheetForm(t, body, "2023-06", unit, "六月按计划推进")
	form.Set("action", "submit")
	png := []byte("\x89PNG\r\n\x1a\n0000 evidence")
	first := rows[0][1]
	if resp, body := reporter.postMultipart(e.planURL("/report"), form, "file_"+first, "现场.png", png); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit month: %d %s", resp.StatusCode, body)
	}
	reports, _ := e.db.Reports(ctx, auth.Everything, store.ReportFilter{PlanID: p.ID, UnitID: shehong.ID, Period: "2023-06", WithDetails: true})
	if len(reports) != 6 {
		t.Fatalf("%d reports", len(reports))
	}
	files := 0
	for _, r := range reports {
		if r.Status != report.Submitted {
			t.Fatalf("report %d is %s", r.ID, r.Status)
		}
		files += len(r.Files)
	}
	if files != 1 {
		t.Fatalf("%d evidence files", files)
	}

	// Staff return one with a comment.
	_, body = staff.get(e.planURL("/review?period=2023-06&unit=" + unit))
	m := reportIDRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no 射洪市 report in the review queue")
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	r, _ := e.db.Report(ctx, auth.Everything, id)
	if resp, body := staff.post("/reports/"+m[1]+"/review", url.Values{"version": {itoa(r.Version)}, "decision": {"return"}}); resp.StatusCode != 422 ||
		!strings.Contains(body, "退回须写明意见") || !strings.Contains(body, "review-error") {
		t.Fatalf("return without a comment: %d", resp.StatusCode)
	}
	if resp, _ := staff.post("/reports/"+m[1]+"/review", url.Values{"version": {itoa(r.Version)}, "decision": {"return"}, "comment": {"请补充照片说明"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("return: %d", resp.StatusCode)
	}
	// The county sees the comment, corrects the row and submits again.
	_, body = reporter.get(e.planURL("/report?period=2023-06"))
	if !strings.Contains(body, "请补充照片说明") {
		t.Fatal("the return comment is not shown")
	}
	form = sheetForm(t, body, "2023-06", unit, "六月按计划推进,已补充照片说明")
	form.Set("action", "submit")
	if resp, body := reporter.postMultipart(e.planURL("/report"), form, "", "", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("resubmit: %d %s", resp.StatusCode, body)
	}
	r, _ = e.db.Report(ctx, auth.Everything, id)
	if r.Status != report.Submitted || r.Revision != 2 || !strings.Contains(r.Progress, "已补充") {
		t.Fatalf("resubmitted %+v", r)
	}
	if resp, _ := staff.post("/reports/"+m[1]+"/review", url.Values{"version": {itoa(r.Version)}, "decision": {"approve"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d", resp.StatusCode)
	}
	_, body = reporter.get("/reports/" + m[1])
	if n := strings.Count(body, `class="revision"`); n != 4 || !strings.Contains(body, "请补充照片说明") {
		t.Fatalf("history shows %d versions", n)
	}
	// The evidence downloads with its checked type.
	for _, r := range reports {
		for _, f := range r.Files {
			resp, got := reporter.get("/reports/" + itoa(r.ID) + "/files/" + f.SHA256)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || got != string(png) {
				t.Fatalf("evidence: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
		}
	}
}

// TestSheetConflict: two tabs of the county save the same row from the
// same version; the second is told what the first wrote.
func TestSheetConflict(t *testing.T) {
	e := newServer(t)
	ctx := context.Background()
	shehong, _ := e.db.UnitByCode(ctx, "510981")
	a, b := e.login(t, "reporter"), e.login(t, "reporter")
	_, body := a.get(e.planURL("/report?period=2023-06"))
	b.get(e.planURL("/report?period=2023-06"))
	fa := sheetForm(t, body, "2023-06", itoa(shehong.ID), "甲写的六月进展")
	fa.Set("action", "save")
	fb := sheetForm(t, body, "2023-06", itoa(shehong.ID), "乙写的六月进展")
	fb.Set("action", "save")
	if resp, body := a.postMultipart(e.planURL("/report"), fa, "", "", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first save: %d %s", resp.StatusCode, body)
	}
	// The second tab's rows were new (version 0) when it read them.
	resp, got := b.postMultipart(e.planURL("/report"), fb, "", "", nil)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(got, "甲写的六月进展") {
		t.Fatalf("second save: %d", resp.StatusCode)
	}
	// A bad percent is told per row, as typed (422).
	_, body = a.get(e.planURL("/report?period=2023-06"))
	bad := sheetForm(t, body, "2023-06", itoa(shehong.ID), "丙")
	for k := range bad {
		if strings.HasPrefix(k, "percent_") {
			bad.Set(k, "150")
		}
	}
	bad.Set("action", "save")
	if resp, got := a.postMultipart(e.planURL("/report"), bad, "", "", nil); resp.StatusCode != 422 || !strings.Contains(got, "完成比例须在0至100之间") {
		t.Fatalf("bad percent: %d", resp.StatusCode)
	}
	// An executable named .pdf is refused, naming the file.
	_, body = a.get(e.planURL("/report?period=2023-06"))
	f := sheetForm(t, body, "2023-06", itoa(shehong.ID), "丁")
	f.Set("action", "save")
	key := sheetKeyRE.FindStringSubmatch(body)[1]
	if resp, got := a.postMultipart(e.planURL("/report"), f, "file_"+key, "说明.pdf", []byte("MZ\x90\x00")); resp.StatusCode != 422 || !strings.Contains(got, "说明.pdf") {
		t.Fatalf("exe as pdf: %d", resp.StatusCode)
	}
}

// TestEvidenceRemove: a file attached to a draft can be taken off it.
func TestEvidenceRemove(t *testing.T) {
	e := newServer(t)
	ctx := context.Background()
	shehong, _ := e.db.UnitByCode(ctx, "510981")
	c := e.login(t, "reporter")
	_, body := c.get(e.planURL("/report?period=2023-06"))
	form := sheetForm(t, body, "2023-06", itoa(shehong.ID), "草稿")
	form.Set("action", "save")
	key := sheetKeyRE.FindStringSubmatch(body)[1]
	if resp, _ := c.postMultipart(e.planURL("/report"), form, "file_"+key, "台账.pdf", []byte("%PDF-1.4 x")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save with a file: %d", resp.StatusCode)
	}
	_, body = c.get(e.planURL("/report?period=2023-06"))
	m := regexp.MustCompile(`action="(/reports/(\d+)/files/[0-9a-f]{64}/remove)"><input type="hidden" name="csrf_token" value="[^"]*"><input type="hidden" name="version" value="(\d+)">`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no remove button for the file")
	}
	if resp, _ := c.post(m[1], url.Values{"version": {m[3]}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: %d", resp.StatusCode)
	}
	id, _ := strconv.ParseInt(m[2], 10, 64)
	if r, _ := e.db.Report(ctx, auth.Everything, id); len(r.Files) != 0 {
		t.Fatalf("%d files after removal", len(r.Files))
	}
	// The same stale form again: a conflict, nothing removed twice.
	if resp, _ := c.post(m[1], url.Values{"version": {m[3]}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("stale remove: %d", resp.StatusCode)
	}
}

// TestReportPagesBothLanguages renders the reporting pages in Chinese and
// English: no formatting error and no catalogue key shown as text.
func TestReportPagesBothLanguages(t *testing.T) {
	e := newServer(t)
	ctx := context.Background()
	reports, _ := e.db.Reports(ctx, auth.Everything, store.ReportFilter{PlanID: e.demo.PlanID, Period: "2023-05"})
	rawKey := regexp.MustCompile(`>\s*(report|assign|home|my|standing|state|status\.report|import\.unit_hint|import\.add)\.[a-z_.]+\s*<`)
	pages := map[string][]string{
		"staff":    {e.planURL("/assign"), e.planURL("/review?status=all&period=2023-05"), "/reports/" + itoa(reports[0].ID)},
		"reporter": {"/", "/my/tasks", e.planURL("/report"), e.planURL("/report?period=2023-05")},
		"leader":   {"/", "/?period=2023-03", e.planURL("/review?period=2023-05")},
	}
	for role, paths := range pages {
		c := e.login(t, role)
		for _, lang := range []string{"zh-CN", "en"} {
			c.get("/lang/" + lang)
			for _, path := range paths {
				resp, body := c.get(path)
				if resp.StatusCode != 200 {
					t.Errorf("%s %s (%s): %d", role, path, lang, resp.StatusCode)
				}
				if i := strings.Index(body, "%!"); i >= 0 {
					t.Errorf("%s %s (%s): formatting error near %q", role, path, lang, body[max(0, i-60):min(len(body), i+40)])
				}
				if m := rawKey.FindString(body); m != "" {
					t.Errorf("%s %s (%s): catalogue key shown: %s", role, path, lang, m)
				}
			}
		}
	}
}

// TestBulkApprove: staff tick the waiting reports and approve them at
// once; one stale among them approves none.
func TestBulkApprove(t *testing.T) {
	e := newServer(t)
	ctx := context.Background()
	staff := e.login(t, "staff")
	_, body := staff.get(e.planURL("/review?period=2023-05&status=submitted"))
	var ticks []string
	for _, m := range regexp.MustCompile(`name="report" value="(\d+:\d+)" form="bulk-approve"`).FindAllStringSubmatch(body, -1) {
		ticks = append(ticks, m[1])
	}
	if len(ticks) < 2 {
		t.Fatalf("%d reports waiting in the demo's May", len(ticks))
	}
	query := "period=2023-05&status=submitted&unit=0"
	stale := append([]string{}, ticks...)
	id, _, _ := strings.Cut(stale[0], ":")
	stale[0] = id + ":999"
	resp, body := staff.post(e.planURL("/review/approve"), url.Values{"report": stale, "query": {query}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "已被他人处理") {
		t.Fatalf("stale bulk approval: %d", resp.StatusCode)
	}
	waiting := func() int {
		rs, _ := e.db.Reports(ctx, auth.Everything, store.ReportFilter{PlanID: e.demo.PlanID, Period: "2023-05", Status: report.Submitted})
		return len(rs)
	}
	if n := waiting(); n != len(ticks) {
		t.Fatalf("a failed bulk approval approved %d", len(ticks)-n)
	}
	if resp, _ := staff.post(e.planURL("/review/approve"), url.Values{"report": ticks, "query": {query}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("bulk approval: %d", resp.StatusCode)
	}
	if n := waiting(); n != 0 {
		t.Fatalf("%d still waiting", n)
	}
}
