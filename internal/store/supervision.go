package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/auth"
)

// Supervision notices (督办单) and their trail (issue 8, item 4). The rules
// (who may take which step, the number format) are in internal/supervision.

// Notice is a supervision notice with what it is about.
type Notice struct {
	ID          int64        `json:"id"`
	Year        int          `json:"year"`
	Seq         int          `json:"seq"`
	Number      string       `json:"number"`
	UnitID      int64        `json:"unit_id"`
	UnitName    string       `json:"unit_name"`
	TaskID      int64        `json:"task_id,omitempty"`
	TaskTitle   string       `json:"task_title,omitempty"`
	MeasureID   int64        `json:"measure_id,omitempty"`
	MeasureText string       `json:"measure_text,omitempty"`
	PlanID      int64        `json:"plan_id,omitempty"`
	Subject     string       `json:"subject"`
	Body        string       `json:"body"`
	ReplyDue    string       `json:"reply_due"`
	Status      string       `json:"status"`
	Level       int          `json:"level"`
	IssuedBy    int64        `json:"issued_by"`
	IssuerName  string       `json:"issuer_name"`
	CreatedAt   time.Time    `json:"created_at"`
	ClosedAt    *time.Time   `json:"closed_at,omitempty"`
	Version     int64        `json:"version"`
	Trail       []TrailEntry `json:"trail,omitempty"`
}

// TrailEntry is one time-stamped step of a notice.
type TrailEntry struct {
	ID        int64          `json:"id"`
	At        time.Time      `json:"at"`
	Step      string         `json:"step"`
	ActorID   int64          `json:"actor_id"`
	ActorName string         `json:"actor_name"`
	Text      string         `json:"text,omitempty"`
	DueOn     string         `json:"due_on,omitempty"`
	Files     []EvidenceFile `json:"files,omitempty"`
}

// EvidenceFile is a file attached to a trail step; the bytes are in files.
type EvidenceFile struct {
	ID     int64  `json:"id"`
	SHA256 string `json:"sha256"`
	Name   string `json:"name"`
	Size   int64  `json:"size"`
}

const noticeColumns = `n.id, n.year, n.seq, n.number, n.unit_id, un.name, COALESCE(n.task_id, 0), COALESCE(t.title, ''),
	COALESCE(n.measure_id, 0), COALESCE(m.text, ''), COALESCE(t.plan_id, 0), n.subject, n.body, n.reply_due, n.status, n.level,
	n.issued_by, n.issuer_name, n.created_at, n.closed_at, n.version`

const noticeFrom = ` FROM supervision_notices n JOIN units un ON un.id = n.unit_id
	LEFT JOIN tasks t ON t.id = n.task_id LEFT JOIN measures m ON m.id = n.measure_id`

func scanNotice(sc interface{ Scan(...any) error }) (Notice, error) {
	var n Notice
	var closed sql.NullTime
	err := sc.Scan(&n.ID, &n.Year, &n.Seq, &n.Number, &n.UnitID, &n.UnitName, &n.TaskID, &n.TaskTitle, &n.MeasureID,
		&n.MeasureText, &n.PlanID, &n.Subject, &n.Body, &n.ReplyDue, &n.Status, &n.Level, &n.IssuedBy, &n.IssuerName,
		&n.CreatedAt, &closed, &n.Version)
	if closed.Valid {
		t := closed.Time
		n.ClosedAt = &t
	}
	return n, err
}

// NoticeFilter selects notices; zero fields do not filter.
type NoticeFilter struct {
	Status []string
	UnitID int64
	TaskID int64
}

// Notices lists the notices the scope sees, newest first.
func (db *DB) Notices(ctx context.Context, scope auth.Scope, f NoticeFilter) ([]Notice, error) {
	cond, args := unitInScope(scope, "n.unit_id")
	q := "SELECT " + noticeColumns + noticeFrom + " WHERE " + cond
	if len(f.Status) > 0 {
		q += " AND n.status IN (?" + strings.Repeat(", ?", len(f.Status)-1) + ")"
		for _, s := range f.Status {
			args = append(args, s)
		}
	}
	if f.UnitID != 0 {
		q, args = q+" AND n.unit_id = ?", append(args, f.UnitID)
	}
	if f.TaskID != 0 {
		q, args = q+" AND n.task_id = ?", append(args, f.TaskID)
	}
	rows, err := db.query(ctx, db.read, q+" ORDER BY n.year DESC, n.seq DESC", args...)
	if err != nil {
		return nil, fmt.Errorf("store: notices: %w", err)
	}
	defer rows.Close()
	out := []Notice{}
	for rows.Next() {
		n, err := scanNotice(rows)
		if err != nil {
			return nil, fmt.Errorf("store: notices: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Notice reads one notice with its trail; a notice outside the scope is
// not found.
func (db *DB) Notice(ctx context.Context, scope auth.Scope, id int64) (*Notice, error) {
	return db.notice(ctx, db.read, scope, id)
}

// Notice reads a notice inside the transaction (the "before" of a step).
func (tx *Tx) Notice(scope auth.Scope, id int64) (*Notice, error) {
	return tx.db.notice(tx.ctx, tx.tx, scope, id)
}

func (db *DB) notice(ctx context.Context, q queryer, scope auth.Scope, id int64) (*Notice, error) {
	cond, args := unitInScope(scope, "n.unit_id")
	n, err := scanNotice(db.queryRow(ctx, q, "SELECT "+noticeColumns+noticeFrom+" WHERE n.id = ? AND "+cond,
		append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("notice", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: notice %d: %w", id, err)
	}
	rows, err := db.query(ctx, q, `SELECT id, at, step, actor_id, actor_name, text, due_on FROM supervision_trail
		WHERE notice_id = ? ORDER BY at, id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: notice %d trail: %w", id, err)
	}
	byID := map[int64]int{}
	for rows.Next() {
		var e TrailEntry
		if err := rows.Scan(&e.ID, &e.At, &e.Step, &e.ActorID, &e.ActorName, &e.Text, &e.DueOn); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: notice %d trail: %w", id, err)
		}
		byID[e.ID] = len(n.Trail)
		n.Trail = append(n.Trail, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = db.query(ctx, q, `SELECT sf.id, sf.trail_id, sf.sha256, sf.name, f.size FROM supervision_files sf
		JOIN supervision_trail st ON st.id = sf.trail_id JOIN files f ON f.sha256 = sf.sha256
		WHERE st.notice_id = ? ORDER BY sf.id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: notice %d files: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var f EvidenceFile
		var trail int64
		if err := rows.Scan(&f.ID, &trail, &f.SHA256, &f.Name, &f.Size); err != nil {
			return nil, fmt.Errorf("store: notice %d files: %w", id, err)
		}
		if i, ok := byID[trail]; ok {
			n.Trail[i].Files = append(n.Trail[i].Files, f)
		}
	}
	return &n, rows.Err()
}

// NoticeFile returns an evidence file of a notice the scope sees.
func (db *DB) NoticeFile(ctx context.Context, scope auth.Scope, noticeID, fileID int64) (File, error) {
	cond, args := unitInScope(scope, "n.unit_id")
	var sha, name string
	err := db.queryRow(ctx, db.read, `SELECT sf.sha256, sf.name FROM supervision_files sf
		JOIN supervision_trail st ON st.id = sf.trail_id JOIN supervision_notices n ON n.id = st.notice_id
		WHERE sf.id = ? AND n.id = ? AND `+cond, append([]any{fileID, noticeID}, args...)...).Scan(&sha, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return File{}, notFound("notice file", fileID)
	}
	if err != nil {
		return File{}, fmt.Errorf("store: notice file %d: %w", fileID, err)
	}
	f, err := db.File(ctx, sha)
	f.Name = name
	return f, err
}

// CreateNotice inserts n with the next number of its year: numbers are
// sequential per year and unique; on PostgreSQL an advisory lock orders
// concurrent issuers, SQLite has one writer. format makes the number from
// year and sequence.
func (tx *Tx) CreateNotice(n *Notice, format func(year, seq int) string) error {
	if tx.db.dialect.name() == "postgres" {
		if _, err := tx.exec("SELECT pg_advisory_xact_lock(?)", noticeLockKey); err != nil {
			return fmt.Errorf("store: notice number lock: %w", err)
		}
	}
	if err := tx.queryRow("SELECT COALESCE(MAX(seq), 0) + 1 FROM supervision_notices WHERE year = ?", n.Year).Scan(&n.Seq); err != nil {
		return fmt.Errorf("store: notice number: %w", err)
	}
	n.Number = format(n.Year, n.Seq)
	now := tx.db.now()
	var task, measure any
	if n.TaskID != 0 {
		task = n.TaskID
	}
	if n.MeasureID != 0 {
		measure = n.MeasureID
	}
	id, err := tx.insert(`INSERT INTO supervision_notices (year, seq, number, unit_id, task_id, measure_id, subject, body, reply_due,
		status, level, issued_by, issuer_name, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'issued', 1, ?, ?, 1, ?, ?)`,
		n.Year, n.Seq, n.Number, n.UnitID, task, measure, n.Subject, n.Body, n.ReplyDue, n.IssuedBy, n.IssuerName, now, now)
	if err != nil {
		return fmt.Errorf("store: create notice: %w", err)
	}
	n.ID, n.Version, n.Status, n.Level, n.CreatedAt = id, 1, "issued", 1, now
	return nil
}

// noticeLockKey serialises notice numbering on PostgreSQL ("duban").
const noticeLockKey int64 = 0x647562616e

// NoticeChange is what one step changes on a notice.
type NoticeChange struct {
	ID       int64
	Version  int64 // the version the actor saw; stale is a conflict
	Status   string
	ReplyDue string // "" keeps it
	Level    int    // 0 keeps it
	Closed   bool
}

// UpdateNotice applies a step's change, guarded by the version.
func (tx *Tx) UpdateNotice(c NoticeChange) error {
	now := tx.db.now()
	var closed any
	if c.Closed {
		closed = now
	}
	err := tx.update("notice", `UPDATE supervision_notices SET status = ?,
		reply_due = CASE WHEN ? = '' THEN reply_due ELSE ? END,
		level = CASE WHEN ? = 0 THEN level ELSE ? END,
		closed_at = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		c.Status, c.ReplyDue, c.ReplyDue, c.Level, c.Level, closed, now, c.ID, c.Version)
	return err
}

// AddTrail appends a step to a notice's trail with its evidence files
// (already stored with PutFile) and returns the entry.
func (tx *Tx) AddTrail(noticeID int64, e *TrailEntry) error {
	now := tx.db.now()
	e.At = now
	id, err := tx.insert(`INSERT INTO supervision_trail (notice_id, at, step, actor_id, actor_name, text, due_on, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`, noticeID, now, e.Step, e.ActorID, e.ActorName, e.Text, e.DueOn, now, now)
	if err != nil {
		return fmt.Errorf("store: notice %d trail: %w", noticeID, err)
	}
	e.ID = id
	for i := range e.Files {
		f := &e.Files[i]
		fid, err := tx.insert(`INSERT INTO supervision_files (trail_id, sha256, name, version, created_at, updated_at)
			VALUES (?, ?, ?, 1, ?, ?)`, id, f.SHA256, f.Name, now, now)
		if err != nil {
			return fmt.Errorf("store: notice %d file %s: %w", noticeID, f.Name, err)
		}
		f.ID = fid
	}
	return nil
}

// NoticesAwaitingReply lists the notices that wait for their unit (issued
// or escalated) and whose reply is due on or before by (YYYY-MM-DD): the
// reminder job's input.
func (db *DB) NoticesAwaitingReply(ctx context.Context, by string) ([]Notice, error) {
	rows, err := db.query(ctx, db.read, "SELECT "+noticeColumns+noticeFrom+
		" WHERE n.status IN ('issued','escalated') AND n.reply_due <= ? ORDER BY n.id", by)
	if err != nil {
		return nil, fmt.Errorf("store: notices awaiting reply: %w", err)
	}
	defer rows.Close()
	var out []Notice
	for rows.Next() {
		n, err := scanNotice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// CheckTaskMeasure checks that a notice's task and measure exist and agree:
// a measure alone sets its task.
func (tx *Tx) CheckTaskMeasure(taskID *int64, measureID int64) error {
	if measureID != 0 {
		var t int64
		err := tx.queryRow("SELECT task_id FROM measures WHERE id = ?", measureID).Scan(&t)
		if errors.Is(err, sql.ErrNoRows) {
			return invalidField("measure_id", "工作举措不存在")
		}
		if err != nil {
			return fmt.Errorf("store: measure %d: %w", measureID, err)
		}
		if *taskID != 0 && *taskID != t {
			return invalidField("measure_id", "工作举措不属于所选任务")
		}
		*taskID = t
	}
	if *taskID != 0 {
		var n int
		if err := tx.queryRow("SELECT COUNT(*) FROM tasks WHERE id = ?", *taskID).Scan(&n); err != nil {
			return fmt.Errorf("store: task %d: %w", *taskID, err)
		}
		if n == 0 {
			return invalidField("task_id", "任务不存在")
		}
	}
	return nil
}

func invalidField(field, msg string) error {
	return apperr.WithFields("督办单信息有误", map[string]string{field: msg})
}
