package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/registry"
	"github.com/luoshi/luoshi/internal/store"
)

// BenchmarkRegistryImport imports 5,000 enterprises from .xlsx into an
// empty SQLite database (read, check, write with history, one audit
// entry), then the same file again (5,000 unchanged).
func BenchmarkRegistryImport(b *testing.B) {
	for _, again := range []bool{false, true} {
		name := "new"
		if again {
			name = "unchanged"
		}
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				db := openDB(b, "sqlite")
				city, county := createUnits(b, db)
				data := xlsxOf(b, registry.Enterprises, sampleEnterprises(5000, city, county))
				if again {
					if _, _, err := importFile(b, db, registry.Enterprises, "e.xlsx", data); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				tbl, err := registry.ReadTable("e.xlsx", data, 0)
				if err != nil {
					b.Fatal(err)
				}
				batch, err := registry.Enterprises.Prepare(tbl, regEnv(b, db))
				if err != nil {
					b.Fatal(err)
				}
				sum, err := db.ImportBatch(context.Background(), batch, auth.Everything, audit.System("bench"), store.ImportOptions{})
				if err != nil || sum.Read != 5000 {
					b.Fatal(sum, err)
				}
			}
		})
	}
}

// BenchmarkRegistryExport writes 5,000 enterprises to .xlsx (streaming).
func BenchmarkRegistryExport(b *testing.B) {
	db := openDB(b, "sqlite")
	city, county := createUnits(b, db)
	if _, _, err := importFile(b, db, registry.Enterprises, "e.xlsx", xlsxOf(b, registry.Enterprises, sampleEnterprises(5000, city, county))); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if n := len(exportAll(b, db, registry.Enterprises, false)); n == 0 {
			b.Fatal(fmt.Sprint(n))
		}
	}
}
