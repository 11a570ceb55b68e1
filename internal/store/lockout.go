package store

import (
	"database/sql"
	"fmt"
	"time"
)

// Sign-in attempts are counted before the password is checked, not after
// (issue 7): a burst of parallel tries for one account or from one address
// used to pass the "is it locked?" read all at once and be checked in full.
// Now each attempt reserves a place in the counters of its keys inside one
// write transaction (rows locked on PostgreSQL, the single writer on
// SQLite); once a key holds threshold failures and attempts in flight, the
// next attempt is refused without any hashing.

// ReserveLogin counts one attempt against every key (account and address)
// unless one of them is locked or already holds threshold attempts in the
// window; then nothing is counted and it returns false with the time the
// refusal lasts until. Failures older than window, or a lock that has run
// out, start a new count.
func (tx *Tx) ReserveLogin(keys []string, now time.Time, threshold int, window time.Duration) (bool, time.Time, error) {
	type state struct {
		failures int
		first    time.Time
	}
	states := make([]state, len(keys))
	var until time.Time
	for i, key := range keys {
		// Make sure the row exists, so that it can be locked: a concurrent
		// insert of the same key waits for this one and does nothing.
		if _, err := tx.exec(`INSERT INTO login_failures (key, failures, first_at) VALUES (?, 0, ?)
			ON CONFLICT (key) DO NOTHING`, key, now); err != nil {
			return false, until, fmt.Errorf("store: reserve login %s: %w", key, err)
		}
		q := `SELECT failures, first_at, locked_until FROM login_failures WHERE key = ?`
		if tx.db.dialect.name() == "postgres" {
			q += ` FOR UPDATE`
		}
		var st state
		var locked sql.NullTime
		if err := tx.queryRow(q, key).Scan(&st.failures, &st.first, &locked); err != nil {
			return false, until, fmt.Errorf("store: reserve login %s: %w", key, err)
		}
		switch {
		case locked.Valid && locked.Time.After(now):
			until = later(until, locked.Time)
			continue
		case locked.Valid || now.Sub(st.first) > window:
			st = state{0, now}
		}
		if st.failures >= threshold {
			// Failures and checks in flight fill the allowance: refused as
			// if locked, for as long as the window lasts at most.
			until = later(until, st.first.Add(window))
		}
		states[i] = st
	}
	if !until.IsZero() {
		return false, until, nil
	}
	for i, key := range keys {
		if _, err := tx.exec(`UPDATE login_failures SET failures = ?, first_at = ?, locked_until = NULL WHERE key = ?`,
			states[i].failures+1, states[i].first, key); err != nil {
			return false, until, fmt.Errorf("store: reserve login %s: %w", key, err)
		}
	}
	return true, time.Time{}, nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// LoginFailed settles reserved attempts that failed: each key whose count
// has reached threshold is locked until now+lock. It returns the keys this
// call locked (each lock is reported once).
func (tx *Tx) LoginFailed(keys []string, now time.Time, threshold int, lock time.Duration) ([]string, error) {
	var locked []string
	for _, key := range keys {
		res, err := tx.exec(`UPDATE login_failures SET locked_until = ? WHERE key = ? AND failures >= ?
			AND (locked_until IS NULL OR locked_until <= ?)`, now.Add(lock), key, threshold, now)
		if err != nil {
			return nil, fmt.Errorf("store: lock %s: %w", key, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			locked = append(locked, key)
		}
	}
	return locked, nil
}

// ReleaseLogin gives back reserved attempts that were not failures: the
// address's place after a successful sign-in, every place when the check
// could not run (server busy).
func (tx *Tx) ReleaseLogin(keys []string) error {
	for _, key := range keys {
		if _, err := tx.exec(`UPDATE login_failures SET failures = failures - 1 WHERE key = ? AND failures > 0`, key); err != nil {
			return fmt.Errorf("store: release login %s: %w", key, err)
		}
	}
	return nil
}
