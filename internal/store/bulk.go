package store

import (
	"context"
	"fmt"
	"strings"
)

// maxParams keeps a multi-row INSERT under both engines' limits on bound
// parameters (SQLite 32,766; PostgreSQL 65,535).
const maxParams = 30000

// BulkInsert appends rows to table in multi-row INSERTs, inside the
// transaction. It is for generated data (luoshi demo generate): it skips
// the registry's aggregates, history and audit, which the caller rebuilds
// or writes once.
func (tx *Tx) BulkInsert(table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	per := max(1, maxParams/len(cols))
	one := "(?" + strings.Repeat(", ?", len(cols)-1) + ")"
	for start := 0; start < len(rows); start += per {
		end := min(start+per, len(rows))
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		args := make([]any, 0, (end-start)*len(cols))
		for i := start; i < end; i++ {
			if i > start {
				b.WriteString(", ")
			}
			b.WriteString(one)
			args = append(args, rows[i]...)
		}
		if _, err := tx.exec(b.String(), args...); err != nil {
			return fmt.Errorf("store: bulk insert into %s: %w", table, err)
		}
	}
	return nil
}

// IDsAbove maps the natural key column of table to the id of each row with
// an id above after (the rows a bulk insert just made).
func (db *DB) IDsAbove(ctx context.Context, table, keyCol string, after int64) (map[string]int64, error) {
	rows, err := db.query(ctx, db.read, "SELECT id, "+keyCol+" FROM "+table+" WHERE id > ?", after)
	if err != nil {
		return nil, fmt.Errorf("store: ids of %s: %w", table, err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			return nil, err
		}
		out[key] = id
	}
	return out, rows.Err()
}

// MaxID returns the largest id of table, 0 when empty.
func (db *DB) MaxID(ctx context.Context, table string) (int64, error) {
	var id int64
	err := db.queryRow(ctx, db.read, "SELECT COALESCE(MAX(id), 0) FROM "+table).Scan(&id)
	return id, err
}

// RawGroupSums runs one plain aggregation over a registry table, grouped by
// unit: the baseline the maintained aggregates are measured against. query
// is a SELECT of (unit_id, value) with a GROUP BY unit_id.
func (db *DB) RawGroupSums(ctx context.Context, query string, args ...any) (map[int64]int64, error) {
	rows, err := db.query(ctx, db.read, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: raw aggregation: %w", err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var unit, v int64
		if err := rows.Scan(&unit, &v); err != nil {
			return nil, err
		}
		out[unit] = v
	}
	return out, rows.Err()
}
