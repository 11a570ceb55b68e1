package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/luoshi/luoshi/internal/registry"
)

// Registry aggregates (issue 10, speed at scale): registry_monthly holds,
// per unit and month, what the registry queries count, and every registry
// write keeps it current in its own transaction: SaveRecord takes the
// record's contribution out before it changes the row and puts the new
// contribution in after. A record contributes:
//
//   - a contract: its contract and technology transaction values in the
//     month it was registered;
//   - a platform of 国家 or 省 level: one in the month it was approved;
//   - a talent team: one in its year;
//   - an enterprise, through its qualifications: one TSME per year it is
//     registered, and for HTE +1 in the first month at whose end one of its
//     certificates is in force and -1 in the first month at whose end none
//     is, over the union of its certificates (an enterprise with two
//     overlapping certificates counts once, as the raw query's COUNT
//     DISTINCT does).
//
// The sums answer the registry queries at month ends exactly; a query for a
// date inside a month still runs on the raw tables.

// Metrics of registry_monthly.
const (
	aggContractValue = "contract_value"
	aggTechValue     = "tech_value"
	aggPlatformsNew  = "platforms_new"
	aggTeams         = "teams"
	aggTSME          = "tsme"
	aggHTE           = "hte"
)

type aggKey struct {
	unit           int64
	metric, period string
}

// contribution maps keys to the amounts a record adds.
type contribution map[aggKey]int64

func (c contribution) add(unit int64, metric, period string, v int64) {
	if v != 0 && period != "" {
		c[aggKey{unit, metric, period}] += v
	}
}

// month returns "YYYY-MM" of a YYYY-MM-DD date, "" for a bad one.
func month(date string) string {
	if len(date) < 7 || date[4] != '-' {
		return ""
	}
	return date[:7]
}

// monthIndex is year*12+month-1 of a YYYY-MM-DD date; ok false when bad.
func monthIndex(date string) (int, bool) {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return 0, false
	}
	return t.Year()*12 + int(t.Month()) - 1, true
}

func monthOf(idx int) string { return fmt.Sprintf("%04d-%02d", idx/12, idx%12+1) }

// lastDay reports whether date is the last day of its month.
func lastDay(date string) bool {
	t, err := time.Parse(time.DateOnly, date)
	return err == nil && t.AddDate(0, 0, 1).Day() == 1
}

// hteMonths is the span of month-end indexes at which a certificate is in
// force: issued on or before the month's end, expiring on or after it, not
// revoked by it (the raw query's condition at each month's last day).
func hteMonths(issued, expires, revoked string) (from, to int, ok bool) {
	from, ok1 := monthIndex(issued)
	to, ok2 := monthIndex(expires)
	if !ok1 || !ok2 {
		return 0, 0, false
	}
	if !lastDay(expires) {
		to-- // expired before this month's end
	}
	if revoked != "" {
		if r, ok := monthIndex(revoked); ok && r-1 < to {
			to = r - 1 // revoked by this month's end
		}
	}
	return from, to, from <= to
}

// contributionOf reads what record id of kind k adds to the aggregates now;
// a missing record adds nothing.
func (tx *Tx) contributionOf(k *registry.Kind, id int64) (contribution, error) {
	c := contribution{}
	switch k {
	case registry.Contracts:
		var unit, cv, tv int64
		var reg string
		err := tx.queryRow(`SELECT unit_id, contract_value, tech_value, registered_on FROM reg_contracts WHERE id = ?`, id).
			Scan(&unit, &cv, &tv, &reg)
		if err != nil {
			return c, ignoreNoRows(err)
		}
		c.add(unit, aggContractValue, month(reg), cv)
		c.add(unit, aggTechValue, month(reg), tv)
	case registry.Platforms:
		var unit int64
		var level, approved string
		err := tx.queryRow(`SELECT unit_id, level, approved_on FROM reg_platforms WHERE id = ?`, id).Scan(&unit, &level, &approved)
		if err != nil {
			return c, ignoreNoRows(err)
		}
		if level == "国家" || level == "省" {
			c.add(unit, aggPlatformsNew, month(approved), 1)
		}
	case registry.Teams:
		var unit int64
		var year int
		if err := tx.queryRow(`SELECT unit_id, year FROM reg_teams WHERE id = ?`, id).Scan(&unit, &year); err != nil {
			return c, ignoreNoRows(err)
		}
		if year > 0 {
			c.add(unit, aggTeams, fmt.Sprintf("%04d-00", year), 1)
		}
	case registry.Enterprises:
		var unit int64
		if err := tx.queryRow(`SELECT unit_id FROM reg_enterprises WHERE id = ?`, id).Scan(&unit); err != nil {
			return c, ignoreNoRows(err)
		}
		rows, err := tx.tx.QueryContext(tx.ctx, tx.db.dialect.rebind(`SELECT kind, year, issued_on, expires_on, revoked_on
			FROM reg_qualifications WHERE enterprise_id = ? AND kind IN ('hte', 'tsme')`), id)
		if err != nil {
			return c, fmt.Errorf("store: qualifications of %d: %w", id, err)
		}
		defer rows.Close()
		var quals []qualRow
		for rows.Next() {
			var q qualRow
			if err := rows.Scan(&q.kind, &q.year, &q.issued, &q.expires, &q.revoked); err != nil {
				return c, fmt.Errorf("store: qualifications of %d: %w", id, err)
			}
			quals = append(quals, q)
		}
		if err := rows.Err(); err != nil {
			return c, err
		}
		enterpriseContribution(c, unit, quals)
	}
	return c, nil
}

type qualRow struct {
	kind                     string
	year                     int
	issued, expires, revoked string
}

// enterpriseContribution adds what an enterprise of unit with quals counts:
// one TSME per year, and the HTE steps of the union of its certificates.
func enterpriseContribution(c contribution, unit int64, quals []qualRow) {
	years := map[int]bool{}
	var spans [][2]int
	for _, q := range quals {
		switch q.kind {
		case "tsme":
			if q.year > 0 {
				years[q.year] = true
			}
		case "hte":
			if from, to, ok := hteMonths(q.issued, q.expires, q.revoked); ok {
				spans = append(spans, [2]int{from, to})
			}
		}
	}
	for y := range years {
		c.add(unit, aggTSME, fmt.Sprintf("%04d-00", y), 1)
	}
	for _, s := range mergeSpans(spans) {
		c.add(unit, aggHTE, monthOf(s[0]), 1)
		c.add(unit, aggHTE, monthOf(s[1]+1), -1)
	}
}

// mergeSpans unites overlapping or touching month spans.
func mergeSpans(spans [][2]int) [][2]int {
	sort.Slice(spans, func(i, j int) bool { return spans[i][0] < spans[j][0] })
	var out [][2]int
	for _, s := range spans {
		if n := len(out); n > 0 && s[0] <= out[n-1][1]+1 {
			out[n-1][1] = max(out[n-1][1], s[1])
			continue
		}
		out = append(out, s)
	}
	return out
}

// ignoreNoRows makes a record that is not there contribute nothing.
func ignoreNoRows(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return err
}

// applyContribution adds sign × c to registry_monthly.
func (tx *Tx) applyContribution(c contribution, sign int64) error {
	for k, v := range c {
		_, err := tx.exec(`INSERT INTO registry_monthly (unit_id, metric, period, value) VALUES (?, ?, ?, ?)
			ON CONFLICT (unit_id, metric, period) DO UPDATE SET value = registry_monthly.value + excluded.value`,
			k.unit, k.metric, k.period, sign*v)
		if err != nil {
			return fmt.Errorf("store: registry aggregate %v: %w", k, err)
		}
	}
	return nil
}

// aggregated reports whether records of k feed the aggregates.
func aggregated(k *registry.Kind) bool {
	return k == registry.Contracts || k == registry.Platforms || k == registry.Teams || k == registry.Enterprises
}

// unaggregate takes record id's current contribution out; call it before
// the row (or an enterprise's qualifications) change.
func (tx *Tx) unaggregate(k *registry.Kind, id int64) error {
	if !aggregated(k) || id == 0 {
		return nil
	}
	c, err := tx.contributionOf(k, id)
	if err != nil {
		return err
	}
	return tx.applyContribution(c, -1)
}

// reaggregate puts record id's contribution back in after a change.
func (tx *Tx) reaggregate(k *registry.Kind, id int64) error {
	if !aggregated(k) || id == 0 {
		return nil
	}
	c, err := tx.contributionOf(k, id)
	if err != nil {
		return err
	}
	return tx.applyContribution(c, +1)
}

// RebuildRegistryAggregates recomputes registry_monthly from the registries
// in one transaction: after a bulk load that bypasses SaveRecord (the scale
// generator), or to repair. Normal writes never need it.
func (db *DB) RebuildRegistryAggregates(ctx context.Context) error {
	return db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(`DELETE FROM registry_monthly`); err != nil {
			return err
		}
		m := func(col string) string { return "substr(" + col + ", 1, 7)" }
		for _, q := range []string{
			`INSERT INTO registry_monthly (unit_id, metric, period, value) SELECT unit_id, 'contract_value', ` + m("registered_on") +
				`, SUM(contract_value) FROM reg_contracts GROUP BY unit_id, ` + m("registered_on") + ` HAVING SUM(contract_value) <> 0`,
			`INSERT INTO registry_monthly (unit_id, metric, period, value) SELECT unit_id, 'tech_value', ` + m("registered_on") +
				`, SUM(tech_value) FROM reg_contracts GROUP BY unit_id, ` + m("registered_on") + ` HAVING SUM(tech_value) <> 0`,
			`INSERT INTO registry_monthly (unit_id, metric, period, value) SELECT unit_id, 'platforms_new', ` + m("approved_on") +
				`, COUNT(*) FROM reg_platforms WHERE level IN ('国家', '省') GROUP BY unit_id, ` + m("approved_on"),
		} {
			if _, err := tx.exec(q); err != nil {
				return fmt.Errorf("store: rebuild registry aggregates: %w", err)
			}
		}
		return tx.rebuildStreamed()
	})
}

// rebuildStreamed adds the teams' and enterprises' contributions in one
// pass over each table, with the same rules as single writes.
func (tx *Tx) rebuildStreamed() error {
	total := contribution{}
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT unit_id, year FROM reg_teams`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var unit int64
		var year int
		if err := rows.Scan(&unit, &year); err != nil {
			rows.Close()
			return err
		}
		if year > 0 {
			total.add(unit, aggTeams, fmt.Sprintf("%04d-00", year), 1)
		}
	}
	rows.Close()
	rows, err = tx.tx.QueryContext(tx.ctx, `SELECT q.enterprise_id, e.unit_id, q.kind, q.year, q.issued_on, q.expires_on, q.revoked_on
		FROM reg_qualifications q JOIN reg_enterprises e ON e.id = q.enterprise_id
		WHERE q.kind IN ('hte', 'tsme') ORDER BY q.enterprise_id`)
	if err != nil {
		return err
	}
	var cur, curUnit int64
	var quals []qualRow
	flush := func() {
		if cur != 0 {
			enterpriseContribution(total, curUnit, quals)
		}
		quals = quals[:0]
	}
	for rows.Next() {
		var id, unit int64
		var q qualRow
		if err := rows.Scan(&id, &unit, &q.kind, &q.year, &q.issued, &q.expires, &q.revoked); err != nil {
			rows.Close()
			return err
		}
		if id != cur {
			flush()
			cur, curUnit = id, unit
		}
		quals = append(quals, q)
	}
	flush()
	if err := rows.Close(); err != nil {
		return err
	}
	for key, v := range total {
		if v == 0 {
			delete(total, key)
		}
	}
	return tx.applyContribution(total, 1)
}

// RegistryAggregate answers a registry query (registry.Compute calls it):
// from registry_monthly when its dates are month ends (flows from the 1st
// of January), else from the registries themselves.
func (db *DB) RegistryAggregate(ctx context.Context, q registry.Query) (int64, error) {
	var metric, from, to string
	switch q.Kind {
	case registry.HTEValid:
		if !lastDay(q.AsOf) {
			return db.RegistryAggregateRaw(ctx, q)
		}
		metric, from, to = aggHTE, "0000-00", month(q.AsOf)
	case registry.TSMERegistered, registry.TeamsNew:
		metric = aggTSME
		if q.Kind == registry.TeamsNew {
			metric = aggTeams
		}
		from = fmt.Sprintf("%04d-00", q.Year)
		to = from
	case registry.ContractValue, registry.TechValue, registry.PlatformsNew:
		if !strings.HasSuffix(q.From, "-01") || !lastDay(q.To) || month(q.From) > month(q.To) {
			return db.RegistryAggregateRaw(ctx, q)
		}
		metric = map[registry.QueryKind]string{registry.ContractValue: aggContractValue, registry.TechValue: aggTechValue,
			registry.PlatformsNew: aggPlatformsNew}[q.Kind]
		from, to = month(q.From), month(q.To)
	default:
		return db.RegistryAggregateRaw(ctx, q)
	}
	query := `SELECT CAST(COALESCE(SUM(r.value), 0) AS BIGINT) FROM registry_monthly r WHERE r.metric = ? AND r.period >= ? AND r.period <= ?`
	args := []any{metric, from, to}
	if q.Units != nil {
		c, a := inList("r.unit_id", q.Units)
		query += " AND " + c
		args = append(args, a...)
	}
	var n int64
	if err := db.queryRow(ctx, db.read, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: registry aggregate %s: %w", q.Kind, err)
	}
	return n, nil
}

// MonthlySeries returns, per unit and month of year up to month through,
// the value a registry query would give at that month's end for that unit
// alone (not its subtree): the dashboard rolls units up itself. One query
// per call, whatever the number of units and months.
func (db *DB) MonthlySeries(ctx context.Context, kind registry.QueryKind, year, through int) (map[int64][]int64, error) {
	var metric string
	cumulative := false // flows restart in January; HTE sums all history
	switch kind {
	case registry.HTEValid:
		metric, cumulative = aggHTE, true
	case registry.ContractValue:
		metric = aggContractValue
	case registry.TechValue:
		metric = aggTechValue
	case registry.PlatformsNew:
		metric = aggPlatformsNew
	case registry.TSMERegistered:
		metric = aggTSME
	case registry.TeamsNew:
		metric = aggTeams
	default:
		return nil, fmt.Errorf("store: no monthly series for %q", kind)
	}
	lo := fmt.Sprintf("%04d-00", year)
	if cumulative {
		lo = "0000-00"
	}
	hi := fmt.Sprintf("%04d-%02d", year, through)
	rows, err := db.query(ctx, db.read, `SELECT unit_id, period, value FROM registry_monthly
		WHERE metric = ? AND period >= ? AND period <= ?`, metric, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("store: monthly series %s: %w", kind, err)
	}
	defer rows.Close()
	// steps[unit][m] is what month m (0: before the year, or the year's own
	// count) adds.
	steps := map[int64]*[13]int64{}
	for rows.Next() {
		var unit, v int64
		var period string
		if err := rows.Scan(&unit, &period, &v); err != nil {
			return nil, fmt.Errorf("store: monthly series %s: %w", kind, err)
		}
		s := steps[unit]
		if s == nil {
			s = new([13]int64)
			steps[unit] = s
		}
		m := 0
		if period[:4] == fmt.Sprintf("%04d", year) {
			fmt.Sscanf(period[5:], "%d", &m)
		}
		s[m] += v
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := map[int64][]int64{}
	for unit, s := range steps {
		series := make([]int64, through)
		var run int64 = s[0]
		for m := 1; m <= through; m++ {
			run += s[m]
			series[m-1] = run
		}
		out[unit] = series
	}
	return out, nil
}
