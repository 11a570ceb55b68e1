package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/demo"
	"github.com/luoshi/luoshi/internal/registry"
	"github.com/luoshi/luoshi/internal/store"
	"github.com/luoshi/luoshi/internal/testenv"
)

// TestLoadRegistry: the synthetic registries are loaded once, with valid
// USCCs spread over the units, and the plan's headline indicators are
// bound to registry queries by their names.
func TestLoadRegistry(t *testing.T) {
	auth.DefaultHashParams = auth.HashParams{Memory: 1024, Time: 1, Threads: 1}
	for _, engine := range testenv.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(ctx, testenv.DSN(t, engine))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			res, err := demo.Load(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			reg, err := demo.LoadRegistry(ctx, db)
			if err != nil || !reg.Loaded || reg.Counts["enterprises"] < 300 || reg.Counts["contracts"] < 300 || reg.Counts["platforms"] < 50 {
				t.Fatalf("registry: %+v %v", reg, err)
			}
			recs, _, err := db.Records(ctx, auth.Everything, registry.Enterprises, registry.Filter{Limit: registry.MaxList})
			if err != nil {
				t.Fatal(err)
			}
			units := map[int64]int{}
			for _, r := range recs {
				if err := registry.CheckUSCC(r.V("uscc")); err != nil {
					t.Fatalf("%s: %v", r.V("uscc"), err)
				}
				units[r.UnitID]++
			}
			if len(units) < 6 {
				t.Fatalf("enterprises in only %d units", len(units))
			}
			p, _ := db.Plan(ctx, auth.Everything, res.PlanID)
			binds, _ := db.IndicatorBindings(ctx, res.PlanID)
			want := map[string]registry.QueryKind{"国家高新技术企业": registry.HTEValid, "入库备案国家科技型中小企业": registry.TSMERegistered,
				"技术合同认定登记额": registry.ContractValue}
			for _, tg := range p.Targets {
				if q, ok := want[tg.Name]; ok && binds[tg.ID].Query != q {
					t.Errorf("%s bound to %q, want %s", tg.Name, binds[tg.ID].Query, q)
				}
				if tg.Name == "全社会研发投入" && binds[tg.ID].Query != "" {
					t.Errorf("R&D spending bound to %s", binds[tg.ID].Query)
				}
			}
			hte, err := registry.Compute(ctx, db, registry.HTEValid, 0, time.Date(p.Year, 12, 31, 0, 0, 0, 0, time.UTC))
			if err != nil || hte.Value < 100 || hte.Value > 300 {
				t.Fatalf("HTE at year end: %+v %v", hte, err)
			}
			t.Logf("%+v; HTE %d", reg, hte.Value)
			// Loaded once only.
			if again, err := demo.LoadRegistry(ctx, db); err != nil || again.Loaded {
				t.Fatalf("second load: %+v %v", again, err)
			}
		})
	}
}
