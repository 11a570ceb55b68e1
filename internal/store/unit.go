package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/luoshi/luoshi/internal/org"
)

const unitColumns = "id, code, name, kind, COALESCE(parent_id, 0), COALESCE(division_code, ''), sort, version"

func scanUnit(sc interface{ Scan(...any) error }) (org.Unit, error) {
	var u org.Unit
	err := sc.Scan(&u.ID, &u.Code, &u.Name, &u.Kind, &u.ParentID, &u.DivisionCode, &u.Sort, &u.Version)
	return u, err
}

// Units lists every org unit, ordered by sort then code.
func (db *DB) Units(ctx context.Context) ([]org.Unit, error) {
	rows, err := db.query(ctx, db.read, "SELECT "+unitColumns+" FROM units ORDER BY sort, code")
	if err != nil {
		return nil, fmt.Errorf("store: list units: %w", err)
	}
	defer rows.Close()
	var out []org.Unit
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list units: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// Unit reads one unit by id.
func (db *DB) Unit(ctx context.Context, id int64) (org.Unit, error) {
	u, err := scanUnit(db.queryRow(ctx, db.read, "SELECT "+unitColumns+" FROM units WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, notFound("unit", id)
	}
	if err != nil {
		return u, fmt.Errorf("store: unit %d: %w", id, err)
	}
	return u, nil
}

// UnitByCode reads one unit by its code or its division code.
func (db *DB) UnitByCode(ctx context.Context, code string) (org.Unit, error) {
	u, err := scanUnit(db.queryRow(ctx, db.read,
		"SELECT "+unitColumns+" FROM units WHERE code = ? OR division_code = ? ORDER BY id LIMIT 1", code, code))
	if errors.Is(err, sql.ErrNoRows) {
		return u, notFound("unit", code)
	}
	if err != nil {
		return u, fmt.Errorf("store: unit %s: %w", code, err)
	}
	return u, nil
}

// CreateUnit validates u, checks it against the other units (CheckUnit),
// inserts it and sets its ID and version.
func (tx *Tx) CreateUnit(u *org.Unit) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if err := tx.CheckUnit(u); err != nil {
		return err
	}
	now := tx.db.now()
	var parent, division any
	if u.ParentID != 0 {
		parent = u.ParentID
	}
	if u.DivisionCode != "" {
		division = u.DivisionCode
	}
	id, err := tx.insert(`INSERT INTO units (code, name, kind, parent_id, division_code, sort, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)`, u.Code, u.Name, string(u.Kind), parent, division, u.Sort, now, now)
	if err != nil {
		return fmt.Errorf("store: create unit %s: %w", u.Code, err)
	}
	u.ID, u.Version = id, 1
	return nil
}
