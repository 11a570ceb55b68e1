package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/period"
	"github.com/luoshi/luoshi/internal/report"
)

// AssignmentFilter selects assignments. Zero fields do not filter.
type AssignmentFilter struct {
	PlanID int64 // required
	// Units keeps the items where one of these units is a lead or co-unit
	// (a measure inherits its key item's units when it has none itself).
	Units []int64
	// LeadOnly keeps, with Units, only the items these units lead.
	LeadOnly bool
	TaskID   int64
}

// Assignments lists the plan's work items, key items and measures with
// their assignments, in plan order: every item, assigned or not (ID 0).
// A key item with measures is listed before them. The scope applies as
// everywhere: a reporter sees the items of the tasks its units share.
//
// This is the list supervision builds on: DueOn is the date to hold an
// item to, Milestones its dated deliverables, LeadUnits who answers for it.
func (db *DB) Assignments(ctx context.Context, scope auth.Scope, f AssignmentFilter) ([]report.Assignment, error) {
	return db.assignments(ctx, db.read, scope, f)
}

// Assignments is DB.Assignments inside the transaction: it sees the
// transaction's own writes.
func (tx *Tx) Assignments(scope auth.Scope, f AssignmentFilter) ([]report.Assignment, error) {
	return tx.db.assignments(tx.ctx, tx.tx, scope, f)
}

func (db *DB) assignments(ctx context.Context, qr queryer, scope auth.Scope, f AssignmentFilter) ([]report.Assignment, error) {
	cond, args := taskInScope(scope, "t.id")
	q := `SELECT t.id, t.plan_id, t.kind, COALESCE(s.no, 0), t.no, t.title, t.due_on, t.due_text,
		COALESCE(m.id, 0), COALESCE(m.no, 0), COALESCE(m.text, ''), COALESCE(m.due_on, ''), COALESCE(m.due_text, '')
		FROM tasks t LEFT JOIN sections s ON s.id = t.section_id LEFT JOIN measures m ON m.task_id = t.id
		WHERE t.plan_id = ? AND ` + cond
	qargs := append([]any{f.PlanID}, args...)
	if f.TaskID != 0 {
		q += " AND t.id = ?"
		qargs = append(qargs, f.TaskID)
	}
	q += " ORDER BY t.kind DESC, COALESCE(s.no, 0), t.no, t.id, m.no, m.id"
	rows, err := db.query(ctx, qr, q, qargs...)
	if err != nil {
		return nil, fmt.Errorf("store: assignments of plan %d: %w", f.PlanID, err)
	}
	var out []report.Assignment
	for rows.Next() {
		var a report.Assignment
		var kind, taskTitle, taskDue, taskDueText string
		var mText, mDue, mDueText string
		if err := rows.Scan(&a.TaskID, &a.PlanID, &kind, &a.SectionNo, &a.TaskNo, &taskTitle, &taskDue, &taskDueText,
			&a.MeasureID, &a.MeasureNo, &mText, &mDue, &mDueText); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: assignments of plan %d: %w", f.PlanID, err)
		}
		a.Kind, a.TaskTitle, a.Title, a.PlanDue, a.DueText = kind, taskTitle, taskTitle, taskDue, taskDueText
		if a.MeasureID != 0 {
			// The key item itself comes first, once.
			if n := len(out); n == 0 || out[n-1].TaskID != a.TaskID {
				out = append(out, report.Assignment{TaskID: a.TaskID, PlanID: a.PlanID, Kind: kind, SectionNo: a.SectionNo,
					TaskNo: a.TaskNo, TaskTitle: taskTitle, Title: taskTitle, PlanDue: taskDue, DueText: taskDueText})
			}
			a.Kind, a.Title, a.PlanDue, a.DueText = "measure", mText, mDue, mDueText
		}
		out = append(out, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := db.fillAssignments(ctx, qr, f.PlanID, f.TaskID, out); err != nil {
		return nil, err
	}
	if len(f.Units) == 0 {
		return out, nil
	}
	want := map[int64]bool{}
	for _, u := range f.Units {
		want[u] = true
	}
	kept := out[:0]
	for _, a := range out {
		for _, u := range a.LeadUnits {
			if want[u.ID] {
				kept = append(kept, a)
				goto next
			}
		}
		if !f.LeadOnly {
			for _, u := range a.CoUnits {
				if want[u.ID] {
					kept = append(kept, a)
					goto next
				}
			}
		}
	next:
	}
	return kept, nil
}

// Assignment reads the assignment of one task or measure.
func (db *DB) Assignment(ctx context.Context, scope auth.Scope, taskID, measureID int64) (report.Assignment, error) {
	var planID int64
	err := db.queryRow(ctx, db.read, "SELECT plan_id FROM tasks WHERE id = ?", taskID).Scan(&planID)
	if errors.Is(err, sql.ErrNoRows) {
		return report.Assignment{}, notFound("task", taskID)
	}
	if err != nil {
		return report.Assignment{}, fmt.Errorf("store: task %d: %w", taskID, err)
	}
	list, err := db.Assignments(ctx, scope, AssignmentFilter{PlanID: planID, TaskID: taskID})
	if err != nil {
		return report.Assignment{}, err
	}
	for _, a := range list {
		if a.MeasureID == measureID {
			return a, nil
		}
	}
	return report.Assignment{}, notFound("assignment", report.ItemKey(taskID, measureID))
}

// fillAssignments adds units, people, dates, milestones and suggestions.
func (db *DB) fillAssignments(ctx context.Context, qr queryer, planID, taskID int64, list []report.Assignment) error {
	index := map[string]int{}
	for i := range list {
		index[list[i].Key()] = i
		list[i].LeadUnits, list[i].CoUnits, list[i].Milestones = []report.UnitRef{}, []report.UnitRef{}, []report.Milestone{}
		list[i].DueOn = list[i].PlanDue
	}
	filter, args := "t.plan_id = ?", []any{planID}
	if taskID != 0 {
		filter, args = "t.id = ?", []any{taskID}
	}
	rows, err := db.query(ctx, qr, `SELECT r.task_id, r.measure_id, r.role, u.id, u.name FROM responsibilities r
		JOIN tasks t ON t.id = r.task_id JOIN units u ON u.id = r.unit_id WHERE `+filter+` ORDER BY r.id`, args...)
	if err != nil {
		return fmt.Errorf("store: responsibilities of plan %d: %w", planID, err)
	}
	for rows.Next() {
		var tid, mid int64
		var role string
		var u report.UnitRef
		if err := rows.Scan(&tid, &mid, &role, &u.ID, &u.Name); err != nil {
			rows.Close()
			return err
		}
		if i, ok := index[report.ItemKey(tid, mid)]; ok {
			if role == "lead" {
				list[i].LeadUnits = append(list[i].LeadUnits, u)
			} else {
				list[i].CoUnits = append(list[i].CoUnits, u)
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = db.query(ctx, qr, `SELECT a.id, a.task_id, a.measure_id, a.person_name, a.person_phone,
		COALESCE(a.person_user_id, 0), COALESCE(us.username, ''), a.due_on, a.version
		FROM assignments a JOIN tasks t ON t.id = a.task_id LEFT JOIN users us ON us.id = a.person_user_id WHERE `+filter, args...)
	if err != nil {
		return fmt.Errorf("store: assignments of plan %d: %w", planID, err)
	}
	byID := map[int64]int{}
	for rows.Next() {
		var id, tid, mid, userID, version int64
		var name, phone, user, due string
		if err := rows.Scan(&id, &tid, &mid, &name, &phone, &userID, &user, &due, &version); err != nil {
			rows.Close()
			return err
		}
		if i, ok := index[report.ItemKey(tid, mid)]; ok {
			a := &list[i]
			a.ID, a.PersonName, a.PersonPhone, a.PersonUserID, a.PersonUser, a.Version = id, name, phone, userID, user, version
			if due != "" {
				a.DueOn = due
			}
			byID[id] = i
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = db.query(ctx, qr, `SELECT ms.id, ms.assignment_id, ms.due_on, ms.deliverable FROM milestones ms
		JOIN assignments a ON a.id = ms.assignment_id JOIN tasks t ON t.id = a.task_id WHERE `+filter+` ORDER BY ms.sort, ms.id`, args...)
	if err != nil {
		return fmt.Errorf("store: milestones of plan %d: %w", planID, err)
	}
	for rows.Next() {
		var m report.Milestone
		var aid int64
		if err := rows.Scan(&m.ID, &aid, &m.DueOn, &m.Deliverable); err != nil {
			rows.Close()
			return err
		}
		if i, ok := byID[aid]; ok {
			list[i].Milestones = append(list[i].Milestones, m)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = db.query(ctx, qr, `SELECT sg.id, sg.task_id, sg.measure_id, sg.name, sg.role, COALESCE(sg.unit_id, 0), sg.state, sg.version
		FROM unit_suggestions sg JOIN tasks t ON t.id = sg.task_id WHERE `+filter+` ORDER BY sg.id`, args...)
	if err != nil {
		return fmt.Errorf("store: suggestions of plan %d: %w", planID, err)
	}
	for rows.Next() {
		var s report.Suggestion
		var tid, mid int64
		if err := rows.Scan(&s.ID, &tid, &mid, &s.Name, &s.Role, &s.UnitID, &s.State, &s.Version); err != nil {
			rows.Close()
			return err
		}
		if i, ok := index[report.ItemKey(tid, mid)]; ok {
			list[i].Suggestions = append(list[i].Suggestions, s)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// A measure without units of its own is its key item's to report.
	var parent *report.Assignment
	for i := range list {
		a := &list[i]
		if a.MeasureID == 0 {
			parent = a
			continue
		}
		if len(a.LeadUnits) == 0 && len(a.CoUnits) == 0 && parent != nil && parent.TaskID == a.TaskID {
			a.LeadUnits, a.CoUnits, a.Inherited = parent.LeadUnits, parent.CoUnits, true
			if a.ID == 0 {
				// Nobody assigned the measure itself: its key item's
				// person and date hold for it.
				a.PersonName, a.PersonPhone, a.PersonUserID, a.PersonUser = parent.PersonName, parent.PersonPhone, parent.PersonUserID, parent.PersonUser
				if a.DueOn == "" {
					a.DueOn = parent.DueOn
				}
			}
		}
	}
	return nil
}

// AssignmentRow reads an assignment's row inside the transaction: its id
// and version, 0 and 0 when none was made yet.
func (tx *Tx) AssignmentRow(taskID, measureID int64) (id, version int64, err error) {
	err = tx.queryRow("SELECT id, version FROM assignments WHERE task_id = ? AND measure_id = ?", taskID, measureID).Scan(&id, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	return id, version, err
}

// ItemOfPlan checks that the task (and measure, when not 0) exist and
// returns the task's plan.
func (tx *Tx) ItemOfPlan(taskID, measureID int64) (int64, error) {
	var planID int64
	err := tx.queryRow("SELECT plan_id FROM tasks WHERE id = ?", taskID).Scan(&planID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, notFound("task", taskID)
	}
	if err != nil {
		return 0, err
	}
	if measureID != 0 {
		var n int
		if err := tx.queryRow("SELECT COUNT(*) FROM measures WHERE id = ? AND task_id = ?", measureID, taskID).Scan(&n); err != nil {
			return 0, err
		}
		if n == 0 {
			return 0, notFound("measure", measureID)
		}
	}
	return planID, nil
}

// UnitsExist returns the ids among ids that name no unit: one query per
// 500 ids.
func (tx *Tx) UnitsExist(ids []int64) ([]int64, error) {
	found := map[int64]bool{}
	for rest := ids; len(rest) > 0; {
		chunk := rest[:min(len(rest), 500)]
		rest = rest[len(chunk):]
		cond, args := inList("id", chunk)
		rows, err := tx.db.query(tx.ctx, tx.tx, "SELECT id FROM units WHERE "+cond, args...)
		if err != nil {
			return nil, fmt.Errorf("store: units exist: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			found[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	var missing []int64
	for _, id := range ids {
		if !found[id] {
			missing = append(missing, id)
		}
	}
	return missing, nil
}

// SaveAssignment writes one assignment: its units, person, due date and
// milestones. in.Version must be the version the user saw (0 when the item
// was never assigned); anything else is a conflict. It returns the new
// version.
func (tx *Tx) SaveAssignment(in report.AssignmentInput) (int64, error) {
	now := tx.db.now()
	id, _, err := tx.AssignmentRow(in.TaskID, in.MeasureID)
	if err != nil {
		return 0, fmt.Errorf("store: assignment %s: %w", report.ItemKey(in.TaskID, in.MeasureID), err)
	}
	var user any
	if in.PersonUserID != 0 {
		user = in.PersonUserID
	}
	if id == 0 {
		if in.Version != 0 {
			return 0, conflict("assignment")
		}
		id, err = tx.insert(`INSERT INTO assignments (task_id, measure_id, person_name, person_phone, person_user_id, due_on,
			version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)`,
			in.TaskID, in.MeasureID, in.PersonName, in.PersonPhone, user, in.DueOn, now, now)
		if isUniqueViolation(err) {
			return 0, conflict("assignment") // someone assigned it first
		}
		if err != nil {
			return 0, fmt.Errorf("store: create assignment: %w", err)
		}
	} else if err := tx.update("assignment", `UPDATE assignments SET person_name = ?, person_phone = ?, person_user_id = ?,
		due_on = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		in.PersonName, in.PersonPhone, user, in.DueOn, now, id, in.Version); err != nil {
		return 0, err
	}
	if _, err := tx.exec("DELETE FROM responsibilities WHERE task_id = ? AND measure_id = ?", in.TaskID, in.MeasureID); err != nil {
		return 0, fmt.Errorf("store: clear responsibilities: %w", err)
	}
	for _, r := range []struct {
		role  string
		units []int64
	}{{"lead", in.LeadUnitIDs}, {"co", in.CoUnitIDs}} {
		for _, u := range dedupe(r.units) {
			if _, err := tx.insert(`INSERT INTO responsibilities (task_id, measure_id, unit_id, role, version, created_at, updated_at)
				VALUES (?, ?, ?, ?, 1, ?, ?)`, in.TaskID, in.MeasureID, u, r.role, now, now); err != nil {
				return 0, fmt.Errorf("store: responsibility of unit %d: %w", u, err)
			}
		}
	}
	if _, err := tx.exec("DELETE FROM milestones WHERE assignment_id = ?", id); err != nil {
		return 0, fmt.Errorf("store: clear milestones: %w", err)
	}
	for i, m := range in.Milestones {
		if _, err := tx.insert(`INSERT INTO milestones (assignment_id, sort, due_on, deliverable, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, 1, ?, ?)`, id, i, m.DueOn, m.Deliverable, now, now); err != nil {
			return 0, fmt.Errorf("store: milestone: %w", err)
		}
	}
	var version int64
	if err := tx.queryRow("SELECT version FROM assignments WHERE id = ?", id).Scan(&version); err != nil {
		return 0, err
	}
	return version, nil
}

func dedupe(ids []int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// conflict is the error of a version check that failed before an UPDATE
// was tried: an insert that lost a race, a stale version.
func conflict(what string) error {
	return &apperr.Error{Code: apperr.Conflict, Key: "err.conflict",
		Message: "数据已被他人修改,请刷新后重试", Err: fmt.Errorf("store: %s: changed by someone else", what)}
}

// Suggestion reads one unit suggestion inside the transaction.
func (tx *Tx) Suggestion(id int64) (taskID, measureID int64, s report.Suggestion, err error) {
	err = tx.queryRow(`SELECT id, task_id, measure_id, name, role, COALESCE(unit_id, 0), state, version FROM unit_suggestions
		WHERE id = ?`, id).Scan(&s.ID, &taskID, &measureID, &s.Name, &s.Role, &s.UnitID, &s.State, &s.Version)
	if errors.Is(err, sql.ErrNoRows) {
		err = notFound("suggestion", id)
	}
	return
}

// SetSuggestionState marks a suggestion accepted or rejected, guarded by
// the version the user saw.
func (tx *Tx) SetSuggestionState(id int64, state string, version int64) error {
	return tx.update("suggestion", `UPDATE unit_suggestions SET state = ?, version = version + 1, updated_at = ?
		WHERE id = ? AND version = ?`, state, tx.db.now(), id, version)
}

// createSuggestions records the units a parsed task names as open
// suggestions: the table's lead and co columns, then those in its text.
func (tx *Tx) createSuggestions(taskID int64, lead, co, mentioned []string) error {
	now := tx.db.now()
	seen := map[string]bool{}
	add := func(name, role string) error {
		name = strings.TrimSpace(name)
		if name == "" || seen[name] {
			return nil
		}
		seen[name] = true
		var unit any
		var id int64
		err := tx.queryRow("SELECT id FROM units WHERE name = ? ORDER BY id LIMIT 1", name).Scan(&id)
		switch {
		case err == nil:
			unit = id
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("store: find unit %q: %w", name, err)
		}
		_, err = tx.insert(`INSERT INTO unit_suggestions (task_id, measure_id, name, role, unit_id, state, version, created_at, updated_at)
			VALUES (?, 0, ?, ?, ?, 'open', 1, ?, ?)`, taskID, name, role, unit, now, now)
		if err != nil {
			return fmt.Errorf("store: suggestion %q: %w", name, err)
		}
		return nil
	}
	for _, n := range lead {
		if err := add(n, "lead"); err != nil {
			return err
		}
	}
	for _, n := range co {
		if err := add(n, "co"); err != nil {
			return err
		}
	}
	for _, n := range mentioned {
		if err := add(n, "lead"); err != nil {
			return err
		}
	}
	return nil
}

// PlanRules reads a plan's reporting rules and year.
func (db *DB) PlanRules(ctx context.Context, planID int64) (period.Rules, int, error) {
	var r period.Rules
	var freq string
	var year int
	err := db.queryRow(ctx, db.read, "SELECT report_frequency, window_open_day, window_close_day, year FROM plans WHERE id = ?",
		planID).Scan(&freq, &r.OpenDay, &r.CloseDay, &year)
	if errors.Is(err, sql.ErrNoRows) {
		return r, 0, notFound("plan", planID)
	}
	if err != nil {
		return r, 0, fmt.Errorf("store: plan %d rules: %w", planID, err)
	}
	r.Frequency = period.Frequency(freq)
	return r, year, nil
}

// SetPlanRules changes a plan's reporting rules, guarded by its version.
func (tx *Tx) SetPlanRules(planID int64, r period.Rules, version int64) error {
	return tx.update("plan rules", `UPDATE plans SET report_frequency = ?, window_open_day = ?, window_close_day = ?,
		version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		string(r.Frequency), r.OpenDay, r.CloseDay, tx.db.now(), planID, version)
}

// CurrentPlanID returns the plan to show first: the active plan of year,
// else the newest active plan, else the newest plan the scope may see; 0
// when there is none.
func (db *DB) CurrentPlanID(ctx context.Context, scope auth.Scope, year int) (int64, error) {
	plans, err := db.Plans(ctx, scope)
	if err != nil {
		return 0, err
	}
	if len(plans) == 0 {
		return 0, nil
	}
	sort.SliceStable(plans, func(i, j int) bool {
		rank := func(p PlanSummary) int {
			switch {
			case p.Status == "active" && p.Year == year:
				return 0
			case p.Status == "active":
				return 1
			}
			return 2
		}
		return rank(plans[i]) < rank(plans[j])
	})
	return plans[0].ID, nil
}

// SuggestionByName finds a task's suggestion by the name the parser read.
func (tx *Tx) SuggestionByName(taskID int64, name string) (id, unitID, version int64, err error) {
	err = tx.queryRow(`SELECT id, COALESCE(unit_id, 0), version FROM unit_suggestions WHERE task_id = ? AND measure_id = 0 AND name = ?`,
		taskID, name).Scan(&id, &unitID, &version)
	if errors.Is(err, sql.ErrNoRows) {
		err = notFound("suggestion", name)
	}
	return
}
