package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// PostgresEnv names the environment variable that holds the URL of the
// PostgreSQL server for tests, for example
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable. The user must be
// allowed to create and drop databases.
const PostgresEnv = "LUOSHI_TEST_POSTGRES"

// dbPrefix starts the name of every database that PostgresURL creates, so
// that a sweep can find the ones left behind by a killed test binary.
const dbPrefix = "luoshi_t_"

// staleAfter is the age after which a test database counts as left behind.
// No test run lasts that long (CI stops after 90 minutes).
const staleAfter = 3 * time.Hour

var (
	adminMu  sync.Mutex
	adminDBs = map[string]*sql.DB{} // by base URL
	dbSeq    atomic.Uint64
)

// PostgresURL returns the URL of a new, empty PostgreSQL database that only
// this test uses, and drops the database when the test ends.
//
// The server comes from $LUOSHI_TEST_POSTGRES. Without it the test is
// skipped, or fails in CI.
//
// Each test gets a whole database, created from template0, and not a schema
// in a shared one: migrations can then create extensions, types and
// functions, and leave the public schema as production has it, with no
// search_path tricks. It costs about 100-300 ms a test, which is fine for the
// store tests. The name holds the creation time, the process ID, a counter
// and random bytes, so parallel test binaries never collide; the first call
// in a process also drops databases that killed runs left behind.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		skipOrFail(t, "$%s is not set (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", PostgresEnv)
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("testenv: $%s must be a postgres:// URL, got %q", PostgresEnv, base)
	}

	admin, err := adminDB(base)
	if err != nil {
		t.Fatalf("testenv: connect to PostgreSQL at $%s: %v", PostgresEnv, err)
	}
	name := newDBName(time.Now())

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// template0 rather than template1: it never has connections, so parallel
	// CREATE DATABASE calls do not fail with "source database is being
	// accessed by other users", and it is empty whatever was put in template1.
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+quoteIdent(name)+" TEMPLATE template0 ENCODING 'UTF8'"); err != nil {
		t.Fatalf("testenv: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// FORCE ends the sessions that the test left open (a pool that was
		// not closed), which would otherwise make DROP fail.
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+quoteIdent(name)+" WITH (FORCE)"); err != nil {
			t.Errorf("testenv: drop database %s: %v", name, err)
		}
	})

	dbURL := *u
	dbURL.Path = "/" + name
	dbURL.RawPath = ""
	return dbURL.String()
}

// adminDB returns the shared connection pool to the base database. It is
// kept open for the life of the test binary; the first call also sweeps
// databases left behind.
func adminDB(base string) (*sql.DB, error) {
	adminMu.Lock()
	defer adminMu.Unlock()
	if db, ok := adminDBs[base]; ok {
		return db, nil
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	sweepStale(ctx, db, time.Now())
	adminDBs[base] = db
	return db, nil
}

// sweepStale drops test databases older than staleAfter. Errors are ignored:
// another binary may be dropping the same database at the same time.
func sweepStale(ctx context.Context, db *sql.DB, now time.Time) {
	rows, err := db.QueryContext(ctx, "SELECT datname FROM pg_database WHERE datname LIKE 'luoshi\\_t\\_%'")
	if err != nil {
		return
	}
	var stale []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) != nil {
			break
		}
		if created, ok := dbNameTime(name); ok && now.Sub(created) > staleAfter {
			stale = append(stale, name)
		}
	}
	rows.Close()
	for _, name := range stale {
		db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+quoteIdent(name)+" WITH (FORCE)")
	}
}

// newDBName returns luoshi_t_<unix seconds>_<pid>_<counter>_<random>.
func newDBName(now time.Time) string {
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s%d_%d_%d_%s", dbPrefix, now.Unix(), os.Getpid(), dbSeq.Add(1), hex.EncodeToString(b[:]))
}

// dbNameTime returns the creation time that newDBName put into name.
func dbNameTime(name string) (time.Time, bool) {
	rest, ok := strings.CutPrefix(name, dbPrefix)
	if !ok {
		return time.Time{}, false
	}
	secs, _, _ := strings.Cut(rest, "_")
	n, err := strconv.ParseInt(secs, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}

func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
