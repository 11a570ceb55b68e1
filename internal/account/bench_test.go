package account_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/luoshi/luoshi/internal/account"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/store"
)

// BenchmarkLoginFailure compares a wrong password with an unknown user,
// with the production argon2id cost: the two should take the same time, so
// that timing does not tell which usernames exist.
// go test -run '^$' -bench LoginFailure ./internal/account
func BenchmarkLoginFailure(b *testing.B) {
	for _, kind := range []string{"wrong-password", "unknown-user"} {
		b.Run(kind, func(b *testing.B) {
			db, svc, county := benchSetup(b)
			ctx := context.Background()
			auth.DefaultHashParams = auth.HashParams{Memory: 64 * 1024, Time: 2, Threads: 2}
			defer func() { auth.DefaultHashParams = auth.HashParams{Memory: 1024, Time: 1, Threads: 1} }()
			if _, err := svc.CreateUser(ctx, audit.System("bench"), account.NewUser{Username: "known", Role: auth.Staff,
				UnitID: county, Password: "Right-Pass-1"}); err != nil {
				b.Fatal(err)
			}
			// No lockout during the measurement.
			p := auth.DefaultPolicy
			p.LockoutThreshold = 1 << 30
			if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.SetPolicy(p, 0) }); err != nil {
				b.Fatal(err)
			}
			name := "known"
			i := 0
			for b.Loop() {
				i++
				if kind == "unknown-user" {
					name = "nobody" + strconv.Itoa(i)
				}
				svc.Login(ctx, account.LoginRequest{Username: name, Password: "Wrong-Pass-1", IP: "10.1.0." + strconv.Itoa(i%250)})
			}
		})
	}
}

func benchSetup(b *testing.B) (*store.DB, *account.Service, int64) {
	b.Helper()
	db, svc, _, county := setupTB(b, "sqlite")
	return db, svc, county.ID
}
