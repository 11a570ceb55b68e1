package store_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/luoshi/luoshi/internal/store"
)

// TestMigrateFillsGaps: a database that has a later migration but not an
// earlier one (branches land in any order) gets the earlier one applied.
func TestMigrateFillsGaps(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		want, err := db.Columns(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// Undo 0009 by hand, keeping the later migrations recorded.
		for _, q := range []string{"DROP TABLE supervision_files", "DROP TABLE supervision_trail", "DROP TABLE supervision_notices",
			"DROP TABLE inbox", "DROP TABLE outbox", "DROP TABLE notify_channels", "DELETE FROM schema_migrations WHERE version = 9"} {
			if err := db.ExecForTest(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		// serve refuses a database with a gap, not only one behind.
		if err := db.CheckSchema(ctx); err == nil || !strings.Contains(err.Error(), "0009_notify_supervision.sql") {
			t.Fatalf("CheckSchema with 0009 missing: %v", err)
		}
		applied, err := db.Migrate(ctx)
		if err != nil || len(applied) != 1 || applied[0] != "0009_notify_supervision.sql" {
			t.Fatalf("applied %v, %v; want only 0009", applied, err)
		}
		got, _ := db.Columns(ctx)
		if !reflect.DeepEqual(got, want) {
			t.Fatal("the schema differs after filling the gap")
		}
		if err := db.CheckSchema(ctx); err != nil {
			t.Fatalf("CheckSchema after filling the gap: %v", err)
		}
	})
}
