package web_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/demo"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/web"
)

func TestMain(m *testing.M) {
	// Cheap hashes: the tests sign in many times; the hash's cost is not
	// what they test.
	auth.DefaultHashParams = auth.HashParams{Memory: 1024, Time: 1, Threads: 1}
	code := m.Run()
	if demoTemplate.dir != "" {
		os.RemoveAll(demoTemplate.dir)
	}
	os.Exit(code)
}

// demoTemplate is a SQLite database with the demo loaded, made once per
// test binary and copied for each test: loading the demo (parsing the plan,
// its reports, values and notices) takes seconds under -race, and nearly
// every test starts from it. Tests on PostgreSQL still load it each time.
var demoTemplate struct {
	once sync.Once
	dir  string
	path string
	res  demo.Result
	err  error
}

func makeDemoTemplate() {
	t := &demoTemplate
	if t.dir, t.err = os.MkdirTemp("", "luoshi-web-demo-"); t.err != nil {
		return
	}
	t.path = filepath.Join(t.dir, "demo.db")
	ctx := context.Background()
	db, err := store.Open(ctx, t.path)
	if err != nil {
		t.err = err
		return
	}
	defer db.Close()
	if _, t.err = db.Migrate(ctx); t.err != nil {
		return
	}
	t.res, t.err = demo.Load(ctx, db)
	if t.err == nil && !t.res.Loaded {
		t.err = errors.New("demo not loaded")
	}
}

// copyDemo copies the template database (and any WAL files) to path.
func copyDemo(t testing.TB, path string) demo.Result {
	t.Helper()
	demoTemplate.once.Do(makeDemoTemplate)
	if demoTemplate.err != nil {
		t.Fatalf("demo template: %v", demoTemplate.err)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(demoTemplate.path + suffix)
		if os.IsNotExist(err) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return demoTemplate.res
}

// env is a test server with the demo loaded.
type env struct {
	ts   *httptest.Server
	db   *store.DB
	demo demo.Result
	srv  *web.Server
	dsn  string
}

// newServer serves the demo from a fresh SQLite file.
func newServer(t testing.TB) *env {
	t.Helper()
	return newServerOn(t, filepath.Join(t.TempDir(), "web.db"))
}

func newServerOn(t testing.TB, dsn string) *env {
	t.Helper()
	ctx := context.Background()
	var res demo.Result
	if !store.IsPostgres(dsn) {
		res = copyDemo(t, dsn)
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if store.IsPostgres(dsn) {
		res, err = demo.Load(ctx, db)
		if err != nil || !res.Loaded {
			t.Fatalf("demo: %+v %v", res, err)
		}
	}
	srv, err := web.New(web.Config{DB: db, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &env{ts: ts, db: db, demo: res, srv: srv, dsn: dsn}
}

func (e *env) password(t testing.TB, username string) string {
	t.Helper()
	for _, a := range e.demo.Accounts {
		if a.Username == username {
			return a.Password
		}
	}
	t.Fatalf("no demo account %s", username)
	return ""
}

func (e *env) planURL(suffix string) string { return "/plans/" + itoa(e.demo.PlanID) + suffix }

// client is a browser-like HTTP client with cookies that remembers the
// CSRF token of the last page it read and does not follow redirects.
type client struct {
	t    testing.TB
	c    *http.Client
	base string
	csrf string
}

func (e *env) anon(t testing.TB) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: e.ts.URL, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// login signs in as a demo account and fails the test if it cannot.
func (e *env) login(t testing.TB, username string) *client {
	t.Helper()
	c := e.anon(t)
	c.get("/login")
	resp, body := c.post("/login", url.Values{"username": {username}, "password": {e.password(t, username)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: %d %s", username, resp.StatusCode, body)
	}
	c.get("/account/sessions") // any page, for the session's CSRF token
	return c
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)">`)

func (c *client) do(req *http.Request) (*http.Response, string) {
	c.t.Helper()
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := csrfMeta.FindSubmatch(b); m != nil && len(m[1]) > 0 {
		c.csrf = string(m[1])
	}
	return resp, string(b)
}

func (c *client) get(path string) (*http.Response, string) {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.base+path, nil)
	return c.do(req)
}

// post sends a form with the remembered CSRF token (unless the form has one).
func (c *client) post(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf_token"]; !ok {
		form.Set("csrf_token", c.csrf)
	}
	req, _ := http.NewRequest("POST", c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
