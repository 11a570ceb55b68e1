package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/testenv"
)

// badTexts are single-line values every name and title field refuses
// (issue 7, item 9), with a part of the message each gets.
var badTexts = map[string]string{
	"NUL":      "遂宁\x00高新区",
	"CR/LF":    "遂宁\r\n高新区",
	"C1":       "遂宁\u0085高新区",
	"RLO":      "遂宁\u202e区新高",
	"isolate":  "遂宁\u2066高新区\u2069",
	"ZWSP":     "遂宁\u200b高新区",
	"BOM":      "\ufeff遂宁高新区",
	"bad UTF8": "遂宁\xff高新区",
}

// TestControlCharactersRefused: unit names, display names, token names and
// plan titles with control, bidi or zero-width characters get a field
// error (422), never a 500, and a NUL username at sign-in is a clean 401
// with an audit row, on both engines.
func TestControlCharactersRefused(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			e := newServerOn(t, testenv.DSN(t, engine))
			ctx := context.Background()
			units, err := e.db.Units(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var city org.Unit
			for _, u := range units {
				if u.ParentID == 0 {
					city = u
				}
			}
			admin := e.login(t, "sysadmin")
			staff := e.login(t, "staff")
			admin.get("/admin/units/new")
			for name, bad := range badTexts {
				resp, body := admin.post("/admin/units", url.Values{"code": {"t" + itoa(int64(len(name)))}, "name": {bad},
					"kind": {"park"}, "parent_id": {itoa(city.ID)}})
				if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "单位名称不能包含") {
					t.Errorf("unit name with %s: %d, want 422 单位名称不能包含…", name, resp.StatusCode)
				}
				resp, body = admin.post("/admin/users", url.Values{"username": {"newuser"}, "name": {bad}, "role": {"staff"},
					"unit_id": {itoa(city.ID)}})
				if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "姓名不能包含") {
					t.Errorf("display name with %s: %d, want 422 姓名不能包含…", name, resp.StatusCode)
				}
				resp, body = staff.post("/account/tokens", url.Values{"name": {bad}})
				if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "令牌名称不能包含") {
					t.Errorf("token name with %s: %d, want 422 令牌名称不能包含…", name, resp.StatusCode)
				}
			}

			// A plan title in the review form.
			_, body := staff.upload("/plans/import", "plan.txt", importDoc(), true)
			form := formValues(t, body, "/plans/import/save")
			for name, bad := range badTexts {
				f := cloneValues(form)
				f.Set("title", bad)
				f.Set("section.0.title", bad)
				resp, body := staff.post("/plans/import/save", f)
				if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "计划名称不能包含") ||
					!strings.Contains(body, "第1个部分:标题不能包含") {
					t.Errorf("plan title with %s: %d, want 422 with field errors", name, resp.StatusCode)
				}
			}

			// Sign-in with a NUL in the name: a wrong login, audited.
			anon := e.anon(t)
			anon.get("/login")
			resp, _ := anon.post("/login", url.Values{"username": {"staff\x00"}, "password": {"wrong-Password-1"}})
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("web login with a NUL username: %d, want 401", resp.StatusCode)
			}
			req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/login", strings.NewReader(`{"username":"ad\u0000min\u202e","password":"x"}`))
			req.Header.Set("Content-Type", "application/json")
			apiResp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			apiResp.Body.Close()
			if apiResp.StatusCode != http.StatusUnauthorized {
				t.Errorf("API login with a NUL username: %d, want 401", apiResp.StatusCode)
			}
			// A browser whose User-Agent is not UTF-8 still signs in (it is
			// stored with the session).
			ua := e.anon(t)
			ua.get("/login")
			req, _ = http.NewRequest("POST", e.ts.URL+"/login", strings.NewReader(url.Values{"username": {"leader"},
				"password": {e.password(t, "leader")}, "csrf_token": {ua.csrf}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("User-Agent", "Mozilla/5.0 \xff\xfe")
			if resp, _ := ua.do(req); resp.StatusCode != http.StatusSeeOther {
				t.Errorf("sign-in with a non-UTF-8 User-Agent: %d, want 303", resp.StatusCode)
			}
			entries, _, err := e.db.AuditEntries(ctx, audit.Filter{Action: audit.LoginFailed})
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) < 2 || entries[0].EntityID != "admin" || entries[1].EntityID != "staff" {
				t.Errorf("failed sign-ins with NUL names not audited under the cleaned name: %+v", entries)
			}
		})
	}
}
