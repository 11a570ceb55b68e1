package supervision_test

import (
	"context"
	"testing"

	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/demo"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/supervision"
	"github.com/luoshi/luoshi/internal/testenv"
)

// BenchmarkWatchDemo builds the bureau's watch lists on the demo (SQLite):
// 17 work items and 10 key items over 13 units, five months of reports,
// every period of the year closed.
func BenchmarkWatchDemo(b *testing.B) {
	ctx := context.Background()
	db, err := store.Open(ctx, testenv.DSN(b, "sqlite"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := demo.Load(ctx, db); err != nil {
		b.Fatal(err)
	}
	svc := &supervision.Service{DB: db}
	b.ResetTimer()
	for range b.N {
		w, err := svc.Watch(ctx, auth.Everything, db.Now(), 30)
		if err != nil || len(w.Reports) == 0 {
			b.Fatalf("%v, %d report lines", err, len(w.Reports))
		}
	}
}
