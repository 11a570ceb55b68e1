package store

import (
	"context"
	"fmt"

	"github.com/luoshi/luoshi/internal/apperr"

	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/period"
	"github.com/luoshi/luoshi/internal/report"
)

// SheetRow is one item due from one unit for one period: what the unit
// leads, its report for the period (ID 0 when nothing was saved yet) and
// its report of the period before, to carry forward.
type SheetRow struct {
	Assignment report.Assignment `json:"assignment"`
	UnitID     int64             `json:"unit_id"`
	UnitName   string            `json:"unit_name"`
	Report     report.Report     `json:"report"`
	// Values are the indicators the row asks for, with the value saved in
	// this period's report (nil when none).
	Values   []report.Value `json:"values"`
	Previous *report.Report `json:"previous,omitempty"`
}

// Key names the row in forms: unit, task and measure.
func (r *SheetRow) Key() string { return fmt.Sprintf("u%d-%s", r.UnitID, r.Assignment.Key()) }

// Sheet lists everything due for periodKey from the given units (all lead
// units when units is empty) on a plan, in plan order: each task a unit
// leads, or for a key item with measures each measure (a measure without
// units of its own is its key item's lead's). An item reported 已完成 and
// approved in an earlier period is no longer due. A task's indicators are
// asked for on its row; a key item's on the row of its first measure.
//
// This is the unit's monthly screen, the reviewer's queue and the basis
// of the missing-report lists (rows with Report.ID 0 or status draft).
func (db *DB) Sheet(ctx context.Context, scope auth.Scope, planID int64, periodKey string, units []int64) ([]SheetRow, error) {
	p, err := period.Parse(periodKey)
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "%s", err.Error())
	}
	list, err := db.Assignments(ctx, scope, AssignmentFilter{PlanID: planID, Units: units, LeadOnly: true})
	if err != nil {
		return nil, err
	}
	want := map[int64]bool{}
	for _, u := range units {
		want[u] = true
	}
	unitOK := func(u int64) bool { return (len(units) == 0 || want[u]) && scope.Has(u) }
	hasMeasures := map[int64]bool{}
	var taskIDs []int64
	for _, a := range list {
		if a.MeasureID != 0 {
			hasMeasures[a.TaskID] = true
		} else {
			taskIDs = append(taskIDs, a.TaskID)
		}
	}
	indicators, err := db.TaskIndicators(ctx, taskIDs)
	if err != nil {
		return nil, err
	}
	current, err := db.Reports(ctx, scope, ReportFilter{PlanID: planID, Period: periodKey, WithDetails: true})
	if err != nil {
		return nil, err
	}
	byKey := map[string]report.Report{}
	for _, r := range current {
		byKey[sheetKey(r.UnitID, r.TaskID, r.MeasureID)] = r
	}
	previous, err := db.Reports(ctx, scope, ReportFilter{PlanID: planID, Period: p.Prev().Key(), WithDetails: true})
	if err != nil {
		return nil, err
	}
	prevByKey := map[string]report.Report{}
	for _, r := range previous {
		prevByKey[sheetKey(r.UnitID, r.TaskID, r.MeasureID)] = r
	}
	done, err := db.doneBefore(ctx, planID, periodKey)
	if err != nil {
		return nil, err
	}
	var out []SheetRow
	valuesGiven := map[string]bool{} // unit/task: indicators already on a row
	for _, a := range list {
		if a.MeasureID == 0 && hasMeasures[a.TaskID] {
			continue
		}
		for _, u := range a.LeadUnits {
			if !unitOK(u.ID) {
				continue
			}
			k := sheetKey(u.ID, a.TaskID, a.MeasureID)
			r, has := byKey[k]
			if !has && done[k] {
				continue
			}
			row := SheetRow{Assignment: a, UnitID: u.ID, UnitName: u.Name, Report: r}
			if !has {
				row.Report = report.Report{PlanID: planID, TaskID: a.TaskID, MeasureID: a.MeasureID, UnitID: u.ID,
					UnitName: u.Name, Period: periodKey, Title: a.Title, State: report.NotStarted,
					Values: []report.Value{}, Files: []report.Evidence{}}
			}
			if prev, ok := prevByKey[k]; ok {
				row.Previous = &prev
				if !has {
					// Carried forward: last period's percent and state.
					row.Report.Percent, row.Report.State = prev.Percent, prev.State
				}
			}
			tk := fmt.Sprintf("%d/%d", u.ID, a.TaskID)
			if !valuesGiven[tk] {
				valuesGiven[tk] = true
				for _, ind := range indicators[a.TaskID] {
					v := ind
					for _, got := range row.Report.Values {
						if got.IndicatorID == ind.IndicatorID {
							v.Value = got.Value
						}
					}
					row.Values = append(row.Values, v)
				}
			}
			out = append(out, row)
		}
	}
	return out, nil
}

// sheetKey names a unit's item in Sheet's maps.
func sheetKey(unit, task, measure int64) string {
	return fmt.Sprintf("%d/%s", unit, report.ItemKey(task, measure))
}

// doneBefore returns the unit/item keys reported 已完成 and approved in a
// period before periodKey.
func (db *DB) doneBefore(ctx context.Context, planID int64, periodKey string) (map[string]bool, error) {
	rows, err := db.query(ctx, db.read, `SELECT unit_id, task_id, measure_id FROM reports
		WHERE plan_id = ? AND period < ? AND status = 'approved' AND state = 'done'`, planID, periodKey)
	if err != nil {
		return nil, fmt.Errorf("store: done reports: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var u, t, m int64
		if err := rows.Scan(&u, &t, &m); err != nil {
			return nil, err
		}
		out[sheetKey(u, t, m)] = true
	}
	return out, rows.Err()
}
