package web_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	_ "modernc.org/sqlite"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/store"
)

var auditZone = time.FixedZone("CST", 8*3600)

// auditFailLogin tries to sign in with a wrong password from a fresh browser.
func auditFailLogin(t testing.TB, e *env, username string) {
	t.Helper()
	c := e.anon(t)
	c.get("/login")
	resp, _ := c.post("/login", url.Values{"username": {username}, "password": {"Wrong-passw0rd"}})
	if resp.StatusCode == http.StatusSeeOther {
		t.Fatalf("%s signed in with a wrong password", username)
	}
}

// auditLogRow is one row of either log table.
type auditLogRow struct {
	ID     string
	Action string
	HTML   string
}

var auditRowRE = regexp.MustCompile(`(?s)<tr class="audit-entry" data-id="(\d+)" data-action="([^"]*)">(.*?)</tr>`)

func auditLogRows(body string) []auditLogRow {
	var out []auditLogRow
	for _, m := range auditRowRE.FindAllStringSubmatch(body, -1) {
		out = append(out, auditLogRow{ID: m[1], Action: m[2], HTML: m[3]})
	}
	return out
}

func auditActionCounts(rows []auditLogRow) map[string]int {
	n := map[string]int{}
	for _, r := range rows {
		n[r.Action]++
	}
	return n
}

// auditSignInEvents makes, on 2024-05-20 at 23:55 Beijing time: the auditor's
// and staff's sign-ins, two wrong passwords for staff and one for ghost;
// ten minutes later (the next day): staff's sign-out and two more wrong
// passwords for ghost, the fifth failure from 127.0.0.1, which locks that
// address. It returns the auditor's client.
func auditSignInEvents(t *testing.T, e *env) *client {
	t.Helper()
	day1 := time.Date(2024, 5, 20, 23, 55, 0, 0, auditZone)
	e.db.SetClock(func() time.Time { return day1 })
	aud := e.login(t, "auditor")
	staff := e.login(t, "staff")
	auditFailLogin(t, e, "staff")
	auditFailLogin(t, e, "staff")
	auditFailLogin(t, e, "ghost")
	e.db.SetClock(func() time.Time { return day1.Add(10 * time.Minute) })
	if resp, _ := staff.post("/logout", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	auditFailLogin(t, e, "ghost")
	auditFailLogin(t, e, "ghost")
	return aud
}

func TestLoginLog(t *testing.T) {
	e := newServer(t)
	aud := auditSignInEvents(t, e)

	resp, body := aud.get("/audit/logins")
	if resp.StatusCode != 200 {
		t.Fatalf("login log: %d", resp.StatusCode)
	}
	rows := auditLogRows(body)
	want := map[string]int{audit.LoginSucceeded: 2, audit.LoginFailed: 5, audit.LockedOut: 1, audit.Logout: 1}
	if got := auditActionCounts(rows); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("login log actions %v, want %v", got, want)
	}
	if !strings.Contains(body, "共 9 条记录") {
		t.Error("login log lacks its total")
	}
	// Newest first: the lockout and the failure that caused it are last
	// written.
	if rows[0].Action != audit.LockedOut || rows[len(rows)-1].Action != audit.LoginSucceeded {
		t.Errorf("order: first %s, last %s", rows[0].Action, rows[len(rows)-1].Action)
	}
	for _, r := range rows {
		if !strings.Contains(r.HTML, "<td>127.0.0.1</td>") {
			t.Errorf("row %s lacks the source address: %s", r.ID, r.HTML)
		}
		label := map[string]string{audit.LoginSucceeded: "登录成功", audit.LoginFailed: "登录失败",
			audit.LockedOut: "账号锁定", audit.Logout: "退出登录"}[r.Action]
		if !strings.Contains(r.HTML, ">"+label+"</span>") {
			t.Errorf("row %s (%s) lacks label %s: %s", r.ID, r.Action, label, r.HTML)
		}
	}
	if !strings.Contains(rows[0].HTML, "ip:127.0.0.1") || !strings.Contains(rows[0].HTML, "badge-warn") {
		t.Errorf("lockout row: %s", rows[0].HTML)
	}
	// Sign-ins name the user's unit.
	last := rows[len(rows)-1].HTML
	if !strings.Contains(last, "<td>auditor</td>") || !strings.Contains(last, "<td>"+e.demo.Accounts[5].Unit+"</td>") {
		t.Errorf("auditor's sign-in row: %s", last)
	}

	for _, c := range []struct {
		query string
		want  map[string]int
	}{
		{"result=success", map[string]int{audit.LoginSucceeded: 2}},
		{"result=failure", map[string]int{audit.LoginFailed: 5}},
		{"result=locked", map[string]int{audit.LockedOut: 1}},
		{"actor=GHO", map[string]int{audit.LoginFailed: 3, audit.LockedOut: 1}},
		{"actor=staff&result=failure", map[string]int{audit.LoginFailed: 2}},
		{"from=2024-05-20&to=2024-05-20", map[string]int{audit.LoginSucceeded: 2, audit.LoginFailed: 3}},
		{"from=2024-05-21", map[string]int{audit.Logout: 1, audit.LoginFailed: 2, audit.LockedOut: 1}},
		{"to=2024-05-19", map[string]int{}},
		{"entity=lockout&entity_id=ip:127.0.0.1", map[string]int{audit.LockedOut: 1}},
	} {
		t.Run(c.query, func(t *testing.T) {
			resp, body := aud.get("/audit/logins?" + c.query)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if got := auditActionCounts(auditLogRows(body)); fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Fatalf("actions %v, want %v", got, c.want)
			}
		})
	}
	// Only sign-in events: the demo's user.created records are not here.
	if _, body := aud.get("/audit/logins?actor=system"); len(auditLogRows(body)) != 0 {
		t.Error("the login log shows other actions")
	}
}

func TestAuditLogFilters(t *testing.T) {
	e := newServer(t)
	aud := auditSignInEvents(t, e)

	resp, body := aud.get("/audit")
	if resp.StatusCode != 200 || strings.Contains(body, "审计日志完整") || !strings.Contains(body, `href="/audit?verify=1"`) {
		t.Fatalf("audit log: %d, or the chain verified without being asked", resp.StatusCode)
	}
	resp, body = aud.get("/audit?verify=1")
	if resp.StatusCode != 200 {
		t.Fatalf("verified audit log: %d", resp.StatusCode)
	}
	_, total, err := e.db.AuditEntries(context.Background(), audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, `<span class="badge badge-done">`+fmt.Sprintf("审计日志完整:共%d条,末条哈希", total)) {
		t.Errorf("chain status missing or wrong (%d records)", total)
	}
	if !strings.Contains(body, fmt.Sprintf("共 %d 条记录", total)) || len(auditLogRows(body)) != min(total, 50) {
		t.Errorf("first page: %d rows of %d", len(auditLogRows(body)), total)
	}
	// Every action is offered with its Chinese name.
	if !strings.Contains(body, `<option value="auth.login_failed">登录失败 (auth.login_failed)</option>`) ||
		!strings.Contains(body, `<option value="audit.exported">导出审计日志 (audit.exported)</option>`) {
		t.Error("action select")
	}
	for _, c := range []struct {
		query string
		want  map[string]int
	}{
		{"action=auth.login_failed", map[string]int{audit.LoginFailed: 5}},
		{"action=auth.login_failed&actor=staff", map[string]int{audit.LoginFailed: 2}},
		{"actor=ghost&from=2024-05-21&to=2024-05-21", map[string]int{audit.LoginFailed: 2, audit.LockedOut: 1}},
		{"from=2024-05-20&to=2024-05-21", map[string]int{audit.LoginSucceeded: 2, audit.LoginFailed: 5, audit.LockedOut: 1, audit.Logout: 1}},
		{"entity=lockout", map[string]int{audit.LockedOut: 1}},
		{"action=user.created&entity_id=999999", map[string]int{}},
	} {
		t.Run(c.query, func(t *testing.T) {
			resp, body := aud.get("/audit?" + c.query)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if got := auditActionCounts(auditLogRows(body)); fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Fatalf("actions %v, want %v", got, c.want)
			}
			// The filter is kept in the form and the export link.
			q, _ := url.ParseQuery(c.query)
			if !strings.Contains(body, `href="/audit/export.xlsx?`+auditAttr(q.Encode())+`"`) {
				t.Error("export link does not carry the filter")
			}
		})
	}

	for _, c := range []struct {
		path, field, msg string
	}{
		{"/audit?from=2024-13-01", "from", "请输入有效日期"},
		{"/audit?to=20240521", "to", "请输入有效日期"},
		{"/audit?from=2024-05-21&to=2024-05-20", "to", "结束日期不能早于开始日期"},
		{"/audit?action=no.such", "action", "请从列表中选择操作"},
		{"/audit/logins?from=yesterday", "from", "请输入有效日期"},
		{"/audit/logins?result=maybe", "result", "请从列表中选择结果"},
		{"/audit/export.xlsx?to=2024-02-30", "to", "请输入有效日期"},
	} {
		t.Run(c.path, func(t *testing.T) {
			resp, body := aud.get(c.path)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", resp.StatusCode)
			}
			if !strings.Contains(body, `<div class="field has-error"><label for="`+c.field+`">`) ||
				!strings.Contains(body, `<div class="field-error">`+c.msg) {
				t.Errorf("no field message %q on %s", c.msg, c.field)
			}
			if len(auditLogRows(body)) != 0 {
				t.Error("rows shown for a bad filter")
			}
		})
	}
}

// auditAttr is s as html/template writes it in an attribute.
func auditAttr(s string) string { return strings.ReplaceAll(s, "&", "&amp;") }

func TestAuditLogPaging(t *testing.T) {
	e := newServer(t)
	aud := e.login(t, "auditor")
	src := audit.Source{ActorID: 99, ActorName: "bulk-user", IP: "10.1.2.3", RequestID: "req-bulk"}
	err := e.db.InTx(context.Background(), func(tx *store.Tx) error {
		for i := 1; i <= 120; i++ {
			var after any = map[string]any{"n": i}
			if i == 119 {
				after = map[string]string{"title": strings.Repeat("长", 300)}
			}
			en := src.New(audit.PlanUpdated, "plan", fmt.Sprint(i), map[string]any{"n": 0}, after)
			if i == 120 {
				// Raw, as json.Marshal would escape the angle brackets itself.
				en.After = json.RawMessage(`{"title":"<script>alert(1)</script>"}`)
			}
			if err := tx.Audit(en); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	resp, body := aud.get("/audit?actor=bulk-user")
	rows := auditLogRows(body)
	if resp.StatusCode != 200 || len(rows) != 50 || !strings.Contains(body, "共 120 条记录") || !strings.Contains(body, "第 1 / 3 页") {
		t.Fatalf("page 1: %d, %d rows", resp.StatusCode, len(rows))
	}
	if !strings.Contains(body, `href="/audit?actor=bulk-user&amp;page=2" rel="next"`) ||
		!strings.Contains(body, `href="/audit?actor=bulk-user&amp;page=3"`) {
		t.Error("page links")
	}
	// The newest record is first; its change is escaped, not run.
	if !strings.Contains(rows[0].HTML, "<td>120</td>") || strings.Contains(body, "<script>alert") ||
		!strings.Contains(rows[0].HTML, `{&#34;n&#34;:0} → {&#34;title&#34;:&#34;&lt;script&gt;alert(1)&lt;/script&gt;&#34;}`) {
		t.Errorf("first row: %s", rows[0].HTML)
	}
	// A long change is folded.
	if !strings.Contains(rows[1].HTML, "<details><summary>") || !strings.Contains(rows[1].HTML, strings.Repeat("长", 300)) {
		t.Errorf("long change: %s", rows[1].HTML)
	}
	_, body = aud.get("/audit?actor=bulk-user&page=3")
	rows = auditLogRows(body)
	if len(rows) != 20 || !strings.Contains(rows[19].HTML, "<td>1</td>") || !strings.Contains(body, `rel="prev"`) ||
		strings.Contains(body, `rel="next"`) {
		t.Fatalf("page 3: %d rows", len(rows))
	}
	// Beyond the end: no rows, not an error; garbage: the first page.
	if resp, body := aud.get("/audit?actor=bulk-user&page=9"); resp.StatusCode != 200 || len(auditLogRows(body)) != 0 {
		t.Errorf("page 9: %d", resp.StatusCode)
	}
	if resp, body := aud.get("/audit?actor=bulk-user&page=x"); resp.StatusCode != 200 || len(auditLogRows(body)) != 50 {
		t.Errorf("page x: %d", resp.StatusCode)
	}
}

func TestAuditExport(t *testing.T) {
	e := newServer(t)
	aud := auditSignInEvents(t, e)

	resp, body := aud.get("/audit/export.xlsx?action=auth.login_failed&actor=ghost")
	if resp.StatusCode != 200 {
		t.Fatalf("export: %d %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("content type %q", ct)
	}
	// The clock stands at 2024-05-21 00:05 Beijing time.
	wantCD := `attachment; filename="audit-log-20240521.xlsx"; filename*=UTF-8''` + url.PathEscape("审计日志-20240521.xlsx")
	if cd := resp.Header.Get("Content-Disposition"); cd != wantCD {
		t.Errorf("content disposition %q, want %q", cd, wantCD)
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(audit.SheetName)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], " "); got != "时间 操作人 单位 来源地址 请求编号 操作 对象 对象编号 变更前 变更后 哈希" {
		t.Fatalf("header %q", got)
	}
	if len(rows) != 4 {
		t.Fatalf("%d rows, want header and 3", len(rows))
	}
	for _, r := range rows[1:] {
		if r[1] != "ghost" || r[3] != "127.0.0.1" || r[5] != "登录失败" || r[6] != "user" || len(r[10]) != 64 {
			t.Errorf("row %q", r)
		}
	}
	if rows[1][0] != "2024-05-21 00:05:00" || rows[3][0] != "2024-05-20 23:55:00" {
		t.Errorf("times %s, %s", rows[1][0], rows[3][0])
	}

	// Units are named.
	_, body = aud.get("/audit/export.xlsx?action=auth.login&actor=auditor")
	f2, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer f2.Close()
	rows, _ = f2.GetRows(audit.SheetName)
	if len(rows) != 2 || rows[1][2] != e.demo.Accounts[5].Unit {
		t.Fatalf("unit names: %q", rows)
	}

	// Each export is itself recorded, with its filter and size.
	es, _, err := e.db.AuditEntries(context.Background(), audit.Filter{Action: audit.AuditExported})
	if err != nil || len(es) != 2 {
		t.Fatalf("export records: %d %v", len(es), err)
	}
	first := es[1]
	if first.ActorName != "auditor" || first.IP != "127.0.0.1" || first.Entity != "audit_log" || first.EntityID != "审计日志-20240521.xlsx" ||
		string(first.After) != `{"action":"auth.login_failed","actor":"ghost","rows":3}` || first.RequestID == "" {
		t.Errorf("export record %+v", first)
	}
	_, page := aud.get("/audit?action=audit.exported&verify=1")
	if n := len(auditLogRows(page)); n != 2 || !strings.Contains(page, "<td>导出审计日志</td>") {
		t.Errorf("export records on the page: %d", n)
	}
	// The chain still holds.
	if !strings.Contains(page, "badge-done") {
		t.Error("chain broken after export")
	}
}

func TestAuditPagesAreTheAuditorsOnly(t *testing.T) {
	e := newServer(t)
	for _, role := range []string{"staff", "reporter", "leader", "sysadmin", "secadmin"} {
		c := e.login(t, role)
		for _, path := range []string{"/audit", "/audit/logins", "/audit/export.xlsx", "/audit?action=auth.login"} {
			resp, body := c.get(path)
			if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "audit-entry") {
				t.Errorf("%s %s: %d, want 404", role, path, resp.StatusCode)
			}
		}
		if strings.Contains(func() string { _, b := c.get("/account/sessions"); return b }(), `href="/audit"`) {
			t.Errorf("%s sees the audit menu", role)
		}
	}
	es, _, err := e.db.AuditEntries(context.Background(), audit.Filter{Action: audit.AuditExported})
	if err != nil || len(es) != 0 {
		t.Errorf("refused exports were recorded: %d %v", len(es), err)
	}
	// Signed out: to the sign-in page.
	resp, _ := e.anon(t).get("/audit/export.xlsx")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("signed out: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestAuditLogShowsBrokenChain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tamper.db")
	e := newServerOn(t, path)
	aud := e.login(t, "auditor")

	// Someone with the database file bypasses the append-only triggers and
	// rewrites record 3.
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{
		"DROP TRIGGER audit_log_no_update",
		"UPDATE audit_log SET actor_name = 'mallory' WHERE id = 3",
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	resp, body := aud.get("/audit?verify=1")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if !strings.Contains(body, `<span class="badge badge-danger">审计日志在第3条记录处断裂:记录内容与其哈希不符,记录已被修改</span>`) {
		t.Error("broken chain not shown")
	}
	if strings.Contains(body, "审计日志完整") {
		t.Error("the page still says the log is intact")
	}
}

func TestAuditLogInEnglish(t *testing.T) {
	e := newServer(t)
	aud := e.login(t, "auditor")
	aud.get("/lang/en?back=/audit")
	_, body := aud.get("/audit?action=auth.login&verify=1")
	if !strings.Contains(body, "Audit log intact:") || !strings.Contains(body, "<td>auth.login</td>") ||
		!strings.Contains(body, "Export to Excel") {
		t.Error("English audit page")
	}
	resp, _ := aud.get("/audit/export.xlsx")
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "filename*=UTF-8''audit-log-") {
		t.Errorf("content disposition %q", cd)
	}
}
