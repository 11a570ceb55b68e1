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
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/testenv"
)

// outcomes counts the answers of a burst of sign-ins.
type outcomes struct {
	checked, ok, locked, other atomic.Int64
}

func (o *outcomes) add(t *testing.T, res *account.LoginResult, err error) {
	switch {
	case err == nil:
		o.checked.Add(1)
		o.ok.Add(1)
	case apperr.Is(err, apperr.Unauthenticated):
		o.checked.Add(1)
	case apperr.Is(err, apperr.TooMany):
		o.locked.Add(1)
	default:
		o.other.Add(1)
		t.Errorf("unexpected error: %v", err)
	}
}

// createStaff creates a staff account of unit whose password is
// Right-Pass-1.
func createStaff(t *testing.T, svc *account.Service, unit org.Unit, username string) {
	t.Helper()
	if _, err := svc.CreateUser(context.Background(), audit.System("test"), account.NewUser{Username: username,
		Role: auth.Staff, UnitID: unit.ID, Password: "Right-Pass-1"}); err != nil {
		t.Fatal(err)
	}
}

// TestLockoutUnderConcurrency: a burst of 40 parallel wrong passwords for
// one account checks at most the threshold; the rest are refused before any
// hashing, and the right password then gets no token (issue 7, item 1).
func TestLockoutUnderConcurrency(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db, svc, _, county := setup(t, engine)
			createStaff(t, svc, county, "zhao")
			burst := func(right int) *outcomes {
				var o outcomes
				var wg sync.WaitGroup
				start := make(chan struct{})
				for i := range 40 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						pw := "Wrong-Pass-" + strconv.Itoa(i)
						if i == right {
							pw = "Right-Pass-1"
						}
						<-start
						// Each from its own address: only the account's
						// count can stop them.
						res, err := svc.Login(ctx, account.LoginRequest{Username: "zhao", Password: pw, Kind: "api",
							IP: "10.9." + strconv.Itoa(right+1) + "." + strconv.Itoa(i)})
						o.add(t, res, err)
					}()
				}
				close(start)
				wg.Wait()
				return &o
			}
			o := burst(-1)
			if n := o.checked.Load(); n != 5 || o.locked.Load() != 35 {
				t.Fatalf("%d passwords checked and %d refused, want 5 and 35", n, o.locked.Load())
			}
			// Locked: a burst with the right password in it checks nothing
			// and signs nobody in.
			o = burst(20)
			if o.checked.Load() != 0 || o.ok.Load() != 0 || o.locked.Load() != 40 {
				t.Fatalf("burst on a locked account: %d checked, %d signed in", o.checked.Load(), o.ok.Load())
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
			createStaff(t, svc, county, "qian")
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

// TestParallelRightPasswords: a burst of right passwords for one account
// from one address (an office behind NAT) all sign in: their checks in
// flight fill the allowance only for a moment, and each success gives its
// place back.
func TestParallelRightPasswords(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			_, svc, _, county := setup(t, engine)
			createStaff(t, svc, county, "sun")
			var o outcomes
			var wg sync.WaitGroup
			for range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					res, err := svc.Login(ctx, account.LoginRequest{Username: "sun", Password: "Right-Pass-1", IP: "198.51.100.9"})
					o.add(t, res, err)
				}()
			}
			wg.Wait()
			if o.ok.Load() != 16 {
				t.Fatalf("%d of 16 signed in (%d refused)", o.ok.Load(), o.locked.Load())
			}
		})
	}
}
