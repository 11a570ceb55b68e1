package main

import (
	"context"
	"flag"

	"github.com/luoshi/luoshi/internal/store"
)

// dbFlag adds --db with its LUOSHI_DB fallback.
func dbFlag(fs *flag.FlagSet, getenv env) *string {
	return fs.String("db", getenv.or("LUOSHI_DB", "./luoshi.db"), "database: a SQLite file path or a postgres:// URL (env LUOSHI_DB)")
}

// openMigrated opens the store and applies pending migrations.
func openMigrated(ctx context.Context, dsn string) (*store.DB, []string, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, nil, err
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, applied, nil
}
