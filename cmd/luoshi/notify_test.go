package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/luoshi/luoshi/internal/notify"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/store"
)

// TestNotifyRunOnce sends the outbox once from the command line: the robot
// gets the message once, a second run sends nothing.
func TestNotifyRunOnce(t *testing.T) {
	var mu sync.Mutex
	var got []string
	robot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, string(b))
		mu.Unlock()
		w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	}))
	defer robot.Close()
	dsn := filepath.Join(t.TempDir(), "n.db")
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		u := org.Unit{Code: "510900", Name: "市", Kind: org.City, DivisionCode: "510900"}
		if err := tx.CreateUnit(&u); err != nil {
			return err
		}
		if err := tx.CreateChannel(&notify.Channel{UnitID: u.ID, Kind: notify.WeCom, Target: robot.URL + "/?key=k", Enabled: true}); err != nil {
			return err
		}
		return tx.Notify(notify.Event{Key: "cli", UnitID: u.ID, Subject: "命令行测试", Body: "正文", Link: "/inbox"})
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, err := runCmd(t, "", "notify", "run-once", "--db", dsn, "--base-url", "https://luoshi.example.gov.cn")
	if err != nil || !strings.Contains(out, "已发送 1 条") {
		t.Fatalf("run-once: %v %q %q", err, out, errOut)
	}
	out, _, _ = runCmd(t, "", "notify", "run-once", "--db", dsn)
	if !strings.Contains(out, "已发送 0 条") {
		t.Fatalf("second run: %q", out)
	}
	if len(got) != 1 || !strings.Contains(got[0], "命令行测试") || !strings.Contains(got[0], "https://luoshi.example.gov.cn/inbox") {
		t.Fatalf("robot got %q", got)
	}
	if _, _, err := runCmd(t, "", "notify", "run-once", "--db", dsn, "--smtp-port", "x"); err == nil {
		t.Fatal("a bad port: want an error")
	}
	if _, _, err := runCmd(t, "", "notify"); err == nil {
		t.Fatal("no sub-command: want an error")
	}
}
