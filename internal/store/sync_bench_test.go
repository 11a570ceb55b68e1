package store_test

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/store"
)

// BenchmarkSQLiteSynchronous measures one small committed write (an audit
// record, as every change writes) with synchronous=FULL, the default since
// issue 7, against NORMAL:
//
//	go test -run '^$' -bench SQLiteSynchronous -benchtime 300x ./internal/store
func BenchmarkSQLiteSynchronous(b *testing.B) {
	for _, mode := range []string{"NORMAL", "FULL"} {
		b.Run(mode, func(b *testing.B) {
			store.SetSQLiteSynchronous(mode)
			defer store.SetSQLiteSynchronous("FULL")
			ctx := context.Background()
			db, err := store.Open(ctx, filepath.Join(b.TempDir(), "sync.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx); err != nil {
				b.Fatal(err)
			}
			i := 0
			for b.Loop() {
				i++
				err := db.InTx(ctx, func(tx *store.Tx) error {
					return tx.Audit(audit.System("bench").New(audit.PlanUpdated, "plan", strconv.Itoa(i), nil, nil))
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
