// Package testenv gives tests the outside services they need: a fresh
// PostgreSQL database and a headless Chromium. Each helper skips the test
// when the service is missing on a developer's machine and fails it in CI,
// where every test must run.
package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// InCI reports whether the tests run in CI (the environment variable CI is
// not empty).
func InCI() bool {
	return os.Getenv("CI") != ""
}

// skipOrFail skips t outside CI and fails it in CI, where a missing service
// is a broken setup and not a reason to skip.
func skipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	if InCI() {
		t.Fatalf("in CI this test must run: "+format, args...)
	}
	t.Skipf(format, args...)
}

// Engines are the two stores every store test runs on.
var Engines = []string{"sqlite", "postgres"}

// DSN returns where a test's fresh database lives on engine: a SQLite file
// in the test's temporary folder, or a new PostgreSQL database.
func DSN(t testing.TB, engine string) string {
	t.Helper()
	if engine == "postgres" {
		return PostgresURL(t)
	}
	return filepath.Join(t.TempDir(), "luoshi.db")
}
