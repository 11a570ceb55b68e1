package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"sync/atomic"
	"syscall"

	msqlite "modernc.org/sqlite"
)

// fault is an injected failure: while set, every SQLite operation fails
// with it. PostgreSQL tests fail the server for real (terminate the
// connections, refuse new ones); an embedded file has no such switch that
// works for root on open connections, hence this seam.
type fault struct{ err atomic.Pointer[error] }

func (f *fault) get() error {
	if p := f.err.Load(); p != nil {
		return *p
	}
	return nil
}

// ErrInjected is the failure InjectFault sets: an I/O error, as a failing
// disk gives.
var ErrInjected = fmt.Errorf("store: injected fault: %w", syscall.EIO)

// InjectFault makes every SQLite query, statement and transaction fail
// with ErrInjected until it is called with false (tests of issue 7: the
// database failing under signed-in users). It does nothing on PostgreSQL.
func (db *DB) InjectFault(on bool) {
	if db.fault == nil {
		return
	}
	if on {
		err := ErrInjected
		db.fault.err.Store(&err)
		return
	}
	db.fault.err.Store(nil)
}

// faultConnector opens SQLite connections that fail while a fault is set.
type faultConnector struct {
	dsn   string
	drv   *msqlite.Driver
	fault *fault
}

func (c *faultConnector) Connect(ctx context.Context) (driver.Conn, error) {
	if err := c.fault.get(); err != nil {
		return nil, err
	}
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &faultConn{Conn: conn, fault: c.fault}, nil
}

func (c *faultConnector) Driver() driver.Driver { return c.drv }

// faultConn forwards to the driver's connection, checking the fault first.
type faultConn struct {
	driver.Conn
	fault *fault
}

type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

func (c *faultConn) inner() sqliteConn { return c.Conn.(sqliteConn) }

func (c *faultConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if err := c.fault.get(); err != nil {
		return nil, err
	}
	return c.inner().BeginTx(ctx, opts)
}

func (c *faultConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := c.fault.get(); err != nil {
		return nil, err
	}
	return c.inner().PrepareContext(ctx, query)
}

func (c *faultConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := c.fault.get(); err != nil {
		return nil, err
	}
	return c.inner().ExecContext(ctx, query, args)
}

func (c *faultConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.fault.get(); err != nil {
		return nil, err
	}
	return c.inner().QueryContext(ctx, query, args)
}

func (c *faultConn) Ping(ctx context.Context) error {
	if err := c.fault.get(); err != nil {
		return err
	}
	return c.inner().Ping(ctx)
}

func (c *faultConn) ResetSession(ctx context.Context) error { return c.inner().ResetSession(ctx) }
func (c *faultConn) IsValid() bool                          { return c.inner().IsValid() }
