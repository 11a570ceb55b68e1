package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/luoshi/luoshi/internal/notify"
)

// Notification channels, the outbox and the inbox (issue 8, item 5).

const channelColumns = "c.id, c.unit_id, un.name, c.kind, c.name, c.target, c.secret, c.enabled, c.version"

func scanChannel(sc interface{ Scan(...any) error }) (notify.Channel, error) {
	var c notify.Channel
	err := sc.Scan(&c.ID, &c.UnitID, &c.UnitName, &c.Kind, &c.Name, &c.Target, &c.Secret, &c.Enabled, &c.Version)
	return c, err
}

// Channels lists the notification channels of one unit, or of all units
// when unitID is 0.
func (db *DB) Channels(ctx context.Context, unitID int64) ([]notify.Channel, error) {
	q := "SELECT " + channelColumns + " FROM notify_channels c JOIN units un ON un.id = c.unit_id"
	var args []any
	if unitID != 0 {
		q += " WHERE c.unit_id = ?"
		args = append(args, unitID)
	}
	rows, err := db.query(ctx, db.read, q+" ORDER BY un.sort, un.code, c.id", args...)
	if err != nil {
		return nil, fmt.Errorf("store: channels: %w", err)
	}
	defer rows.Close()
	var out []notify.Channel
	for rows.Next() {
		c, err := scanChannel(rows)
		if err != nil {
			return nil, fmt.Errorf("store: channels: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Channel reads one channel.
func (tx *Tx) Channel(id int64) (notify.Channel, error) {
	c, err := scanChannel(tx.queryRow("SELECT "+channelColumns+" FROM notify_channels c JOIN units un ON un.id = c.unit_id WHERE c.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, notFound("channel", id)
	}
	if err != nil {
		return c, fmt.Errorf("store: channel %d: %w", id, err)
	}
	return c, nil
}

// CreateChannel validates and inserts c.
func (tx *Tx) CreateChannel(c *notify.Channel) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if _, err := tx.Unit(c.UnitID); err != nil {
		return err
	}
	now := tx.db.now()
	id, err := tx.insert(`INSERT INTO notify_channels (unit_id, kind, name, target, secret, enabled, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)`, c.UnitID, string(c.Kind), c.Name, c.Target, c.Secret, c.Enabled, now, now)
	if err != nil {
		return fmt.Errorf("store: create channel: %w", err)
	}
	c.ID, c.Version = id, 1
	return nil
}

// UpdateChannel changes a channel, guarded by its version. An empty secret
// keeps the stored one (it is never shown back); keepSecret false with an
// empty secret clears it.
func (tx *Tx) UpdateChannel(c *notify.Channel, keepSecret bool) error {
	old, err := tx.Channel(c.ID)
	if err != nil {
		return err
	}
	if keepSecret && c.Secret == "" {
		c.Secret = old.Secret
	}
	c.UnitID = old.UnitID
	if err := c.Validate(); err != nil {
		return err
	}
	err = tx.update("channel", `UPDATE notify_channels SET kind = ?, name = ?, target = ?, secret = ?, enabled = ?,
		version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		string(c.Kind), c.Name, c.Target, c.Secret, c.Enabled, tx.db.now(), c.ID, c.Version)
	if err != nil {
		return err
	}
	c.Version++
	return nil
}

// DeleteChannel removes a channel and its outbox rows, guarded by version.
func (tx *Tx) DeleteChannel(id, version int64) error {
	return tx.update("channel", "DELETE FROM notify_channels WHERE id = ? AND version = ?", id, version)
}

// Notify queues ev in the caller's transaction: an inbox row for every
// active user of ev.UnitID and for ev.UserIDs, and an outbox row for every
// channel of the unit. Each row's key holds ev.Key, so queueing the same
// event again adds nothing.
func (tx *Tx) Notify(ev notify.Event) error {
	if ev.Key == "" || ev.Subject == "" {
		return errors.New("store: notify: an event needs a key and a subject")
	}
	now := tx.db.now()
	due := ev.DueAt
	if due.IsZero() {
		due = now
	}
	// The unit's users in one statement, then the users named.
	if ev.UnitID != 0 {
		_, err := tx.exec(`INSERT INTO inbox (user_id, idem_key, event, subject, body, link, version, created_at, updated_at)
			SELECT id, ?, ?, ?, ?, ?, 1, ?, ? FROM users WHERE unit_id = ? AND NOT disabled AND role IN ('staff','reporter','leader')
			ON CONFLICT (user_id, idem_key) DO NOTHING`, ev.Key, ev.Type, ev.Subject, ev.Body, ev.Link, now, now, ev.UnitID)
		if err != nil {
			return fmt.Errorf("store: notify %s: inbox: %w", ev.Key, err)
		}
	}
	for _, u := range ev.UserIDs {
		_, err := tx.exec(`INSERT INTO inbox (user_id, idem_key, event, subject, body, link, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (user_id, idem_key) DO NOTHING`,
			u, ev.Key, ev.Type, ev.Subject, ev.Body, ev.Link, now, now)
		if err != nil {
			return fmt.Errorf("store: notify %s: inbox: %w", ev.Key, err)
		}
	}
	if ev.UnitID == 0 {
		return nil
	}
	// The key names event, recipient unit and channel.
	_, err := tx.exec(`INSERT INTO outbox (idem_key, event, unit_id, channel_id, subject, body, link, status, due_at,
			attempts, last_error, claimed_by, version, created_at, updated_at)
		SELECT ? || '|u' || CAST(c.unit_id AS TEXT) || '|c' || CAST(c.id AS TEXT), ?, c.unit_id, c.id, ?, ?, ?, 'pending', ?, 0, '', '', 1, ?, ?
		FROM notify_channels c WHERE c.unit_id = ? AND c.enabled
		ON CONFLICT (idem_key) DO NOTHING`,
		ev.Key, ev.Type, ev.Subject, ev.Body, ev.Link, due, now, now, ev.UnitID)
	if err != nil {
		return fmt.Errorf("store: notify %s: outbox: %w", ev.Key, err)
	}
	return nil
}

// ClaimOutbox claims up to limit due rows for worker until now+lease, in one
// statement: on PostgreSQL the rows are picked FOR UPDATE SKIP LOCKED, so
// concurrent workers on several nodes never claim the same row; SQLite has
// one writer. A row whose lease ran out (its worker died) is claimed again.
func (db *DB) ClaimOutbox(ctx context.Context, worker string, now time.Time, lease time.Duration, limit int) ([]notify.Message, error) {
	var out []notify.Message
	err := db.InTx(ctx, func(tx *Tx) error {
		// On PostgreSQL the pick is a materialised CTE: an IN (subquery
		// LIMIT … SKIP LOCKED) may be run more than once by the planner and
		// then claim more rows than asked for.
		pick := `SELECT id FROM outbox WHERE status = 'pending' AND due_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)
			ORDER BY due_at, id LIMIT ?`
		q := `UPDATE outbox SET claimed_by = ?, claimed_until = ?, updated_at = ?
			WHERE id IN (` + pick + `) AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < ?) RETURNING id`
		args := []any{worker, now.Add(lease), now, now, now, limit, now}
		if db.dialect.name() == "postgres" {
			q = `WITH picked AS MATERIALIZED (` + pick + ` FOR UPDATE SKIP LOCKED)
				UPDATE outbox SET claimed_by = ?, claimed_until = ?, updated_at = ? FROM picked
				WHERE outbox.id = picked.id RETURNING outbox.id`
			args = []any{now, now, limit, worker, now.Add(lease), now}
		}
		rows, err := tx.tx.QueryContext(ctx, db.dialect.rebind(q), args...)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(ids) == 0 {
			return err
		}
		in, args := inList("o.id", ids)
		rows, err = tx.tx.QueryContext(ctx, db.dialect.rebind(`SELECT o.id, c.kind, c.target, c.secret, c.enabled, o.subject, o.body,
			o.link, o.attempts FROM outbox o JOIN notify_channels c ON c.id = o.channel_id
			WHERE o.claimed_by = ? AND `+in+` ORDER BY o.due_at, o.id`), append([]any{worker}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m notify.Message
			var enabled bool
			if err := rows.Scan(&m.ID, &m.Kind, &m.Target, &m.Secret, &enabled, &m.Subject, &m.Body, &m.Link, &m.Attempts); err != nil {
				return err
			}
			m.Disabled = !enabled
			out = append(out, m)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim outbox: %w", err)
	}
	return out, nil
}

// MarkSent records that worker sent row id. A row the worker no longer
// holds (its lease ran out and another worker took it) is an error.
func (db *DB) MarkSent(ctx context.Context, id int64, worker string, now time.Time) error {
	return db.outboxUpdate(ctx, id, worker, `UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1,
		last_error = '', claimed_by = '', claimed_until = NULL, version = version + 1, updated_at = ?
		WHERE id = ? AND claimed_by = ? AND status = 'pending'`, now, now, id, worker)
}

// MarkRetry records a failed attempt: due again at next, or failed.
func (db *DB) MarkRetry(ctx context.Context, id int64, worker string, now time.Time, errText string, next time.Time, final bool) error {
	status := "pending"
	if final {
		status = "failed"
	}
	return db.outboxUpdate(ctx, id, worker, `UPDATE outbox SET status = ?, due_at = ?, attempts = attempts + 1, last_error = ?,
		claimed_by = '', claimed_until = NULL, version = version + 1, updated_at = ?
		WHERE id = ? AND claimed_by = ? AND status = 'pending'`, status, next, errText, now, id, worker)
}

func (db *DB) outboxUpdate(ctx context.Context, id int64, worker, q string, args ...any) error {
	res, err := db.write.ExecContext(ctx, db.dialect.rebind(q), args...)
	if err != nil {
		return fmt.Errorf("store: outbox %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: outbox %d: no longer claimed by %s", id, worker)
	}
	return nil
}

// ReleaseOutbox gives back rows worker claimed but did not try.
func (db *DB) ReleaseOutbox(ctx context.Context, ids []int64, worker string) error {
	if len(ids) == 0 {
		return nil
	}
	in, args := inList("id", ids)
	_, err := db.write.ExecContext(ctx, db.dialect.rebind(`UPDATE outbox SET claimed_by = '', claimed_until = NULL
		WHERE claimed_by = ? AND status = 'pending' AND `+in), append([]any{worker}, args...)...)
	if err != nil {
		return fmt.Errorf("store: release outbox: %w", err)
	}
	return nil
}

// OutboxRow is an outbox row as staff see it.
type OutboxRow struct {
	ID        int64        `json:"id"`
	Event     string       `json:"event"`
	UnitName  string       `json:"unit_name"`
	Kind      notify.Kind  `json:"kind"`
	Channel   string       `json:"channel"`
	Subject   string       `json:"subject"`
	Status    string       `json:"status"`
	DueAt     time.Time    `json:"due_at"`
	SentAt    sql.NullTime `json:"-"`
	Sent      *time.Time   `json:"sent_at,omitempty"`
	Attempts  int          `json:"attempts"`
	LastError string       `json:"last_error"`
	CreatedAt time.Time    `json:"created_at"`
}

// OutboxRows lists the newest outbox rows, optionally of one status.
func (db *DB) OutboxRows(ctx context.Context, status string, limit int) ([]OutboxRow, error) {
	q := `SELECT o.id, o.event, un.name, c.kind, c.name, o.subject, o.status, o.due_at, o.sent_at, o.attempts, o.last_error, o.created_at
		FROM outbox o JOIN notify_channels c ON c.id = o.channel_id JOIN units un ON un.id = o.unit_id`
	var args []any
	if status != "" {
		q += " WHERE o.status = ?"
		args = append(args, status)
	}
	rows, err := db.query(ctx, db.read, q+" ORDER BY o.id DESC LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: outbox rows: %w", err)
	}
	defer rows.Close()
	var out []OutboxRow
	for rows.Next() {
		var r OutboxRow
		if err := rows.Scan(&r.ID, &r.Event, &r.UnitName, &r.Kind, &r.Channel, &r.Subject, &r.Status, &r.DueAt, &r.SentAt,
			&r.Attempts, &r.LastError, &r.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: outbox rows: %w", err)
		}
		if r.SentAt.Valid {
			t := r.SentAt.Time
			r.Sent = &t
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// InboxItem is one message of a user's inbox.
type InboxItem struct {
	ID        int64     `json:"id"`
	Event     string    `json:"event"`
	Subject   string    `json:"subject"`
	Body      string    `json:"body"`
	Link      string    `json:"link"`
	Read      bool      `json:"read"`
	CreatedAt time.Time `json:"created_at"`
}

// Inbox lists a user's messages, newest first.
func (db *DB) Inbox(ctx context.Context, userID int64, limit int) ([]InboxItem, error) {
	rows, err := db.query(ctx, db.read, `SELECT id, event, subject, body, link, read_at IS NOT NULL, created_at FROM inbox
		WHERE user_id = ? ORDER BY id DESC LIMIT ?`, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: inbox: %w", err)
	}
	defer rows.Close()
	out := []InboxItem{}
	for rows.Next() {
		var m InboxItem
		if err := rows.Scan(&m.ID, &m.Event, &m.Subject, &m.Body, &m.Link, &m.Read, &m.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: inbox: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// UnreadCount counts a user's unread messages (the header badge).
func (db *DB) UnreadCount(ctx context.Context, userID int64) (int, error) {
	var n int
	err := db.queryRow(ctx, db.read, "SELECT COUNT(*) FROM inbox WHERE user_id = ? AND read_at IS NULL", userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: unread: %w", err)
	}
	return n, nil
}

// MarkRead marks one of the user's messages read (id 0: all of them).
// Another user's message is not found.
func (tx *Tx) MarkRead(userID, id int64) (InboxItem, error) {
	now := tx.db.now()
	if id == 0 {
		_, err := tx.exec("UPDATE inbox SET read_at = ?, version = version + 1, updated_at = ? WHERE user_id = ? AND read_at IS NULL",
			now, now, userID)
		return InboxItem{}, err
	}
	var m InboxItem
	err := tx.queryRow(`SELECT id, event, subject, body, link, read_at IS NOT NULL, created_at FROM inbox WHERE id = ? AND user_id = ?`,
		id, userID).Scan(&m.ID, &m.Event, &m.Subject, &m.Body, &m.Link, &m.Read, &m.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return m, notFound("inbox message", id)
	}
	if err != nil {
		return m, fmt.Errorf("store: inbox %d: %w", id, err)
	}
	if !m.Read {
		if _, err := tx.exec("UPDATE inbox SET read_at = ?, version = version + 1, updated_at = ? WHERE id = ?", now, now, id); err != nil {
			return m, fmt.Errorf("store: inbox %d: %w", id, err)
		}
		m.Read = true
	}
	return m, nil
}
