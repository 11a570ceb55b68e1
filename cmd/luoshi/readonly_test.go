package main

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

// TestServeWarnsReadOnly: serve starts on a read-only PostgreSQL database,
// warns that changes will fail, and /healthz reports reads ok, writes
// failing (issue 7, item 5). (SQLite: TestReadOnlyDatabaseKeepsReads in
// internal/web makes the writer read-only; root ignores file modes.)
func TestServeWarnsReadOnly(t *testing.T) {
	dsn := testenv.PostgresURL(t)
	if _, _, err := runCmd(t, "", "migrate", "--db", dsn); err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("pgx", os.Getenv(testenv.PostgresEnv))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	u, _ := url.Parse(dsn)
	name := strings.TrimPrefix(u.Path, "/")
	if _, err := admin.Exec(`ALTER DATABASE "` + name + `" SET default_transaction_read_only = on`); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--db", dsn, "--addr", "127.0.0.1:0"}, noEnv, nil, &out, &errb)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !startedRE.MatchString(out.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %s %s", out.String(), errb.String())
		}
		select {
		case err := <-done:
			t.Fatalf("serve on a read-only database exited: %v %s", err, errb.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if !strings.Contains(errb.String(), "数据库当前无法写入") {
		t.Errorf("no read-only warning at start:\n%s", errb.String())
	}
	base := startedRE.FindStringSubmatch(out.String())[1]
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var h struct{ Status, Read, Write string }
	json.NewDecoder(resp.Body).Decode(&h)
	resp.Body.Close()
	if resp.StatusCode != 200 || h.Status != "degraded" || h.Read != "ok" || h.Write != "failing" {
		t.Errorf("healthz: %d %+v, want 200 degraded", resp.StatusCode, h)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
}
