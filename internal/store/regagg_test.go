package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/registry"
	"github.com/luoshi/luoshi/internal/store"
)

func randDate(rng *rand.Rand, years ...int) string {
	y := years[rng.IntN(len(years))]
	d := time.Date(y, time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
	if rng.IntN(5) == 0 { // month ends matter to the rules: use them often
		d = time.Date(d.Year(), d.Month()+1, 0, 0, 0, 0, 0, time.UTC)
	}
	return d.Format(time.DateOnly)
}

// TestRegistryAggregatesMatchRaw writes registry records through SaveRecord
// — creations, then edits that move records between units and months,
// renew and revoke certificates, change levels — and checks that every
// registry query at every month end of the year, for every unit's subtree
// and the city, answers the same from the aggregates as from the raw
// tables; and that rebuilding the aggregates from scratch gives the same
// table. On SQLite and PostgreSQL.
func TestRegistryAggregatesMatchRaw(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		city, county := createUnits(t, db)
		park := org.Unit{Code: "park", Name: "示例园区", Kind: org.Park, ParentID: county.ID}
		mustTx(t, db, func(tx *store.Tx) error { return tx.CreateUnit(&park) })
		units := []org.Unit{city, county, park}
		rng := rand.New(rand.NewPCG(7, 11))
		save := func(k *registry.Kind, rec registry.Record) {
			t.Helper()
			mustTx(t, db, func(tx *store.Tx) error {
				_, err := tx.SaveRecord(k, rec, auth.Everything, audit.System("test"), 0)
				return err
			})
		}
		unitOf := func() org.Unit { return units[rng.IntN(len(units))] }
		for round := 0; round < 2; round++ { // round 1 edits what round 0 made
			for i := range 25 {
				u := unitOf()
				v := map[string]string{"uscc": uscc(i), "name": fmt.Sprintf("企业%d", i), "unit": u.Name}
				if rng.IntN(3) > 0 {
					v["hte_no"] = fmt.Sprintf("GR%d%02d%d", 2020+rng.IntN(4), i, round*rng.IntN(2))
					v["hte_issued"] = randDate(rng, 2020, 2021, 2022, 2023)
					if rng.IntN(4) == 0 {
						v["hte_revoked"] = randDate(rng, 2023)
					}
				}
				if rng.IntN(2) == 0 {
					v["tsme_no"], v["tsme_year"] = fmt.Sprintf("TS%d", i), fmt.Sprint(2022+rng.IntN(2))
				}
				save(registry.Enterprises, registry.Record{UnitID: u.ID, Values: v})
			}
			for i := range 30 {
				u := unitOf()
				cv := 10000 + rng.Int64N(5_000_000)
				save(registry.Contracts, registry.Record{UnitID: u.ID, Values: map[string]string{"reg_no": fmt.Sprintf("HT%03d", i),
					"name": "合同", "type": "技术开发", "seller": "卖方", "unit": u.Name, "buyer": "买方",
					"contract_value": fmt.Sprint(cv), "tech_value": fmt.Sprint(cv / 2), "registered_on": randDate(rng, 2022, 2023)}})
			}
			for i := range 12 {
				u := unitOf()
				save(registry.Platforms, registry.Record{UnitID: u.ID, Values: map[string]string{"name": fmt.Sprintf("平台%d", i),
					"kind": "重点实验室", "level": []string{"国家", "省", "市"}[rng.IntN(3)], "host": "依托", "unit": u.Name,
					"approved_on": randDate(rng, 2022, 2023)}})
			}
			for i := range 8 {
				u := unitOf()
				save(registry.Teams, registry.Record{UnitID: u.ID, Values: map[string]string{"name": fmt.Sprintf("团队%d", i),
					"leader": "带头人", "host": "依托", "unit": u.Name, "year": fmt.Sprint(2022 + rng.IntN(2))}})
			}
		}
		all, err := db.Units(ctx)
		if err != nil {
			t.Fatal(err)
		}
		scopes := [][]int64{nil}
		for _, u := range units {
			scopes = append(scopes, org.Subtree(all, u.ID), []int64{u.ID})
		}
		kinds := []registry.QueryKind{registry.HTEValid, registry.TSMERegistered, registry.ContractValue, registry.TechValue,
			registry.PlatformsNew, registry.TeamsNew}
		check := func(label string) int {
			nonzero := 0
			for m := 1; m <= 12; m++ {
				end := time.Date(2023, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
				for _, kind := range kinds {
					for _, sc := range scopes {
						q := registry.Query{Kind: kind, Units: sc, AsOf: end, From: "2023-01-01", To: end, Year: 2023}
						fast, err := db.RegistryAggregate(ctx, q)
						if err != nil {
							t.Fatal(err)
						}
						raw, err := db.RegistryAggregateRaw(ctx, q)
						if err != nil {
							t.Fatal(err)
						}
						if fast != raw {
							t.Errorf("%s: %s at %s over %v: aggregates %d, raw %d", label, kind, end, sc, fast, raw)
						}
						if raw != 0 {
							nonzero++
						}
					}
				}
			}
			return nonzero
		}
		if n := check("maintained"); n < 200 {
			t.Fatalf("only %d non-zero answers: the data do not exercise the queries", n)
		}
		// The monthly series the dashboard reads agree too.
		series, err := db.MonthlySeries(ctx, registry.HTEValid, 2023, 12)
		if err != nil {
			t.Fatal(err)
		}
		for m := 1; m <= 12; m++ {
			end := time.Date(2023, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
			raw, _ := db.RegistryAggregateRaw(ctx, registry.Query{Kind: registry.HTEValid, Units: []int64{park.ID}, AsOf: end})
			var got int64
			if s := series[park.ID]; s != nil {
				got = s[m-1]
			}
			if got != raw {
				t.Errorf("series of the park at %s: %d, raw %d", end, got, raw)
			}
		}
		before := dumpAggregates(t, db)
		if err := db.RebuildRegistryAggregates(ctx); err != nil {
			t.Fatal(err)
		}
		if after := dumpAggregates(t, db); !reflect.DeepEqual(before, after) {
			t.Errorf("rebuilt aggregates differ from the maintained ones:\nmaintained %v\nrebuilt    %v", before, after)
		}
		check("rebuilt")
	})
}

func dumpAggregates(t *testing.T, db *store.DB) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, kind := range []registry.QueryKind{registry.HTEValid, registry.TSMERegistered, registry.ContractValue,
		registry.TechValue, registry.PlatformsNew, registry.TeamsNew} {
		for y := 2022; y <= 2024; y++ {
			s, err := db.MonthlySeries(context.Background(), kind, y, 12)
			if err != nil {
				t.Fatal(err)
			}
			for unit, vals := range s {
				for m, v := range vals {
					if v != 0 {
						out[fmt.Sprintf("%s/%d/%d-%02d", kind, unit, y, m+1)] = v
					}
				}
			}
		}
	}
	return out
}
