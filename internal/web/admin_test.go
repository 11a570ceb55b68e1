package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/org"
)

// signIn signs in with a username and password and returns the client and
// the login response.
func (e *env) signIn(t testing.TB, username, password string) (*client, *http.Response) {
	t.Helper()
	c := e.anon(t)
	c.get("/login")
	resp, _ := c.post("/login", url.Values{"username": {username}, "password": {password}})
	return c, resp
}

// user reads an account by username.
func (e *env) user(t testing.TB, username string) auth.User {
	t.Helper()
	u, _, err := e.db.UserCredentials(context.Background(), auth.NormalizeUsername(username))
	if err != nil {
		t.Fatalf("user %s: %v", username, err)
	}
	return u
}

func (e *env) unitID(t testing.TB, code string) int64 {
	t.Helper()
	u, err := e.db.UnitByCode(context.Background(), code)
	if err != nil {
		t.Fatalf("unit %s: %v", code, err)
	}
	return u.ID
}

// audited returns the audit entries of action on entityID.
func (e *env) audited(t testing.TB, action, entityID string) []audit.Entry {
	t.Helper()
	list, _, err := e.db.AuditEntries(context.Background(), audit.Filter{Action: action, EntityID: entityID})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func (e *env) mustAudit(t testing.TB, action, entityID string) audit.Entry {
	t.Helper()
	list := e.audited(t, action, entityID)
	if len(list) == 0 {
		t.Fatalf("no audit entry %s on %s", action, entityID)
	}
	return list[0]
}

var tempPasswordRE = regexp.MustCompile(`<code class="temp-password">([^<]+)</code>`)

// tempPassword returns the temporary password shown on a page.
func tempPassword(t testing.TB, body string) string {
	t.Helper()
	m := tempPasswordRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no temporary password on the page:\n%s", body)
	}
	return html.UnescapeString(m[1])
}

// createUser creates an account as the system administrator and returns
// the temporary password shown once.
func (e *env) createUser(t testing.TB, admin *client, username string, role auth.Role, password string) string {
	t.Helper()
	admin.get("/admin/users/new")
	resp, body := admin.post("/admin/users", url.Values{"username": {username}, "name": {"新同事"}, "role": {string(role)},
		"unit_id": {itoa(e.unitID(t, "sn-kjj"))}, "password": {password}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create user %s: %d\n%s", username, resp.StatusCode, body)
	}
	return tempPassword(t, body)
}

func TestAdminCreatedUserMustChangePassword(t *testing.T) {
	e := newServer(t)
	admin := e.login(t, "sysadmin")
	resp, body := admin.get("/admin/users")
	if resp.StatusCode != 200 || !strings.Contains(body, "局机关工作人员") || !strings.Contains(body, "安全审计员") ||
		!strings.Contains(body, "正常") {
		t.Fatalf("user list: %d\n%s", resp.StatusCode, body)
	}
	resp, body = admin.get("/admin/users/new")
	if resp.StatusCode != 200 || !strings.Contains(body, "　办公室") {
		t.Fatalf("new user form lacks the indented unit tree: %d", resp.StatusCode)
	}

	pw := e.createUser(t, admin, "zhangsan", auth.Staff, "")
	if len(pw) < 16 {
		t.Fatalf("generated password %q is short", pw)
	}
	u := e.user(t, "zhangsan")
	if !u.MustChange || u.Role != auth.Staff || u.Name != "新同事" {
		t.Fatalf("created user: %+v", u)
	}
	after := e.mustAudit(t, audit.UserCreated, itoa(u.ID))
	if after.ActorName != "sysadmin" || !strings.Contains(string(after.After), `"must_change":true`) ||
		strings.Contains(string(after.After), pw) {
		t.Fatalf("audit entry: %+v %s", after, after.After)
	}
	_, body = admin.get("/admin/users")
	if !strings.Contains(body, "须改密") {
		t.Error("list does not show that the new user must change the password")
	}
	// The password is shown once: not in a cookie for the next page.
	if _, body = admin.get("/admin/users"); strings.Contains(body, pw) || strings.Contains(body, html.EscapeString(pw)) {
		t.Fatal("temporary password shown again")
	}

	// First sign-in: every page leads to the password form until changed.
	c, resp := e.signIn(t, "zhangsan", pw)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/password" {
		t.Fatalf("first login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, p := range []string{"/plans", e.planURL(""), "/units", "/account/sessions"} {
		resp, _ := c.get(p)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/password" {
			t.Fatalf("%s before the change: %d %s", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	c.get("/account/password")
	resp, body = c.post("/account/password", url.Values{"current": {pw}, "password": {"Qt7-Lantern-Vx"}, "confirm": {"Qt7-Lantern-Vx"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change password: %d\n%s", resp.StatusCode, body)
	}
	if resp, _ := c.get("/plans"); resp.StatusCode != 200 {
		t.Fatalf("plans after the change: %d", resp.StatusCode)
	}
	e.mustAudit(t, audit.PasswordChanged, itoa(u.ID))

	// A typed temporary password is used as given.
	pw = e.createUser(t, admin, "lisi", auth.Reporter, "Tmp-Qz7#Vx23")
	if pw != "Tmp-Qz7#Vx23" {
		t.Fatalf("typed password shown as %q", pw)
	}
	if _, resp := e.signIn(t, "lisi", pw); resp.Header.Get("Location") != "/account/password" {
		t.Fatalf("typed password login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestAdminCreateUserRefused(t *testing.T) {
	e := newServer(t)
	admin := e.login(t, "sysadmin")
	admin.get("/admin/users/new")
	unit := itoa(e.unitID(t, "sn-kjj"))
	before, _ := e.db.Users(context.Background())
	for _, c := range []struct {
		name  string
		form  url.Values
		field string
		msg   string
	}{
		{"duplicate", url.Values{"username": {"staff"}, "role": {"staff"}, "unit_id": {unit}}, "username", "用户名已存在"},
		{"duplicate folded", url.Values{"username": {"ＳＴＡＦＦ"}, "role": {"staff"}, "unit_id": {unit}}, "username", "用户名已存在"},
		{"duplicate case", url.Values{"username": {"Staff"}, "role": {"staff"}, "unit_id": {unit}}, "username", "用户名已存在"},
		{"bad username", url.Values{"username": {"a b"}, "role": {"staff"}, "unit_id": {unit}}, "username", "用户名须为"},
		{"weak password", url.Values{"username": {"wangwu"}, "name": {"王五"}, "role": {"staff"}, "unit_id": {unit},
			"password": {"abc123"}}, "password", "密码至少8位"},
		{"few classes", url.Values{"username": {"wangwu"}, "role": {"staff"}, "unit_id": {unit},
			"password": {"abcdefgh1"}}, "password", "至少3种"},
		{"password with username", url.Values{"username": {"wangwu"}, "role": {"staff"}, "unit_id": {unit},
			"password": {"Wangwu-2023"}}, "password", "不能包含用户名"},
		{"no role", url.Values{"username": {"wangwu"}, "unit_id": {unit}}, "role", "请选择角色"},
		{"bad unit", url.Values{"username": {"wangwu"}, "role": {"staff"}, "unit_id": {"999999"}}, "unit_id", "请选择所属单位"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body := admin.post("/admin/users", c.form)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", resp.StatusCode)
			}
			// The message sits beside its field, and the input is kept.
			i := strings.Index(body, `name="`+c.field+`"`)
			if i < 0 || !strings.Contains(body[i:], c.msg) || !strings.Contains(body, `field has-error`) {
				t.Fatalf("no %q beside %s:\n%s", c.msg, c.field, body)
			}
			if name := c.form.Get("name"); name != "" && !strings.Contains(body, `value="`+name+`"`) {
				t.Error("name not kept")
			}
			if pw := c.form.Get("password"); pw != "" && !strings.Contains(body, `value="`+pw+`"`) {
				t.Error("password not kept")
			}
		})
	}
	after, _ := e.db.Users(context.Background())
	if len(after) != len(before) {
		t.Fatalf("refused forms created users: %d → %d", len(before), len(after))
	}
	if list := e.audited(t, audit.UserCreated, ""); len(list) != len(before) {
		t.Fatalf("%d user.created entries for %d users", len(list), len(before))
	}
}

func TestAdminDisableUser(t *testing.T) {
	e := newServer(t)
	admin := e.login(t, "sysadmin")
	reporter := e.login(t, "reporter")
	if resp, _ := reporter.get("/plans"); resp.StatusCode != 200 {
		t.Fatalf("reporter before: %d", resp.StatusCode)
	}
	u := e.user(t, "reporter")
	resp, body := admin.get("/admin/users/" + itoa(u.ID))
	if resp.StatusCode != 200 || !strings.Contains(body, `name="version" value="`+itoa(u.Version)+`"`) {
		t.Fatalf("edit form: %d\n%s", resp.StatusCode, body)
	}
	resp, body = admin.post("/admin/users/"+itoa(u.ID), url.Values{"name": {"填报员"}, "role": {"reporter"},
		"unit_id": {itoa(u.UnitID)}, "disabled": {"1"}, "version": {itoa(u.Version)}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/users" {
		t.Fatalf("disable: %d\n%s", resp.StatusCode, body)
	}
	if _, body := admin.get("/admin/users"); !strings.Contains(body, "已停用") || !strings.Contains(body, "用户 reporter 已保存") {
		t.Error("list does not show the disabled user and the flash")
	}
	resp, _ = reporter.get("/plans")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("disabled user's session still works: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, resp := e.signIn(t, "reporter", e.password(t, "reporter")); resp.StatusCode == http.StatusSeeOther {
		t.Fatal("disabled user signed in")
	}
	entry := e.mustAudit(t, audit.UserUpdated, itoa(u.ID))
	if !strings.Contains(string(entry.Before), `"disabled":false`) || !strings.Contains(string(entry.After), `"disabled":true`) {
		t.Fatalf("audit before/after: %s → %s", entry.Before, entry.After)
	}

	// The administrator cannot disable itself or change its own role:
	// administrator accounts are managed from the CLI only (issue 7).
	self := e.user(t, "sysadmin")
	resp, body = admin.post("/admin/users/"+itoa(self.ID), url.Values{"role": {"sysadmin"}, "unit_id": {itoa(self.UnitID)},
		"disabled": {"1"}, "version": {itoa(self.Version)}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "只能在服务器上用命令行管理") {
		t.Fatalf("self-disable: %d", resp.StatusCode)
	}
	if e.user(t, "sysadmin").Disabled {
		t.Fatal("sysadmin disabled itself")
	}
}

func TestAdminResetPassword(t *testing.T) {
	e := newServer(t)
	admin := e.login(t, "sysadmin")
	leader := e.login(t, "leader")
	u := e.user(t, "leader")
	admin.get("/admin/users/" + itoa(u.ID))
	resp, body := admin.post("/admin/users/"+itoa(u.ID)+"/reset-password", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("reset: %d\n%s", resp.StatusCode, body)
	}
	pw := tempPassword(t, body)
	if pw == e.password(t, "leader") {
		t.Fatal("reset kept the password")
	}
	if resp, _ := leader.get("/plans"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("session survived the reset: %d", resp.StatusCode)
	}
	if _, resp := e.signIn(t, "leader", e.password(t, "leader")); resp.StatusCode == http.StatusSeeOther {
		t.Fatal("old password still works")
	}
	c, resp := e.signIn(t, "leader", pw)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/password" {
		t.Fatalf("temporary password: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := c.get("/plans"); resp.Header.Get("Location") != "/account/password" {
		t.Fatal("reset password does not force a change")
	}
	e.mustAudit(t, audit.UserPasswordReset, itoa(u.ID))

	// Not one's own: that is the password form's job.
	self := e.user(t, "sysadmin")
	if resp, _ := admin.post("/admin/users/"+itoa(self.ID)+"/reset-password", nil); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("self reset: %d", resp.StatusCode)
	}
	if resp, _ := admin.post("/admin/users/999999/reset-password", nil); resp.StatusCode != 404 {
		t.Fatalf("unknown user reset: %d", resp.StatusCode)
	}
}

func TestAdminStaleVersion(t *testing.T) {
	e := newServer(t)
	admin := e.login(t, "sysadmin")
	u := e.user(t, "staff")
	admin.get("/admin/users/" + itoa(u.ID))
	form := url.Values{"name": {"第一次"}, "role": {"staff"}, "unit_id": {itoa(u.UnitID)}, "version": {itoa(u.Version)}}
	if resp, _ := admin.post("/admin/users/"+itoa(u.ID), form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first save: %d", resp.StatusCode)
	}
	// The same form again carries the old version: someone else saved first.
	form.Set("name", "第二次")
	resp, body := admin.post("/admin/users/"+itoa(u.ID), form)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "数据已被他人修改") {
		t.Fatalf("stale user save: %d\n%s", resp.StatusCode, body)
	}
	if got := e.user(t, "staff"); got.Name != "第一次" {
		t.Fatalf("stale save changed the name to %q", got.Name)
	}
	if n := len(e.audited(t, audit.UserUpdated, itoa(u.ID))); n != 1 {
		t.Fatalf("%d user.updated entries, want 1", n)
	}

	unit, _ := e.db.UnitByCode(context.Background(), "sn-gxq")
	uform := url.Values{"code": {unit.Code}, "name": {"遂宁高新技术产业开发区"}, "kind": {string(unit.Kind)},
		"parent_id": {itoa(unit.ParentID)}, "sort": {"6"}, "version": {itoa(unit.Version)}}
	if resp, body := admin.post("/admin/units/"+itoa(unit.ID), uform); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first unit save: %d\n%s", resp.StatusCode, body)
	}
	uform.Set("name", "旧表单")
	if resp, body := admin.post("/admin/units/"+itoa(unit.ID), uform); resp.StatusCode != http.StatusConflict ||
		!strings.Contains(body, "数据已被他人修改") {
		t.Fatalf("stale unit save: %d", resp.StatusCode)
	}
	if got, _ := e.db.Unit(context.Background(), unit.ID); got.Name != "遂宁高新技术产业开发区" {
		t.Fatalf("stale save changed the unit to %q", got.Name)
	}
}

func TestAdminUnits(t *testing.T) {
	e := newServer(t)
	ctx := context.Background()
	admin := e.login(t, "sysadmin")
	_, body := admin.get("/units")
	if !strings.Contains(body, `href="/admin/units/new"`) || strings.Count(body, `href="/admin/units/`) != 16 {
		t.Fatalf("sysadmin's unit list lacks the buttons:\n%s", body)
	}
	_, body = e.login(t, "staff").get("/units")
	if strings.Contains(body, "/admin/units") || strings.Contains(body, "新建单位") {
		t.Fatal("staff sees the unit admin buttons")
	}

	city := e.unitID(t, "510900")
	resp, body := admin.get("/admin/units/new")
	if resp.StatusCode != 200 || !strings.Contains(body, "(无,顶级单位)") {
		t.Fatalf("new unit form: %d", resp.StatusCode)
	}
	resp, body = admin.post("/admin/units", url.Values{"code": {"sn-kjj-zck"}, "name": {"政策法规科"}, "kind": {"section"},
		"parent_id": {itoa(e.unitID(t, "sn-kjj"))}, "sort": {"20"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/units" {
		t.Fatalf("create unit: %d\n%s", resp.StatusCode, body)
	}
	created, err := e.db.UnitByCode(ctx, "sn-kjj-zck")
	if err != nil || created.Name != "政策法规科" || created.Kind != org.Section {
		t.Fatalf("created unit: %+v %v", created, err)
	}
	if _, body := admin.get("/units"); !strings.Contains(body, "政策法规科") || !strings.Contains(body, "已创建单位 政策法规科") {
		t.Error("unit list lacks the new unit or the flash")
	}
	if entry := e.mustAudit(t, audit.UnitCreated, itoa(created.ID)); !strings.Contains(string(entry.After), "政策法规科") {
		t.Fatalf("unit.created after: %s", entry.After)
	}

	for _, c := range []struct {
		name  string
		form  url.Values
		field string
		msg   string
	}{
		{"duplicate code", url.Values{"code": {"sn-kjj"}, "name": {"重复"}, "kind": {"section"}, "parent_id": {itoa(city)}},
			"code", "单位编码已被其他单位使用"},
		{"bad division", url.Values{"code": {"x1"}, "name": {"某县"}, "kind": {"county"}, "division_code": {"12"},
			"parent_id": {itoa(city)}}, "division_code", "6位数字"},
		{"no parent", url.Values{"code": {"x2"}, "name": {"某园区"}, "kind": {"park"}}, "parent_id", "请选择上级单位"},
		{"bad sort", url.Values{"code": {"x3"}, "name": {"某园区"}, "kind": {"park"}, "parent_id": {itoa(city)},
			"sort": {"abc"}}, "sort", "请输入整数"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body := admin.post("/admin/units", c.form)
			i := strings.Index(body, `name="`+c.field+`"`)
			if resp.StatusCode != http.StatusUnprocessableEntity || i < 0 || !strings.Contains(body[i:], c.msg) {
				t.Fatalf("status %d, want 422 with %q beside %s:\n%s", resp.StatusCode, c.msg, c.field, body)
			}
			if !strings.Contains(body, `value="`+c.form.Get("name")+`"`) {
				t.Error("input not kept")
			}
		})
	}
	if n := len(e.audited(t, audit.UnitCreated, "")); n != 1 {
		t.Fatalf("%d unit.created entries, want 1", n)
	}

	// Edit: rename and move, with before and after in the audit log.
	resp, body = admin.get("/admin/units/" + itoa(created.ID))
	if resp.StatusCode != 200 || !strings.Contains(body, `value="政策法规科"`) {
		t.Fatalf("edit unit form: %d", resp.StatusCode)
	}
	form := url.Values{"code": {"sn-kjj-zck"}, "name": {"政策法规与监督科"}, "kind": {"section"},
		"parent_id": {itoa(e.unitID(t, "sn-kjj"))}, "sort": {"21"}, "version": {itoa(created.Version)}}
	if resp, body := admin.post("/admin/units/"+itoa(created.ID), form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("update unit: %d\n%s", resp.StatusCode, body)
	}
	entry := e.mustAudit(t, audit.UnitUpdated, itoa(created.ID))
	if !strings.Contains(string(entry.Before), "政策法规科") || !strings.Contains(string(entry.After), "政策法规与监督科") {
		t.Fatalf("unit.updated: %s → %s", entry.Before, entry.After)
	}

	// A unit cannot become its own ancestor: the city below the bureau.
	cityUnit, _ := e.db.Unit(ctx, city)
	resp, body = admin.post("/admin/units/"+itoa(city), url.Values{"code": {cityUnit.Code}, "name": {cityUnit.Name},
		"kind": {"city"}, "division_code": {cityUnit.DivisionCode}, "parent_id": {itoa(e.unitID(t, "sn-kjj"))},
		"version": {itoa(cityUnit.Version)}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "上级单位不能是本单位或其下级单位") {
		t.Fatalf("cycle: %d\n%s", resp.StatusCode, body)
	}
	if got, _ := e.db.Unit(ctx, city); got.ParentID != 0 || got.Version != cityUnit.Version {
		t.Fatalf("cycle was stored: %+v", got)
	}
	if resp, _ := admin.get("/admin/units/999999"); resp.StatusCode != 404 {
		t.Fatalf("unknown unit: %d", resp.StatusCode)
	}
}

func TestSecAdminPolicy(t *testing.T) {
	e := newServer(t)
	sec := e.login(t, "secadmin")
	resp, body := sec.get("/admin/policy")
	if resp.StatusCode != 200 || !strings.Contains(body, "密码最小长度") || !strings.Contains(body, `name="min_length" type="number" value="8"`) {
		t.Fatalf("policy page: %d\n%s", resp.StatusCode, body)
	}
	form := url.Values{"min_length": {"10"}, "min_classes": {"3"}, "lockout_threshold": {"5"}, "lockout_minutes": {"15"},
		"idle_minutes": {"30"}, "absolute_hours": {"12"}, "password_history": {"5"}, "version": {"0"}}
	resp, body = sec.post("/admin/policy", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save policy: %d\n%s", resp.StatusCode, body)
	}
	p, version, _ := e.db.Policy(context.Background())
	if p.MinLength != 10 || p.IdleMinutes != 30 || version != 1 {
		t.Fatalf("stored policy %+v v%d", p, version)
	}
	entry := e.mustAudit(t, audit.PolicyUpdated, "security")
	if !strings.Contains(string(entry.Before), `"min_length":8`) || !strings.Contains(string(entry.After), `"min_length":10`) {
		t.Fatalf("policy audit: %s → %s", entry.Before, entry.After)
	}

	// The old form again (version 0) conflicts; nothing changes.
	form.Set("min_length", "12")
	resp, body = sec.post("/admin/policy", form)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "数据已被他人修改") {
		t.Fatalf("stale policy: %d", resp.StatusCode)
	}
	// Out of bounds and not a number: 422 beside the field, input kept.
	form.Set("version", "1")
	form.Set("min_length", "5")
	form.Set("idle_minutes", "abc")
	resp, body = sec.post("/admin/policy", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请输入整数") ||
		!strings.Contains(body, `value="abc"`) {
		t.Fatalf("bad policy: %d\n%s", resp.StatusCode, body)
	}
	form.Set("idle_minutes", "30")
	resp, body = sec.post("/admin/policy", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "密码最小长度须在8到64之间") {
		t.Fatalf("min length 5: %d\n%s", resp.StatusCode, body)
	}
	if p, _, _ := e.db.Policy(context.Background()); p.MinLength != 10 {
		t.Fatalf("refused policy stored: %+v", p)
	}

	// The new policy applies to the next account: 9 characters are too few.
	admin := e.login(t, "sysadmin")
	admin.get("/admin/users/new")
	resp, body = admin.post("/admin/users", url.Values{"username": {"zhaoliu"}, "role": {"staff"},
		"unit_id": {itoa(e.unitID(t, "sn-kjj"))}, "password": {"Abcdef12!"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "密码至少10位") {
		t.Fatalf("9-character password under min 10: %d", resp.StatusCode)
	}
	// A generated one meets it.
	if pw := e.createUser(t, admin, "zhaoliu", auth.Staff, ""); len(pw) < 16 {
		t.Fatalf("generated %q", pw)
	}
}

func TestSecAdminLongPolicyGeneratesLongPassword(t *testing.T) {
	e := newServer(t)
	sec := e.login(t, "secadmin")
	sec.get("/admin/policy")
	resp, _ := sec.post("/admin/policy", url.Values{"min_length": {"20"}, "min_classes": {"4"}, "lockout_threshold": {"5"},
		"lockout_minutes": {"15"}, "idle_minutes": {"15"}, "absolute_hours": {"12"}, "version": {"0"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save policy: %d", resp.StatusCode)
	}
	pw := e.createUser(t, e.login(t, "sysadmin"), "sunqi", auth.Leader, "")
	if len(pw) != 20 {
		t.Fatalf("generated %q for min length 20", pw)
	}
}

var revokeRE = regexp.MustCompile(`(?s)data-user="staff">.*?action="/admin/online/([0-9a-f]+)/revoke"`)

func TestSecAdminRevokesSession(t *testing.T) {
	e := newServer(t)
	staff := e.login(t, "staff")
	sec := e.login(t, "secadmin")
	resp, body := sec.get("/admin/online")
	if resp.StatusCode != 200 || !strings.Contains(body, "遂宁市科学技术局") || !strings.Contains(body, "当前会话") {
		t.Fatalf("online page: %d\n%s", resp.StatusCode, body)
	}
	m := revokeRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("staff's session not listed:\n%s", body)
	}
	resp, _ = sec.post("/admin/online/"+m[1]+"/revoke", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/online" {
		t.Fatalf("revoke: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = staff.get("/plans")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("revoked session still works: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, body := sec.get("/admin/online"); strings.Contains(body, m[1]) || !strings.Contains(body, "会话已强制下线") {
		t.Fatal("revoked session still listed, or no flash")
	}
	if entry := e.mustAudit(t, audit.SessionRevoked, m[1][:12]); entry.ActorName != "secadmin" {
		t.Fatalf("revoke audit: %+v", entry)
	}
	if resp, _ := sec.post("/admin/online/"+m[1]+"/revoke", nil); resp.StatusCode != 404 {
		t.Fatalf("second revoke: %d", resp.StatusCode)
	}
}

// TestAdminPagesByRole: every admin page answers 404 to the roles that may
// not use it, as if it did not exist, and the administrators get 404 on
// each other's pages and on plan data.
func TestAdminPagesByRole(t *testing.T) {
	e := newServer(t)
	uid, unit := itoa(e.user(t, "staff").ID), itoa(e.unitID(t, "sn-gxq"))
	sysPages := []string{"GET /admin/users", "GET /admin/users/new", "POST /admin/users", "GET /admin/users/" + uid,
		"POST /admin/users/" + uid, "POST /admin/users/" + uid + "/reset-password",
		"GET /admin/units/new", "POST /admin/units", "GET /admin/units/" + unit, "POST /admin/units/" + unit}
	secPages := []string{"GET /admin/policy", "POST /admin/policy", "GET /admin/online", "POST /admin/online/abc/revoke"}
	planPages := []string{"GET /plans", "GET " + e.planURL(""), "GET " + e.planURL("/sections")}

	try := func(t *testing.T, c *client, page string) int {
		method, path, _ := strings.Cut(page, " ")
		if method == "GET" {
			resp, _ := c.get(path)
			return resp.StatusCode
		}
		resp, _ := c.post(path, url.Values{"name": {"x"}, "role": {"auditor"}, "disabled": {"1"}, "version": {"1"}})
		return resp.StatusCode
	}
	for _, c := range []struct {
		role    string
		refused []string
		allowed []string
	}{
		{"staff", append(sysPages, secPages...), planPages},
		{"reporter", append(sysPages, secPages...), planPages},
		{"leader", append(sysPages, secPages...), planPages},
		{"auditor", append(append(sysPages, secPages...), planPages...), nil},
		{"sysadmin", append(secPages, planPages...), []string{"GET /admin/users", "GET /admin/users/new",
			"GET /admin/users/" + uid, "GET /admin/units/new", "GET /admin/units/" + unit, "GET /units"}},
		{"secadmin", append(append(sysPages, planPages...), "GET /units"), []string{"GET /admin/policy", "GET /admin/online"}},
	} {
		t.Run(c.role, func(t *testing.T) {
			cl := e.login(t, c.role)
			for _, p := range c.refused {
				if got := try(t, cl, p); got != http.StatusNotFound {
					t.Errorf("%s: %d, want 404", p, got)
				}
			}
			for _, p := range c.allowed {
				if got := try(t, cl, p); got != http.StatusOK {
					t.Errorf("%s: %d, want 200", p, got)
				}
			}
		})
	}
	// Nothing was changed by the refused requests.
	if u := e.user(t, "staff"); u.Name == "x" || u.Role != auth.Staff || u.Disabled {
		t.Fatalf("a refused request changed staff: %+v", u)
	}
	for _, action := range []string{audit.UserUpdated, audit.UserPasswordReset, audit.UnitUpdated, audit.UnitCreated,
		audit.PolicyUpdated, audit.SessionRevoked} {
		if n := len(e.audited(t, action, "")); n != 0 {
			t.Errorf("%d %s entries after refused requests", n, action)
		}
	}
	// Signed out: the pages lead to the login form.
	resp, _ := e.anon(t).get("/admin/users")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("signed out: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}
