package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luoshi/luoshi/internal/account"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/store"
)

// TestUserReset: `luoshi user reset` on the server is how an
// administrator account's password is reset (the web refuses it, issue
// 7): a printed temporary password that must be changed, or one read from
// stdin; the account's sessions end.
func TestUserReset(t *testing.T) {
	auth.DefaultHashParams = auth.HashParams{Memory: 1024, Time: 1, Threads: 1}
	dsn := filepath.Join(t.TempDir(), "r.db")
	if _, _, err := runCmd(t, "", "unit", "add", "--db", dsn, "--code", "city", "--name", "某市", "--kind", "city", "--division", "510900"); err != nil {
		t.Fatal(err)
	}
	if _, errOut, err := runCmd(t, "Strong-Pass-1\n", "user", "add", "--db", dsn, "--username", "shenji", "--role", "auditor", "--password-stdin"); err != nil {
		t.Fatal(err, errOut)
	}
	out, _, err := runCmd(t, "", "user", "reset", "--db", dsn, "--username", "shenji")
	if err != nil || !strings.Contains(out, "临时密码") {
		t.Fatalf("reset: %q %v", out, err)
	}
	temp := strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:])
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	key, err := loadAuditKey(dsn, "", noEnv, false, nil)
	if err != nil || key == nil {
		t.Fatalf("the key file beside the database: %v", err)
	}
	db.SetAuditKey(key)
	svc := account.New(db)
	res, err := svc.Login(ctx, account.LoginRequest{Username: "shenji", Password: temp, IP: "127.0.0.1"})
	if err != nil || !res.User.MustChange {
		t.Fatalf("sign-in with the temporary password: %+v %v", res, err)
	}
	if _, _, err := runCmd(t, "Other-Pass-22\n", "user", "reset", "--db", dsn, "--username", "SHENJI", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, res.Token); err == nil {
		t.Error("the session survived a reset")
	}
	if res, err := svc.Login(ctx, account.LoginRequest{Username: "shenji", Password: "Other-Pass-22", IP: "127.0.0.2"}); err != nil || res.User.MustChange {
		t.Fatalf("sign-in with the new password: %+v %v", res, err)
	}
	if _, _, err := runCmd(t, "", "user", "reset", "--db", dsn, "--username", "nobody"); err == nil {
		t.Error("reset of an unknown user succeeded")
	}
}
