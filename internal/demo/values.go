package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/luoshi/luoshi/internal/indicator"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/plan"
	"github.com/luoshi/luoshi/internal/store"
)

// demoLabel marks every synthetic figure, in its provenance.
const demoLabel = "演示数据"

// valueMonths is how far into the plan's year the synthetic figures go: to
// last month in the current year, to October of a past year (so that the
// dashboard shows a year in progress, with units ahead and behind).
func valueMonths(year int, now time.Time) int {
	switch {
	case year < now.Year():
		return 10
	case year > now.Year():
		return 0
	}
	return int(now.Month()) - 1
}

// loadValues allocates the plan's headline targets to the counties,
// districts and parks and gives each a synthetic monthly series, some ahead
// of time progress and some behind. Deterministic: the same demo every
// start.
func loadValues(tx *store.Tx, p *plan.Plan, unitIDs []int64, weights []float64, now time.Time) error {
	months := valueMonths(p.Year, now)
	rng := rand.New(rand.NewPCG(2023, 6))
	for _, t := range p.Targets {
		ind, err := tx.Indicator(t.ID)
		if err != nil {
			return err
		}
		stock := ind.Kind == indicator.Stock && !ind.Increment
		var cityBase float64
		// Shares rounded as a table shows them; the first unit takes the
		// rounding so that the allocation adds up to the city target.
		shares := make([]float64, len(unitIDs))
		var allocated float64
		for i := range unitIDs {
			shares[i] = round(t.Value*weights[i], ind.Unit)
			allocated += shares[i]
		}
		if len(shares) > 0 {
			shares[0] += t.Value - allocated
		}
		for i, unitID := range unitIDs {
			share := shares[i]
			a := indicator.Allocation{IndicatorID: t.ID, UnitID: unitID, Target: share}
			var base float64
			if stock {
				base = round(share*(0.78+0.1*rng.Float64()), ind.Unit)
				a.Base = &base
				cityBase += base
			}
			if _, err := tx.SetAllocation(&a); err != nil {
				return fmt.Errorf("demo: allocate %s: %w", t.Name, err)
			}
			// A unit's pace: from well behind to ahead of the year.
			pace := 0.7 + 0.45*rng.Float64()
			for m := 1; m <= months-ind.LagMonths; m++ {
				expected := share * float64(m) / 12
				if stock {
					expected = base + (share-base)*float64(m)/12
				}
				wobble := 1 + 0.06*(rng.Float64()-0.5)
				v := indicator.Value{IndicatorID: t.ID, UnitID: unitID, Period: indicator.Period{Year: p.Year, Month: m},
					Value: round(expected*pace*wobble, ind.Unit), Source: indicator.SourceDemo, SourceRef: demoLabel,
					EnteredBy: demoLabel}
				if stock {
					// A level does not fall below last year's by much.
					v.Value = math.Max(v.Value, round(base*0.97, ind.Unit))
				}
				if _, err := tx.SetIndicatorValue(&v); err != nil {
					return fmt.Errorf("demo: value of %s: %w", t.Name, err)
				}
			}
		}
		if stock {
			ind.Base, ind.HasBase = cityBase, true
			if _, err := tx.UpdateIndicatorSettings(&ind); err != nil {
				return err
			}
		}
	}
	return nil
}

// round keeps counts whole and money in whole ten-thousands of yuan (万元),
// as the bureau's tables show them.
func round(v float64, unit string) float64 {
	if unit == "元" {
		return math.Round(v/1e4) * 1e4
	}
	return math.Round(v)
}

// reportingUnits are the demo units that report figures, with their share of
// the city's targets: counties and districts by size, parks smaller.
func reportingUnits(ids map[string]int64) ([]int64, []float64) {
	var out []int64
	var weights []float64
	var sum float64
	for _, s := range units {
		var w float64
		switch s.kind {
		case org.County:
			w = 3
		case org.District:
			w = 2.5
		case org.Park:
			w = 1.5
		default:
			continue
		}
		out = append(out, ids[s.code])
		weights = append(weights, w)
		sum += w
	}
	for i := range weights {
		weights[i] /= sum
	}
	return out, weights
}
