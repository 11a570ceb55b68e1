package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/luoshi/luoshi/internal/auth"
)

func TestMain(m *testing.M) {
	auth.DefaultHashParams = auth.HashParams{Memory: 1024, Time: 1, Threads: 1}
	os.Exit(m.Run())
}

var noEnv = env(func(string) string { return "" })

func runCmd(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, noEnv, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

func TestVersionAndUsage(t *testing.T) {
	out, _, err := runCmd(t, "", "version")
	if err != nil || !strings.HasPrefix(out, "luoshi ") {
		t.Fatalf("version: %q %v", out, err)
	}
	if _, errOut, err := runCmd(t, "", "frobnicate"); err == nil || !strings.Contains(errOut, "unknown command") {
		t.Fatalf("unknown command: %v %q", err, errOut)
	}
	if _, _, err := runCmd(t, ""); err == nil {
		t.Fatal("no command: want an error")
	}
}

func TestMigrateAndEnvFallback(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "m.db")
	var out bytes.Buffer
	getenv := env(func(k string) string {
		if k == "LUOSHI_DB" {
			return dsn
		}
		return ""
	})
	if err := run(context.Background(), []string{"migrate"}, getenv, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "applied 0001_init.sql") || !strings.Contains(out.String(), "(sqlite)") {
		t.Fatalf("migrate output %q", out.String())
	}
	if _, err := os.Stat(dsn); err != nil {
		t.Fatalf("LUOSHI_DB not used: %v", err)
	}
	// Again: nothing to apply.
	out.Reset()
	run(context.Background(), []string{"migrate", "--db", dsn}, noEnv, nil, &out, &out)
	if strings.Contains(out.String(), "applied") {
		t.Fatalf("second migrate applied something: %q", out.String())
	}
}

func TestUserAndUnitAdd(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "u.db")
	if _, _, err := runCmd(t, "Strong-Pass-1\n", "user", "add", "--db", dsn, "--username", "li", "--role", "staff", "--password-stdin"); err == nil ||
		!strings.Contains(err.Error(), "还没有单位") {
		t.Fatalf("user before any unit: %v", err)
	}
	if _, _, err := runCmd(t, "", "unit", "add", "--db", dsn, "--code", "510900", "--name", "示例市", "--kind", "city", "--division", "510900"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCmd(t, "", "unit", "add", "--db", dsn, "--code", "510921", "--name", "示例县", "--kind", "county", "--division", "51092", "--parent", "510900"); err == nil ||
		!strings.Contains(err.Error(), "division_code") {
		t.Fatalf("bad division code: %v", err)
	}
	runCmd(t, "", "unit", "add", "--db", dsn, "--code", "510921", "--name", "示例县", "--kind", "county", "--division", "510921", "--parent", "510900")

	for _, c := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"Strong-Pass-1\n", []string{"--username", "li", "--role", "staff"}, "--password-stdin is required"},
		{"weak\n", []string{"--username", "li", "--role", "staff", "--password-stdin"}, "密码至少8位"},
		{"Li-Strong-9\n", []string{"--username", "li", "--role", "staff", "--password-stdin"}, "不能包含用户名"},
		{"Strong-Pass-1\n", []string{"--username", "li", "--role", "boss", "--password-stdin"}, "请选择角色"},
		{"Strong-Pass-1\n", []string{"--username", "li", "--role", "reporter", "--unit", "999999", "--password-stdin"}, "999999"},
	} {
		_, _, err := runCmd(t, c.stdin, append([]string{"user", "add", "--db", dsn}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("user add %v: %v, want %q", c.args, err, c.want)
		}
	}
	out, _, err := runCmd(t, "Strong-Pass-1\n", "user", "add", "--db", dsn, "--username", "li", "--role", "reporter", "--unit", "510921", "--must-change", "--password-stdin")
	if err != nil || !strings.Contains(out, "示例县") {
		t.Fatalf("user add: %q %v", out, err)
	}
	// ＬＩ folds to li: a second account is refused.
	if _, _, err := runCmd(t, "Strong-Pass-1\n", "user", "add", "--db", dsn, "--username", "ＬＩ", "--role", "leader", "--password-stdin"); err == nil ||
		!strings.Contains(err.Error(), "用户名已存在") {
		t.Fatalf("folded duplicate: %v", err)
	}
}

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var startedRE = regexp.MustCompile(`已启动: (http://[0-9.:]+)/`)
var accountRE = regexp.MustCompile(`(?m)^\s+(\w+)\s+\w+\s+\S+\s+密码 (\S+)$`)

// TestServeDemo starts `serve --demo` on a free port: the demo loads once
// with one account per role and printed passwords that work, and the server
// stops cleanly when its context ends.
func TestServeDemo(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "s.db")
	serve := func() (stdout string, stop func() error) {
		ctx, cancel := context.WithCancel(context.Background())
		var out, errb syncBuffer
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, []string{"serve", "--demo", "--db", dsn, "--addr", "127.0.0.1:0"}, noEnv, nil, &out, &errb)
		}()
		deadline := time.Now().Add(30 * time.Second)
		for !startedRE.MatchString(out.String()) {
			if time.Now().After(deadline) {
				cancel()
				t.Fatalf("serve did not start: %s %s", out.String(), errb.String())
			}
			select {
			case err := <-done:
				t.Fatalf("serve exited: %v %s", err, errb.String())
			case <-time.After(20 * time.Millisecond):
			}
		}
		return out.String(), func() error { cancel(); return <-done }
	}

	out, stop := serve()
	base := startedRE.FindStringSubmatch(out)[1]
	accounts := accountRE.FindAllStringSubmatch(out, -1)
	if len(accounts) != 6 {
		t.Fatalf("%d demo accounts printed, want 6:\n%s", len(accounts), out)
	}
	seen := map[string]bool{}
	for _, a := range accounts {
		if seen[a[2]] {
			t.Fatal("two accounts share a password")
		}
		seen[a[2]] = true
	}
	resp, err := http.Get(base + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp, err = http.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "演示数据") {
		t.Error("a demo server's pages are not labelled as demo data")
	}
	body, _ := json.Marshal(map[string]string{"username": accounts[0][1], "password": accounts[0][2]})
	resp, err = http.Post(base+"/api/v1/login", "application/json", bytes.NewReader(body))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("printed password does not sign in: %v %v", resp, err)
	}
	if err := stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}

	// A database with data is left alone.
	out, stop = serve()
	if !strings.Contains(out, "未载入演示数据") || accountRE.MatchString(out) {
		t.Fatalf("second demo start: %s", out)
	}
	stop()
}

func TestServeFlags(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--tls-cert", "x.pem"},
		{"serve", "--log-format", "xml"},
		{"serve", "stray"},
		{"serve", "--trust-proxy", "--trusted-proxies", "10.0.0.0/33"},
		{"serve", "--trusted-proxies", "proxy.example"},
		{"serve", "--hash-memory", "0"},
		{"serve", "--hash-wait", "-1s"},
	} {
		if _, _, err := runCmd(t, "", append(args, "--db", filepath.Join(t.TempDir(), "f.db"))...); err == nil {
			t.Errorf("%v: want an error", args)
		}
	}
}
