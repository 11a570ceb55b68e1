package store

import "context"

// ExecForTest runs a statement on the write connection, bypassing the
// store's API: tests use it to tamper with the audit log as someone with
// direct database access would.
func (db *DB) ExecForTest(ctx context.Context, query string, args ...any) error {
	_, err := db.write.ExecContext(ctx, db.dialect.rebind(query), args...)
	return err
}
