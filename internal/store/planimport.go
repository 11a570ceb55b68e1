package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// File is an uploaded document, kept content-addressed in the database.
type File struct {
	SHA256    string
	Name      string
	Size      int64
	Content   []byte
	CreatedBy string
	CreatedAt time.Time
}

// PutFile keeps f under its SHA-256. The same bytes stored again keep the
// first row: a file is written once and never changed.
func (tx *Tx) PutFile(f File) error {
	if f.SHA256 == "" {
		return errors.New("store: put file: no sha256")
	}
	_, err := tx.exec(`INSERT INTO files (sha256, name, size, content, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`,
		f.SHA256, f.Name, int64(len(f.Content)), f.Content, f.CreatedBy, tx.db.now())
	if err != nil {
		return fmt.Errorf("store: put file %s: %w", f.SHA256, err)
	}
	return nil
}

// File reads a stored file by its SHA-256, or returns a not-found error.
func (db *DB) File(ctx context.Context, sha256 string) (File, error) {
	f := File{SHA256: sha256}
	err := db.queryRow(ctx, db.read, "SELECT name, size, content, created_by, created_at FROM files WHERE sha256 = ?",
		sha256).Scan(&f.Name, &f.Size, &f.Content, &f.CreatedBy, &f.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return File{}, notFound("file", sha256)
	}
	if err != nil {
		return File{}, fmt.Errorf("store: file %s: %w", sha256, err)
	}
	return f, nil
}

// PlanRef names a plan: enough to link to it and to decide on a re-import.
type PlanRef struct {
	ID          int64
	Title       string
	Status      string
	ContentHash string
}

const planRefColumns = "id, title, status, content_hash"

// PlanRefByHash returns the plan imported from the document with this
// content hash, or a not-found error.
func (db *DB) PlanRefByHash(ctx context.Context, hash string) (PlanRef, error) {
	return scanPlanRef(db.queryRow(ctx, db.read, "SELECT "+planRefColumns+
		" FROM plans WHERE content_hash = ? AND content_hash <> '' ORDER BY id LIMIT 1", hash), "plan with hash", hash)
}

// PlanRefByHash is DB.PlanRefByHash inside the transaction.
func (tx *Tx) PlanRefByHash(hash string) (PlanRef, error) {
	return scanPlanRef(tx.queryRow("SELECT "+planRefColumns+
		" FROM plans WHERE content_hash = ? AND content_hash <> '' ORDER BY id LIMIT 1", hash), "plan with hash", hash)
}

// PlanRef reads a plan's name and status inside the transaction.
func (tx *Tx) PlanRef(id int64) (PlanRef, error) {
	return scanPlanRef(tx.queryRow("SELECT "+planRefColumns+" FROM plans WHERE id = ?", id), "plan", id)
}

func scanPlanRef(row *sql.Row, what string, key any) (PlanRef, error) {
	var r PlanRef
	err := row.Scan(&r.ID, &r.Title, &r.Status, &r.ContentHash)
	if errors.Is(err, sql.ErrNoRows) {
		return PlanRef{}, notFound(what, key)
	}
	if err != nil {
		return PlanRef{}, fmt.Errorf("store: %s %v: %w", what, key, err)
	}
	return r, nil
}

// SetPlanSource records the name of the document a plan was imported from.
func (tx *Tx) SetPlanSource(id int64, name string) error {
	if _, err := tx.exec("UPDATE plans SET source_name = ? WHERE id = ?", name, id); err != nil {
		return fmt.Errorf("store: plan %d source: %w", id, err)
	}
	return nil
}

// DeletePlan removes a plan with its sections, tasks, measures, indicators
// and responsibilities (the foreign keys cascade). Callers decide whether a
// plan may go: only a draft is replaced by a re-import.
func (tx *Tx) DeletePlan(id int64) error {
	res, err := tx.exec("DELETE FROM plans WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("store: delete plan %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: delete plan %d: %w", id, err)
	}
	if n == 0 {
		return notFound("plan", id)
	}
	return nil
}

// IsUniqueViolation reports whether err is a unique-constraint failure, on
// either engine: a concurrent writer got there first.
func IsUniqueViolation(err error) bool { return isUniqueViolation(err) }
