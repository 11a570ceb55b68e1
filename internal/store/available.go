package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	msqlite "modernc.org/sqlite"

	"github.com/luoshi/luoshi/internal/apperr"
)

// SQLite primary result codes that mean "not now" rather than "wrong":
// the file is locked past busy_timeout, read-only, out of space or
// unreachable.
const (
	sqliteBusy     = 5
	sqliteLocked   = 6
	sqliteReadOnly = 8
	sqliteIOErr    = 10
	sqliteFull     = 13
	sqliteCantOpen = 14
	sqliteProtocol = 15
)

// IsUnavailable reports whether err is the database failing rather than the
// request being wrong (issue 7): the server is unreachable or restarting,
// a connection broke, the database is read-only or its disk is full, or
// SQLite stayed busy past its timeout. Such a request may succeed later, so
// it answers 503, not 500, and a session is not thrown away for it.
func IsUnavailable(err error) bool {
	if err == nil || apperr.As(err) != nil {
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.EIO) || errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EROFS) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case strings.HasPrefix(pgErr.Code, "08"), // connection exception
			strings.HasPrefix(pgErr.Code, "53"),          // insufficient resources: disk full, out of memory, too many connections
			strings.HasPrefix(pgErr.Code, "57P"),         // operator intervention: shutdown, cannot connect now
			pgErr.Code == "25006",                        // read_only_sql_transaction
			pgErr.Code == "40001", pgErr.Code == "40P01", // serialization failure, deadlock
			pgErr.Code == "55P03": // lock_not_available
			return true
		}
		return false
	}
	var sqErr *msqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() & 0xff {
		case sqliteBusy, sqliteLocked, sqliteReadOnly, sqliteIOErr, sqliteFull, sqliteCantOpen, sqliteProtocol:
			return true
		}
		return false
	}
	// The pool was closed under us (shutdown), or pgx lost the connection
	// mid-query and says so only in text.
	msg := err.Error()
	return strings.Contains(msg, "sql: database is closed") || strings.Contains(msg, "conn closed")
}

// Unavailable returns err as an apperr.Unavailable error when
// IsUnavailable(err), and err unchanged otherwise. The web and API error
// adapters call it so that every handler gets the mapping.
func Unavailable(err error) error {
	if !IsUnavailable(err) {
		return err
	}
	return &apperr.Error{Code: apperr.Unavailable, Key: "err.unavailable", Message: apperr.MsgUnavailable, Err: err}
}

// healthProbeKey is the settings row CheckWrite rewrites.
const healthProbeKey = "health.write_probe"

// CheckWrite commits one small write (a settings row holding the time) and
// reports whether it failed: the database is read-only, its disk is full
// or it is locked past the timeout. /healthz and serve's start-up check use
// it (issue 7).
func (db *DB) CheckWrite(ctx context.Context) error {
	now := db.now()
	err := db.InTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(`INSERT INTO settings (key, value, version, updated_at) VALUES (?, ?, 1, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
			healthProbeKey, now.Format(time.RFC3339Nano), now)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: write check: %w", err)
	}
	return nil
}

// SetBusyTimeout changes how long SQLite's writer waits for a lock held by
// another process before it gives up with SQLITE_BUSY (10 s by default).
// It does nothing on PostgreSQL. Tests shorten it.
func (db *DB) SetBusyTimeout(ctx context.Context, d time.Duration) error {
	if db.dialect.name() != "sqlite" {
		return nil
	}
	_, err := db.write.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", d.Milliseconds()))
	return err
}

// SetReadOnly makes SQLite's writer refuse writes (PRAGMA query_only) as
// a read-only file does, with SQLITE_READONLY; false restores writes. It
// does nothing on PostgreSQL, where `ALTER DATABASE … SET
// default_transaction_read_only` is the switch. Tests of issue 7 use it, as
// root ignores a file's permissions.
func (db *DB) SetReadOnly(ctx context.Context, on bool) error {
	if db.dialect.name() != "sqlite" {
		return nil
	}
	v := 0
	if on {
		v = 1
	}
	_, err := db.write.ExecContext(ctx, fmt.Sprintf("PRAGMA query_only = %d", v))
	return err
}
