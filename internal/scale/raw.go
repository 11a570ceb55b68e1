package scale

import (
	"context"
	"fmt"
	"time"

	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/registry"
	"github.com/luoshi/luoshi/internal/store"
)

// RawFigures computes, for each registry query, unit and month of year up
// to through, what the dashboard shows — the month-end answer over the
// unit's subtree — with plain SQL over the registry tables: one GROUP BY
// per query and month. It is the baseline the maintained aggregates are
// measured against, and a check that both give the same numbers.
func RawFigures(ctx context.Context, db *store.DB, kinds []registry.QueryKind, year, through int) (map[registry.QueryKind]map[int64][]int64, error) {
	out := map[registry.QueryKind]map[int64][]int64{}
	for _, k := range kinds {
		perUnit := map[int64][]int64{}
		for m := 1; m <= through; m++ {
			end := time.Date(year, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
			from := fmt.Sprintf("%04d-01-01", year)
			var q string
			var args []any
			switch k {
			case registry.HTEValid:
				q = `SELECT r.unit_id, COUNT(DISTINCT q.enterprise_id) FROM reg_qualifications q JOIN reg_enterprises r ON r.id = q.enterprise_id
					WHERE q.kind = 'hte' AND q.issued_on <> '' AND q.issued_on <= ? AND q.expires_on >= ? AND (q.revoked_on = '' OR q.revoked_on > ?)
					GROUP BY r.unit_id`
				args = []any{end, end, end}
			case registry.TSMERegistered:
				q = `SELECT r.unit_id, COUNT(DISTINCT q.enterprise_id) FROM reg_qualifications q JOIN reg_enterprises r ON r.id = q.enterprise_id
					WHERE q.kind = 'tsme' AND q.year = ? GROUP BY r.unit_id`
				args = []any{year}
			case registry.ContractValue:
				q = `SELECT unit_id, CAST(SUM(contract_value) AS BIGINT) FROM reg_contracts WHERE registered_on >= ? AND registered_on <= ? GROUP BY unit_id`
				args = []any{from, end}
			case registry.TechValue:
				q = `SELECT unit_id, CAST(SUM(tech_value) AS BIGINT) FROM reg_contracts WHERE registered_on >= ? AND registered_on <= ? GROUP BY unit_id`
				args = []any{from, end}
			case registry.PlatformsNew:
				q = `SELECT unit_id, COUNT(*) FROM reg_platforms WHERE level IN ('国家', '省') AND approved_on >= ? AND approved_on <= ? GROUP BY unit_id`
				args = []any{from, end}
			default:
				return nil, fmt.Errorf("scale: no raw query for %s", k)
			}
			sums, err := db.RawGroupSums(ctx, q, args...)
			if err != nil {
				return nil, err
			}
			for unit, v := range sums {
				if perUnit[unit] == nil {
					perUnit[unit] = make([]int64, through)
				}
				perUnit[unit][m-1] = v
			}
		}
		out[k] = perUnit
	}
	return out, nil
}

// Rollup sums a per-unit series over each unit's subtree.
func Rollup(units []org.Unit, series map[int64][]int64, through int) map[int64][]int64 {
	out := map[int64][]int64{}
	for _, u := range units {
		sum := make([]int64, through)
		for _, id := range org.Subtree(units, u.ID) {
			for m, v := range series[id] {
				sum[m] += v
			}
		}
		out[u.ID] = sum
	}
	return out
}
