// Package store keeps Luoshi's data in SQLite (embedded default) or
// PostgreSQL (production). One set of queries serves both; the differences
// live in dialect.go.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	msqlite "modernc.org/sqlite"       // also registers "sqlite"

	"github.com/luoshi/luoshi/internal/apperr"
)

// DB is an open store. SQLite gets one writer connection and a read pool;
// PostgreSQL uses one pool for both.
type DB struct {
	write   *sql.DB
	read    *sql.DB
	dialect dialect
	now     func() time.Time
	fault   *fault // SQLite only: InjectFault
	// auditKey keys the audit chain (SetAuditKey); nil: plain hashes.
	auditKey []byte
}

// Open opens the store named by dsn: a postgres:// or postgresql:// URL, or
// a file path for SQLite. It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db := &DB{now: func() time.Time { return time.Now().UTC() }}
	if IsPostgres(dsn) {
		pool, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		pool.SetMaxOpenConns(16)
		pool.SetMaxIdleConns(8)
		pool.SetConnMaxIdleTime(5 * time.Minute)
		db.write, db.read, db.dialect = pool, pool, postgres{}
	} else {
		if dsn == "" {
			return nil, errors.New("store: empty database path")
		}
		db.fault = &fault{}
		w := sql.OpenDB(&faultConnector{dsn: sqliteDSN(dsn, false), drv: &msqlite.Driver{}, fault: db.fault})
		w.SetMaxOpenConns(1)
		r := sql.OpenDB(&faultConnector{dsn: sqliteDSN(dsn, true), drv: &msqlite.Driver{}, fault: db.fault})
		r.SetMaxOpenConns(8)
		db.write, db.read, db.dialect = w, r, sqlite{}
	}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// sqliteSynchronous is the writer's synchronous setting; the benchmark
// switches it to compare.
var sqliteSynchronous = "FULL"

func sqliteDSN(path string, readOnly bool) string {
	// synchronous=FULL (issue 7): each commit is fsynced before it is
	// reported, so a power cut loses no acknowledged change; NORMAL could
	// lose the last commits. BenchmarkSQLiteSynchronous measures the cost.
	q := "?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(" + sqliteSynchronous +
		")&_time_format=sqlite&_txlock=immediate"
	if readOnly {
		q = "?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=query_only(1)&_time_format=sqlite"
	}
	return "file:" + path + q
}

// Engine names the engine: "sqlite" or "postgres".
func (db *DB) Engine() string { return db.dialect.name() }

// SetClock replaces the clock used for created/updated times (tests).
func (db *DB) SetClock(now func() time.Time) { db.now = func() time.Time { return now().UTC() } }

// Now returns the store's clock reading, in UTC.
func (db *DB) Now() time.Time { return db.now() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	var one int
	if err := db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Close closes both pools.
func (db *DB) Close() error {
	err := db.write.Close()
	if db.read != db.write {
		if e := db.read.Close(); err == nil {
			err = e
		}
	}
	return err
}

// queryer is what reads need: a pool or a transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Tx is a write transaction. Hooks added with AfterCommit run once it commits.
type Tx struct {
	tx      *sql.Tx
	db      *DB
	ctx     context.Context
	onAfter []func()
}

// AfterCommit queues fn to run after a successful commit (notifications).
func (tx *Tx) AfterCommit(fn func()) { tx.onAfter = append(tx.onAfter, fn) }

// DB returns the store the transaction belongs to.
func (tx *Tx) DB() *DB { return tx.db }

// InTx runs fn in one write transaction: commit when it returns nil, roll
// back otherwise (and on panic).
func (db *DB) InTx(ctx context.Context, fn func(*Tx) error) (err error) {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	tx := &Tx{tx: sqlTx, db: db, ctx: ctx}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqlTx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	for _, f := range tx.onAfter {
		f()
	}
	return nil
}

func (tx *Tx) exec(query string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(tx.ctx, tx.db.dialect.rebind(query), args...)
}

func (tx *Tx) queryRow(query string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(tx.ctx, tx.db.dialect.rebind(query), args...)
}

// insert runs an INSERT … RETURNING id and returns the new id.
func (tx *Tx) insert(query string, args ...any) (int64, error) {
	var id int64
	err := tx.queryRow(query+" RETURNING id", args...).Scan(&id)
	return id, err
}

// update runs an UPDATE guarded by a version and returns a conflict error
// when no row matched: someone else changed it first, or it is gone.
func (tx *Tx) update(what string, query string, args ...any) error {
	res, err := tx.exec(query, args...)
	if err != nil {
		return fmt.Errorf("store: update %s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: update %s: %w", what, err)
	}
	if n == 0 {
		return &apperr.Error{Code: apperr.Conflict, Key: "err.conflict",
			Message: "数据已被他人修改,请刷新后重试", Err: fmt.Errorf("store: update %s: version mismatch", what)}
	}
	return nil
}

func (db *DB) query(ctx context.Context, q queryer, query string, args ...any) (*sql.Rows, error) {
	return q.QueryContext(ctx, db.dialect.rebind(query), args...)
}

func (db *DB) queryRow(ctx context.Context, q queryer, query string, args ...any) *sql.Row {
	return q.QueryRowContext(ctx, db.dialect.rebind(query), args...)
}

func notFound(what string, id any) error {
	return &apperr.Error{Code: apperr.NotFound, Key: "err.not_found", Message: "未找到",
		Err: fmt.Errorf("store: %s %v not found", what, id)}
}
