package store

import (
	"context"
	"time"

	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/bulletin"
	"github.com/luoshi/luoshi/internal/indicator"
	"github.com/luoshi/luoshi/internal/period"
)

// MissingReports lists, for the bulletin of month p, each item a unit owes
// a report on and has not submitted after the deadline ("missing"), or
// submitted after it ("late"), judged now by the plan's reporting rules. A
// quarterly plan is judged on the quarter that contains the month.
func (db *DB) MissingReports(ctx context.Context, planID int64, p indicator.Period) ([]bulletin.Missing, error) {
	rules, _, err := db.PlanRules(ctx, planID)
	if err != nil {
		return nil, err
	}
	per := rules.Of(time.Date(p.Year, time.Month(p.Month), 1, 0, 0, 0, 0, time.UTC))
	rows, err := db.Sheet(ctx, auth.Everything, planID, per.Key(), nil)
	if err != nil {
		return nil, err
	}
	now := db.now()
	var out []bulletin.Missing
	for _, r := range rows {
		var submitted time.Time
		if r.Report.ID != 0 && r.Report.SubmittedAt != nil {
			submitted = *r.Report.SubmittedAt
		}
		status := ""
		switch rules.Judge(per, submitted, now, period.China) {
		case period.Missing:
			status = "missing"
		case period.Late:
			status = "late"
		default:
			continue
		}
		title := r.Assignment.Title
		if r.Assignment.TaskTitle != "" && r.Assignment.TaskTitle != title {
			title = r.Assignment.TaskTitle + " · " + title
		}
		out = append(out, bulletin.Missing{UnitID: r.UnitID, UnitName: r.UnitName, TaskID: r.Assignment.TaskID, Task: title, Status: status})
	}
	return out, nil
}
