package account_test

import (
	"context"
	"testing"
	"time"

	"github.com/luoshi/luoshi/internal/account"
	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/testenv"
)

func setup(t *testing.T, engine string) (*store.DB, *account.Service, *time.Time, org.Unit) {
	t.Helper()
	return setupTB(t, engine)
}

func setupTB(t testing.TB, engine string) (*store.DB, *account.Service, *time.Time, org.Unit) {
	t.Helper()
	auth.DefaultHashParams = auth.HashParams{Memory: 1024, Time: 1, Threads: 1}
	ctx := context.Background()
	db, err := store.Open(ctx, testenv.DSN(t, engine))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	db.SetClock(func() time.Time { return now })
	city := org.Unit{Code: "510900", Name: "示例市", Kind: org.City, DivisionCode: "510900"}
	county := org.Unit{Code: "510921", Name: "示例县", Kind: org.County, DivisionCode: "510921"}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateUnit(&city); err != nil {
			return err
		}
		county.ParentID = city.ID
		return tx.CreateUnit(&county)
	})
	if err != nil {
		t.Fatal(err)
	}
	return db, account.New(db), &now, county
}

// TestAccountLifecycle runs the sign-in rules on both engines.
func TestAccountLifecycle(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db, svc, now, county := setup(t, engine)
			src := audit.System("test")
			u, err := svc.CreateUser(ctx, src, account.NewUser{Username: "Ｗａｎｇ", Role: auth.Reporter, UnitID: county.ID,
				Password: "Start-Pass-1", MustChange: true})
			if err != nil || u.Username != "Wang" {
				t.Fatalf("create: %+v %v", u, err)
			}
			login := func(name, pw, ip string) (*account.LoginResult, error) {
				return svc.Login(ctx, account.LoginRequest{Username: name, Password: pw, IP: ip, Kind: "web"})
			}
			// Unknown user and wrong password: the same error.
			_, e1 := login("nobody", "Start-Pass-1", "10.0.0.1")
			_, e2 := login("wang", "Wrong-Pass-1", "10.0.0.2")
			if apperr.As(e1).Message != apperr.As(e2).Message || !apperr.Is(e1, apperr.Unauthenticated) {
				t.Fatalf("errors differ: %v / %v", e1, e2)
			}
			res, err := login(" WANG ", "Start-Pass-1", "10.0.0.3")
			if err != nil || !res.User.MustChange {
				t.Fatalf("login: %+v %v", res, err)
			}
			a, err := svc.Authenticate(ctx, res.Token)
			if err != nil || a.ID != u.ID || a.Scope.All || len(a.Scope.Units) != 1 || a.Scope.Units[0] != county.ID {
				t.Fatalf("actor: %+v %v", a, err)
			}
			// Idle timeout.
			*now = now.Add(16 * time.Minute)
			if _, err := svc.Authenticate(ctx, res.Token); !apperr.Is(err, apperr.Unauthenticated) {
				t.Fatalf("idle session: %v", err)
			}
			// Password change ends other sessions but keeps the current one.
			r1, _ := login("wang", "Start-Pass-1", "10.0.0.3")
			r2, _ := login("wang", "Start-Pass-1", "10.0.0.3")
			a1, _ := svc.Authenticate(ctx, r1.Token)
			if err := svc.ChangePassword(ctx, a1, src, "Start-Pass-1", "Next-Pass-22"); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Authenticate(ctx, r2.Token); err == nil {
				t.Fatal("other session survived the password change")
			}
			if a, err := svc.Authenticate(ctx, r1.Token); err != nil || a.MustChange {
				t.Fatalf("current session after the change: %+v %v", a, err)
			}
			// Lockout after 5 failures, then the right password is refused.
			for i := 0; i < 5; i++ {
				login("wang", "bad", "10.0.1.1")
			}
			if _, err := login("wang", "Next-Pass-22", "10.0.2.2"); !apperr.Is(err, apperr.TooMany) {
				t.Fatalf("locked account: %v", err)
			}
			*now = now.Add(16 * time.Minute)
			if _, err := login("wang", "Next-Pass-22", "10.0.2.2"); err != nil {
				t.Fatalf("after the lockout: %v", err)
			}
			// Disabling ends the sessions.
			r3, _ := login("wang", "Next-Pass-22", "10.0.2.2")
			got, _ := db.User(ctx, u.ID)
			got.Disabled = true
			if _, err := svc.UpdateUser(ctx, src, got); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Authenticate(ctx, r3.Token); err == nil {
				t.Fatal("disabled user's session works")
			}
			if _, err := login("wang", "Next-Pass-22", "10.0.2.3"); !apperr.Is(err, apperr.Unauthenticated) {
				t.Fatalf("disabled user signs in: %v", err)
			}
			// Everything is in an intact audit log.
			for _, action := range []string{audit.UserCreated, audit.LoginSucceeded, audit.LoginFailed, audit.LockedOut,
				audit.PasswordChanged, audit.UserUpdated} {
				if entries, _, _ := db.AuditEntries(ctx, audit.Filter{Action: action}); len(entries) == 0 {
					t.Errorf("no %s in the audit log", action)
				}
			}
			if res, err := db.VerifyAudit(ctx); err != nil || !res.OK() {
				t.Fatalf("chain: %+v %v", res, err)
			}
		})
	}
}
