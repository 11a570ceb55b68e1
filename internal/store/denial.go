package store

import (
	"context"
	"fmt"
	"time"
)

// CountDenial counts one denied access under key in the window of the
// given length that holds the store's now, and reports whether it is the
// first in that window: the caller then writes one access.denied audit
// record, and later tries only raise the count (issue 7).
func (tx *Tx) CountDenial(key string, window time.Duration) (first bool, err error) {
	now := tx.db.now()
	start := now.Truncate(window)
	var n int64
	err = tx.queryRow(`INSERT INTO access_denials (key, window_start, count, last_at, version, created_at, updated_at)
		VALUES (?, ?, 1, ?, 1, ?, ?)
		ON CONFLICT (key, window_start) DO UPDATE SET count = access_denials.count + 1, last_at = excluded.last_at,
			version = access_denials.version + 1, updated_at = excluded.updated_at
		RETURNING count`, key, start, now, now, now).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: count denial %s: %w", key, err)
	}
	return n == 1, nil
}

// Denial is the count of denied accesses under one key in one window.
type Denial struct {
	Key         string
	WindowStart time.Time
	Count       int64
	LastAt      time.Time
}

// Denials lists the counts whose key starts with prefix, newest window
// first (the auditor's view and tests).
func (db *DB) Denials(ctx context.Context, prefix string) ([]Denial, error) {
	rows, err := db.query(ctx, db.read, `SELECT key, window_start, count, last_at FROM access_denials
		WHERE key LIKE ? ESCAPE '\' ORDER BY window_start DESC, key`, likeEscape(prefix)+"%")
	if err != nil {
		return nil, fmt.Errorf("store: denials: %w", err)
	}
	defer rows.Close()
	var out []Denial
	for rows.Next() {
		var d Denial
		if err := rows.Scan(&d.Key, &d.WindowStart, &d.Count, &d.LastAt); err != nil {
			return nil, fmt.Errorf("store: denials: %w", err)
		}
		d.WindowStart, d.LastAt = d.WindowStart.UTC(), d.LastAt.UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

// DenialCount returns how many denied accesses were counted under key in
// the window starting at windowStart (0 when none).
func (db *DB) DenialCount(ctx context.Context, key string, windowStart time.Time) (int64, error) {
	var n int64
	err := db.queryRow(ctx, db.read, `SELECT COALESCE(SUM(count), 0) FROM access_denials WHERE key = ? AND window_start = ?`,
		key, windowStart.UTC()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: denial count %s: %w", key, err)
	}
	return n, nil
}
