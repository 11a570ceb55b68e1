package scale_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/indicator"
	"github.com/luoshi/luoshi/internal/registry"
	"github.com/luoshi/luoshi/internal/scale"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/testenv"
)

var kinds = []registry.QueryKind{registry.HTEValid, registry.TSMERegistered, registry.ContractValue, registry.PlatformsNew}

func open(t testing.TB, dsn string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

func syntheticPlan(t testing.TB, db *store.DB) int64 {
	t.Helper()
	plans, err := db.Plans(context.Background(), auth.Everything)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range plans {
		if p.Title == scale.PlanTitle {
			return p.ID
		}
	}
	t.Fatal("no synthetic plan")
	return 0
}

// Scale 1 on both engines: the counts, the plan, and the dashboard's
// registry figures equal to plain SQL over the raw tables for every unit
// and month.
func TestGenerate(t *testing.T) {
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db := open(t, testenv.DSN(t, engine))
			res, err := scale.Generate(ctx, db, scale.Options{Scale: 1, Year: 2023})
			if err != nil {
				t.Fatal(err)
			}
			if res.Units != 8 || res.Enterprises != 5000 || res.Contracts != 10000 || res.Platforms != 200 || res.Qualifications < 1000 {
				t.Fatalf("generated %+v", res)
			}
			if _, err := scale.Generate(ctx, db, scale.Options{Scale: 1}); !apperr.Is(err, apperr.Conflict) {
				t.Errorf("a second generation: %v", err)
			}
			if _, err := scale.Generate(ctx, db, scale.Options{Scale: 0}); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("scale 0: %v", err)
			}
			units, _ := db.Units(ctx)
			raw, err := scale.RawFigures(ctx, db, kinds, 2023, 12)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range kinds {
				fast, err := db.MonthlySeries(ctx, k, 2023, 12)
				if err != nil {
					t.Fatal(err)
				}
				a, b := scale.Rollup(units, fast, 12), scale.Rollup(units, raw[k], 12)
				if !reflect.DeepEqual(a, b) {
					t.Errorf("%s: aggregates and raw SQL differ", k)
				}
			}
			planID := syntheticPlan(t, db)
			d, _, err := indicator.Compute(ctx, db, planID, 2023, "2023-12", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Cards) != 4 {
				t.Fatalf("%d cards", len(d.Cards))
			}
			root, _ := db.RootUnit(ctx)
			for i, c := range d.Cards {
				if len(c.Units) != 8 || c.City.Actual == nil {
					t.Fatalf("%s: %d unit rows", c.Name, len(c.Units))
				}
				want := scale.Rollup(units, raw[kinds[i]], 12)[root.ID][11]
				if *c.City.Actual != float64(want) || *c.City.Actual == 0 {
					t.Errorf("%s: city %v, raw %d", c.Name, *c.City.Actual, want)
				}
			}
		})
	}
}

// BenchmarkDashboardScale measures, per engine, the dashboard's computation
// for the synthetic plan (maintained aggregates) next to the plain SQL
// aggregation over the raw tables for the same numbers, and the process's
// peak memory. It generates scale $LUOSHI_BENCH_SCALE (default 1), or reuses
// databases made by `luoshi demo generate` named by $LUOSHI_BENCH_SQLITE and
// $LUOSHI_BENCH_POSTGRES. bench/dashboard.sh runs it at scale 100.
func BenchmarkDashboardScale(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("LUOSHI_BENCH_SCALE"))
	if n == 0 {
		n = 1
	}
	for _, engine := range testenv.Engines {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			dsn := os.Getenv("LUOSHI_BENCH_" + strings.ToUpper(engine))
			var db *store.DB
			if dsn != "" {
				db = open(b, dsn)
			} else {
				if engine == "sqlite" {
					dsn = filepath.Join(b.TempDir(), "scale.db")
				} else {
					dsn = testenv.DSN(b, engine)
				}
				db = open(b, dsn)
				if _, err := scale.Generate(ctx, db, scale.Options{Scale: n, Year: 2023}); err != nil {
					b.Fatal(err)
				}
			}
			planID := syntheticPlan(b, db)
			units, _ := db.Units(ctx)
			b.Run("dashboard", func(b *testing.B) {
				for b.Loop() {
					if _, _, err := indicator.Compute(ctx, db, planID, 2023, "2023-12", time.Now()); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(units)), "units")
				b.ReportMetric(peakRSS(), "peak-RSS-MB")
			})
			b.Run("raw-sql", func(b *testing.B) {
				for b.Loop() {
					raw, err := scale.RawFigures(ctx, db, kinds, 2023, 12)
					if err != nil {
						b.Fatal(err)
					}
					for _, k := range kinds {
						scale.Rollup(units, raw[k], 12)
					}
				}
				b.ReportMetric(peakRSS(), "peak-RSS-MB")
			})
		})
	}
}

// peakRSS reads the process's high-water resident memory in MB (Linux).
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(rest), "%f", &kb)
			return kb / 1024
		}
	}
	return 0
}
