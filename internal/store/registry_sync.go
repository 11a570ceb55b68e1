package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/indicator"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/registry"
)

// SyncThrough returns the last month whose registry figures a plan of
// year should hold on now: the current month within the year, December
// once it is over; ok is false before the year starts.
func SyncThrough(year int, now time.Time) (indicator.Period, bool) {
	switch {
	case now.Year() > year:
		return indicator.Period{Year: year, Month: 12}, true
	case now.Year() < year:
		return indicator.Period{}, false
	}
	return indicator.Period{Year: year, Month: int(now.Month())}, true
}

// SyncRegistryValues stores the registry-computed figures of a plan's bound
// indicators as indicator values (source registry, the query as source
// ref), for the city and each county, district and park, at the end of
// every month of the plan's year up to through (the current month as of
// today). Only figures that differ are written, in one transaction with
// one audit entry; the dashboard, bulletin and assessment then read them
// like any other value. It returns how many values it wrote.
func (db *DB) SyncRegistryValues(ctx context.Context, planID int64, through indicator.Period, src audit.Source) (int, error) {
	binds, err := db.IndicatorBindings(ctx, planID)
	if err != nil || len(binds) == 0 {
		return 0, err
	}
	var year int
	if err := db.queryRow(ctx, db.read, "SELECT year FROM plans WHERE id = ?", planID).Scan(&year); err != nil {
		return 0, fmt.Errorf("store: sync registry values: plan %d: %w", planID, err)
	}
	if through.Year != year || through.Month < 1 {
		return 0, nil
	}
	units, err := db.Units(ctx)
	if err != nil {
		return 0, err
	}
	root, err := db.RootUnit(ctx)
	if err != nil {
		return 0, err
	}
	targets := []org.Unit{root}
	for _, u := range units {
		if u.ID != root.ID && (u.Kind == org.County || u.Kind == org.District || u.Kind == org.Park) {
			targets = append(targets, u)
		}
	}
	have, err := db.IndicatorValues(ctx, planID, through)
	if err != nil {
		return 0, err
	}
	type key struct {
		ind, unit int64
		period    string
	}
	existing := map[key]indicator.Value{}
	for _, v := range have {
		existing[key{v.IndicatorID, v.UnitID, v.Period.String()}] = v
	}
	today := db.now()
	var writes []indicator.Value
	for indID, b := range binds {
		for m := 1; m <= through.Month; m++ {
			p := indicator.Period{Year: year, Month: m}
			asOf, _ := time.Parse(time.DateOnly, monthEnd(p))
			if asOf.After(today) {
				asOf = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
			}
			for _, u := range targets {
				res, err := registry.Compute(ctx, db, b.Query, u.ID, asOf)
				if err != nil {
					return 0, err
				}
				v := indicator.Value{IndicatorID: indID, UnitID: u.ID, Period: p, Value: float64(res.Value),
					Source: indicator.SourceRegistry, SourceRef: string(b.Query), EnteredBy: src.ActorName, AsOf: res.AsOf}
				old, ok := existing[key{indID, u.ID, p.String()}]
				if ok {
					if old.Value == v.Value && old.Source == v.Source && old.SourceRef == v.SourceRef && old.AsOf == v.AsOf {
						continue
					}
					v.Version = old.Version
				}
				writes = append(writes, v)
			}
		}
	}
	if len(writes) == 0 {
		return 0, nil
	}
	err = db.InTx(ctx, func(tx *Tx) error {
		for i := range writes {
			if _, err := tx.SetIndicatorValue(&writes[i]); err != nil {
				return fmt.Errorf("store: sync registry value of indicator %d: %w", writes[i].IndicatorID, err)
			}
		}
		return tx.Audit(src.New(audit.IndicatorComputed, "plan", strconv.FormatInt(planID, 10), nil,
			map[string]any{"values": len(writes), "through": through.String()}))
	})
	if err != nil {
		return 0, err
	}
	return len(writes), nil
}

// SyncAllRegistryValues runs SyncRegistryValues for every plan with bound
// indicators, through the current month of its year (registries changed:
// an import, an edit).
func (db *DB) SyncAllRegistryValues(ctx context.Context, src audit.Source) (int, error) {
	rows, err := db.query(ctx, db.read, `SELECT DISTINCT p.id, p.year FROM plans p JOIN indicators i ON i.plan_id = p.id
		JOIN indicator_bindings b ON b.indicator_id = i.id ORDER BY p.id`)
	if err != nil {
		return 0, fmt.Errorf("store: plans with bindings: %w", err)
	}
	type py struct {
		id   int64
		year int
	}
	var plans []py
	for rows.Next() {
		var p py
		if err := rows.Scan(&p.id, &p.year); err != nil {
			rows.Close()
			return 0, err
		}
		plans = append(plans, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	total := 0
	for _, p := range plans {
		through, ok := SyncThrough(p.year, db.now())
		if !ok {
			continue
		}
		n, err := db.SyncRegistryValues(ctx, p.id, through, src)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}
