package testenv

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

func openDB(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func dbName(t testing.TB, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(u.Path, "/")
}

func TestPostgresURL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var names []string

	t.Run("isolated", func(t *testing.T) {
		urlA, urlB := PostgresURL(t), PostgresURL(t)
		names = append(names, dbName(t, urlA), dbName(t, urlB))
		if names[0] == names[1] {
			t.Fatalf("both databases are named %s", names[0])
		}
		a, b := openDB(t, urlA), openDB(t, urlB)

		var got string
		if err := a.QueryRowContext(ctx, "SELECT current_database()").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != names[0] {
			t.Fatalf("current_database() = %s, want %s", got, names[0])
		}
		if _, err := a.ExecContext(ctx, "CREATE TABLE only_in_a (id bigint PRIMARY KEY)"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.ExecContext(ctx, "INSERT INTO only_in_a VALUES (1)"); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := a.QueryRowContext(ctx, "SELECT count(*) FROM only_in_a").Scan(&n); err != nil || n != 1 {
			t.Fatalf("count in a = %d, %v; want 1", n, err)
		}
		var reg sql.NullString
		if err := b.QueryRowContext(ctx, "SELECT to_regclass('only_in_a')::text").Scan(&reg); err != nil {
			t.Fatal(err)
		}
		if reg.Valid {
			t.Fatalf("table only_in_a is visible in the other database as %s", reg.String)
		}
		// An open pool must not keep the database from being dropped.
		if err := b.PingContext(ctx); err != nil {
			t.Fatal(err)
		}
	})
	if len(names) != 2 {
		t.Skip("no databases were created")
	}

	// The subtest's cleanups have run: both databases must be gone.
	admin, err := adminDB(os.Getenv(PostgresEnv))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		var exists bool
		if err := admin.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
			t.Fatal(err)
		}
		if exists {
			t.Errorf("database %s still exists after cleanup", name)
		}
	}
}

func TestDBName(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	a, b := newDBName(now), newDBName(now)
	if a == b {
		t.Fatalf("two names are equal: %s", a)
	}
	if len(a) > 63 {
		t.Fatalf("%s is longer than PostgreSQL's 63-byte identifiers", a)
	}
	got, ok := dbNameTime(a)
	if !ok || !got.Equal(now) {
		t.Fatalf("dbNameTime(%s) = %v, %v; want %v", a, got, ok, now)
	}
	for _, name := range []string{"test", "luoshi_t_x_1", "postgres"} {
		if _, ok := dbNameTime(name); ok {
			t.Errorf("dbNameTime(%s) found a time", name)
		}
	}
}

func TestSkipOrFail(t *testing.T) {
	t.Setenv(PostgresEnv, "")
	for _, ci := range []string{"", "true"} {
		t.Setenv("CI", ci)
		tb := &recorder{TB: t}
		func() {
			defer func() {
				if r := recover(); r != nil && r != errStop {
					panic(r)
				}
			}()
			PostgresURL(tb)
		}()
		if ci == "" && (!tb.skipped || tb.failed) {
			t.Errorf("outside CI: skipped %v, failed %v; want a skip", tb.skipped, tb.failed)
		}
		if ci != "" && (!tb.failed || tb.skipped) {
			t.Errorf("in CI: skipped %v, failed %v; want a failure", tb.skipped, tb.failed)
		}
	}
}

// recorder notes Skip and Fatal calls and panics with errStop instead of
// ending the test.
type recorder struct {
	testing.TB
	skipped, failed bool
}

var errStop = errors.New("stop")

func (r *recorder) Helper() {}

func (r *recorder) Skipf(string, ...any) {
	r.skipped = true
	panic(errStop)
}

func (r *recorder) Fatalf(string, ...any) {
	r.failed = true
	panic(errStop)
}
