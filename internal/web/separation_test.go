package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/testenv"
)

// TestAdminAccountsOnlyFromCLI: the system administrator can neither see
// the edit page of, reset, nor change the auditor, the security
// administrator or itself, nor create administrator accounts or promote a
// user to one; each refusal is audited once per key and window, with the
// retries counted (三员, issue 7, item 6).
func TestAdminAccountsOnlyFromCLI(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			e := newServerOn(t, testenv.DSN(t, engine))
			admin := e.login(t, "sysadmin")
			auditor := e.user(t, "auditor")

			resp, body := admin.get("/admin/users/new")
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<option value="reporter"`) {
				t.Fatalf("new-user form: %d", resp.StatusCode)
			}
			for _, role := range []string{"sysadmin", "secadmin", "auditor"} {
				if strings.Contains(body, `<option value="`+role+`"`) {
					t.Errorf("the new-user form offers %s", role)
				}
			}
			_, body = admin.get("/admin/users")
			if strings.Contains(body, `href="/admin/users/`+itoa(auditor.ID)+`"`) || !strings.Contains(body, "命令行管理") {
				t.Errorf("the user list links to the auditor's edit page")
			}

			for range 20 {
				resp, body = admin.post("/admin/users/"+itoa(auditor.ID)+"/reset-password", nil)
				if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "只能在服务器上用命令行管理") || strings.Contains(body, "temp-password") {
					t.Fatalf("sysadmin resets the auditor: %d", resp.StatusCode)
				}
			}
			// The auditor's password still works: nobody else knows it.
			e.login(t, "auditor")

			for _, id := range []int64{auditor.ID, e.user(t, "secadmin").ID, e.user(t, "sysadmin").ID} {
				if resp, _ := admin.get("/admin/users/" + itoa(id)); resp.StatusCode != http.StatusForbidden {
					t.Errorf("GET /admin/users/%d (an administrator): %d, want 403", id, resp.StatusCode)
				}
			}
			resp, _ = admin.post("/admin/users/"+itoa(auditor.ID), url.Values{"name": {"x"}, "role": {"auditor"},
				"unit_id": {itoa(auditor.UnitID)}, "version": {itoa(auditor.Version)}})
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("sysadmin edits the auditor: %d, want 403", resp.StatusCode)
			}
			staff := e.user(t, "staff")
			resp, _ = admin.post("/admin/users/"+itoa(staff.ID), url.Values{"name": {"x"}, "role": {"auditor"},
				"unit_id": {itoa(staff.UnitID)}, "version": {itoa(staff.Version)}})
			if resp.StatusCode != http.StatusForbidden || e.user(t, "staff").Role != "staff" {
				t.Errorf("sysadmin promotes staff to auditor: %d", resp.StatusCode)
			}
			for _, role := range []string{"sysadmin", "secadmin", "auditor"} {
				resp, _ := admin.post("/admin/users", url.Values{"username": {"new" + role}, "name": {"新"}, "role": {role},
					"unit_id": {itoa(staff.UnitID)}})
				if resp.StatusCode != http.StatusForbidden {
					t.Errorf("sysadmin creates a %s: %d, want 403", role, resp.StatusCode)
				}
			}
			// Staff, reporters and leaders are still managed on the web.
			pw := e.createUser(t, admin, "zhangsan", "reporter", "")
			if pw == "" {
				t.Fatal("no temporary password for a new reporter")
			}

			key := "admin-account:user.reset:auditor:by:sysadmin"
			if got := e.audited(t, audit.AccessDenied, key); len(got) != 1 {
				t.Errorf("20 refused resets: %d access.denied records, want 1", len(got))
			}
			ds, err := e.db.Denials(ctx, key)
			if err != nil || len(ds) != 1 || ds[0].Count != 20 {
				t.Errorf("20 refused resets counted as %+v %v, want one row of 20", ds, err)
			}
		})
	}
}

// TestDeniedAccessAggregated: a reporter opening an administrator's page
// again and again, and sign-ins retried while locked out, each leave one
// access.denied record per key and window and a count (issue 7, item 6).
func TestDeniedAccessAggregated(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			e := newServerOn(t, testenv.DSN(t, engine))
			rep := e.login(t, "reporter")
			for range 10 {
				if resp, _ := rep.get("/admin/users"); resp.StatusCode != http.StatusNotFound {
					t.Fatalf("reporter on /admin/users: %d", resp.StatusCode)
				}
			}
			key := "route:GET /admin/users:reporter"
			if got := e.audited(t, audit.AccessDenied, key); len(got) != 1 {
				t.Errorf("10 denied page views: %d audit records, want 1", len(got))
			}
			if ds, _ := e.db.Denials(ctx, key); len(ds) != 1 || ds[0].Count != 10 {
				t.Errorf("10 denied page views counted as %+v", ds)
			}
			// The auditor sees the one record with its count.
			_, body := e.login(t, "auditor").get("/audit?action=" + url.QueryEscape(audit.AccessDenied))
			if !strings.Contains(body, "共 10 次(15 分钟内)") {
				t.Errorf("the audit log does not show the count of denied tries:\n%s", body)
			}

			anon := e.anon(t)
			anon.get("/login")
			for range 5 {
				anon.post("/login", url.Values{"username": {"leader"}, "password": {"wrong-Password-1"}})
			}
			before := len(e.audited(t, audit.LoginFailed, "leader"))
			for range 30 {
				if resp, _ := anon.post("/login", url.Values{"username": {"leader"}, "password": {"wrong-Password-1"}}); resp.StatusCode != http.StatusTooManyRequests {
					t.Fatalf("a sign-in while locked: %d, want 429", resp.StatusCode)
				}
			}
			if after := len(e.audited(t, audit.LoginFailed, "leader")); after != before {
				t.Errorf("30 locked retries wrote %d login_failed records, want 0 (counted instead)", after-before)
			}
			if got := e.audited(t, audit.AccessDenied, "locked:u:leader"); len(got) != 1 {
				t.Errorf("30 locked retries: %d access.denied records, want 1", len(got))
			}
			if ds, _ := e.db.Denials(ctx, "locked:u:leader"); len(ds) != 1 || ds[0].Count != 30 {
				t.Errorf("30 locked retries counted as %+v", ds)
			}
		})
	}
}
