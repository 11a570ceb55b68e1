package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/store"
)

func createUser(t testing.TB, db *store.DB, unitID int64, name string, role auth.Role) auth.User {
	t.Helper()
	u := auth.User{Username: name, Role: role, UnitID: unitID}
	mustTx(t, db, func(tx *store.Tx) error { return tx.CreateUser(&u, "$argon2id$fake") })
	return u
}

func TestUsers(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, county := createUnits(t, db)
		u := createUser(t, db, county.ID, "Zhang", auth.Reporter)
		got, hash, err := db.UserCredentials(ctx, "zhang")
		if err != nil || got.ID != u.ID || hash != "$argon2id$fake" || got.UnitName != "示例县" || got.Role != auth.Reporter {
			t.Fatalf("credentials: %+v %q %v", got, hash, err)
		}
		// The folded name is unique.
		err = db.InTx(ctx, func(tx *store.Tx) error {
			return tx.CreateUser(&auth.User{Username: "ZHANG", Role: auth.Staff, UnitID: county.ID}, "x")
		})
		if e := apperr.As(err); e == nil || e.Fields["username"] == "" {
			t.Fatalf("folded duplicate: %v", err)
		}
		// Optimistic locking: a stale version conflicts and changes nothing.
		stale := got
		got.Name, got.Disabled = "张三", true
		mustTx(t, db, func(tx *store.Tx) error { return tx.UpdateUser(&got) })
		stale.Name = "李四"
		err = db.InTx(ctx, func(tx *store.Tx) error { return tx.UpdateUser(&stale) })
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("stale update: %v", err)
		}
		if now, _ := db.User(ctx, u.ID); now.Name != "张三" || !now.Disabled || now.Version != 2 {
			t.Fatalf("after updates: %+v", now)
		}
		mustTx(t, db, func(tx *store.Tx) error { return tx.SetPassword(u.ID, "$new", true) })
		if now, h, _ := db.UserCredentials(ctx, "zhang"); h != "$new" || !now.MustChange {
			t.Fatalf("set password: %+v %q", now, h)
		}
		if list, err := db.Users(ctx); err != nil || len(list) != 1 {
			t.Fatalf("users: %v %v", list, err)
		}
	})
}

func TestSessions(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, county := createUnits(t, db)
		u := createUser(t, db, county.ID, "wang", auth.Staff)
		now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		for i, id := range []string{"s1", "s2", "s3"} {
			s := store.Session{ID: id, UserID: u.ID, Kind: "web", CSRF: "c" + id, IP: "10.0.0.1", CreatedAt: now,
				LastSeenAt: now.Add(time.Duration(i) * time.Minute), ExpiresAt: now.Add(12 * time.Hour)}
			mustTx(t, db, func(tx *store.Tx) error { return tx.CreateSession(&s) })
		}
		got, err := db.Session(ctx, "s2")
		if err != nil || got.Username != "wang" || got.CSRF != "cs2" || !got.ExpiresAt.Equal(now.Add(12*time.Hour)) {
			t.Fatalf("session: %+v %v", got, err)
		}
		// Idle: at 9:16 only sessions seen after 9:01 are alive with 15 minutes.
		active, err := db.ActiveSessions(ctx, u.ID, now.Add(16*time.Minute), 15*time.Minute)
		if err != nil || len(active) != 1 || active[0].ID != "s3" {
			t.Fatalf("active: %+v %v", active, err)
		}
		if err := db.TouchSession(ctx, "s1", now.Add(15*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if active, _ := db.ActiveSessions(ctx, 0, now.Add(16*time.Minute), 15*time.Minute); len(active) != 2 || active[0].ID != "s1" {
			t.Fatalf("after touch: %+v", active)
		}
		// Revoking another user's session is refused.
		var ok bool
		mustTx(t, db, func(tx *store.Tx) (err error) { ok, err = tx.RevokeSession("s1", u.ID+99); return })
		if ok {
			t.Fatal("revoked another user's session")
		}
		mustTx(t, db, func(tx *store.Tx) error { return tx.RevokeUserSessions(u.ID, "s3") })
		if s, _ := db.Session(ctx, "s1"); !s.Revoked {
			t.Fatal("s1 not revoked")
		}
		if s, _ := db.Session(ctx, "s3"); s.Revoked {
			t.Fatal("the kept session was revoked")
		}
		if _, err := db.Session(ctx, "nope"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("unknown session: %v", err)
		}
	})
}

func TestPolicyAndTokens(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p, v, err := db.Policy(ctx)
		if err != nil || p != auth.DefaultPolicy || v != 0 {
			t.Fatalf("default policy: %+v %d %v", p, v, err)
		}
		p.MinLength = 12
		mustTx(t, db, func(tx *store.Tx) error { return tx.SetPolicy(p, 0) })
		// A second writer that also read "none stored" conflicts.
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.SetPolicy(auth.DefaultPolicy, 0) }); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("concurrent first write: %v", err)
		}
		got, v, _ := db.Policy(ctx)
		if got.MinLength != 12 || v != 1 {
			t.Fatalf("stored policy %+v v%d", got, v)
		}
		got.IdleMinutes = 30
		mustTx(t, db, func(tx *store.Tx) error { return tx.SetPolicy(got, 1) })
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.SetPolicy(got, 1) }); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("stale policy write: %v", err)
		}

		_, county := createUnits(t, db)
		u := createUser(t, db, county.ID, "zhao", auth.Staff)
		var id int64
		mustTx(t, db, func(tx *store.Tx) (err error) { id, err = tx.CreateAPIToken(u.ID, "脚本", "hash1"); return })
		if _, uid, err := db.APITokenUser(ctx, "hash1"); err != nil || uid != u.ID {
			t.Fatalf("token user: %d %v", uid, err)
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.RevokeAPIToken(u.ID+1, id) }); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("revoking another's token: %v", err)
		}
		mustTx(t, db, func(tx *store.Tx) error { return tx.RevokeAPIToken(u.ID, id) })
		if _, _, err := db.APITokenUser(ctx, "hash1"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("revoked token: %v", err)
		}
		if list, _ := db.APITokens(ctx, u.ID); len(list) != 1 || !list[0].Revoked {
			t.Fatalf("tokens: %+v", list)
		}
	})
}
