package store_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/store"
)

// BenchmarkVerifyAudit measures checking a 10,000-record chain on SQLite,
// the work the auditor's page does on each view:
// go test -run '^$' -bench VerifyAudit ./internal/store
func BenchmarkVerifyAudit(b *testing.B) {
	db := openDB(b, "sqlite")
	ctx := context.Background()
	src := audit.System("bench")
	for i := 0; i < 100; i++ {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for j := 0; j < 100; j++ {
				e := src.New(audit.PlanUpdated, "plan", strconv.Itoa(i*100+j), map[string]int{"v": j}, map[string]int{"v": j + 1})
				if err := tx.Audit(e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		res, err := db.VerifyAudit(ctx)
		if err != nil || !res.OK() || res.Checked != 10000 {
			b.Fatalf("%+v %v", res, err)
		}
	}
}
