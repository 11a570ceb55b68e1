package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/indicator"
	"github.com/luoshi/luoshi/internal/period"
	"github.com/luoshi/luoshi/internal/report"
)

// reportColumns are read by scanReport, with the item's title.
const reportColumns = `r.id, r.plan_id, r.task_id, r.measure_id, r.unit_id, u.name, r.period,
	COALESCE(m.text, t.title), r.status, r.progress, r.percent, r.state, r.problems, r.next_steps, r.revision,
	r.submitted_at, r.submitted_by, r.reviewed_at, r.reviewed_by, r.review_comment, r.demo, r.version, r.updated_at`

const reportFrom = ` FROM reports r JOIN units u ON u.id = r.unit_id JOIN tasks t ON t.id = r.task_id
	LEFT JOIN measures m ON m.id = r.measure_id AND r.measure_id <> 0`

func scanReport(sc interface{ Scan(...any) error }) (report.Report, error) {
	var r report.Report
	var submitted, reviewed sql.NullTime
	err := sc.Scan(&r.ID, &r.PlanID, &r.TaskID, &r.MeasureID, &r.UnitID, &r.UnitName, &r.Period, &r.Title,
		&r.Status, &r.Progress, &r.Percent, &r.State, &r.Problems, &r.NextSteps, &r.Revision,
		&submitted, &r.SubmittedBy, &reviewed, &r.ReviewedBy, &r.ReviewComment, &r.Demo, &r.Version, &r.UpdatedAt)
	if submitted.Valid {
		t := submitted.Time.UTC()
		r.SubmittedAt = &t
	}
	if reviewed.Valid {
		t := reviewed.Time.UTC()
		r.ReviewedAt = &t
	}
	r.UpdatedAt = r.UpdatedAt.UTC()
	r.Values, r.Files = []report.Value{}, []report.Evidence{}
	return r, err
}

// unitInScope is the condition that the scope may see rows of unit col.
func unitInScope(scope auth.Scope, col string) (string, []any) {
	if scope.All {
		return "(1 = 1)", nil
	}
	cond, args := inList(col, scope.Units)
	return "(" + cond + ")", args
}

// ReportFilter selects reports. Zero fields do not filter.
type ReportFilter struct {
	PlanID int64
	UnitID int64
	Period string
	Status report.Status
	TaskID int64
	// IDs keeps only these reports (when not empty), 500 at most.
	IDs []int64
	// WithDetails adds values and files to each report.
	WithDetails bool
}

// Reports lists the reports the scope may see (a reporter: its units'),
// by period, unit and plan order. Supervision reads a unit's state for a
// period here.
func (db *DB) Reports(ctx context.Context, scope auth.Scope, f ReportFilter) ([]report.Report, error) {
	cond, args := unitInScope(scope, "r.unit_id")
	q := "SELECT " + reportColumns + reportFrom + " WHERE " + cond
	add := func(clause string, v any) {
		q += " AND " + clause
		args = append(args, v)
	}
	if f.PlanID != 0 {
		add("r.plan_id = ?", f.PlanID)
	}
	if f.UnitID != 0 {
		add("r.unit_id = ?", f.UnitID)
	}
	if f.Period != "" {
		add("r.period = ?", f.Period)
	}
	if f.Status != "" {
		add("r.status = ?", string(f.Status))
	}
	if f.TaskID != 0 {
		add("r.task_id = ?", f.TaskID)
	}
	if len(f.IDs) > 0 {
		c, a := inList("r.id", f.IDs)
		q += " AND " + c
		args = append(args, a...)
	}
	q += " ORDER BY r.period, u.sort, t.kind DESC, t.no, COALESCE(m.no, 0), r.id"
	rows, err := db.query(ctx, db.read, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: reports: %w", err)
	}
	var out []report.Report
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: reports: %w", err)
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if f.WithDetails {
		ptrs := make([]*report.Report, len(out))
		for i := range out {
			ptrs[i] = &out[i]
		}
		if err := db.reportsDetails(ctx, db.read, ptrs); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// LatestReportedPeriod is the key of the latest period of the plan with a
// report past draft, "" when there is none.
func (db *DB) LatestReportedPeriod(ctx context.Context, planID int64) (string, error) {
	var key string
	err := db.queryRow(ctx, db.read, `SELECT COALESCE(MAX(period), '') FROM reports WHERE plan_id = ? AND status <> 'draft'`,
		planID).Scan(&key)
	if err != nil {
		return "", fmt.Errorf("store: latest period of plan %d: %w", planID, err)
	}
	return key, nil
}

// Report reads one report the scope may see, with its values and files;
// another unit's report is not found.
func (db *DB) Report(ctx context.Context, scope auth.Scope, id int64) (report.Report, error) {
	return db.readReport(ctx, db.read, scope, "r.id = ?", id)
}

// Report reads a report inside the transaction (any scope: the caller has
// checked it).
func (tx *Tx) Report(id int64) (report.Report, error) {
	return tx.db.readReport(tx.ctx, tx.tx, auth.Everything, "r.id = ?", id)
}

// ReportOf reads the report of unit on an item for a period inside the
// transaction, or a not-found error.
func (tx *Tx) ReportOf(unitID int64, periodKey string, taskID, measureID int64) (report.Report, error) {
	return tx.db.readReport(tx.ctx, tx.tx, auth.Everything, "r.unit_id = ? AND r.period = ? AND r.task_id = ? AND r.measure_id = ?",
		unitID, periodKey, taskID, measureID)
}

func (db *DB) readReport(ctx context.Context, q queryer, scope auth.Scope, where string, args ...any) (report.Report, error) {
	cond, cargs := unitInScope(scope, "r.unit_id")
	r, err := scanReport(db.queryRow(ctx, q, "SELECT "+reportColumns+reportFrom+" WHERE "+where+" AND "+cond,
		append(args, cargs...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return r, notFound("report", args)
	}
	if err != nil {
		return r, fmt.Errorf("store: report %v: %w", args, err)
	}
	return r, db.reportDetails(ctx, q, &r)
}

// reportDetails adds a report's indicator values and evidence files.
func (db *DB) reportDetails(ctx context.Context, q queryer, r *report.Report) error {
	return db.reportsDetails(ctx, q, []*report.Report{r})
}

// reportsDetails adds the reports' indicator values and evidence files:
// two queries per 500 reports.
func (db *DB) reportsDetails(ctx context.Context, q queryer, list []*report.Report) error {
	for len(list) > 0 {
		chunk := list[:min(len(list), 500)]
		list = list[len(chunk):]
		byID := make(map[int64]*report.Report, len(chunk))
		ids := make([]int64, len(chunk))
		for i, r := range chunk {
			byID[r.ID], ids[i] = r, r.ID
		}
		cond, args := inList("v.report_id", ids)
		rows, err := db.query(ctx, q, `SELECT v.report_id, i.id, i.name, i.unit, i.target_value, i.display, v.value FROM report_values v
			JOIN indicators i ON i.id = v.indicator_id WHERE `+cond+` ORDER BY i.sort, i.id`, args...)
		if err != nil {
			return fmt.Errorf("store: report values: %w", err)
		}
		for rows.Next() {
			var id int64
			var v report.Value
			var x float64
			if err := rows.Scan(&id, &v.IndicatorID, &v.Name, &v.Unit, &v.Target, &v.Display, &x); err != nil {
				rows.Close()
				return err
			}
			v.Value = &x
			byID[id].Values = append(byID[id].Values, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		cond, args = inList("report_id", ids)
		rows, err = db.query(ctx, q, "SELECT report_id, sha256, name, kind, size FROM report_files WHERE "+cond+" ORDER BY id", args...)
		if err != nil {
			return fmt.Errorf("store: report files: %w", err)
		}
		for rows.Next() {
			var id int64
			var e report.Evidence
			if err := rows.Scan(&id, &e.SHA256, &e.Name, &e.Kind, &e.Size); err != nil {
				rows.Close()
				return err
			}
			byID[id].Files = append(byID[id].Files, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// SaveDraft writes what a unit typed for one item and period, as typed:
// a new report when there is none (d.Version 0), else an update guarded by
// d.Version; a submitted or approved report is not changed (conflict).
// Indicator values in d.Values replace the report's values for those
// indicators. It returns the report's id and new version.
func (tx *Tx) SaveDraft(planID int64, d report.Draft, demo bool) (int64, int64, error) {
	now := tx.db.now()
	var id, version int64
	if d.Version == 0 {
		var err error
		id, err = tx.insert(`INSERT INTO reports (plan_id, task_id, measure_id, unit_id, period, status, progress, percent, state,
			problems, next_steps, demo, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
			planID, d.TaskID, d.MeasureID, d.UnitID, d.Period, d.Progress, d.Percent, string(d.State), d.Problems, d.NextSteps, demo, now, now)
		if isUniqueViolation(err) {
			return 0, 0, conflict("report") // someone made it first
		}
		if err != nil {
			return 0, 0, fmt.Errorf("store: create report: %w", err)
		}
		version = 1
	} else {
		err := tx.queryRow(`SELECT id FROM reports WHERE unit_id = ? AND period = ? AND task_id = ? AND measure_id = ?`,
			d.UnitID, d.Period, d.TaskID, d.MeasureID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, 0, conflict("report")
		}
		if err != nil {
			return 0, 0, fmt.Errorf("store: report: %w", err)
		}
		if err := tx.update("report", `UPDATE reports SET progress = ?, percent = ?, state = ?, problems = ?, next_steps = ?,
			version = version + 1, updated_at = ?
			WHERE id = ? AND version = ? AND status IN ('draft', 'returned')`,
			d.Progress, d.Percent, string(d.State), d.Problems, d.NextSteps, now, id, d.Version); err != nil {
			return 0, 0, err
		}
		version = d.Version + 1
	}
	for ind, v := range d.Values {
		if _, err := tx.exec("DELETE FROM report_values WHERE report_id = ? AND indicator_id = ?", id, ind); err != nil {
			return 0, 0, fmt.Errorf("store: report value: %w", err)
		}
		if v == nil {
			continue
		}
		if _, err := tx.insert(`INSERT INTO report_values (report_id, indicator_id, value, version, created_at, updated_at)
			VALUES (?, ?, ?, 1, ?, ?)`, id, ind, *v, now, now); err != nil {
			return 0, 0, fmt.Errorf("store: report value of indicator %d: %w", ind, err)
		}
	}
	return id, version, nil
}

// AddEvidence attaches a stored file to a report (the same file twice is
// kept once) and bumps the report's version, guarded by version.
func (tx *Tx) AddEvidence(reportID, version int64, e report.Evidence) (int64, error) {
	now := tx.db.now()
	if err := tx.update("report", `UPDATE reports SET version = version + 1, updated_at = ?
		WHERE id = ? AND version = ? AND status IN ('draft', 'returned')`, now, reportID, version); err != nil {
		return 0, err
	}
	if _, err := tx.exec(`INSERT INTO report_files (report_id, sha256, name, kind, size, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (report_id, sha256) DO NOTHING`,
		reportID, e.SHA256, e.Name, e.Kind, e.Size, now, now); err != nil {
		return 0, fmt.Errorf("store: evidence of report %d: %w", reportID, err)
	}
	return version + 1, nil
}

// RemoveEvidence detaches a file from a report, guarded by version; the
// file itself stays (another report may hold it, and files are never
// changed).
func (tx *Tx) RemoveEvidence(reportID, version int64, sha256 string) (int64, error) {
	if err := tx.update("report", `UPDATE reports SET version = version + 1, updated_at = ?
		WHERE id = ? AND version = ? AND status IN ('draft', 'returned')`, tx.db.now(), reportID, version); err != nil {
		return 0, err
	}
	if _, err := tx.exec("DELETE FROM report_files WHERE report_id = ? AND sha256 = ?", reportID, sha256); err != nil {
		return 0, fmt.Errorf("store: remove evidence: %w", err)
	}
	return version + 1, nil
}

// SetReportStatus moves a report from one status to another, guarded by
// version, and records the revision with what the report said then.
// Submitting counts a new revision and keeps the first submission time
// (lateness is judged on it); returning and approving record the reviewer.
func (tx *Tx) SetReportStatus(id, version int64, from []report.Status, to report.Status, actor, comment string) (report.Report, error) {
	now := tx.db.now()
	set := "status = ?, version = version + 1, updated_at = ?"
	args := []any{string(to), now}
	switch to {
	case report.Submitted:
		set += ", revision = revision + 1, submitted_at = COALESCE(submitted_at, ?), submitted_by = ?, review_comment = ''"
		args = append(args, now, actor)
	case report.Returned, report.Approved:
		set += ", reviewed_at = ?, reviewed_by = ?, review_comment = ?"
		args = append(args, now, actor, comment)
	}
	where := " WHERE id = ? AND version = ? AND status IN (?" + strings.Repeat(", ?", len(from)-1) + ")"
	args = append(args, id, version)
	for _, s := range from {
		args = append(args, string(s))
	}
	if err := tx.update("report", "UPDATE reports SET "+set+where, args...); err != nil {
		return report.Report{}, err
	}
	r, err := tx.Report(id)
	if err != nil {
		return r, err
	}
	snap, err := json.Marshal(r)
	if err != nil {
		return r, err
	}
	if _, err := tx.insert(`INSERT INTO report_revisions (report_id, revision, action, actor, comment, snapshot, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)`, id, r.Revision, string(to), actor, comment, string(snap), now, now); err != nil {
		return r, fmt.Errorf("store: report %d revision: %w", id, err)
	}
	return r, nil
}

// ReportRevisions lists every submission, return and approval of a report
// the scope may see, oldest first.
func (db *DB) ReportRevisions(ctx context.Context, scope auth.Scope, id int64) ([]report.Revision, error) {
	if _, err := db.Report(ctx, scope, id); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, db.read, `SELECT id, revision, action, actor, comment, snapshot, created_at FROM report_revisions
		WHERE report_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: report %d revisions: %w", id, err)
	}
	defer rows.Close()
	var out []report.Revision
	for rows.Next() {
		var rv report.Revision
		var snap string
		if err := rows.Scan(&rv.ID, &rv.Revision, &rv.Action, &rv.Actor, &rv.Comment, &snap, &rv.At); err != nil {
			return nil, err
		}
		rv.At = rv.At.UTC()
		if err := json.Unmarshal([]byte(snap), &rv.Snapshot); err != nil {
			return nil, fmt.Errorf("store: report %d revision %d: %w", id, rv.ID, err)
		}
		out = append(out, rv)
	}
	return out, rows.Err()
}

// ReportFile reads an evidence file of a report the scope may see.
func (db *DB) ReportFile(ctx context.Context, scope auth.Scope, reportID int64, sha256 string) (File, string, error) {
	r, err := db.Report(ctx, scope, reportID)
	if err != nil {
		return File{}, "", err
	}
	for _, e := range r.Files {
		if e.SHA256 == sha256 {
			f, err := db.File(ctx, sha256)
			f.Name = e.Name
			return f, e.Kind, err
		}
	}
	// A file once attached and then removed is still in a revision.
	var n int
	if err := db.queryRow(ctx, db.read, `SELECT COUNT(*) FROM report_revisions WHERE report_id = ? AND snapshot LIKE ?`,
		reportID, "%"+sha256+"%").Scan(&n); err != nil {
		return File{}, "", err
	}
	if n == 0 {
		return File{}, "", notFound("evidence", sha256)
	}
	f, err := db.File(ctx, sha256)
	return f, "", err
}

// TaskIndicators returns, by task, the targets a unit leading the task
// gives values for: one query per 500 tasks.
func (db *DB) TaskIndicators(ctx context.Context, taskIDs []int64) (map[int64][]report.Value, error) {
	out := map[int64][]report.Value{}
	for ids := taskIDs; len(ids) > 0; {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		cond, args := inList("task_id", chunk)
		rows, err := db.query(ctx, db.read, `SELECT task_id, id, name, unit, target_value, display FROM indicators
			WHERE `+cond+` ORDER BY sort, id`, args...)
		if err != nil {
			return nil, fmt.Errorf("store: indicators of tasks: %w", err)
		}
		for rows.Next() {
			var task int64
			var v report.Value
			if err := rows.Scan(&task, &v.IndicatorID, &v.Name, &v.Unit, &v.Target, &v.Display); err != nil {
				rows.Close()
				return nil, err
			}
			out[task] = append(out[task], v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// BackdateReport sets when a report was submitted and reviewed. Only the
// demo uses it, so that its synthetic months carry plausible dates.
func (tx *Tx) BackdateReport(id int64, submitted, reviewed time.Time) error {
	var rev any
	if !reviewed.IsZero() {
		rev = reviewed
	}
	_, err := tx.exec("UPDATE reports SET submitted_at = ?, reviewed_at = ?, updated_at = ? WHERE id = ?", submitted, rev, submitted, id)
	if err != nil {
		return fmt.Errorf("store: backdate report %d: %w", id, err)
	}
	_, err = tx.exec("UPDATE report_revisions SET created_at = ?, updated_at = ? WHERE report_id = ?", submitted, submitted, id)
	return err
}

// RecordReportValues makes the indicator values of an approved report the
// unit's figures for its period (indicator_values, source report), where
// the dashboard reads them. A quarterly report's values count for the
// quarter's last month. A figure typed by staff or computed from the
// registries is left alone: those sources are kept over a report's.
func (tx *Tx) RecordReportValues(r report.Report, by string) error {
	p, err := period.Parse(r.Period)
	if err != nil {
		return err
	}
	last := p.End().AddDate(0, 0, -1)
	month := indicator.Period{Year: last.Year(), Month: int(last.Month())}
	for _, v := range r.Values {
		if v.Value == nil {
			continue
		}
		iv := indicator.Value{IndicatorID: v.IndicatorID, UnitID: r.UnitID, Period: month, Value: *v.Value,
			Source: indicator.SourceReport, SourceRef: fmt.Sprintf("report:%d", r.ID), EnteredBy: by}
		var source string
		err := tx.queryRow("SELECT source, version FROM indicator_values WHERE indicator_id = ? AND unit_id = ? AND period = ?",
			v.IndicatorID, r.UnitID, month.String()).Scan(&source, &iv.Version)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			iv.Version = 0
		case err != nil:
			return fmt.Errorf("store: indicator value of report %d: %w", r.ID, err)
		case source == indicator.SourceManual || source == indicator.SourceRegistry:
			continue
		}
		if _, err := tx.SetIndicatorValue(&iv); err != nil {
			return err
		}
	}
	return nil
}
