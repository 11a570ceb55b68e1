package store

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/org"
)

// maxUnitDepth bounds the walk up the tree; the real tree is a few levels
// deep, so a longer chain can only be a cycle left by a bad import.
const maxUnitDepth = 64

// Unit reads one unit inside the transaction (the "before" of an update).
func (tx *Tx) Unit(id int64) (org.Unit, error) {
	u, err := scanUnit(tx.queryRow("SELECT "+unitColumns+" FROM units WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, notFound("unit", id)
	}
	if err != nil {
		return u, fmt.Errorf("store: unit %d: %w", id, err)
	}
	return u, nil
}

// CheckUnit returns the field errors of u that need the database: a code or
// division code that another unit already has, a parent that does not exist,
// or a parent that is u itself or one of its descendants (the tree would
// become a cycle). u.ID is 0 for a new unit.
func (tx *Tx) CheckUnit(u *org.Unit) error {
	fields := map[string]string{}
	var n int
	if err := tx.queryRow(`SELECT COUNT(*) FROM units WHERE code = ? AND id <> ?`, u.Code, u.ID).Scan(&n); err != nil {
		return fmt.Errorf("store: check unit code: %w", err)
	}
	if n > 0 {
		fields["code"] = "单位编码已被其他单位使用"
	}
	if u.DivisionCode != "" {
		if err := tx.queryRow(`SELECT COUNT(*) FROM units WHERE division_code = ? AND id <> ?`,
			u.DivisionCode, u.ID).Scan(&n); err != nil {
			return fmt.Errorf("store: check unit division code: %w", err)
		}
		if n > 0 {
			fields["division_code"] = "该行政区划代码已被其他单位使用"
		}
	}
	if u.ParentID != 0 {
		if msg, err := tx.checkParent(u.ID, u.ParentID); err != nil {
			return err
		} else if msg != "" {
			fields["parent_id"] = msg
		}
	}
	if len(fields) > 0 {
		return apperr.WithFields("单位信息有误", fields)
	}
	return nil
}

// checkParent walks up from parent and returns a message when parent does
// not exist or when unit id is met on the way (parent is the unit itself or
// below it).
func (tx *Tx) checkParent(id, parent int64) (string, error) {
	cur := parent
	for depth := 0; cur != 0; depth++ {
		if id != 0 && cur == id {
			return "上级单位不能是本单位或其下级单位", nil
		}
		if depth >= maxUnitDepth {
			return "单位层级过深", nil
		}
		var next int64
		err := tx.queryRow(`SELECT COALESCE(parent_id, 0) FROM units WHERE id = ?`, cur).Scan(&next)
		if errors.Is(err, sql.ErrNoRows) {
			if cur == parent {
				return "上级单位不存在", nil
			}
			return "", nil
		}
		if err != nil {
			return "", fmt.Errorf("store: check unit parent: %w", err)
		}
		cur = next
	}
	return "", nil
}

// UpdateUnit validates u and changes its code, name, kind, parent, division
// code and sort, guarded by its version: a stale version is a conflict.
func (tx *Tx) UpdateUnit(u *org.Unit) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if _, err := tx.Unit(u.ID); err != nil {
		return err
	}
	if err := tx.CheckUnit(u); err != nil {
		return err
	}
	var parent, division any
	if u.ParentID != 0 {
		parent = u.ParentID
	}
	if u.DivisionCode != "" {
		division = u.DivisionCode
	}
	err := tx.update("unit", `UPDATE units SET code = ?, name = ?, kind = ?, parent_id = ?, division_code = ?, sort = ?,
		version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		u.Code, u.Name, string(u.Kind), parent, division, u.Sort, tx.db.now(), u.ID, u.Version)
	if isUniqueViolation(err) {
		return apperr.WithFields("单位信息有误", map[string]string{"code": "单位编码已被其他单位使用"})
	}
	if err != nil {
		return err
	}
	u.Version++
	return nil
}
