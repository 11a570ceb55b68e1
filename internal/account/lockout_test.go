package account_test

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/luoshi/luoshi/internal/account"
	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/testenv"
)

// outcomes counts the answers of a burst of sign-ins.
type outcomes struct {
	checked, ok, locked, other atomic.Int64
	token                      atomic.Value
}

func (o *outcomes) add(t *testing.T, res *account.LoginResult, err error) {
	switch {
	case err == nil:
		o.checked.Add(1)
		o.ok.Add(1)
		o.token.Store(res.Token)
	case apperr.Is(err, apperr.Unauthenticated):
		o.checked.Add(1)
	case apperr.Is(err, apperr.TooMany):
		o.locked.Add(1)
	default:
		o.other.Add(1)
		t.Errorf("unexpected error: %v", err)
	}
}

// TestLockoutUnderConcurrency: a burst of parallel wrong passwords for one
// account (with the right one among them) checks at most the threshold;
// the rest are refused before any hashing (issue 7, item 1).
func TestLockoutUnderConcurrency(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db, svc, _, county := setup(t, engine)
			if _, err := svc.CreateUser(ctx, audit.System("test"), account.NewUser{Username: "zhao", Role: auth.Staff,
				UnitID: county.ID, Password: "Right-Pass-1"}); err != nil {
				t.Fatal(err)
			}
			var o outcomes
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range 41 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					pw := "Wrong-Pass-" + strconv.Itoa(i)
					if i == 20 {
						pw = "Right-Pass-1"
					}
					<-start
					// Each from its own address: only the account's count
					// can stop them.
					res, err := svc.Login(ctx, account.LoginRequest{Username: "zhao", Password: pw, Kind: "api",
						IP: "10.9.0." + strconv.Itoa(i)})
					o.add(t, res, err)
				}()
			}
			close(start)
			wg.Wait()
			if n := o.checked.Load(); n > 5 || n == 0 {
				t.Fatalf("%d passwords checked, want 1 to 5", n)
			}
			if o.checked.Load()+o.locked.Load() != 41 {
				t.Fatalf("checked %d + refused %d != 41", o.checked.Load(), o.locked.Load())
			}
			if o.ok.Load() == 0 {
				// The right password was refused in the burst: the account
				// is now locked and the right password gets no token.
				if _, err := svc.Login(ctx, account.LoginRequest{Username: "zhao", Password: "Right-Pass-1",
					IP: "10.9.1.1"}); !apperr.Is(err, apperr.TooMany) {
					t.Fatalf("right password after the burst: %v, want 429", err)
				}
			}
			if res, err := db.VerifyAudit(ctx); err != nil || !res.OK() {
				t.Fatalf("chain: %+v %v", res, err)
			}
		})
	}
}

// TestLockoutByAddressUnderConcurrency: 1,000 tries from one address, each
// for another name, check at most the threshold.
func TestLockoutByAddressUnderConcurrency(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			_, svc, _, _ := setup(t, engine)
			var o outcomes
			var wg sync.WaitGroup
			sem := make(chan struct{}, 50)
			for i := range 1000 {
				wg.Add(1)
				sem <- struct{}{}
				go func() {
					defer func() { <-sem; wg.Done() }()
					res, err := svc.Login(ctx, account.LoginRequest{Username: "guess" + strconv.Itoa(i),
						Password: "Wrong-Pass-1", IP: "203.0.113.7"})
					o.add(t, res, err)
				}()
			}
			wg.Wait()
			if n := o.checked.Load(); n > 5 || n == 0 {
				t.Fatalf("%d passwords checked from one address, want 1 to 5", n)
			}
			if o.locked.Load()+o.checked.Load() != 1000 {
				t.Fatalf("refused %d + checked %d != 1000", o.locked.Load(), o.checked.Load())
			}
		})
	}
}

// TestSuccessGivesBackTheAddress: colleagues signing in from one address
// (an office behind NAT) do not use up the address's allowance.
func TestSuccessGivesBackTheAddress(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			_, svc, _, county := setup(t, engine)
			if _, err := svc.CreateUser(ctx, audit.System("test"), account.NewUser{Username: "qian", Role: auth.Staff,
				UnitID: county.ID, Password: "Right-Pass-1"}); err != nil {
				t.Fatal(err)
			}
			for i := range 12 {
				if _, err := svc.Login(ctx, account.LoginRequest{Username: "qian", Password: "Right-Pass-1",
					IP: "198.51.100.1"}); err != nil {
					t.Fatalf("sign-in %d: %v", i+1, err)
				}
			}
			// Four failures and the right password still get in.
			for range 4 {
				svc.Login(ctx, account.LoginRequest{Username: "nobody", Password: "x", IP: "198.51.100.1"})
			}
			if _, err := svc.Login(ctx, account.LoginRequest{Username: "qian", Password: "Right-Pass-1",
				IP: "198.51.100.1"}); err != nil {
				t.Fatalf("after 4 failures: %v", err)
			}
		})
	}
}
