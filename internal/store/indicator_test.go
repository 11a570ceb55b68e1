package store_test

import (
	"context"
	"testing"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/indicator"
	"github.com/luoshi/luoshi/internal/store"
)

func TestIndicatorsAllocationsValues(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		city, county := createUnits(t, db)
		p := samplePlan()
		mustTx(t, db, func(tx *store.Tx) error { return tx.CreatePlan(p) })

		inds, err := db.PlanIndicators(ctx, p.ID)
		if err != nil || len(inds) != 3 {
			t.Fatalf("indicators: %+v %v", inds, err)
		}
		// Headline targets first, with guessed kinds: enterprises are a
		// stock, money a flow with no lag, the platform target an increment.
		hte, rd, platforms := inds[0], inds[1], inds[2]
		if hte.Name != "高新技术企业" || hte.Kind != indicator.Stock || rd.Kind != indicator.Flow || rd.LagMonths != 3 ||
			platforms.TaskID == 0 || !platforms.Increment || rd.Comparator != ">" || hte.HasBase {
			t.Fatalf("indicators read back: %+v", inds)
		}

		// Settings are version-checked.
		hte.Base, hte.HasBase, hte.Aggregation = 120, true, indicator.Sum
		mustTx(t, db, func(tx *store.Tx) error { _, err := tx.UpdateIndicatorSettings(&hte); return err })
		stale := hte
		stale.Version--
		if err := db.InTx(ctx, func(tx *store.Tx) error { _, err := tx.UpdateIndicatorSettings(&stale); return err }); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("stale settings: %v, want conflict", err)
		}
		if got, _ := db.Indicator(ctx, hte.ID); got.Base != 120 || !got.HasBase || got.Version != 2 {
			t.Fatalf("after settings: %+v", got)
		}

		// Allocation: created, changed, stale change refused.
		a := indicator.Allocation{IndicatorID: hte.ID, UnitID: county.ID, Target: 60}
		mustTx(t, db, func(tx *store.Tx) error { _, err := tx.SetAllocation(&a); return err })
		twice := indicator.Allocation{IndicatorID: hte.ID, UnitID: county.ID, Target: 70}
		if err := db.InTx(ctx, func(tx *store.Tx) error { _, err := tx.SetAllocation(&twice); return err }); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("second new allocation: %v, want conflict", err)
		}
		a.Target = 65
		var prev *indicator.Allocation
		mustTx(t, db, func(tx *store.Tx) error { var err error; prev, err = tx.SetAllocation(&a); return err })
		if prev == nil || prev.Target != 60 || a.Version != 2 {
			t.Fatalf("allocation change: prev %+v now %+v", prev, a)
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.SetAllocation(&indicator.Allocation{IndicatorID: hte.ID, UnitID: county.ID, Target: -1, Version: 2})
			return err
		}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("negative allocation: %v", err)
		}

		// Values: a month of the plan's year; another year is refused.
		for _, v := range []indicator.Value{
			{IndicatorID: hte.ID, UnitID: county.ID, Period: indicator.Period{Year: 2024, Month: 3}, Value: 40, Source: indicator.SourceManual, EnteredBy: "staff"},
			{IndicatorID: hte.ID, UnitID: county.ID, Period: indicator.Period{Year: 2024, Month: 6}, Value: 50, Source: indicator.SourceReport, SourceRef: "report 7"},
			{IndicatorID: hte.ID, UnitID: county.ID, Period: indicator.Period{Year: 2024, Month: 9}, Value: 58, Source: indicator.SourceReport},
			{IndicatorID: rd.ID, UnitID: city.ID, Period: indicator.Period{Year: 2024, Month: 2}, Value: 3e8, Source: indicator.SourceManual},
		} {
			mustTx(t, db, func(tx *store.Tx) error { _, err := tx.SetIndicatorValue(&v); return err })
		}
		wrongYear := indicator.Value{IndicatorID: hte.ID, UnitID: county.ID, Period: indicator.Period{Year: 2023, Month: 3}, Value: 1, Source: indicator.SourceManual}
		err = db.InTx(ctx, func(tx *store.Tx) error { _, err := tx.SetIndicatorValue(&wrongYear); return err })
		if e := apperr.As(err); e == nil || e.Fields["period"] == "" {
			t.Fatalf("value outside the plan year: %v", err)
		}
		// A stale edit of a value is a conflict.
		v := indicator.Value{IndicatorID: hte.ID, UnitID: county.ID, Period: indicator.Period{Year: 2024, Month: 3}, Value: 41, Source: indicator.SourceManual, Version: 1}
		mustTx(t, db, func(tx *store.Tx) error { _, err := tx.SetIndicatorValue(&v); return err })
		v.Version = 1
		if err := db.InTx(ctx, func(tx *store.Tx) error { _, err := tx.SetIndicatorValue(&v); return err }); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("stale value: %v, want conflict", err)
		}

		latest, ok, err := db.LatestValuePeriod(ctx, p.ID)
		if err != nil || !ok || latest.String() != "2024-09" {
			t.Fatalf("latest period %v %v %v", latest, ok, err)
		}
		// June's dashboard: the county's June 50 of 65 against a stock line
		// from 0 (no unit base) — 50/65 = 0.769 ≥ 0.5: on track; the city
		// has no own row, so the sum of its units is 50, and 50/150 is
		// under the line from 120 to 150 (0.9): behind.
		in, err := db.DashboardInput(ctx, p.ID, indicator.Period{Year: 2024, Month: 6})
		if err != nil {
			t.Fatal(err)
		}
		if in.CityUnitID != city.ID || len(in.Values) != 3 || len(in.Allocations) != 1 {
			t.Fatalf("input: city %d, %d values, %d allocations", in.CityUnitID, len(in.Values), len(in.Allocations))
		}
		d := indicator.Build(in)
		c := d.Cards[0]
		if *c.City.Actual != 50 || c.City.Status != indicator.Behind || len(c.Units) != 1 || c.Units[0].Status != indicator.OnTrack ||
			c.Units[0].Provenance.SourceRef != "report 7" || c.Units[0].Provenance.AsOf != "2024-06-30" {
			t.Fatalf("card: %+v units %+v", c.City, c.Units)
		}
		if rdCard := d.Cards[1]; *rdCard.City.Actual != 3e8 || rdCard.City.Provenance.Source != indicator.SourceManual {
			t.Fatalf("city's own figure: %+v", rdCard.City)
		}
		all, err := db.ValuesOf(ctx, hte.ID)
		if err != nil || len(all) != 3 || all[0].Value != 41 || all[0].Version != 2 {
			t.Fatalf("values of hte: %+v %v", all, err)
		}
	})
}
