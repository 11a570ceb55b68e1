package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/luoshi/luoshi/internal/auth"
)

// The facts behind the automatic supervision lists (issue 8, item 4): what
// is due, by whom, and who has gone quiet. The colours are worked out in
// internal/supervision.

// WatchUnit is a responsible unit of a watched item.
type WatchUnit struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// WatchTask is a task of an active plan with its due date and units.
type WatchTask struct {
	ID       int64       `json:"id"`
	PlanID   int64       `json:"plan_id"`
	Year     int         `json:"year"`
	Kind     string      `json:"kind"`
	No       int         `json:"no"`
	Title    string      `json:"title"`
	DueOn    string      `json:"due_on"`
	Lead     []WatchUnit `json:"lead"`
	Measures int         `json:"measures"`
	Done     int         `json:"done"`
}

// WatchMeasure is an open measure of an active plan with a due date.
type WatchMeasure struct {
	ID        int64       `json:"id"`
	TaskID    int64       `json:"task_id"`
	PlanID    int64       `json:"plan_id"`
	Year      int         `json:"year"`
	TaskNo    int         `json:"task_no"`
	TaskTitle string      `json:"task_title"`
	No        int         `json:"no"`
	Text      string      `json:"text"`
	DueOn     string      `json:"due_on"`
	Lead      []WatchUnit `json:"lead"`
}

// Watched lists the tasks of active plans that the scope sees, and their
// open measures with a due date, each with its task's lead units.
func (db *DB) Watched(ctx context.Context, scope auth.Scope) ([]WatchTask, []WatchMeasure, error) {
	tasks, err := db.watchTasks(ctx, scope)
	if err != nil {
		return nil, nil, err
	}
	measures, err := db.watchMeasures(ctx, scope)
	if err != nil {
		return nil, nil, err
	}
	leads, err := db.leadUnits(ctx, scope)
	if err != nil {
		return nil, nil, err
	}
	for i := range tasks {
		tasks[i].Lead = leads[tasks[i].ID]
	}
	for i := range measures {
		measures[i].Lead = leads[measures[i].TaskID]
	}
	return tasks, measures, nil
}

func (db *DB) watchTasks(ctx context.Context, scope auth.Scope) ([]WatchTask, error) {
	cond, args := taskInScope(scope, "t.id")
	rows, err := db.query(ctx, db.read, `SELECT t.id, t.plan_id, p.year, t.kind, t.no, t.title, t.due_on,
			(SELECT COUNT(*) FROM measures m WHERE m.task_id = t.id),
			(SELECT COUNT(*) FROM measures m WHERE m.task_id = t.id AND m.done)
		FROM tasks t JOIN plans p ON p.id = t.plan_id
		WHERE p.status = 'active' AND `+cond+` ORDER BY p.year DESC, t.plan_id, t.kind DESC, t.no`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: watch tasks: %w", err)
	}
	defer rows.Close()
	var out []WatchTask
	for rows.Next() {
		var t WatchTask
		if err := rows.Scan(&t.ID, &t.PlanID, &t.Year, &t.Kind, &t.No, &t.Title, &t.DueOn, &t.Measures, &t.Done); err != nil {
			return nil, fmt.Errorf("store: watch tasks: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (db *DB) watchMeasures(ctx context.Context, scope auth.Scope) ([]WatchMeasure, error) {
	cond, args := taskInScope(scope, "t.id")
	rows, err := db.query(ctx, db.read, `SELECT m.id, m.task_id, t.plan_id, p.year, t.no, t.title, m.no, m.text, m.due_on
		FROM measures m JOIN tasks t ON t.id = m.task_id JOIN plans p ON p.id = t.plan_id
		WHERE p.status = 'active' AND m.due_on <> '' AND NOT m.done AND `+cond+` ORDER BY m.due_on, t.no, m.no`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: watch measures: %w", err)
	}
	defer rows.Close()
	var out []WatchMeasure
	for rows.Next() {
		var m WatchMeasure
		if err := rows.Scan(&m.ID, &m.TaskID, &m.PlanID, &m.Year, &m.TaskNo, &m.TaskTitle, &m.No, &m.Text, &m.DueOn); err != nil {
			return nil, fmt.Errorf("store: watch measures: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// leadUnits maps each task of an active plan to its lead units.
func (db *DB) leadUnits(ctx context.Context, scope auth.Scope) (map[int64][]WatchUnit, error) {
	cond, args := taskInScope(scope, "r.task_id")
	rows, err := db.query(ctx, db.read, `SELECT r.task_id, u.id, u.name FROM responsibilities r JOIN units u ON u.id = r.unit_id
		JOIN tasks t ON t.id = r.task_id JOIN plans p ON p.id = t.plan_id
		WHERE r.role = 'lead' AND r.measure_id = 0 AND p.status = 'active' AND `+cond+` ORDER BY r.task_id, u.sort, u.code`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: lead units: %w", err)
	}
	defer rows.Close()
	out := map[int64][]WatchUnit{}
	for rows.Next() {
		var task int64
		var u WatchUnit
		if err := rows.Scan(&task, &u.ID, &u.Name); err != nil {
			return nil, err
		}
		out[task] = append(out[task], u)
	}
	return out, rows.Err()
}

// UnitActivity is when a responsible unit last showed signs of life.
type UnitActivity struct {
	UnitID    int64      `json:"unit_id"`
	UnitName  string     `json:"unit_name"`
	Users     int        `json:"users"`
	LastLogin *time.Time `json:"last_login,omitempty"`
	// LastReport is the unit's last report (set by the caller when reports
	// exist).
	LastReport *time.Time `json:"last_report,omitempty"`
}

// lastSession joins s, the latest session of the users matching userCond
// (a condition on us). The session row itself is joined, not MAX() over
// it: an aggregate over a time column loses its type on SQLite.
func lastSession(userCond string) string {
	return ` LEFT JOIN sessions s ON s.id = (SELECT s2.id FROM sessions s2 JOIN users us ON us.id = s2.user_id
		WHERE ` + userCond + ` ORDER BY s2.created_at DESC LIMIT 1)`
}

// UnitActivities lists the units the scope sees that are responsible for a
// task of an active plan, with their accounts' last sign-in.
func (db *DB) UnitActivities(ctx context.Context, scope auth.Scope) ([]UnitActivity, error) {
	cond, args := unitInScope(scope, "u.id")
	rows, err := db.query(ctx, db.read, `SELECT u.id, u.name, (SELECT COUNT(*) FROM users us WHERE us.unit_id = u.id AND NOT us.disabled),
			s.created_at
		FROM units u`+lastSession("us.unit_id = u.id")+`
		WHERE EXISTS (SELECT 1 FROM responsibilities r JOIN tasks t ON t.id = r.task_id JOIN plans p ON p.id = t.plan_id
			WHERE r.unit_id = u.id AND p.status = 'active') AND `+cond+` ORDER BY u.sort, u.code`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unit activity: %w", err)
	}
	defer rows.Close()
	var out []UnitActivity
	for rows.Next() {
		var a UnitActivity
		var login sql.NullTime
		if err := rows.Scan(&a.UnitID, &a.UnitName, &a.Users, &login); err != nil {
			return nil, fmt.Errorf("store: unit activity: %w", err)
		}
		if login.Valid {
			a.LastLogin = &login.Time
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// UserLogin is an account's username and last sign-in (nil: never).
type UserLogin struct {
	Username  string
	LastLogin *time.Time
}

// UserLogins returns the username and last sign-in of each of the users
// ids that exists.
func (db *DB) UserLogins(ctx context.Context, ids []int64) (map[int64]UserLogin, error) {
	cond, args := inList("u.id", ids)
	rows, err := db.query(ctx, db.read, `SELECT u.id, u.username, s.created_at FROM users u`+lastSession("us.id = u.id")+
		` WHERE `+cond, args...)
	if err != nil {
		return nil, fmt.Errorf("store: user logins: %w", err)
	}
	defer rows.Close()
	out := map[int64]UserLogin{}
	for rows.Next() {
		var id int64
		var l UserLogin
		var login sql.NullTime
		if err := rows.Scan(&id, &l.Username, &login); err != nil {
			return nil, fmt.Errorf("store: user logins: %w", err)
		}
		if login.Valid {
			l.LastLogin = &login.Time
		}
		out[id] = l
	}
	return out, rows.Err()
}
