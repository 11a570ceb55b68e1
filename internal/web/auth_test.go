package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/luoshi/luoshi/internal/account"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/web"
)

// failLogin posts a sign-in that must fail and returns status and body.
func failLogin(t *testing.T, e *env, username, password string) (int, string) {
	t.Helper()
	c := e.anon(t)
	c.get("/login")
	resp, body := c.post("/login", url.Values{"username": {username}, "password": {password}})
	return resp.StatusCode, body
}

func TestLoginErrorsAreGeneric(t *testing.T) {
	e := newServer(t)
	s1, b1 := failLogin(t, e, "staff", "Wrong-Password-1")
	s2, b2 := failLogin(t, e, "nobody-here", "Wrong-Password-1")
	if s1 != 401 || s2 != 401 {
		t.Fatalf("statuses %d %d, want 401", s1, s2)
	}
	for _, b := range []string{b1, b2} {
		if !strings.Contains(b, "用户名或密码错误") {
			t.Fatal("no generic message")
		}
	}
	if strings.Contains(b2, "不存在") || strings.Contains(b1, "密码不正确") {
		t.Fatal("the message tells an unknown user from a wrong password")
	}
	// An oversized password is refused before any hashing.
	if s, _ := failLogin(t, e, "staff", strings.Repeat("x", 10000)); s != 422 {
		t.Fatalf("oversized password: %d, want 422", s)
	}
	// A body beyond the form limit is refused too.
	c := e.anon(t)
	c.get("/login")
	resp, body := c.post("/login", url.Values{"username": {"staff"}, "password": {strings.Repeat("y", 100<<10)}})
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "提交的内容过大") {
		t.Fatalf("100 KiB form: %d, want 413", resp.StatusCode)
	}
}

// TestLockout: 5 failures lock the account name for 15 minutes, whatever
// width or case it is typed in; the lock holds after a restart and then
// expires.
func TestLockout(t *testing.T) {
	e := newServer(t)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	e.db.SetClock(func() time.Time { return now })
	for i, name := range []string{"staff", "ＳＴＡＦＦ", "Staff ", " staff", "sTaFf"} {
		if s, _ := failLogin(t, e, name, "Wrong-Password-1"); s != 401 {
			t.Fatalf("failure %d (%q): status %d", i+1, name, s)
		}
	}
	// The right password no longer works.
	s, body := failLogin(t, e, "staff", e.password(t, "staff"))
	if s != http.StatusTooManyRequests || !strings.Contains(body, "已被锁定") {
		t.Fatalf("locked account: %d", s)
	}
	entries, _, err := e.db.AuditEntries(context.Background(), audit.Filter{Action: audit.LockedOut})
	if err != nil || len(entries) == 0 {
		t.Fatalf("no lockout in the audit log: %v", err)
	}

	// A restart (a new server on the same database) keeps the lock.
	srv2, err := web.New(web.Config{DB: e.db})
	if err != nil {
		t.Fatal(err)
	}
	e.ts.Config.Handler = srv2
	if s, _ := failLogin(t, e, "staff", e.password(t, "staff")); s != http.StatusTooManyRequests {
		t.Fatalf("after restart: %d, want 429", s)
	}

	// 16 minutes later the lock has expired. (The source address was
	// locked too: it is the same loopback address.)
	now = now.Add(16 * time.Minute)
	c := e.anon(t)
	c.get("/login")
	resp, _ := c.post("/login", url.Values{"username": {"staff"}, "password": {e.password(t, "staff")}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after the lock: %d, want 303", resp.StatusCode)
	}
}

func TestLockoutBySourceAddress(t *testing.T) {
	e := newServer(t)
	for i := 0; i < 5; i++ {
		failLogin(t, e, "nobody"+string(rune('a'+i)), "Wrong-Password-1")
	}
	// Five different names from one address lock the address.
	if s, _ := failLogin(t, e, "leader", e.password(t, "leader")); s != http.StatusTooManyRequests {
		t.Fatalf("locked address: %d, want 429", s)
	}
}

func TestIdleAndAbsoluteTimeout(t *testing.T) {
	e := newServer(t)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	e.db.SetClock(func() time.Time { return now })
	c := e.login(t, "staff")
	now = now.Add(14 * time.Minute)
	if resp, _ := c.get("/plans"); resp.StatusCode != 200 {
		t.Fatalf("after 14 idle minutes: %d", resp.StatusCode)
	}
	now = now.Add(16 * time.Minute)
	resp, _ := c.get("/plans")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("after 16 idle minutes: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}

	// Absolute: active every 10 minutes, still out after 12 hours.
	c = e.login(t, "staff")
	start := now
	for now.Sub(start) < 12*time.Hour-10*time.Minute {
		now = now.Add(10 * time.Minute)
		if resp, _ := c.get("/plans"); resp.StatusCode != 200 {
			t.Fatalf("active session ended after %v", now.Sub(start))
		}
	}
	now = start.Add(12*time.Hour + time.Minute)
	if resp, _ := c.get("/plans"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("session older than 12 h: %d", resp.StatusCode)
	}
}

func TestCSRF(t *testing.T) {
	e := newServer(t)
	c := e.login(t, "staff")
	for _, token := range []string{"", "forged-token"} {
		resp, _ := c.post("/account/tokens", url.Values{"name": {"x"}, "csrf_token": {token}})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("token %q: %d, want 403", token, resp.StatusCode)
		}
	}
	if list, _ := e.db.APITokens(context.Background(), 1); len(list) != 0 {
		t.Fatal("a refused request created a token")
	}
	// The login form needs its token too.
	a := e.anon(t)
	resp, _ := a.post("/login", url.Values{"username": {"staff"}, "password": {e.password(t, "staff")}, "csrf_token": {"x"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("login without the form token: %d", resp.StatusCode)
	}
	// A cross-site POST is refused whatever it carries.
	req, _ := http.NewRequest("POST", e.ts.URL+"/account/tokens", strings.NewReader(url.Values{"name": {"x"}, "csrf_token": {c.csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if resp, _ := c.do(req); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site POST: %d", resp.StatusCode)
	}
	// With the right token it works.
	if resp, body := c.post("/account/tokens", url.Values{"name": {"脚本"}}); resp.StatusCode != 200 || !strings.Contains(body, "lsp_") {
		t.Fatalf("with token: %d", resp.StatusCode)
	}
}

func TestLogoutAndSessions(t *testing.T) {
	e := newServer(t)
	c1 := e.login(t, "staff")
	c2 := e.login(t, "staff")
	_, body := c1.get("/account/sessions")
	if strings.Count(body, `<tr class="session">`) != 2 {
		t.Fatalf("sessions page lists %d sessions, want 2", strings.Count(body, `<tr class="session">`))
	}
	// c1 ends c2's session from the list.
	sessions, err := e.db.ActiveSessions(context.Background(), 0, e.db.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// The other session is the one not marked current on c1's page.
	i := strings.Index(body, "当前会话")
	rowStart := strings.LastIndex(body[:i], `<tr class="session">`)
	current := body[rowStart : rowStart+strings.Index(body[rowStart:], "</tr>")]
	var other string
	for _, s := range sessions {
		if !strings.Contains(body, `action="/account/sessions/`+s.ID+`/revoke"`) {
			t.Fatalf("session %s not listed", s.ID[:8])
		}
		if !strings.Contains(current, s.ID) {
			other = s.ID
		}
	}
	if resp, _ := c1.post("/account/sessions/"+other+"/revoke", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if resp, _ := c2.get("/plans"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoked session still works: %d", resp.StatusCode)
	}
	// Logout invalidates the session server-side: replaying the cookie fails.
	var cookie *http.Cookie
	u, _ := url.Parse(e.ts.URL)
	for _, ck := range c1.c.Jar.Cookies(u) {
		if ck.Name == "luoshi_session" {
			cookie = ck
		}
	}
	if resp, _ := c1.post("/logout", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	replay := e.anon(t)
	replay.c.Jar.SetCookies(u, []*http.Cookie{cookie})
	if resp, _ := replay.get("/plans"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("replayed cookie after logout: %d", resp.StatusCode)
	}
	// A user cannot revoke another user's session.
	c3 := e.login(t, "leader")
	sessions, _ = e.db.ActiveSessions(context.Background(), 0, e.db.Now(), time.Hour)
	for _, s := range sessions {
		if s.Username == "leader" {
			continue
		}
		if resp, _ := c3.post("/account/sessions/"+s.ID+"/revoke", nil); resp.StatusCode != 404 {
			t.Fatalf("leader revoking %s's session: %d, want 404", s.Username, resp.StatusCode)
		}
	}
}

// TestForcedPasswordChange: an account made with --must-change (or reset
// by an admin) can do nothing until it changes its password.
func TestForcedPasswordChange(t *testing.T) {
	e := newServer(t)
	ctx := context.Background()
	unit, _ := e.db.UnitByCode(ctx, "510921")
	if _, err := account.New(e.db).CreateUser(ctx, audit.System("test"), account.NewUser{Username: "pengxi", Role: auth.Reporter,
		UnitID: unit.ID, Password: "Initial-Pass-1", MustChange: true}); err != nil {
		t.Fatal(err)
	}
	c := e.anon(t)
	c.get("/login")
	resp, _ := c.post("/login", url.Values{"username": {"pengxi"}, "password": {"Initial-Pass-1"}})
	if resp.Header.Get("Location") != "/account/password" {
		t.Fatalf("first login goes to %q", resp.Header.Get("Location"))
	}
	for _, p := range []string{"/plans", "/account/sessions", "/"} {
		if resp, _ := c.get(p); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/password" {
			t.Fatalf("%s before the change: %d %s", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	_, body := c.get("/account/password")
	if !strings.Contains(body, "须先修改密码") || !strings.Contains(body, "至少8位") {
		t.Fatal("the password page does not say why, or not the rule")
	}
	// Policy: the new password must not hold the username, and must match.
	for _, f := range []url.Values{
		{"current": {"Initial-Pass-1"}, "password": {"Pengxi-2026!"}, "confirm": {"Pengxi-2026!"}},
		{"current": {"Initial-Pass-1"}, "password": {"short1A"}, "confirm": {"short1A"}},
		{"current": {"Initial-Pass-1"}, "password": {"Good-Pass-2026"}, "confirm": {"Good-Pass-2027"}},
		{"current": {"wrong"}, "password": {"Good-Pass-2026"}, "confirm": {"Good-Pass-2026"}},
	} {
		if resp, _ := c.post("/account/password", f); resp.StatusCode != 422 {
			t.Fatalf("bad change %v: %d, want 422", f, resp.StatusCode)
		}
	}
	resp, _ = c.post("/account/password", url.Values{"current": {"Initial-Pass-1"}, "password": {"Good-Pass-2026"}, "confirm": {"Good-Pass-2026"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: %d", resp.StatusCode)
	}
	if resp, _ := c.get("/account/sessions"); resp.StatusCode != 200 {
		t.Fatalf("after the change: %d", resp.StatusCode)
	}
	entries, _, _ := e.db.AuditEntries(ctx, audit.Filter{Action: audit.PasswordChanged})
	if len(entries) != 1 || entries[0].ActorName != "pengxi" {
		t.Fatalf("audit: %+v", entries)
	}
}

func TestPersonalAPIToken(t *testing.T) {
	e := newServer(t)
	c := e.login(t, "staff")
	_, body := c.post("/account/tokens", url.Values{"name": {"统计脚本"}})
	i := strings.Index(body, "lsp_")
	if i < 0 {
		t.Fatal("token not shown")
	}
	token := body[i : i+strings.IndexAny(body[i:], "<\" ")]
	if resp, _ := apiGet(t, e, token, "/api/v1/plans"); resp.StatusCode != 200 {
		t.Fatalf("personal token: %d", resp.StatusCode)
	}
	// Not shown again, and only its hash is stored.
	if _, again := c.get("/account/tokens"); strings.Contains(again, token) {
		t.Fatal("token shown twice")
	}
	// The token is not a web session.
	u, _ := url.Parse(e.ts.URL)
	web := e.anon(t)
	web.c.Jar.SetCookies(u, []*http.Cookie{{Name: "luoshi_session", Value: token}})
	if resp, _ := web.get("/plans"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("token as a cookie: %d", resp.StatusCode)
	}
	list, _ := e.db.APITokens(context.Background(), e.userID(t, "staff"))
	if len(list) != 1 {
		t.Fatalf("%d tokens", len(list))
	}
	if resp, _ := c.post("/account/tokens/"+itoa(list[0].ID)+"/revoke", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if resp, _ := apiGet(t, e, token, "/api/v1/plans"); resp.StatusCode != 401 {
		t.Fatalf("revoked token: %d, want 401", resp.StatusCode)
	}
}

func (e *env) userID(t testing.TB, username string) int64 {
	t.Helper()
	u, _, err := e.db.UserCredentials(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}
