package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/indicator"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/registry"
)

const indicatorColumns = `id, plan_id, COALESCE(task_id, 0), name, unit, display, source, comparator, increment,
	target_value, base_value, kind, lag_months, aggregation, version`

func scanIndicator(sc interface{ Scan(...any) error }) (indicator.Indicator, error) {
	var ind indicator.Indicator
	var base sql.NullFloat64
	err := sc.Scan(&ind.ID, &ind.PlanID, &ind.TaskID, &ind.Name, &ind.Unit, &ind.Display, &ind.Source, &ind.Comparator,
		&ind.Increment, &ind.Target, &base, &ind.Kind, &ind.LagMonths, &ind.Aggregation, &ind.Version)
	if base.Valid {
		ind.Base, ind.HasBase = base.Float64, true
	}
	return ind, err
}

// PlanIndicators lists a plan's indicators, headline targets first, in
// document order. Only the bureau's roles read indicators across units, so
// there is no scope: the caller checks the role.
func (db *DB) PlanIndicators(ctx context.Context, planID int64) ([]indicator.Indicator, error) {
	rows, err := db.query(ctx, db.read, `SELECT `+indicatorColumns+` FROM indicators WHERE plan_id = ?
		ORDER BY CASE WHEN task_id IS NULL THEN 0 ELSE 1 END, sort, id`, planID)
	if err != nil {
		return nil, fmt.Errorf("store: indicators of plan %d: %w", planID, err)
	}
	defer rows.Close()
	var out []indicator.Indicator
	for rows.Next() {
		ind, err := scanIndicator(rows)
		if err != nil {
			return nil, fmt.Errorf("store: indicators of plan %d: %w", planID, err)
		}
		out = append(out, ind)
	}
	return out, rows.Err()
}

// Indicator reads one indicator.
func (db *DB) Indicator(ctx context.Context, id int64) (indicator.Indicator, error) {
	ind, err := scanIndicator(db.queryRow(ctx, db.read, `SELECT `+indicatorColumns+` FROM indicators WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return ind, notFound("indicator", id)
	}
	if err != nil {
		return ind, fmt.Errorf("store: indicator %d: %w", id, err)
	}
	return ind, nil
}

// Indicator reads one indicator inside the transaction.
func (tx *Tx) Indicator(id int64) (indicator.Indicator, error) {
	ind, err := scanIndicator(tx.queryRow(`SELECT `+indicatorColumns+` FROM indicators WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return ind, notFound("indicator", id)
	}
	if err != nil {
		return ind, fmt.Errorf("store: indicator %d: %w", id, err)
	}
	return ind, nil
}

// UpdateIndicatorSettings saves kind, base, lag and aggregation, guarded by
// the version ind was read at. It returns the row as it was before.
func (tx *Tx) UpdateIndicatorSettings(ind *indicator.Indicator) (indicator.Indicator, error) {
	before, err := tx.Indicator(ind.ID)
	if err != nil {
		return before, err
	}
	if err := ind.Spec.Validate(); err != nil {
		return before, apperr.WithFields("指标设置有误", map[string]string{"kind": err.Error()})
	}
	var base any
	if ind.HasBase {
		base = ind.Base
	}
	err = tx.update("indicator", `UPDATE indicators SET kind = ?, base_value = ?, lag_months = ?, aggregation = ?,
		version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		string(ind.Kind), base, ind.LagMonths, string(ind.Aggregation), tx.db.now(), ind.ID, ind.Version)
	if err != nil {
		return before, err
	}
	ind.Version++
	return before, nil
}

// Allocations lists the allocations of a plan's indicators.
func (db *DB) Allocations(ctx context.Context, planID int64) ([]indicator.Allocation, error) {
	rows, err := db.query(ctx, db.read, `SELECT a.indicator_id, a.unit_id, a.target_value, a.base_value, a.version
		FROM indicator_allocations a JOIN indicators i ON i.id = a.indicator_id WHERE i.plan_id = ?
		ORDER BY a.indicator_id, a.unit_id`, planID)
	if err != nil {
		return nil, fmt.Errorf("store: allocations of plan %d: %w", planID, err)
	}
	defer rows.Close()
	var out []indicator.Allocation
	for rows.Next() {
		var a indicator.Allocation
		var base sql.NullFloat64
		if err := rows.Scan(&a.IndicatorID, &a.UnitID, &a.Target, &base, &a.Version); err != nil {
			return nil, fmt.Errorf("store: allocations of plan %d: %w", planID, err)
		}
		if base.Valid {
			v := base.Float64
			a.Base = &v
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// SetAllocation creates a unit's share of an indicator (Version 0) or
// changes it, guarded by its version. It returns the previous row, nil for a
// new one.
func (tx *Tx) SetAllocation(a *indicator.Allocation) (*indicator.Allocation, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if _, err := tx.Indicator(a.IndicatorID); err != nil {
		return nil, err
	}
	var base any
	if a.Base != nil {
		base = *a.Base
	}
	now := tx.db.now()
	if a.Version == 0 {
		_, err := tx.insert(`INSERT INTO indicator_allocations (indicator_id, unit_id, target_value, base_value, version,
			created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)`, a.IndicatorID, a.UnitID, a.Target, base, now, now)
		if isUniqueViolation(err) {
			return nil, &apperr.Error{Code: apperr.Conflict, Key: "err.conflict",
				Message: "该单位的分解目标已被他人填写,请刷新后重试", Err: err}
		}
		if err != nil {
			return nil, fmt.Errorf("store: allocate indicator %d to unit %d: %w", a.IndicatorID, a.UnitID, err)
		}
		a.Version = 1
		return nil, nil
	}
	var prev indicator.Allocation
	var prevBase sql.NullFloat64
	err := tx.queryRow(`SELECT indicator_id, unit_id, target_value, base_value, version FROM indicator_allocations
		WHERE indicator_id = ? AND unit_id = ?`, a.IndicatorID, a.UnitID).Scan(&prev.IndicatorID, &prev.UnitID,
		&prev.Target, &prevBase, &prev.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("allocation", a.UnitID)
	}
	if err != nil {
		return nil, fmt.Errorf("store: allocation: %w", err)
	}
	if prevBase.Valid {
		v := prevBase.Float64
		prev.Base = &v
	}
	err = tx.update("allocation", `UPDATE indicator_allocations SET target_value = ?, base_value = ?, version = version + 1,
		updated_at = ? WHERE indicator_id = ? AND unit_id = ? AND version = ?`,
		a.Target, base, now, a.IndicatorID, a.UnitID, a.Version)
	if err != nil {
		return &prev, err
	}
	a.Version++
	return &prev, nil
}

// IndicatorValues lists the values of a plan's indicators in the months of
// year up to and including through.
func (db *DB) IndicatorValues(ctx context.Context, planID int64, through indicator.Period) ([]indicator.Value, error) {
	return db.indicatorValues(ctx, `i.plan_id = ? AND v.period >= ? AND v.period <= ?`,
		planID, fmt.Sprintf("%04d-01", through.Year), through.String())
}

// ValuesOf lists every value of one indicator, by unit and month.
func (db *DB) ValuesOf(ctx context.Context, indicatorID int64) ([]indicator.Value, error) {
	return db.indicatorValues(ctx, `v.indicator_id = ?`, indicatorID)
}

func (db *DB) indicatorValues(ctx context.Context, where string, args ...any) ([]indicator.Value, error) {
	rows, err := db.query(ctx, db.read, `SELECT v.indicator_id, v.unit_id, v.period, v.value, v.source, v.source_ref,
		v.entered_by, v.as_of, v.version FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id
		WHERE `+where+` ORDER BY v.indicator_id, v.period, v.unit_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: indicator values: %w", err)
	}
	defer rows.Close()
	var out []indicator.Value
	for rows.Next() {
		var v indicator.Value
		var period string
		if err := rows.Scan(&v.IndicatorID, &v.UnitID, &period, &v.Value, &v.Source, &v.SourceRef, &v.EnteredBy,
			&v.AsOf, &v.Version); err != nil {
			return nil, fmt.Errorf("store: indicator values: %w", err)
		}
		if v.Period, err = indicator.ParsePeriod(period); err != nil {
			return nil, fmt.Errorf("store: indicator value period %q: %w", period, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// SetIndicatorValue records a unit's figure for a month (Version 0) or
// changes it, guarded by its version. It returns the previous value, nil for
// a new one.
func (tx *Tx) SetIndicatorValue(v *indicator.Value) (*indicator.Value, error) {
	if err := v.Validate(); err != nil {
		return nil, err
	}
	ind, err := tx.Indicator(v.IndicatorID)
	if err != nil {
		return nil, err
	}
	if err := checkPeriodYear(tx, ind.PlanID, v.Period); err != nil {
		return nil, err
	}
	if v.AsOf == "" {
		v.AsOf = monthEnd(v.Period)
	}
	now := tx.db.now()
	if v.Version == 0 {
		_, err := tx.insert(`INSERT INTO indicator_values (indicator_id, unit_id, period, value, source, source_ref,
			entered_by, as_of, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
			v.IndicatorID, v.UnitID, v.Period.String(), v.Value, v.Source, v.SourceRef, v.EnteredBy, v.AsOf, now, now)
		if isUniqueViolation(err) {
			return nil, &apperr.Error{Code: apperr.Conflict, Key: "err.conflict",
				Message: "该单位该月的完成值已被他人填写,请刷新后重试", Err: err}
		}
		if err != nil {
			return nil, fmt.Errorf("store: indicator value: %w", err)
		}
		v.Version = 1
		return nil, nil
	}
	prev := indicator.Value{IndicatorID: v.IndicatorID, UnitID: v.UnitID, Period: v.Period}
	err = tx.queryRow(`SELECT value, source, source_ref, entered_by, as_of, version FROM indicator_values
		WHERE indicator_id = ? AND unit_id = ? AND period = ?`, v.IndicatorID, v.UnitID, v.Period.String()).Scan(
		&prev.Value, &prev.Source, &prev.SourceRef, &prev.EnteredBy, &prev.AsOf, &prev.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("indicator value", v.Period.String())
	}
	if err != nil {
		return nil, fmt.Errorf("store: indicator value: %w", err)
	}
	err = tx.update("indicator value", `UPDATE indicator_values SET value = ?, source = ?, source_ref = ?, entered_by = ?,
		as_of = ?, version = version + 1, updated_at = ? WHERE indicator_id = ? AND unit_id = ? AND period = ? AND version = ?`,
		v.Value, v.Source, v.SourceRef, v.EnteredBy, v.AsOf, now, v.IndicatorID, v.UnitID, v.Period.String(), v.Version)
	if err != nil {
		return &prev, err
	}
	v.Version++
	return &prev, nil
}

func checkPeriodYear(tx *Tx, planID int64, p indicator.Period) error {
	var year int
	if err := tx.queryRow(`SELECT year FROM plans WHERE id = ?`, planID).Scan(&year); err != nil {
		return fmt.Errorf("store: plan %d year: %w", planID, err)
	}
	if p.Year != year {
		return apperr.WithFields("完成值有误", map[string]string{"period": fmt.Sprintf("报告期须在计划年度 %d 年内", year)})
	}
	return nil
}

// monthEnd is the last day of p as YYYY-MM-DD (day 0 of the next month).
func monthEnd(p indicator.Period) string {
	return time.Date(p.Year, time.Month(p.Month)+1, 0, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// RootUnit returns the top of the unit tree (org.Root).
func (db *DB) RootUnit(ctx context.Context) (org.Unit, error) {
	units, err := db.Units(ctx)
	if err != nil {
		return org.Unit{}, err
	}
	root, ok := org.Root(units)
	if !ok {
		return root, notFound("unit", "root")
	}
	return root, nil
}

// LatestValuePeriod returns the latest month of a plan that has a value, or
// false when there is none.
func (db *DB) LatestValuePeriod(ctx context.Context, planID int64) (indicator.Period, bool, error) {
	var p sql.NullString
	err := db.queryRow(ctx, db.read, `SELECT MAX(v.period) FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id
		WHERE i.plan_id = ?`, planID).Scan(&p)
	if err != nil {
		return indicator.Period{}, false, fmt.Errorf("store: latest value period: %w", err)
	}
	if !p.Valid {
		return indicator.Period{}, false, nil
	}
	period, err := indicator.ParsePeriod(p.String)
	return period, err == nil, err
}

// DashboardInput gathers what indicator.Build needs for a plan and month.
func (db *DB) DashboardInput(ctx context.Context, planID int64, period indicator.Period) (indicator.Input, error) {
	in := indicator.Input{Period: period, Units: map[int64]indicator.UnitRef{}}
	units, err := db.Units(ctx)
	if err != nil {
		return in, err
	}
	for _, u := range units {
		in.Units[u.ID] = indicator.UnitRef{ID: u.ID, Name: u.Name, Sort: u.Sort}
	}
	if root, ok := org.Root(units); ok {
		in.CityUnitID = root.ID
	}
	if in.Indicators, err = db.PlanIndicators(ctx, planID); err != nil {
		return in, err
	}
	if in.Allocations, err = db.Allocations(ctx, planID); err != nil {
		return in, err
	}
	if in.Values, err = db.IndicatorValues(ctx, planID, period); err != nil {
		return in, err
	}
	bindings, err := db.IndicatorBindings(ctx, planID)
	if err != nil || len(bindings) == 0 {
		return in, err
	}
	return db.RegistryValues(ctx, in, units, bindings)
}

// RegistryValues replaces the values of in's indicators bound to a registry
// query by the query's answers at each month's end, for the city and for
// each unit given a share of the target (else each county, district and
// park), read from the maintained aggregates: one query per bound
// indicator.
func (db *DB) RegistryValues(ctx context.Context, in indicator.Input, units []org.Unit, bindings map[int64]registry.Binding) (indicator.Input, error) {
	kept := in.Values[:0:0]
	for _, v := range in.Values {
		if _, bound := bindings[v.IndicatorID]; !bound {
			kept = append(kept, v)
		}
	}
	in.Values = kept
	shares := map[int64][]int64{}
	for _, a := range in.Allocations {
		shares[a.IndicatorID] = append(shares[a.IndicatorID], a.UnitID)
	}
	var places []int64
	for _, u := range units {
		if u.Kind == org.County || u.Kind == org.District || u.Kind == org.Park {
			places = append(places, u.ID)
		}
	}
	children := map[int64][]int64{}
	for _, u := range units {
		children[u.ParentID] = append(children[u.ParentID], u.ID)
	}
	subtrees := map[int64][]int64{}
	subtree := func(id int64) []int64 {
		if s, ok := subtrees[id]; ok {
			return s
		}
		s := []int64{id}
		seen := map[int64]bool{id: true}
		for i := 0; i < len(s); i++ {
			for _, c := range children[s[i]] {
				if !seen[c] { // a cycle left by a bad import must not loop
					seen[c] = true
					s = append(s, c)
				}
			}
		}
		subtrees[id] = s
		return s
	}
	p := in.Period
	ends := make([]string, p.Month+1)
	for m := 1; m <= p.Month; m++ {
		ends[m] = monthEnd(indicator.Period{Year: p.Year, Month: m})
	}
	for _, ind := range in.Indicators {
		b, ok := bindings[ind.ID]
		if !ok {
			continue
		}
		series, err := db.MonthlySeries(ctx, b.Query, p.Year, p.Month)
		if err != nil {
			return in, err
		}
		title := string(b.Query)
		if info, ok := registry.QueryByKind(b.Query); ok {
			title = info.Title
		}
		targets := shares[ind.ID]
		if len(targets) == 0 {
			targets = places
		}
		emit := func(unitID int64, members []int64) {
			for m := 1; m <= p.Month; m++ {
				var sum int64
				for _, id := range members {
					if s := series[id]; s != nil {
						sum += s[m-1]
					}
				}
				per := indicator.Period{Year: p.Year, Month: m}
				in.Values = append(in.Values, indicator.Value{IndicatorID: ind.ID, UnitID: unitID, Period: per,
					Value: float64(sum), Source: indicator.SourceRegistry, SourceRef: title, AsOf: ends[m]})
			}
		}
		for _, unitID := range targets {
			if unitID != in.CityUnitID {
				emit(unitID, subtree(unitID))
			}
		}
		if in.CityUnitID != 0 {
			all := make([]int64, 0, len(series))
			for id := range series {
				all = append(all, id)
			}
			emit(in.CityUnitID, all)
		}
	}
	return in, nil
}
