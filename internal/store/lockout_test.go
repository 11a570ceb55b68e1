package store_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/luoshi/luoshi/internal/store"
)

// TestReserveLogin: places are taken before checks, failures lock at the
// threshold, a success forgives the account and gives the address its
// place back, and places of checks that never ran are given back.
func TestReserveLogin(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		window := 15 * time.Minute
		keys := []string{"u:li", "ip:10.0.0.1"}
		reserve := func(keys []string, at time.Time) store.Reservation {
			t.Helper()
			var r store.Reservation
			mustTx(t, db, func(tx *store.Tx) (err error) { r, err = tx.ReserveLogin(keys, at, 3, window); return })
			return r
		}
		fail := func(keys []string, at time.Time) []string {
			t.Helper()
			var locked []string
			mustTx(t, db, func(tx *store.Tx) (err error) { locked, err = tx.LoginFailed(keys, at, 3, window); return })
			return locked
		}
		// Three places, then full (not locked: those checks may succeed).
		for i := range 3 {
			if r := reserve(keys, now); !r.OK {
				t.Fatalf("reservation %d refused: %+v", i+1, r)
			}
		}
		if r := reserve(keys, now); r.OK || !r.Full || !r.Until.Equal(now.Add(window)) {
			t.Fatalf("fourth reservation: %+v, want full until the window ends", r)
		}
		// One check never ran: its place comes back.
		mustTx(t, db, func(tx *store.Tx) error { return tx.ReleaseLogin(keys) })
		if r := reserve(keys, now); !r.OK {
			t.Fatalf("after a release: %+v", r)
		}
		// One succeeds: the account is forgiven, the address gets its
		// place back.
		mustTx(t, db, func(tx *store.Tx) error { return tx.LoginSucceeded(keys[0], keys[1]) })
		if r := reserve([]string{"u:other", keys[1]}, now); !r.OK {
			t.Fatalf("address after a success: %+v", r)
		}
		// Three failures settle: the third locks both keys, each reported once.
		if got := fail(keys, now); len(got) != 0 {
			t.Fatalf("first failure locked %v", got)
		}
		fail([]string{"u:other", keys[1]}, now)
		if got := fail(keys, now); !slices.Equal(got, []string{"ip:10.0.0.1"}) {
			t.Fatalf("third failure from the address locked %v, want the address", got)
		}
		if r := reserve([]string{"u:third", keys[1]}, now.Add(time.Minute)); r.OK || r.Full ||
			!r.Until.Equal(now.Add(window)) {
			t.Fatalf("locked address: %+v", r)
		}
		// After the lock a new count starts.
		if r := reserve(keys, now.Add(16*time.Minute)); !r.OK {
			t.Fatalf("after the lock: %+v", r)
		}
		// Failures older than the window do not add up.
		fresh := []string{"u:zhou", "ip:10.0.0.2"}
		for i := range 4 {
			at := now.Add(time.Duration(i) * 20 * time.Minute)
			if r := reserve(fresh, at); !r.OK {
				t.Fatalf("spread try %d: %+v", i+1, r)
			}
			if got := fail(fresh, at); len(got) != 0 {
				t.Fatalf("failures 20 minutes apart locked %v", got)
			}
		}
	})
}

// TestReserveLoginConcurrently: 30 parallel reservations on one key take
// exactly threshold places, on both engines.
func TestReserveLoginConcurrently(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		taken := 0
		var wg sync.WaitGroup
		for range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var r store.Reservation
				err := db.InTx(context.Background(), func(tx *store.Tx) (err error) {
					r, err = tx.ReserveLogin([]string{"u:wang"}, now, 5, 15*time.Minute)
					return
				})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if r.OK {
					taken++
				}
			}()
		}
		wg.Wait()
		if taken != 5 {
			t.Fatalf("%d places taken, want 5", taken)
		}
	})
}
