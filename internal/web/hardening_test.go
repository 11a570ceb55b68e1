package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/luoshi/luoshi/internal/api"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/testenv"
	"github.com/luoshi/luoshi/internal/web"
)

// TestLockoutBurst: 40 parallel wrong passwords for one account, half by
// the sign-in page and half by the API, each from its own address (behind
// a trusted proxy): at most 5 are answered 401, the rest 429; then a burst
// with the right password in it signs nobody in (issue 7).
func TestLockoutBurst(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			e := newServerOn(t, testenv.DSN(t, engine))
			srv, err := web.New(web.Config{DB: e.db, TrustProxy: true})
			if err != nil {
				t.Fatal(err)
			}
			e.ts.Config.Handler = srv
			// The sign-in form's CSRF cookie and token, shared by the
			// page requests.
			c := e.anon(t)
			c.get("/login")
			u, _ := url.Parse(e.ts.URL)
			var cookie string
			for _, ck := range c.c.Jar.Cookies(u) {
				cookie = ck.Name + "=" + ck.Value
			}
			burst := func(right int) map[int]int {
				var mu sync.Mutex
				count := map[int]int{}
				var wg sync.WaitGroup
				start := make(chan struct{})
				for i := range 40 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						pw := "Wrong-Password-" + strconv.Itoa(i)
						if i == right {
							pw = e.password(t, "staff")
						}
						var req *http.Request
						if i%2 == 0 {
							form := url.Values{"username": {"staff"}, "password": {pw}, "csrf_token": {c.csrf}}
							req, _ = http.NewRequest("POST", e.ts.URL+"/login", strings.NewReader(form.Encode()))
							req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
							req.Header.Set("Cookie", cookie)
						} else {
							body, _ := json.Marshal(map[string]string{"username": "staff", "password": pw})
							req, _ = http.NewRequest("POST", e.ts.URL+"/api/v1/login", strings.NewReader(string(body)))
						}
						req.Header.Set("X-Forwarded-For", "192.0."+strconv.Itoa(right+2)+"."+strconv.Itoa(i))
						<-start
						resp, err := http.DefaultTransport.RoundTrip(req)
						if err != nil {
							t.Error(err)
							return
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						mu.Lock()
						count[resp.StatusCode]++
						mu.Unlock()
					}()
				}
				close(start)
				wg.Wait()
				return count
			}
			if count := burst(-1); count[401] > 5 || count[401]+count[429] != 40 {
				t.Fatalf("answers %v: want at most 5 401, the rest 429", count)
			}
			if count := burst(20); count[429] != 40 {
				t.Fatalf("burst on the locked account with the right password: %v, want 40 429", count)
			}
		})
	}
}

// TestHashingBusy fills the hashing slots: a sign-in waits briefly, then
// gets 503 with Retry-After and 系统繁忙; the refused tries do not count
// towards the lockout, and once a slot is free sign-in works.
func TestHashingBusy(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			e := newServerOn(t, testenv.DSN(t, engine))
			limiter := auth.NewHashLimiter(1, 20*time.Millisecond)
			srv, err := web.New(web.Config{DB: e.db, HashLimiter: limiter})
			if err != nil {
				t.Fatal(err)
			}
			e.ts.Config.Handler = srv
			release, err := limiter.Acquire(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for range 6 { // more than the lockout threshold
				c := e.anon(t)
				c.get("/login")
				resp, body := c.post("/login", url.Values{"username": {"staff"}, "password": {e.password(t, "staff")}})
				if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "2" ||
					!strings.Contains(body, "系统繁忙，请稍后再试") {
					t.Fatalf("page sign-in while busy: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
				}
				resp, body = apiLogin(t, e, "staff", e.password(t, "staff"))
				if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "2" ||
					!strings.Contains(body, `"code":"busy"`) {
					t.Fatalf("API sign-in while busy: %d %s", resp.StatusCode, body)
				}
			}
			release()
			e.login(t, "staff")
		})
	}
}

// TestMethodNotAllowed: every POST-only page and API route answers GET
// (and PUT) with 405 and an Allow header naming POST; an unknown path is
// still 404.
func TestMethodNotAllowed(t *testing.T) {
	e := newServer(t)
	c := e.login(t, "staff")
	paths := map[string]bool{}
	hasGet := map[string]bool{}
	add := func(prefix string, routes map[string][]auth.Role) {
		for pattern := range routes {
			method, path, _ := strings.Cut(pattern, " ")
			path = prefix + strings.ReplaceAll(strings.ReplaceAll(path, "{id}", "1"), "{lang}", "en")
			if method == "GET" {
				hasGet[path] = true
			} else if method == "POST" {
				paths[path] = true
			}
		}
	}
	add("", e.srv.Routes())
	add("/api/v1", api.Routes())
	n := 0
	for path := range paths {
		if hasGet[path] {
			continue
		}
		n++
		for _, method := range []string{"GET", "PUT"} {
			req, _ := http.NewRequest(method, e.ts.URL+path, nil)
			resp, _ := c.do(req)
			if resp.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(resp.Header.Get("Allow"), "POST") {
				t.Errorf("%s %s: %d, Allow %q; want 405 naming POST", method, path, resp.StatusCode, resp.Header.Get("Allow"))
			}
		}
	}
	if n < 5 {
		t.Fatalf("only %d POST-only routes found", n)
	}
	for _, path := range []string{"/no/such/page", "/api/v1/no/such"} {
		if resp, _ := c.get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
}

// TestSessionKindsDoNotMix: a web session's cookie value is not an API
// bearer token, and an API login token is not a web session cookie.
func TestSessionKindsDoNotMix(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			e := newServerOn(t, testenv.DSN(t, engine))
			c := e.login(t, "staff")
			u, _ := url.Parse(e.ts.URL)
			var cookie string
			for _, ck := range c.c.Jar.Cookies(u) {
				if ck.Name == "luoshi_session" {
					cookie = ck.Value
				}
			}
			if cookie == "" {
				t.Fatal("no session cookie")
			}
			if resp, body := apiGet(t, e, cookie, "/api/v1/plans"); resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("web session as a bearer token: %d %s", resp.StatusCode, body)
			}
			// The web session itself still works.
			if resp, _ := c.get("/plans"); resp.StatusCode != http.StatusOK {
				t.Fatalf("web session after the API refused it: %d", resp.StatusCode)
			}
			tok := apiToken(t, e, "staff")
			web := e.anon(t)
			web.c.Jar.SetCookies(u, []*http.Cookie{{Name: "luoshi_session", Value: tok}})
			if resp, _ := web.get("/plans"); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("API token as a cookie: %d, want a redirect to sign-in", resp.StatusCode)
			}
			if resp, _ := apiGet(t, e, tok, "/api/v1/plans"); resp.StatusCode != http.StatusOK {
				t.Fatalf("API token: %d", resp.StatusCode)
			}
		})
	}
}

// TestRedirectsStayLocal: the language switch and sign-in never send the
// browser to another host, however the address is dressed up.
func TestRedirectsStayLocal(t *testing.T) {
	e := newServer(t)
	nasty := []string{"/%09/evil.example", "/%0d%0a/evil.example", "%5C%5Cevil.example", "/%5Cevil.example",
		"//evil.example", "https://evil.example/", "%09//evil.example", "javascript:alert(1)", "/%00/evil.example"}
	for _, back := range nasty {
		resp, _ := e.anon(t).get("/lang/en?back=" + back)
		if loc := resp.Header.Get("Location"); loc != "/" {
			t.Errorf("back=%s: Location %q, want /", back, loc)
		}
		c := e.anon(t)
		_, form := c.get("/login?next=" + back)
		if strings.Contains(form, "evil.example") {
			t.Errorf("next=%s is echoed into the sign-in form", back)
		}
		resp, _ = c.post("/login", url.Values{"username": {"leader"}, "password": {e.password(t, "leader")}, "next": {mustUnescape(back)}})
		if loc := resp.Header.Get("Location"); loc != "/" {
			t.Errorf("sign-in next=%s: Location %q, want /", back, loc)
		}
	}
	// A local path with its query survives.
	resp, _ := e.anon(t).get("/lang/en?back=" + url.QueryEscape("/plans?x=1"))
	if loc := resp.Header.Get("Location"); loc != "/plans?x=1" {
		t.Errorf("local back: Location %q", loc)
	}
}

func mustUnescape(s string) string {
	u, err := url.QueryUnescape(s)
	if err != nil {
		panic(err)
	}
	return u
}

// TestPasswordRulesOnPages: the security administrator sets the password
// history on the policy page; the password change page refuses a common
// password and a recent one with the field's Chinese message.
func TestPasswordRulesOnPages(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			e := newServerOn(t, testenv.DSN(t, engine))
			sec := e.login(t, "secadmin")
			if _, body := sec.get("/admin/policy"); !strings.Contains(body, `name="password_history" type="number" value="5"`) {
				t.Fatal("no password history field showing the default 5")
			}
			resp, body := sec.post("/admin/policy", url.Values{"min_length": {"8"}, "min_classes": {"3"},
				"lockout_threshold": {"5"}, "lockout_minutes": {"15"}, "idle_minutes": {"15"}, "absolute_hours": {"12"},
				"password_history": {"2"}, "version": {"0"}})
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("save policy: %d\n%s", resp.StatusCode, body)
			}
			if p, _, _ := e.db.Policy(context.Background()); p.PasswordHistory != 2 {
				t.Fatalf("stored history %d, want 2", p.PasswordHistory)
			}
			resp, body = sec.post("/admin/policy", url.Values{"min_length": {"8"}, "min_classes": {"3"},
				"lockout_threshold": {"5"}, "lockout_minutes": {"15"}, "idle_minutes": {"15"}, "absolute_hours": {"12"},
				"password_history": {"99"}, "version": {"1"}})
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "密码历史须在1到24次之间") {
				t.Fatalf("history 99: %d", resp.StatusCode)
			}

			c := e.login(t, "staff")
			first := e.password(t, "staff")
			change := func(current, next string) (int, string) {
				c.get("/account/password")
				resp, body := c.post("/account/password", url.Values{"current": {current}, "password": {next}, "confirm": {next}})
				return resp.StatusCode, body
			}
			for _, pw := range []string{"keji@2024", "Passw0rd!", "Snkjj#2023"} {
				if s, body := change(first, pw); s != http.StatusUnprocessableEntity || !strings.Contains(body, "密码过于常见") {
					t.Fatalf("%s: %d", pw, s)
				}
			}
			if s, _ := change(first, "Tq7-Orbit-01"); s != http.StatusSeeOther {
				t.Fatalf("good password: %d", s)
			}
			if s, body := change("Tq7-Orbit-01", first); s != http.StatusUnprocessableEntity ||
				!strings.Contains(body, "新密码不能与最近2次使用过的密码相同") {
				t.Fatalf("previous password: %d", s)
			}
		})
	}
}
