package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/web"
)

var noticeVersionRE = regexp.MustCompile(`name="version" value="(\d+)"`)

func formVersion(t testing.TB, body string) string {
	t.Helper()
	m := noticeVersionRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no version on the page")
	}
	return m[1]
}

// TestSupervisionFlow issues a notice to 射洪市 through the pages; the
// reporter sees it in the inbox, asks for an extension, then replies with a
// PDF; staff grant and close. Each step is on the trail and audited.
func TestSupervisionFlow(t *testing.T) {
	e := newServer(t)
	staff, reporter := e.login(t, "staff"), e.login(t, "reporter")
	shehong := e.unitID(t, "510981")
	staff.get("/supervision/notices/new")
	// A bad form comes back with the field at fault.
	resp, body := staff.post("/supervision/notices", url.Values{"unit_id": {itoa(shehong)}, "subject": {""}, "reply_due": {"2000-01-01"}})
	if resp.StatusCode != 422 || !strings.Contains(body, "请填写督办事项") || !strings.Contains(body, "日期不能早于今天") {
		t.Fatalf("bad notice: %d", resp.StatusCode)
	}
	due := e.db.Now().AddDate(0, 0, 7).Format("2006-01-02")
	resp, _ = staff.post("/supervision/notices", url.Values{"unit_id": {itoa(shehong)}, "subject": {"科技型中小企业入库进度滞后"},
		"body": {"请说明原因和措施。"}, "reply_due": {due}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("issue: %d", resp.StatusCode)
	}
	link := resp.Header.Get("Location")
	_, body = staff.get(link)
	if !strings.Contains(body, "督〔") || !strings.Contains(body, "科技型中小企业入库进度滞后") {
		t.Fatal("the notice page lacks its number or subject")
	}

	// The reporter: the header counts the unread message; the inbox opens it.
	_, body = reporter.get("/supervision")
	if !strings.Contains(body, `id="unread-count">1<`) || !strings.Contains(body, "科技型中小企业入库进度滞后") {
		t.Fatal("reporter: no unread count or no notice in the list")
	}
	_, body = reporter.get("/inbox")
	if !strings.Contains(body, "【督办】督〔") {
		t.Fatal("inbox lacks the notice")
	}
	items, _ := e.db.Inbox(context.Background(), e.userID(t, "reporter"), 10)
	resp, _ = reporter.post("/inbox/"+itoa(items[0].ID)+"/read", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != link {
		t.Fatalf("open message: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = reporter.get(link)
	if strings.Contains(body, `id="unread-count"`) {
		t.Fatal("still unread after opening")
	}
	v := formVersion(t, body)
	later := e.db.Now().AddDate(0, 0, 20).Format("2006-01-02")
	resp, _ = reporter.post(link+"/extension", url.Values{"version": {v}, "text": {"需等待省厅名单"}, "due_on": {later}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("extension: %d", resp.StatusCode)
	}
	// The reporter's stale form is a conflict that says what changed.
	resp, body = reporter.post(link+"/extension", url.Values{"version": {v}, "text": {"再次申请"}, "due_on": {later}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "已被他人处理") || !strings.Contains(body, "申请延期待审批") {
		t.Fatalf("stale extension: %d", resp.StatusCode)
	}
	// Only staff decide; for the reporter the route does not exist.
	if resp, _ := reporter.post(link+"/grant", url.Values{"version": {v}}); resp.StatusCode != 404 {
		t.Fatalf("reporter granted: %d", resp.StatusCode)
	}
	_, body = staff.get(link)
	resp, _ = staff.post(link+"/grant", url.Values{"version": {formVersion(t, body)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("grant: %d", resp.StatusCode)
	}
	_, body = reporter.get(link)
	if !strings.Contains(body, `id="reply-due">`+later) {
		t.Fatal("the new deadline is not shown")
	}
	// A reply with a file that is not what its name says is refused.
	resp, body = reporter.postMultipart(link+"/reply", url.Values{"version": {formVersion(t, body)}, "text": {"已完成"}},
		"files", "名单.pdf", []byte("just text"))
	if resp.StatusCode != 422 || !strings.Contains(body, "名单.pdf") {
		t.Fatalf("disguised file: %d", resp.StatusCode)
	}
	pdf := []byte("%PDF-1.4\n%%EOF\n")
	resp, _ = reporter.postMultipart(link+"/reply", url.Values{"version": {formVersion(t, body)}, "text": {"已入库112家"}},
		"files", "入库名单.pdf", pdf)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply: %d", resp.StatusCode)
	}
	_, body = staff.get(link)
	m := regexp.MustCompile(`href="(` + regexp.QuoteMeta(link) + `/files/\d+)">入库名单.pdf`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no evidence link")
	}
	resp, got := staff.get(m[1])
	if resp.StatusCode != 200 || got != string(pdf) || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("evidence download: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, _ = staff.post(link+"/close", url.Values{"version": {formVersion(t, body)}, "text": {"同意销号"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("close: %d", resp.StatusCode)
	}
	_, body = reporter.get(link)
	for _, want := range []string{"下发督办", "申请延期", "同意延期", "单位回复", "办结销号", "已办结销号"} {
		if !strings.Contains(body, want) {
			t.Errorf("the trail lacks %s", want)
		}
	}
	id := strings.TrimPrefix(link, "/supervision/notices/")
	for _, a := range []string{audit.NoticeIssued, audit.NoticeExtensionAsked, audit.NoticeExtensionGranted, audit.NoticeReplied, audit.NoticeClosed} {
		e.mustAudit(t, a, id)
	}
	// The API shows the same notice to the reporter.
	token := apiToken(t, e, "reporter")
	resp, body = apiGet(t, e, token, "/api/v1/supervision/notices/"+id)
	var n store.Notice
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &n) != nil || n.Status != "closed" || len(n.Trail) != 5 {
		t.Fatalf("API notice: %d %s", resp.StatusCode, body)
	}
}

// TestSupervisionAPI drives a notice through /api/v1.
func TestSupervisionAPI(t *testing.T) {
	e := newServer(t)
	staff, reporter := apiToken(t, e, "staff"), apiToken(t, e, "reporter")
	call := func(token, method, path string, body any) (int, map[string]any) {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, e.ts.URL+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, out := e.anon(t).do(req)
		var m map[string]any
		json.Unmarshal([]byte(out), &m)
		return resp.StatusCode, m
	}
	due := e.db.Now().AddDate(0, 0, 3).Format("2006-01-02")
	code, n := call(staff, "POST", "/api/v1/supervision/notices", map[string]any{"unit_id": e.unitID(t, "510981"), "subject": "API督办", "reply_due": due})
	if code != 201 || !strings.HasPrefix(n["number"].(string), "督〔") {
		t.Fatalf("issue: %d %v", code, n)
	}
	id := itoa(int64(n["id"].(float64)))
	if code, _ := call(reporter, "POST", "/api/v1/supervision/notices", map[string]any{"unit_id": 1, "subject": "x", "reply_due": due}); code != 404 {
		t.Fatalf("reporter issued by API: %d", code)
	}
	code, m := call(staff, "POST", "/api/v1/supervision/notices", map[string]any{"unit_id": 0, "subject": "", "reply_due": "x"})
	if fields, _ := m["fields"].(map[string]any); code != 422 || fields["unit_id"] == nil || fields["reply_due"] == nil {
		t.Fatalf("bad issue: %d %v", code, m)
	}
	code, n = call(reporter, "POST", "/api/v1/supervision/notices/"+id+"/steps", map[string]any{"step": "replied", "version": 1,
		"text": "已办", "files": []map[string]string{{"name": "a.png", "content_base64": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="}}})
	if code != 200 || n["status"] != "replied" {
		t.Fatalf("reply: %d %v", code, n)
	}
	if code, m := call(staff, "POST", "/api/v1/supervision/notices/"+id+"/steps", map[string]any{"step": "closed", "version": 1}); code != 409 {
		t.Fatalf("stale close: %d %v", code, m)
	}
	if code, n := call(staff, "POST", "/api/v1/supervision/notices/"+id+"/steps", map[string]any{"step": "escalated", "version": 2, "text": "未达要求"}); code != 200 || n["level"].(float64) != 2 {
		t.Fatalf("escalate: %d %v", code, n)
	}
	code, m = call(reporter, "GET", "/api/v1/inbox", nil)
	if code != 200 || m["unread"].(float64) != 2 {
		t.Fatalf("inbox: %d %v", code, m)
	}
	code, m = call(staff, "GET", "/api/v1/supervision/watch", nil)
	if code != 200 || m["tasks"] == nil || m["units"] == nil {
		t.Fatalf("watch: %d", code)
	}
}

// TestChannelsPage: staff configure a unit's robots; a bad address names
// the field; the secret is never shown back nor audited.
func TestChannelsPage(t *testing.T) {
	e := newServer(t)
	staff := e.login(t, "staff")
	staff.get("/notify/channels")
	unit := itoa(e.unitID(t, "510981"))
	resp, body := staff.post("/notify/channels", url.Values{"unit_id": {unit}, "kind": {"dingtalk"}, "target": {"not a url"}, "secret": {"SECabc"}})
	if resp.StatusCode != 422 || !strings.Contains(body, "Webhook") {
		t.Fatalf("bad channel: %d", resp.StatusCode)
	}
	resp, _ = staff.post("/notify/channels", url.Values{"unit_id": {unit}, "kind": {"dingtalk"}, "name": {"射洪督办群"},
		"target": {"https://oapi.dingtalk.com/robot/send?access_token=t1"}, "secret": {"SECabc"}, "enabled": {"1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	_, body = staff.get("/notify/channels")
	if !strings.Contains(body, "射洪督办群") || strings.Contains(body, "SECabc") {
		t.Fatal("channel list wrong, or it shows the secret")
	}
	chans, _ := e.db.Channels(context.Background(), e.unitID(t, "510981"))
	if len(chans) != 1 || chans[0].Secret != "SECabc" {
		t.Fatalf("stored: %+v", chans)
	}
	entry := e.mustAudit(t, audit.ChannelCreated, itoa(chans[0].ID))
	if strings.Contains(string(entry.After), "SECabc") {
		t.Fatal("the secret is in the audit log")
	}
	// Saving without a secret keeps it.
	resp, _ = staff.post("/notify/channels/"+itoa(chans[0].ID), url.Values{"unit_id": {unit}, "kind": {"dingtalk"}, "name": {"改名"},
		"target": {chans[0].Target}, "version": {itoa(chans[0].Version)}, "enabled": {"1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("update: %d", resp.StatusCode)
	}
	chans, _ = e.db.Channels(context.Background(), e.unitID(t, "510981"))
	if chans[0].Name != "改名" || chans[0].Secret != "SECabc" {
		t.Fatalf("after update: %+v", chans[0])
	}
	// A refused edit re-renders its values in a form that posts back to the
	// same channel, with its version — not in the form that adds one.
	resp, body = staff.post("/notify/channels/"+itoa(chans[0].ID), url.Values{"unit_id": {unit}, "kind": {"dingtalk"}, "name": {"改名"},
		"target": {"not a url"}, "version": {itoa(chans[0].Version)}, "enabled": {"1"}})
	if resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, `class="form channel-form" method="post" action="/notify/channels/`+itoa(chans[0].ID)+`"`) ||
		!strings.Contains(body, `name="version" value="`+itoa(chans[0].Version)+`"`) {
		t.Fatalf("refused edit: %d", resp.StatusCode)
	}
	if resp, _ := e.login(t, "reporter").get("/notify/channels"); resp.StatusCode != 404 {
		t.Fatalf("reporter sees channels: %d", resp.StatusCode)
	}
	if resp, _ := staff.get("/notify/outbox"); resp.StatusCode != 200 {
		t.Fatalf("outbox page: %d", resp.StatusCode)
	}
	// The same by API: the secret shows only as set.
	token := apiToken(t, e, "staff")
	resp, body = apiGet(t, e, token, "/api/v1/notify/channels?unit="+unit)
	if resp.StatusCode != 200 || !strings.Contains(body, `"secret_set":true`) || strings.Contains(body, "SECabc") {
		t.Fatalf("API channels: %d %s", resp.StatusCode, body)
	}
	req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/notify/channels", strings.NewReader(
		`{"unit_id": `+unit+`, "kind": "email", "target": "shehong@example.gov.cn"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	if resp, body := e.anon(t).do(req); resp.StatusCode != 201 || !strings.Contains(body, `"enabled":true`) {
		t.Fatalf("API create channel: %d %s", resp.StatusCode, body)
	}
	req, _ = http.NewRequest("DELETE", e.ts.URL+"/api/v1/notify/channels/"+itoa(chans[0].ID)+"?version=1", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if resp, _ := e.anon(t).do(req); resp.StatusCode != 409 {
		t.Fatalf("API delete with a stale version: %d", resp.StatusCode)
	}
	if resp, _ := apiGet(t, e, apiToken(t, e, "reporter"), "/api/v1/notify/channels"); resp.StatusCode != 404 {
		t.Fatalf("reporter reads channels by API: %d", resp.StatusCode)
	}
	if resp, body := apiGet(t, e, token, "/api/v1/notify/outbox"); resp.StatusCode != 200 || !strings.Contains(body, `"messages"`) {
		t.Fatalf("API outbox: %d", resp.StatusCode)
	}
}

// TestWatchPage renders the watch lists for staff and a reporter.
func TestWatchPage(t *testing.T) {
	e := newServer(t)
	for _, who := range []string{"staff", "reporter", "leader"} {
		resp, body := e.login(t, who).get("/supervision/watch?all=1")
		if resp.StatusCode != 200 || !strings.Contains(body, `id="watch-tasks"`) || !strings.Contains(body, `id="watch-units"`) {
			t.Fatalf("%s: %d", who, resp.StatusCode)
		}
		if who == "reporter" && strings.Contains(body, "蓬溪县、安居区创建") {
			t.Error("the reporter's watch shows another unit's task")
		}
	}
}

// The API's watch list uses the server's silent-days setting, as the page
// does; ?days= still overrides it.
func TestWatchAPISilentDays(t *testing.T) {
	e := newServer(t)
	srv, err := web.New(web.Config{DB: e.db, Version: "test", SilentDays: 7})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	token := apiToken(t, e, "staff")
	for _, c := range []struct {
		query string
		want  int
	}{{"", 7}, {"?days=45", 45}} {
		req, _ := http.NewRequest("GET", ts.URL+"/api/v1/supervision/watch"+c.query, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, body := e.anon(t).do(req)
		var w struct {
			SilentDays int `json:"silent_days"`
		}
		if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &w) != nil || w.SilentDays != c.want {
			t.Errorf("watch%s: %d, silent_days %d, want %d", c.query, resp.StatusCode, w.SilentDays, c.want)
		}
	}
}
