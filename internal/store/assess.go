package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/assess"
)

// AssessmentWeights lists a plan's assessment weights.
func (db *DB) AssessmentWeights(ctx context.Context, planID int64) ([]assess.Weight, error) {
	rows, err := db.query(ctx, db.read, `SELECT item, weight, bonus_rate, bonus_cap, version FROM assessment_weights
		WHERE plan_id = ? ORDER BY id`, planID)
	if err != nil {
		return nil, fmt.Errorf("store: assessment weights of plan %d: %w", planID, err)
	}
	defer rows.Close()
	var out []assess.Weight
	for rows.Next() {
		var w assess.Weight
		if err := rows.Scan(&w.Item, &w.Weight, &w.BonusRate, &w.BonusCap, &w.Version); err != nil {
			return nil, fmt.Errorf("store: assessment weights of plan %d: %w", planID, err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// SetAssessmentWeight creates a plan's weight for an item (Version 0) or
// changes it, guarded by its version; it returns the previous weight, nil
// for a new one.
func (tx *Tx) SetAssessmentWeight(planID int64, w *assess.Weight) (*assess.Weight, error) {
	if err := w.Validate(); err != nil {
		return nil, err
	}
	now := tx.db.now()
	if w.Version == 0 {
		_, err := tx.insert(`INSERT INTO assessment_weights (plan_id, item, weight, bonus_rate, bonus_cap, version,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)`, planID, w.Item, w.Weight, w.BonusRate, w.BonusCap, now, now)
		if isUniqueViolation(err) {
			return nil, &apperr.Error{Code: apperr.Conflict, Key: "err.conflict",
				Message: "考核权重已被他人设置,请刷新后重试", Err: err}
		}
		if err != nil {
			return nil, fmt.Errorf("store: assessment weight: %w", err)
		}
		w.Version = 1
		return nil, nil
	}
	prev := assess.Weight{Item: w.Item}
	err := tx.queryRow(`SELECT weight, bonus_rate, bonus_cap, version FROM assessment_weights WHERE plan_id = ? AND item = ?`,
		planID, w.Item).Scan(&prev.Weight, &prev.BonusRate, &prev.BonusCap, &prev.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("assessment weight", w.Item)
	}
	if err != nil {
		return nil, fmt.Errorf("store: assessment weight: %w", err)
	}
	err = tx.update("assessment weight", `UPDATE assessment_weights SET weight = ?, bonus_rate = ?, bonus_cap = ?,
		version = version + 1, updated_at = ? WHERE plan_id = ? AND item = ? AND version = ?`,
		w.Weight, w.BonusRate, w.BonusCap, now, planID, w.Item, w.Version)
	if err != nil {
		return &prev, err
	}
	w.Version++
	return &prev, nil
}

// KeyItemShares gives each lead unit the mean share of measures done over
// the key items it leads: the task part of the assessment where no
// monthly reports say more.
func (db *DB) KeyItemShares(ctx context.Context, planID int64) (assess.TaskShares, error) {
	rows, err := db.query(ctx, db.read, `SELECT r.unit_id, t.id,
		SUM(CASE WHEN m.done THEN 1 ELSE 0 END), COUNT(m.id)
		FROM tasks t JOIN responsibilities r ON r.task_id = t.id AND r.role = 'lead' AND r.measure_id = 0
		JOIN measures m ON m.task_id = t.id
		WHERE t.plan_id = ? AND t.kind = 'key_item' GROUP BY r.unit_id, t.id`, planID)
	if err != nil {
		return nil, fmt.Errorf("store: key item shares: %w", err)
	}
	defer rows.Close()
	sums, counts := map[int64]float64{}, map[int64]int{}
	for rows.Next() {
		var unit, task int64
		var done, total int
		if err := rows.Scan(&unit, &task, &done, &total); err != nil {
			return nil, fmt.Errorf("store: key item shares: %w", err)
		}
		if total > 0 {
			sums[unit] += float64(done) / float64(total)
			counts[unit]++
		}
	}
	out := assess.TaskShares{}
	for u, s := range sums {
		out[u] = map[string]float64{assess.CategoryKeyItem: s / float64(counts[u])}
	}
	return out, rows.Err()
}
