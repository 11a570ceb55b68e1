package web_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/luoshi/luoshi/internal/testenv"
)

// pgAdmin connects to the test server's base database, from which a test
// can act on its own database as the operator would.
func pgAdmin(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", os.Getenv(testenv.PostgresEnv))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func pgName(t testing.TB, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(u.Path, "/")
}

func pgExec(t testing.TB, admin *sql.DB, q string) {
	t.Helper()
	if _, err := admin.Exec(q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// pgKick ends every connection to the database name, so that the pools
// reconnect under the settings just changed.
func pgKick(t testing.TB, admin *sql.DB, name string) {
	t.Helper()
	if _, err := admin.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, name); err != nil {
		t.Fatal(err)
	}
}

// sessionCleared reports whether resp tells the browser to drop the
// session cookie.
func sessionCleared(resp *http.Response) bool {
	for _, c := range resp.Cookies() {
		if c.Name == "luoshi_session" && (c.MaxAge < 0 || c.Value == "") {
			return true
		}
	}
	return false
}

// getEventually reads path up to three times until it answers 200: the
// first request after the database comes back may still meet a pooled
// connection that the outage killed (PostgreSQL), which answers 503 and is
// then replaced.
func getEventually(t testing.TB, c *client, path string) *http.Response {
	t.Helper()
	var resp *http.Response
	for range 3 {
		resp, _ = c.get(path)
		if sessionCleared(resp) {
			t.Fatalf("GET %s: the session cookie was cleared", path)
		}
		if resp.StatusCode == http.StatusOK {
			return resp
		}
	}
	t.Fatalf("GET %s after the database came back: %d, want 200", path, resp.StatusCode)
	return resp
}

// TestDatabaseFailureKeepsSession: with the database failing, a signed-in
// user gets 503 系统暂时不可用 with the cookie kept, and is still signed in
// once the database is back (issue 7, item 4).
func TestDatabaseFailureKeepsSession(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			dsn := testenv.DSN(t, engine)
			e := newServerOn(t, dsn)
			c := e.login(t, "staff")
			token := apiToken(t, e, "leader")
			if resp, _ := c.get("/plans"); resp.StatusCode != http.StatusOK {
				t.Fatalf("plans: %d", resp.StatusCode)
			}

			var down, up func()
			if engine == "postgres" {
				admin, name := pgAdmin(t), pgName(t, dsn)
				down = func() {
					pgExec(t, admin, `ALTER DATABASE "`+name+`" ALLOW_CONNECTIONS false`)
					pgKick(t, admin, name)
				}
				up = func() { pgExec(t, admin, `ALTER DATABASE "`+name+`" ALLOW_CONNECTIONS true`) }
			} else {
				down = func() { e.db.InjectFault(true) }
				up = func() { e.db.InjectFault(false) }
			}
			down()
			for _, path := range []string{"/plans", "/account/sessions", e.planURL("")} {
				resp, body := c.get(path)
				if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "系统暂时不可用") {
					t.Errorf("GET %s with the database down: %d, want 503 系统暂时不可用\n%.300s", path, resp.StatusCode, body)
				}
				if sessionCleared(resp) {
					t.Errorf("GET %s with the database down cleared the session cookie", path)
				}
				if resp.Header.Get("Retry-After") == "" {
					t.Errorf("GET %s: 503 without Retry-After", path)
				}
			}
			resp, body := apiGet(t, e, token, "/api/v1/plans")
			if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, `"unavailable"`) {
				t.Errorf("API with the database down: %d %s, want 503 unavailable", resp.StatusCode, body)
			}
			up()
			getEventually(t, c, "/plans")
			if resp, _ := apiGet(t, e, token, "/api/v1/plans"); resp.StatusCode != http.StatusOK {
				t.Errorf("API after the database came back: %d", resp.StatusCode)
			}
		})
	}
}

type healthBody struct {
	Status, Engine, Read, Write string
}

func getHealth(t testing.TB, c *client, path string) (int, healthBody) {
	t.Helper()
	resp, body := c.get(path)
	var h healthBody
	if err := json.Unmarshal([]byte(body), &h); err != nil {
		t.Fatalf("healthz body %q: %v", body, err)
	}
	return resp.StatusCode, h
}

// TestReadOnlyDatabaseKeepsReads: on a read-only database signed-in users
// still read (the last-seen write is best effort), changes answer 503, and
// /healthz says that writes fail (issue 7, item 5).
func TestReadOnlyDatabaseKeepsReads(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			dsn := testenv.DSN(t, engine)
			e := newServerOn(t, dsn)
			now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
			e.db.SetClock(func() time.Time { return now })
			c := e.login(t, "staff")
			anon := e.anon(t)
			if code, h := getHealth(t, anon, "/healthz"); code != 200 || h.Status != "ok" || h.Write != "ok" {
				t.Fatalf("healthz: %d %+v", code, h)
			}

			var readOnly func(on bool)
			if engine == "postgres" {
				admin, name := pgAdmin(t), pgName(t, dsn)
				readOnly = func(on bool) {
					if on {
						pgExec(t, admin, `ALTER DATABASE "`+name+`" SET default_transaction_read_only = on`)
					} else {
						pgExec(t, admin, `ALTER DATABASE "`+name+`" RESET default_transaction_read_only`)
					}
					pgKick(t, admin, name)
				}
			} else {
				readOnly = func(on bool) {
					if err := e.db.SetReadOnly(ctx, on); err != nil {
						t.Fatal(err)
					}
				}
			}
			readOnly(true)
			// A minute on, so that each page view tries to record the
			// session's activity, which now fails.
			now = now.Add(time.Minute)
			getEventually(t, c, "/plans")
			for _, path := range []string{"/plans", e.planURL(""), e.planURL("/sections"), "/account/sessions"} {
				now = now.Add(time.Minute)
				if resp, body := c.get(path); resp.StatusCode != http.StatusOK {
					t.Errorf("GET %s on a read-only database: %d\n%.300s", path, resp.StatusCode, body)
				}
			}
			// An active user stays signed in past the idle timeout (15
			// minutes) counted from the last activity the database took.
			for range 20 {
				now = now.Add(time.Minute)
				if resp, _ := c.get("/plans"); resp.StatusCode != http.StatusOK || sessionCleared(resp) {
					t.Fatalf("an active user on a read-only database, %v on: %d", now.Sub(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)), resp.StatusCode)
				}
			}
			resp, body := c.post("/account/tokens", url.Values{"name": {"脚本"}})
			if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "系统暂时不可用") {
				t.Errorf("a change on a read-only database: %d, want 503\n%.300s", resp.StatusCode, body)
			}
			now = now.Add(time.Minute)
			if code, h := getHealth(t, anon, "/healthz"); code != 200 || h.Status != "degraded" || h.Read != "ok" || h.Write != "failing" {
				t.Errorf("healthz on a read-only database: %d %+v, want 200 degraded, write failing", code, h)
			}
			if code, _ := getHealth(t, anon, "/healthz?strict=1"); code != http.StatusServiceUnavailable {
				t.Errorf("healthz?strict=1 on a read-only database: %d, want 503", code)
			}
			readOnly(false)
			now = now.Add(time.Minute)
			getEventually(t, c, "/plans")
			if code, h := getHealth(t, anon, "/healthz"); code != 200 || h.Status != "ok" {
				t.Errorf("healthz after writes came back: %d %+v", code, h)
			}
		})
	}
}

// TestSQLiteBusyIs503: a write that waits for another process's lock past
// the busy timeout answers 503, not 500; reads go on (issue 7, item 5).
func TestSQLiteBusyIs503(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/busy.db"
	e := newServerOn(t, path)
	c := e.login(t, "staff")
	if err := e.db.SetBusyTimeout(ctx, 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(1000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	resp, body := c.post("/account/tokens", url.Values{"name": {"脚本"}})
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "系统暂时不可用") {
		t.Errorf("a write while another process holds the lock: %d, want 503\n%.300s", resp.StatusCode, body)
	}
	if resp, _ := c.get("/plans"); resp.StatusCode != http.StatusOK {
		t.Errorf("a read while another process holds the write lock: %d", resp.StatusCode)
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if resp, _ := c.post("/account/tokens", url.Values{"name": {"脚本"}}); resp.StatusCode != http.StatusOK {
		t.Errorf("the write once the lock is released: %d", resp.StatusCode)
	}
}
