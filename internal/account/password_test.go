package account_test

import (
	"context"
	"strings"
	"testing"

	"github.com/luoshi/luoshi/internal/account"
	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/testenv"
)

// TestPasswordHistory: a new password may not be a common one nor any of
// the policy's number of latest passwords (the current one included); an
// older one is allowed again; an administrator's reset keeps the history.
func TestPasswordHistory(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db, svc, _, county := setup(t, engine)
			src := audit.System("test")
			u, err := svc.CreateUser(ctx, src, account.NewUser{Username: "sun", Role: auth.Staff, UnitID: county.ID,
				Password: "Tq7-Orbit-01"})
			if err != nil {
				t.Fatal(err)
			}
			p := auth.DefaultPolicy
			p.PasswordHistory = 3
			if err := svc.UpdatePolicy(ctx, src, p, 0); err != nil {
				t.Fatal(err)
			}
			res, err := svc.Login(ctx, account.LoginRequest{Username: "sun", Password: "Tq7-Orbit-01", IP: "10.0.0.1"})
			if err != nil {
				t.Fatal(err)
			}
			a, err := svc.Authenticate(ctx, res.Token)
			if err != nil {
				t.Fatal(err)
			}
			current := "Tq7-Orbit-01"
			change := func(next string) error {
				err := svc.ChangePassword(ctx, a, src, current, next)
				if err == nil {
					current = next
				}
				return err
			}
			fieldError := func(err error, want string) {
				t.Helper()
				e := apperr.As(err)
				if e == nil || e.Code != apperr.Invalid || !strings.Contains(e.Fields["password"], want) {
					t.Fatalf("got %v (fields %v), want a password field error with %q", err, e, want)
				}
			}
			// Common passwords, with the family of pinyin and the bureau's
			// abbreviations plus a year.
			for _, pw := range []string{"Passw0rd", "keji@2024", "Kjj@2024!", "Woaini1314!", "Qwer1234!"} {
				fieldError(change(pw), "密码过于常见")
			}
			for _, pw := range []string{"Tq7-Orbit-02", "Tq7-Orbit-03"} {
				if err := change(pw); err != nil {
					t.Fatalf("change to %s: %v", pw, err)
				}
			}
			// History 3: the current one and the two before it.
			fieldError(change("Tq7-Orbit-03"), "不能与当前密码相同")
			fieldError(change("Tq7-Orbit-02"), "不能与最近3次使用过的密码相同")
			fieldError(change("Tq7-Orbit-01"), "不能与最近3次使用过的密码相同")
			if err := change("Tq7-Orbit-04"); err != nil {
				t.Fatal(err)
			}
			// 01 is now the fourth latest: allowed again.
			if err := change("Tq7-Orbit-01"); err != nil {
				t.Fatalf("a password older than the history: %v", err)
			}
			// Stored as hashes, never as typed.
			hist, err := db.PasswordHistory(ctx, u.ID, 10)
			if err != nil || len(hist) != 4 {
				t.Fatalf("history %d entries, %v", len(hist), err)
			}
			for _, h := range hist {
				if !strings.HasPrefix(h, "$argon2id$") || strings.Contains(h, "Orbit") {
					t.Fatalf("history entry %q is not a hash", h)
				}
			}
			// A reset archives the password it replaces.
			if _, err := svc.ResetPassword(ctx, src, u.ID); err != nil {
				t.Fatal(err)
			}
			if hist, _ := db.PasswordHistory(ctx, u.ID, 10); len(hist) != 5 {
				t.Fatalf("history after a reset: %d entries, want 5", len(hist))
			}
			// The policy bounds the history.
			p.PasswordHistory = 0
			if err := svc.UpdatePolicy(ctx, src, p, 1); !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("history 0: %v", err)
			}
		})
	}
}

// TestPasswordHistoryIsBounded: only what the largest policy can ask for
// is kept.
func TestPasswordHistoryIsBounded(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db, svc, _, county := setup(t, engine)
			u, err := svc.CreateUser(ctx, audit.System("test"), account.NewUser{Username: "zhou", Role: auth.Staff,
				UnitID: county.ID, Password: "Tq7-Orbit-01"})
			if err != nil {
				t.Fatal(err)
			}
			for range auth.MaxPasswordHistory + 5 {
				if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.ArchivePassword(u.ID) }); err != nil {
					t.Fatal(err)
				}
			}
			if hist, _ := db.PasswordHistory(ctx, u.ID, 100); len(hist) != auth.MaxPasswordHistory-1 {
				t.Fatalf("%d entries kept, want %d", len(hist), auth.MaxPasswordHistory-1)
			}
		})
	}
}
