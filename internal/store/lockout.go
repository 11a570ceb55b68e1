package store

import (
	"database/sql"
	"fmt"
	"time"
)

// Sign-in attempts are counted before the password is checked, not after
// (issue 7): a burst of parallel tries for one account or from one address
// used to pass the "is it locked?" read all at once and be checked in full.
// Now each attempt takes a place (pending) in the counters of its keys
// inside one write transaction (rows locked on PostgreSQL, the single
// writer on SQLite); while a key's failures and pending checks fill the
// threshold, the next attempt is refused without any hashing.

// Reservation is the outcome of ReserveLogin.
type Reservation struct {
	// OK: a place was taken in every key; check the password.
	OK bool
	// Full: refused only because checks in flight fill a key's allowance;
	// they may yet succeed and give their places back, so it is worth
	// asking again in a moment.
	Full bool
	// Until is when the refusal ends at the latest.
	Until time.Time
}

// ReserveLogin takes a place for one attempt in every key (account and
// address) unless one of them is locked or already full; then nothing is
// taken. Failures older than window, or a lock that has run out, start a
// new count.
func (tx *Tx) ReserveLogin(keys []string, now time.Time, threshold int, window time.Duration) (Reservation, error) {
	type state struct {
		failures, pending int
		first             time.Time
	}
	states := make([]state, len(keys))
	var res Reservation
	locked := false
	for i, key := range keys {
		// Make sure the row exists, so that it can be locked: a concurrent
		// insert of the same key waits for this one and does nothing.
		if _, err := tx.exec(`INSERT INTO login_failures (key, failures, pending, first_at) VALUES (?, 0, 0, ?)
			ON CONFLICT (key) DO NOTHING`, key, now); err != nil {
			return res, fmt.Errorf("store: reserve login %s: %w", key, err)
		}
		q := `SELECT failures, pending, first_at, locked_until FROM login_failures WHERE key = ?`
		if tx.db.dialect.name() == "postgres" {
			q += ` FOR UPDATE`
		}
		var st state
		var lockedUntil sql.NullTime
		if err := tx.queryRow(q, key).Scan(&st.failures, &st.pending, &st.first, &lockedUntil); err != nil {
			return res, fmt.Errorf("store: reserve login %s: %w", key, err)
		}
		switch {
		case lockedUntil.Valid && lockedUntil.Time.After(now):
			res.Until, locked = later(res.Until, lockedUntil.Time), true
			continue
		case lockedUntil.Valid:
			st.failures, st.first = 0, now
		case now.Sub(st.first) > window:
			// A new window; places still taken from the old one are let go
			// too, so that a crash mid-check cannot keep them forever.
			st = state{first: now}
		}
		if st.failures >= threshold {
			res.Until, locked = later(res.Until, st.first.Add(window)), true
		} else if st.failures+st.pending >= threshold {
			res.Until, res.Full = later(res.Until, st.first.Add(window)), true
		}
		states[i] = st
	}
	if locked {
		res.Full = false
	}
	if !res.Until.IsZero() {
		return res, nil
	}
	for i, key := range keys {
		if _, err := tx.exec(`UPDATE login_failures SET failures = ?, pending = ?, first_at = ?, locked_until = NULL
			WHERE key = ?`, states[i].failures, states[i].pending+1, states[i].first, key); err != nil {
			return res, fmt.Errorf("store: reserve login %s: %w", key, err)
		}
	}
	return Reservation{OK: true}, nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// givePlace is the SQL that frees one pending place.
const givePlace = `pending = CASE WHEN pending > 0 THEN pending - 1 ELSE 0 END`

// LoginFailed settles reserved attempts that failed: each counts as a
// failure, and a key whose failures reach threshold is locked until
// now+lock. It returns the keys this call locked (each lock is reported
// once).
func (tx *Tx) LoginFailed(keys []string, now time.Time, threshold int, lock time.Duration) ([]string, error) {
	var locked []string
	for _, key := range keys {
		if _, err := tx.exec(`UPDATE login_failures SET `+givePlace+`, failures = failures + 1 WHERE key = ?`, key); err != nil {
			return nil, fmt.Errorf("store: login failed %s: %w", key, err)
		}
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

// LoginSucceeded settles a reserved attempt that signed in: the account's
// failures are forgiven; the address keeps its failures (they may be other
// accounts') and only gets its place back, so colleagues behind one NAT
// signing in do not fill it.
func (tx *Tx) LoginSucceeded(accountKey, addressKey string) error {
	if _, err := tx.exec(`UPDATE login_failures SET `+givePlace+`, failures = 0, locked_until = NULL WHERE key = ?`,
		accountKey); err != nil {
		return fmt.Errorf("store: login succeeded %s: %w", accountKey, err)
	}
	return tx.ReleaseLogin([]string{addressKey})
}

// ReleaseLogin gives back reserved places of attempts whose password was
// not checked (server busy, request cancelled).
func (tx *Tx) ReleaseLogin(keys []string) error {
	for _, key := range keys {
		if _, err := tx.exec(`UPDATE login_failures SET `+givePlace+` WHERE key = ?`, key); err != nil {
			return fmt.Errorf("store: release login %s: %w", key, err)
		}
	}
	return nil
}
