package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations of one engine, in order.
func migrations(engine string) ([]migration, error) {
	dir := path.Join("migrations", engine)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("store: migration %s: name must start with a number and _", e.Name())
		}
		body, err := fs.ReadFile(migrationFS, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// LatestVersion is the schema version this binary expects.
func (db *DB) LatestVersion() (int, error) {
	ms, err := migrations(db.dialect.name())
	if err != nil || len(ms) == 0 {
		return 0, err
	}
	return ms[len(ms)-1].version, nil
}

// SchemaVersion returns the highest applied migration, 0 on an empty database.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	if err := db.ensureMigrationTable(ctx); err != nil {
		return 0, err
	}
	var v int
	err := db.queryRow(ctx, db.read, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store: schema version: %w", err)
	}
	return v, nil
}

func (db *DB) ensureMigrationTable(ctx context.Context) error {
	// Read first: a read-only database (issue 7) refuses even CREATE TABLE
	// IF NOT EXISTS, and serve must still start on it to serve reads.
	var n int
	if db.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations").Scan(&n) == nil {
		return nil
	}
	_, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL)`)
	if err != nil {
		return fmt.Errorf("store: create schema_migrations: %w", err)
	}
	return nil
}

// Migrate applies the pending migrations, each in its own transaction, and
// returns the names applied. A migration is pending when it is not
// recorded, even below the highest applied version: branches take their
// own numbers and land in any order (a database at 0012 from one branch
// still needs 0008 and 0009 from another).
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	ms, err := migrations(db.dialect.name())
	if err != nil {
		return nil, err
	}
	if err := db.ensureMigrationTable(ctx); err != nil {
		return nil, err
	}
	done, err := db.appliedVersions(ctx)
	if err != nil {
		return nil, err
	}
	var applied []string
	for _, m := range ms {
		if done[m.version] {
			continue
		}
		err := db.InTx(ctx, func(tx *Tx) error {
			// PostgreSQL serialises concurrent migrators on this lock; SQLite
			// already holds the write lock (immediate transactions).
			if db.dialect.name() == "postgres" {
				if _, err := tx.exec("SELECT pg_advisory_xact_lock(4242)"); err != nil {
					return err
				}
				var done int
				if err := tx.queryRow("SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.version).Scan(&done); err != nil {
					return err
				}
				if done > 0 {
					return nil
				}
			}
			if _, err := tx.tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				m.version, m.name, db.now().Format("2006-01-02T15:04:05Z"))
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("store: migration %s: %w", m.name, err)
		}
		applied = append(applied, m.name)
	}
	return applied, nil
}

// CheckSchema returns an error unless the database is at the version this
// binary expects; serve refuses an old or newer schema.
func (db *DB) CheckSchema(ctx context.Context) error {
	ms, err := migrations(db.dialect.name())
	if err != nil {
		return err
	}
	if err := db.ensureMigrationTable(ctx); err != nil {
		return err
	}
	done, err := db.appliedVersions(ctx)
	if err != nil {
		return err
	}
	var missing []string
	for _, m := range ms {
		if !done[m.version] {
			missing = append(missing, m.name)
		}
	}
	got, want := 0, ms[len(ms)-1].version
	for v := range done {
		got = max(got, v)
	}
	if got != want || len(missing) > 0 {
		return fmt.Errorf("store: database schema is at version %d, this binary needs %d, missing %v (run `luoshi migrate`)",
			got, want, missing)
	}
	return nil
}

// appliedVersions reads the versions recorded in schema_migrations.
func (db *DB) appliedVersions(ctx context.Context) (map[int]bool, error) {
	done := map[int]bool{}
	rows, err := db.read.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("store: applied migrations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("store: applied migrations: %w", err)
		}
		done[v] = true
	}
	return done, rows.Err()
}
