package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/indicator"
	"github.com/luoshi/luoshi/internal/plan"
)

// PlanSummary is a plan's row in a list.
type PlanSummary struct {
	ID       int64  `json:"id"`
	Title    string `json:"title"`
	Issuer   string `json:"issuer"`
	IssuedOn string `json:"issued_on"`
	Year     int    `json:"year"`
	Status   string `json:"status"`
	Sections int    `json:"sections"`
	Items    int    `json:"items"`
	KeyItems int    `json:"key_items"`
	Targets  int    `json:"targets"`
}

// Plans lists the plans the scope may see, newest year first; a reporter
// sees a plan with tasks assigned to its units, and counts only those.
func (db *DB) Plans(ctx context.Context, scope auth.Scope) ([]PlanSummary, error) {
	cond, args := taskInScope(scope, "t.id")
	all := "1 = 1"
	if !scope.All {
		all = "EXISTS (SELECT 1 FROM tasks t WHERE t.plan_id = p.id AND " + cond + ")"
	}
	q := `SELECT p.id, p.title, p.issuer, p.issued_on, p.year, p.status,
		(SELECT COUNT(*) FROM sections s WHERE s.plan_id = p.id),
		(SELECT COUNT(*) FROM tasks t WHERE t.plan_id = p.id AND t.kind = 'work_item' AND ` + cond + `),
		(SELECT COUNT(*) FROM tasks t WHERE t.plan_id = p.id AND t.kind = 'key_item' AND ` + cond + `),
		(SELECT COUNT(*) FROM indicators i WHERE i.plan_id = p.id)
		FROM plans p WHERE ` + all + ` ORDER BY p.year DESC, p.id DESC`
	var qargs []any
	qargs = append(qargs, args...)
	qargs = append(qargs, args...)
	if !scope.All {
		qargs = append(qargs, args...)
	}
	rows, err := db.query(ctx, db.read, q, qargs...)
	if err != nil {
		return nil, fmt.Errorf("store: list plans: %w", err)
	}
	defer rows.Close()
	var out []PlanSummary
	for rows.Next() {
		var s PlanSummary
		if err := rows.Scan(&s.ID, &s.Title, &s.Issuer, &s.IssuedOn, &s.Year, &s.Status,
			&s.Sections, &s.Items, &s.KeyItems, &s.Targets); err != nil {
			return nil, fmt.Errorf("store: list plans: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// PlanIDByHash returns the id and status of the plan imported from a
// document with this content hash, or a not-found error.
func (db *DB) PlanIDByHash(ctx context.Context, hash string) (int64, string, error) {
	var id int64
	var status string
	err := db.queryRow(ctx, db.read, "SELECT id, status FROM plans WHERE content_hash = ? AND content_hash <> '' ORDER BY id LIMIT 1", hash).Scan(&id, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", notFound("plan with hash", hash)
	}
	if err != nil {
		return 0, "", fmt.Errorf("store: plan by hash: %w", err)
	}
	return id, status, nil
}

// CreatePlan inserts a plan with its sections, tasks, measures and targets,
// and sets their ids.
func (tx *Tx) CreatePlan(p *plan.Plan) error {
	now := tx.db.now()
	status := p.Status
	if status == "" {
		status = "draft"
	}
	themes, _ := json.Marshal(nonNil(p.Themes))
	id, err := tx.insert(`INSERT INTO plans (title, issuer, issued_on, year, doc_no, addressees, preamble, themes,
		status, content_hash, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
		p.Title, p.Issuer, p.IssuedOn, p.Year, p.DocNo, p.Addressees, p.Preamble, string(themes),
		status, p.ContentHash, now, now)
	if err != nil {
		return fmt.Errorf("store: create plan: %w", err)
	}
	p.ID, p.Status, p.Version = id, status, 1
	sort := 0
	for i := range p.Targets {
		sort++
		if err := tx.createIndicator(p.ID, 0, sort, &p.Targets[i]); err != nil {
			return err
		}
	}
	for si := range p.Sections {
		s := &p.Sections[si]
		sid, err := tx.insert(`INSERT INTO sections (plan_id, no, title, version, created_at, updated_at)
			VALUES (?, ?, ?, 1, ?, ?)`, p.ID, s.No, s.Title, now, now)
		if err != nil {
			return fmt.Errorf("store: create section %d: %w", s.No, err)
		}
		s.ID = sid
		for ti := range s.Items {
			s.Items[ti].Kind = plan.KindWorkItem
			if err := tx.createTask(p.ID, sid, &s.Items[ti], &sort); err != nil {
				return err
			}
		}
	}
	for ti := range p.KeyItems {
		p.KeyItems[ti].Kind = plan.KindKeyItem
		if err := tx.createTask(p.ID, 0, &p.KeyItems[ti], &sort); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) createTask(planID, sectionID int64, t *plan.Task, sort *int) error {
	now := tx.db.now()
	units, _ := json.Marshal(nonNil(t.Units))
	var section any
	if sectionID != 0 {
		section = sectionID
	}
	id, err := tx.insert(`INSERT INTO tasks (plan_id, section_id, kind, no, title, text, suggested_units, due_on, due_text,
		version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
		planID, section, string(t.Kind), t.No, t.Title, t.Text, string(units), t.Due, t.DueText, now, now)
	if err != nil {
		return fmt.Errorf("store: create task %s %d: %w", t.Kind, t.No, err)
	}
	t.ID, t.Version = id, 1
	for i := range t.Measures {
		m := &t.Measures[i]
		mid, err := tx.insert(`INSERT INTO measures (task_id, no, text, done, done_note, due_on, due_text, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`, id, m.No, m.Text, m.Done, m.DoneNote, m.Due, m.DueText, now, now)
		if err != nil {
			return fmt.Errorf("store: create measure %d of task %d: %w", m.No, t.No, err)
		}
		m.ID, m.Version = mid, 1
	}
	for i := range t.Targets {
		*sort++
		if err := tx.createIndicator(planID, id, *sort, &t.Targets[i]); err != nil {
			return err
		}
	}
	// Units the parser found are suggestions for staff to accept or
	// reject (issue 8): a name in a title is no assignment.
	return tx.createSuggestions(id, t.LeadUnits, t.CoUnits, t.Units)
}

func (tx *Tx) createIndicator(planID, taskID int64, sort int, tg *plan.Target) error {
	now := tx.db.now()
	var task, stretch any
	if taskID != 0 {
		task = taskID
	}
	if tg.Stretch != nil {
		stretch = *tg.Stretch
	}
	cmp := tg.Comparator
	if cmp == "" {
		cmp = plan.AtLeast
	}
	// How it accumulates is a guess from its wording until staff confirm it.
	kind, lag := indicator.GuessKind(tg.Name, tg.Unit, tg.Increment), indicator.GuessLag(tg.Name)
	id, err := tx.insert(`INSERT INTO indicators (plan_id, task_id, sort, name, unit, comparator, increment, target_value,
		stretch_value, display, source, kind, lag_months, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
		planID, task, sort, tg.Name, tg.Unit, string(cmp), tg.Increment, tg.Value, stretch, tg.Display, tg.Source,
		string(kind), lag, now, now)
	if err != nil {
		return fmt.Errorf("store: create indicator %q: %w", tg.Name, err)
	}
	tg.ID = id
	return nil
}

// Assign makes unit responsible for task as lead or co unit.
func (tx *Tx) Assign(taskID, unitID int64, role string) error {
	now := tx.db.now()
	_, err := tx.insert(`INSERT INTO responsibilities (task_id, unit_id, role, version, created_at, updated_at)
		VALUES (?, ?, ?, 1, ?, ?)`, taskID, unitID, role, now, now)
	if err != nil {
		return fmt.Errorf("store: assign task %d to unit %d: %w", taskID, unitID, err)
	}
	return nil
}

// Plan reads a plan with the tasks the scope may see. A reporter sees the
// plan only when some task of it is assigned to its units, and then only
// those tasks and their targets, not the plan's headline targets.
func (db *DB) Plan(ctx context.Context, scope auth.Scope, id int64) (*plan.Plan, error) {
	if !scope.All {
		cond, args := taskInScope(scope, "t.id")
		var n int
		err := db.queryRow(ctx, db.read, `SELECT COUNT(*) FROM tasks t WHERE t.plan_id = ? AND `+cond,
			append([]any{id}, args...)...).Scan(&n)
		if err != nil {
			return nil, fmt.Errorf("store: plan %d scope: %w", id, err)
		}
		if n == 0 {
			return nil, notFound("plan", id)
		}
	}
	p := &plan.Plan{ID: id}
	var themes string
	err := db.queryRow(ctx, db.read, `SELECT title, issuer, issued_on, year, doc_no, addressees, preamble, themes,
		status, content_hash, version FROM plans WHERE id = ?`, id).Scan(&p.Title, &p.Issuer, &p.IssuedOn, &p.Year,
		&p.DocNo, &p.Addressees, &p.Preamble, &themes, &p.Status, &p.ContentHash, &p.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("plan", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: plan %d: %w", id, err)
	}
	if err := json.Unmarshal([]byte(themes), &p.Themes); err != nil {
		return nil, fmt.Errorf("store: plan %d themes: %w", id, err)
	}
	p.Targets, p.Sections, p.KeyItems = []plan.Target{}, []plan.Section{}, []plan.Task{}

	targets, err := db.indicators(ctx, ofPlan(id))
	if err != nil {
		return nil, err
	}
	if scope.All {
		p.Targets = append(p.Targets, targets[0]...)
	}

	rows, err := db.query(ctx, db.read, "SELECT id, no, title FROM sections WHERE plan_id = ? ORDER BY no, id", id)
	if err != nil {
		return nil, fmt.Errorf("store: plan %d sections: %w", id, err)
	}
	sectionIndex := map[int64]int{}
	for rows.Next() {
		var s plan.Section
		if err := rows.Scan(&s.ID, &s.No, &s.Title); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: plan %d sections: %w", id, err)
		}
		s.Items = []plan.Task{}
		sectionIndex[s.ID] = len(p.Sections)
		p.Sections = append(p.Sections, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	measures, err := db.measures(ctx, ofPlan(id))
	if err != nil {
		return nil, err
	}
	units, err := db.responsibleUnits(ctx, ofPlan(id))
	if err != nil {
		return nil, err
	}
	cond, args := taskInScope(scope, "t.id")
	rows, err = db.query(ctx, db.read, `SELECT t.id, COALESCE(t.section_id, 0), t.kind, t.no, t.title, t.text,
		t.suggested_units, t.due_on, t.due_text, t.version FROM tasks t WHERE t.plan_id = ? AND `+cond+`
		ORDER BY t.kind DESC, t.no, t.id`, append([]any{id}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: plan %d tasks: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var t plan.Task
		var sectionID int64
		var suggested string
		if err := rows.Scan(&t.ID, &sectionID, &t.Kind, &t.No, &t.Title, &t.Text, &suggested, &t.Due, &t.DueText, &t.Version); err != nil {
			return nil, fmt.Errorf("store: plan %d tasks: %w", id, err)
		}
		if err := json.Unmarshal([]byte(suggested), &t.Units); err != nil {
			return nil, fmt.Errorf("store: task %d units: %w", t.ID, err)
		}
		if len(t.Units) == 0 {
			t.Units = nil
		}
		t.Targets = append([]plan.Target{}, targets[t.ID]...)
		t.Measures = measures[t.ID]
		t.LeadUnits, t.CoUnits = units[t.ID].lead, units[t.ID].co
		if t.Kind == plan.KindKeyItem {
			p.KeyItems = append(p.KeyItems, t)
		} else if i, ok := sectionIndex[sectionID]; ok {
			p.Sections[i].Items = append(p.Sections[i].Items, t)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if !scope.All {
		kept := p.Sections[:0]
		for _, s := range p.Sections {
			if len(s.Items) > 0 {
				kept = append(kept, s)
			}
		}
		p.Sections = kept
	}
	return p, nil
}

// TaskDetail is one task with where it belongs.
type TaskDetail struct {
	plan.Task
	PlanID       int64  `json:"plan_id"`
	PlanTitle    string `json:"plan_title"`
	SectionNo    int    `json:"section_no,omitempty"`
	SectionTitle string `json:"section_title,omitempty"`
}

// Task reads one task the scope may see; another unit's task is not found.
func (db *DB) Task(ctx context.Context, scope auth.Scope, id int64) (*TaskDetail, error) {
	cond, args := taskInScope(scope, "t.id")
	var d TaskDetail
	var suggested string
	err := db.queryRow(ctx, db.read, `SELECT t.id, t.plan_id, p.title, COALESCE(s.no, 0), COALESCE(s.title, ''),
		t.kind, t.no, t.title, t.text, t.suggested_units, t.due_on, t.due_text, t.version
		FROM tasks t JOIN plans p ON p.id = t.plan_id LEFT JOIN sections s ON s.id = t.section_id
		WHERE t.id = ? AND `+cond, append([]any{id}, args...)...).Scan(&d.ID, &d.PlanID, &d.PlanTitle, &d.SectionNo,
		&d.SectionTitle, &d.Kind, &d.No, &d.Title, &d.Text, &suggested, &d.Due, &d.DueText, &d.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("task", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: task %d: %w", id, err)
	}
	if err := json.Unmarshal([]byte(suggested), &d.Units); err != nil {
		return nil, fmt.Errorf("store: task %d units: %w", id, err)
	}
	if len(d.Units) == 0 {
		d.Units = nil
	}
	targets, err := db.indicators(ctx, ofTask(d.ID))
	if err != nil {
		return nil, err
	}
	d.Targets = append([]plan.Target{}, targets[d.ID]...)
	measures, err := db.measures(ctx, ofTask(d.ID))
	if err != nil {
		return nil, err
	}
	d.Measures = measures[d.ID]
	units, err := db.responsibleUnits(ctx, ofTask(d.ID))
	if err != nil {
		return nil, err
	}
	d.LeadUnits, d.CoUnits = units[d.ID].lead, units[d.ID].co
	return &d, nil
}

// parts names what the part loaders read: a whole plan's, or one task's.
type parts struct {
	id     int64
	ofTask bool
}

func ofPlan(id int64) parts { return parts{id: id} }
func ofTask(id int64) parts { return parts{id: id, ofTask: true} }

// col picks the filter column.
func (p parts) col(planCol, taskCol string) string {
	if p.ofTask {
		return taskCol
	}
	return planCol
}

// indicators returns a plan's targets by task id; key 0 holds the plan's
// headline targets.
func (db *DB) indicators(ctx context.Context, of parts) (map[int64][]plan.Target, error) {
	rows, err := db.query(ctx, db.read, `SELECT id, COALESCE(task_id, 0), name, unit, comparator, increment, target_value,
		stretch_value, display, source FROM indicators WHERE `+of.col("plan_id", "task_id")+` = ? ORDER BY sort, id`, of.id)
	if err != nil {
		return nil, fmt.Errorf("store: indicators of %+v: %w", of, err)
	}
	defer rows.Close()
	out := map[int64][]plan.Target{}
	for rows.Next() {
		var t plan.Target
		var taskID int64
		var stretch sql.NullFloat64
		if err := rows.Scan(&t.ID, &taskID, &t.Name, &t.Unit, &t.Comparator, &t.Increment, &t.Value, &stretch, &t.Display, &t.Source); err != nil {
			return nil, fmt.Errorf("store: indicators of %+v: %w", of, err)
		}
		if stretch.Valid {
			v := stretch.Float64
			t.Stretch = &v
		}
		out[taskID] = append(out[taskID], t)
	}
	return out, rows.Err()
}

func (db *DB) measures(ctx context.Context, of parts) (map[int64][]plan.Measure, error) {
	rows, err := db.query(ctx, db.read, `SELECT m.id, m.task_id, m.no, m.text, m.done, m.done_note, m.due_on, m.due_text, m.version
		FROM measures m JOIN tasks t ON t.id = m.task_id WHERE `+of.col("t.plan_id", "m.task_id")+` = ?
		ORDER BY m.task_id, m.no, m.id`, of.id)
	if err != nil {
		return nil, fmt.Errorf("store: measures of %+v: %w", of, err)
	}
	defer rows.Close()
	out := map[int64][]plan.Measure{}
	for rows.Next() {
		var m plan.Measure
		var taskID int64
		if err := rows.Scan(&m.ID, &taskID, &m.No, &m.Text, &m.Done, &m.DoneNote, &m.Due, &m.DueText, &m.Version); err != nil {
			return nil, fmt.Errorf("store: measures of %+v: %w", of, err)
		}
		out[taskID] = append(out[taskID], m)
	}
	return out, rows.Err()
}

type leadCo struct{ lead, co []string }

func (db *DB) responsibleUnits(ctx context.Context, of parts) (map[int64]leadCo, error) {
	rows, err := db.query(ctx, db.read, `SELECT r.task_id, r.role, u.name FROM responsibilities r
		JOIN tasks t ON t.id = r.task_id JOIN units u ON u.id = r.unit_id
		WHERE r.measure_id = 0 AND `+of.col("t.plan_id", "r.task_id")+` = ? ORDER BY r.task_id, r.id`, of.id)
	if err != nil {
		return nil, fmt.Errorf("store: responsibilities of %+v: %w", of, err)
	}
	defer rows.Close()
	out := map[int64]leadCo{}
	for rows.Next() {
		var taskID int64
		var role, name string
		if err := rows.Scan(&taskID, &role, &name); err != nil {
			return nil, fmt.Errorf("store: responsibilities of %+v: %w", of, err)
		}
		lc := out[taskID]
		if role == "lead" {
			lc.lead = append(lc.lead, name)
		} else {
			lc.co = append(lc.co, name)
		}
		out[taskID] = lc
	}
	return out, rows.Err()
}

// IsEmpty reports whether the database holds no units and no plans; the
// demo loads only into an empty database.
func (db *DB) IsEmpty(ctx context.Context) (bool, error) {
	var n int
	err := db.queryRow(ctx, db.read, "SELECT (SELECT COUNT(*) FROM units) + (SELECT COUNT(*) FROM plans)").Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: count rows: %w", err)
	}
	return n == 0, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
