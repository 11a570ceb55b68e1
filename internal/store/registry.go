package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/audit"
	"github.com/luoshi/luoshi/internal/auth"
	"github.com/luoshi/luoshi/internal/org"
	"github.com/luoshi/luoshi/internal/registry"
)

// Registry records (issue 9). One set of generic queries serves every
// registry: the columns come from the registry.Kind, which the package
// defines as constants, never from input.

func isNumeric(f registry.Field) bool { return f.Type == registry.Money || f.Type == registry.Int }

func regSelect(k *registry.Kind) string {
	var b strings.Builder
	b.WriteString("SELECT r.id, r.unit_id, u.name")
	for _, f := range k.Stored() {
		b.WriteString(", r." + f.Key)
	}
	b.WriteString(", r.version, r.created_at, r.updated_at FROM " + k.Table + " r JOIN units u ON u.id = r.unit_id")
	return b.String()
}

func scanRecord(k *registry.Kind, sc interface{ Scan(...any) error }) (registry.Record, error) {
	stored := k.Stored()
	rec := registry.Record{Kind: k.Name, Values: map[string]string{}}
	var unitName string
	texts := make([]string, len(stored))
	nums := make([]int64, len(stored))
	dest := []any{&rec.ID, &rec.UnitID, &unitName}
	for i, f := range stored {
		if isNumeric(f) {
			dest = append(dest, &nums[i])
		} else {
			dest = append(dest, &texts[i])
		}
	}
	dest = append(dest, &rec.Version, &rec.CreatedAt, &rec.UpdatedAt)
	if err := sc.Scan(dest...); err != nil {
		return rec, err
	}
	for i, f := range stored {
		if isNumeric(f) {
			if nums[i] != 0 || f.Required {
				rec.Values[f.Key] = strconv.FormatInt(nums[i], 10)
			} else {
				rec.Values[f.Key] = ""
			}
		} else {
			rec.Values[f.Key] = texts[i]
		}
	}
	for _, f := range k.Fields {
		if f.Type == registry.UnitRef {
			rec.Values[f.Key] = unitName
		} else if _, ok := rec.Values[f.Key]; !ok {
			rec.Values[f.Key] = ""
		}
	}
	return rec, nil
}

// inList returns "col IN (?, …)" with its args; an empty list matches nothing.
func inList(col string, ids []int64) (string, []any) {
	if len(ids) == 0 {
		return "(1 = 0)", nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return col + " IN (?" + strings.Repeat(", ?", len(ids)-1) + ")", args
}

const hteValidCond = "q.kind = 'hte' AND q.issued_on <> '' AND q.issued_on <= ? AND q.expires_on >= ? AND (q.revoked_on = '' OR q.revoked_on > ?)"

// regWhere builds the WHERE clause of a list: the scope first, then the
// filter.
func (db *DB) regWhere(ctx context.Context, k *registry.Kind, scope auth.Scope, f registry.Filter) (string, []any, error) {
	var conds []string
	var args []any
	if !scope.All {
		c, a := inList("r.unit_id", scope.Units)
		conds, args = append(conds, c), append(args, a...)
	}
	if f.UnitID != 0 {
		units, err := db.Units(ctx)
		if err != nil {
			return "", nil, err
		}
		c, a := inList("r.unit_id", org.Subtree(units, f.UnitID))
		conds, args = append(conds, c), append(args, a...)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + likeEscape(strings.ToLower(q)) + "%"
		var ors []string
		for _, fd := range k.Fields {
			if !fd.Search {
				continue
			}
			if fd.Virtual {
				if k == registry.Enterprises {
					ors = append(ors, `EXISTS (SELECT 1 FROM reg_qualifications q WHERE q.enterprise_id = r.id AND LOWER(q.number) LIKE ? ESCAPE '\')`)
					args = append(args, like)
				}
				continue
			}
			ors = append(ors, "LOWER(r."+fd.Key+`) LIKE ? ESCAPE '\'`)
			args = append(args, like)
		}
		if len(ors) > 0 {
			conds = append(conds, "("+strings.Join(ors, " OR ")+")")
		}
	}
	keys := make([]string, 0, len(f.Eq))
	for key := range f.Eq {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		fd := k.Field(key)
		if fd == nil || fd.Virtual || fd.Type != registry.Enum || f.Eq[key] == "" {
			continue
		}
		conds, args = append(conds, "r."+fd.Key+" = ?"), append(args, f.Eq[key])
	}
	if f.Qual != "" && k == registry.Enterprises {
		switch f.Qual {
		case registry.HTE:
			on := f.QualOn
			if on == "" {
				on = db.now().Format(time.DateOnly)
			}
			conds = append(conds, "EXISTS (SELECT 1 FROM reg_qualifications q WHERE q.enterprise_id = r.id AND "+hteValidCond+")")
			args = append(args, on, on, on)
		default:
			conds = append(conds, "EXISTS (SELECT 1 FROM reg_qualifications q WHERE q.enterprise_id = r.id AND q.kind = ?)")
			args = append(args, f.Qual)
		}
	}
	if k.DateField != "" {
		if f.From != "" {
			conds, args = append(conds, "r."+k.DateField+" >= ?"), append(args, f.From)
		}
		if f.To != "" {
			conds, args = append(conds, "r."+k.DateField+" <= ?"), append(args, f.To)
		}
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

func regOrder(k *registry.Kind, f registry.Filter) string {
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	for _, s := range k.Sorts {
		if s != f.Sort {
			continue
		}
		if s == "unit" {
			return " ORDER BY u.sort" + dir + ", r.id DESC"
		}
		return " ORDER BY r." + s + dir + ", r.id DESC"
	}
	return " ORDER BY r.id DESC"
}

// Records lists the records of k that scope may see and f selects, with
// how many match in all (for paging).
func (db *DB) Records(ctx context.Context, scope auth.Scope, k *registry.Kind, f registry.Filter) ([]registry.Record, int, error) {
	where, args, err := db.regWhere(ctx, k, scope, f)
	if err != nil {
		return nil, 0, err
	}
	total, err := db.countWhere(ctx, k, where, args)
	if err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, db.read, regSelect(k)+where+regOrder(k, f)+" LIMIT ? OFFSET ?",
		append(args, f.PageLimit(), max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list %s: %w", k.Name, err)
	}
	defer rows.Close()
	out := []registry.Record{}
	for rows.Next() {
		r, err := scanRecord(k, rows)
		if err != nil {
			return nil, 0, fmt.Errorf("store: list %s: %w", k.Name, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: list %s: %w", k.Name, err)
	}
	if k == registry.Enterprises {
		if err := db.attachQuals(ctx, db.read, out); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// CountRecords returns how many records of k scope may see.
func (db *DB) CountRecords(ctx context.Context, scope auth.Scope, k *registry.Kind) (int, error) {
	where, args, err := db.regWhere(ctx, k, scope, registry.Filter{})
	if err != nil {
		return 0, err
	}
	return db.countWhere(ctx, k, where, args)
}

func (db *DB) countWhere(ctx context.Context, k *registry.Kind, where string, args []any) (int, error) {
	var n int
	if err := db.queryRow(ctx, db.read, "SELECT COUNT(*) FROM "+k.Table+" r"+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count %s: %w", k.Name, err)
	}
	return n, nil
}

// Record reads one record that scope may see; another unit's record is not
// found.
func (db *DB) Record(ctx context.Context, scope auth.Scope, k *registry.Kind, id int64) (*registry.Record, error) {
	return db.recordBy(ctx, db.read, scope, k, "r.id = ?", id)
}

func (db *DB) recordBy(ctx context.Context, q queryer, scope auth.Scope, k *registry.Kind, cond string, args ...any) (*registry.Record, error) {
	query := regSelect(k) + " WHERE " + cond
	if !scope.All {
		c, a := inList("r.unit_id", scope.Units)
		query += " AND " + c
		args = append(args, a...)
	}
	rec, err := scanRecord(k, db.queryRow(ctx, q, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(k.Entity, args)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", k.Entity, err)
	}
	if k == registry.Enterprises {
		recs := []registry.Record{rec}
		if err := db.attachQuals(ctx, q, recs); err != nil {
			return nil, err
		}
		rec = recs[0]
	}
	return &rec, nil
}

// attachQuals loads the qualifications of enterprises and derives their
// qualification values.
func (db *DB) attachQuals(ctx context.Context, q queryer, recs []registry.Record) error {
	byID := map[int64]*registry.Record{}
	var ids []int64
	for i := range recs {
		byID[recs[i].ID] = &recs[i]
		ids = append(ids, recs[i].ID)
	}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		cond, args := inList("enterprise_id", chunk)
		rows, err := db.query(ctx, q, `SELECT id, enterprise_id, kind, number, year, issued_on, expires_on, revoked_on
			FROM reg_qualifications WHERE `+cond+" ORDER BY id", args...)
		if err != nil {
			return fmt.Errorf("store: qualifications: %w", err)
		}
		for rows.Next() {
			var ql registry.Qualification
			var eid int64
			if err := rows.Scan(&ql.ID, &eid, &ql.Kind, &ql.Number, &ql.Year, &ql.IssuedOn, &ql.ExpiresOn, &ql.RevokedOn); err != nil {
				rows.Close()
				return fmt.Errorf("store: qualifications: %w", err)
			}
			if r := byID[eid]; r != nil {
				r.Quals = append(r.Quals, ql)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: qualifications: %w", err)
		}
	}
	for i := range recs {
		deriveQualValues(&recs[i])
	}
	return nil
}

// deriveQualValues sets an enterprise's qualification values from its
// qualifications: the latest certificate, the latest registration, the
// other qualifications' names.
func deriveQualValues(r *registry.Record) {
	var hte, tsme *registry.Qualification
	var others []string
	for i := range r.Quals {
		q := &r.Quals[i]
		switch q.Kind {
		case registry.HTE:
			if hte == nil || q.IssuedOn > hte.IssuedOn || (q.IssuedOn == hte.IssuedOn && q.ID > hte.ID) {
				hte = q
			}
		case registry.TSME:
			if tsme == nil || q.Year > tsme.Year {
				tsme = q
			}
		default:
			others = append(others, q.Kind)
		}
	}
	v := r.Values
	v["hte_no"], v["hte_issued"], v["hte_revoked"] = "", "", ""
	v["tsme_no"], v["tsme_year"] = "", ""
	if hte != nil {
		v["hte_no"], v["hte_issued"], v["hte_revoked"] = hte.Number, hte.IssuedOn, hte.RevokedOn
	}
	if tsme != nil {
		v["tsme_no"], v["tsme_year"] = tsme.Number, strconv.Itoa(tsme.Year)
	}
	sort.Strings(others)
	v["others"] = strings.Join(others, "、")
}

// RecordHistory returns the versions of a record that scope may see,
// newest first.
func (db *DB) RecordHistory(ctx context.Context, scope auth.Scope, k *registry.Kind, id int64) ([]registry.Version, error) {
	// Whether scope sees the record, without reading it and its
	// qualifications again: the pages and the API have read it already.
	query, args := "SELECT 1 FROM "+k.Table+" r WHERE r.id = ?", []any{id}
	if !scope.All {
		c, a := inList("r.unit_id", scope.Units)
		query += " AND " + c
		args = append(args, a...)
	}
	var one int
	err := db.queryRow(ctx, db.read, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(k.Entity, id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: history of %s %d: %w", k.Entity, id, err)
	}
	rows, err := db.query(ctx, db.read, `SELECT version, action, actor_name, created_at, changes FROM reg_history
		WHERE entity = ? AND record_id = ? ORDER BY version DESC, id DESC`, k.Entity, id)
	if err != nil {
		return nil, fmt.Errorf("store: history of %s %d: %w", k.Entity, id, err)
	}
	defer rows.Close()
	var out []registry.Version
	for rows.Next() {
		var v registry.Version
		var changes string
		if err := rows.Scan(&v.Version, &v.Action, &v.ActorName, &v.At, &changes); err != nil {
			return nil, fmt.Errorf("store: history of %s %d: %w", k.Entity, id, err)
		}
		if err := json.Unmarshal([]byte(changes), &v.Changes); err != nil {
			return nil, fmt.Errorf("store: history of %s %d: %w", k.Entity, id, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Save outcomes.
const (
	Created   = "created"
	Updated   = "updated"
	Unchanged = "unchanged"
)

// SaveResult says what SaveRecord did.
type SaveResult struct {
	Outcome string
	Record  *registry.Record
	Before  map[string]string
	Changes []registry.Change
}

// SaveRecord writes rec in the transaction: a new record when rec.ID is 0
// and no record has its natural key (an import merges into that one),
// else an update of that record, checked against version when it is not 0.
// Only what changed is written; a change bumps the version and adds a
// history entry naming the actor. The record must be in scope, before and
// after. The caller writes the audit entry.
func (tx *Tx) SaveRecord(k *registry.Kind, rec registry.Record, scope auth.Scope, actor audit.Source, version int64) (SaveResult, error) {
	var existing *registry.Record
	var err error
	if rec.ID != 0 {
		existing, err = tx.db.recordBy(tx.ctx, tx.tx, scope, k, "r.id = ?", rec.ID)
		if err != nil {
			return SaveResult{}, err
		}
	} else {
		existing, err = tx.recordByKey(k, rec.Values)
		if err != nil {
			return SaveResult{}, err
		}
		if existing != nil && !scope.Has(existing.UnitID) {
			nat := k.Naturals()[0]
			return SaveResult{}, &apperr.Error{Code: apperr.Forbidden, Message: "该记录属于其他单位,不能修改",
				Fields: map[string]string{nat: fmt.Sprintf("%s“%s”已由其他单位登记,不能修改", k.Field(nat).Label, rec.Values[nat])}}
		}
	}
	return tx.save(k, rec, existing, scope, actor, version)
}

// save writes rec as a new record when existing is nil, else over
// existing (SaveRecord).
func (tx *Tx) save(k *registry.Kind, rec registry.Record, existing *registry.Record, scope auth.Scope, actor audit.Source, version int64) (SaveResult, error) {
	db := tx.db
	if !scope.Has(rec.UnitID) {
		return SaveResult{}, &apperr.Error{Code: apperr.Forbidden, Message: "只能填报本单位及下级单位的记录",
			Fields: map[string]string{"unit": "只能填报本单位及下级单位的记录"}}
	}
	now := db.now()
	stored := k.Stored()
	colArgs := func(v map[string]string) []any {
		out := make([]any, 0, len(stored))
		for _, f := range stored {
			if isNumeric(f) {
				n, _ := strconv.ParseInt(v[f.Key], 10, 64)
				out = append(out, n)
			} else {
				out = append(out, v[f.Key])
			}
		}
		return out
	}
	if existing == nil {
		cols := []string{"unit_id"}
		for _, f := range stored {
			cols = append(cols, f.Key)
		}
		args := append([]any{rec.UnitID}, colArgs(rec.Values)...)
		args = append(args, now, now)
		id, err := tx.insert("INSERT INTO "+k.Table+" ("+strings.Join(cols, ", ")+", version, created_at, updated_at) VALUES (?"+
			strings.Repeat(", ?", len(cols)-1)+", 1, ?, ?)", args...)
		if err != nil {
			if isUniqueViolation(err) {
				return SaveResult{}, duplicateKey(k, rec.Values)
			}
			return SaveResult{}, fmt.Errorf("store: create %s: %w", k.Entity, err)
		}
		if k == registry.Enterprises {
			if err := tx.applyQuals(id, nil, rec.Values); err != nil {
				return SaveResult{}, err
			}
		}
		if err := tx.reaggregate(k, id); err != nil {
			return SaveResult{}, err
		}
		after, err := db.recordBy(tx.ctx, tx.tx, auth.Everything, k, "r.id = ?", id)
		if err != nil {
			return SaveResult{}, err
		}
		changes := k.Diff(nil, after.Values)
		if err := tx.addHistory(k, id, 1, Created, actor, changes); err != nil {
			return SaveResult{}, err
		}
		return SaveResult{Outcome: Created, Record: after, Changes: changes}, nil
	}
	if version != 0 && existing.Version != version {
		return SaveResult{}, conflictError(k, existing)
	}
	merged := map[string]string{}
	for key, v := range rec.Values {
		merged[key] = v
	}
	// A file without a column leaves that field as it is.
	for _, f := range k.Fields {
		if !rec.Has(f.Key) {
			merged[f.Key] = existing.Values[f.Key]
		}
	}
	if k == registry.Enterprises {
		// Empty qualification columns leave the enterprise's qualifications
		// as they are: an import without them does not revoke anything.
		if merged["hte_no"] == "" {
			merged["hte_no"], merged["hte_issued"], merged["hte_revoked"] = existing.Values["hte_no"], existing.Values["hte_issued"], existing.Values["hte_revoked"]
		}
		if merged["tsme_no"] == "" {
			merged["tsme_no"], merged["tsme_year"] = existing.Values["tsme_no"], existing.Values["tsme_year"]
		}
	}
	if len(k.Diff(existing.Values, merged)) == 0 && existing.UnitID == rec.UnitID {
		return SaveResult{Outcome: Unchanged, Record: existing, Before: existing.Values}, nil
	}
	newVersion := existing.Version + 1
	// The record's share of the aggregates comes out before it changes and
	// goes back in after (regagg.go).
	if err := tx.unaggregate(k, existing.ID); err != nil {
		return SaveResult{}, err
	}
	sets := []string{"unit_id = ?"}
	for _, f := range stored {
		sets = append(sets, f.Key+" = ?")
	}
	args := append([]any{rec.UnitID}, colArgs(merged)...)
	args = append(args, now, existing.ID, existing.Version)
	err := tx.update(k.Entity, "UPDATE "+k.Table+" SET "+strings.Join(sets, ", ")+", version = version + 1, updated_at = ? WHERE id = ? AND version = ?", args...)
	if err != nil {
		if isUniqueViolation(errors.Unwrap(err)) || isUniqueViolation(err) {
			return SaveResult{}, duplicateKey(k, merged)
		}
		if apperr.Is(err, apperr.Conflict) {
			return SaveResult{}, conflictError(k, existing)
		}
		return SaveResult{}, err
	}
	if k == registry.Enterprises {
		if err := tx.applyQuals(existing.ID, existing.Quals, merged); err != nil {
			return SaveResult{}, err
		}
	}
	if err := tx.reaggregate(k, existing.ID); err != nil {
		return SaveResult{}, err
	}
	after, err := db.recordBy(tx.ctx, tx.tx, auth.Everything, k, "r.id = ?", existing.ID)
	if err != nil {
		return SaveResult{}, err
	}
	changes := k.Diff(existing.Values, after.Values)
	if err := tx.addHistory(k, existing.ID, newVersion, Updated, actor, changes); err != nil {
		return SaveResult{}, err
	}
	return SaveResult{Outcome: Updated, Record: after, Before: existing.Values, Changes: changes}, nil
}

// SaveRecordNew creates rec; a record with its natural key is refused
// rather than merged (forms: a new record must not overwrite another).
func (tx *Tx) SaveRecordNew(k *registry.Kind, rec registry.Record, scope auth.Scope, actor audit.Source) (SaveResult, error) {
	existing, err := tx.recordByKey(k, rec.Values)
	if err != nil {
		return SaveResult{}, err
	}
	if existing != nil {
		return SaveResult{}, duplicateKey(k, rec.Values)
	}
	return tx.save(k, rec, nil, scope, actor, 0)
}

func duplicateKey(k *registry.Kind, v map[string]string) error {
	nat := k.Naturals()[0]
	return &apperr.Error{Code: apperr.Conflict, Message: k.Field(nat).Label + "已存在",
		Fields: map[string]string{nat: fmt.Sprintf("%s“%s”已有记录", k.Field(nat).Label, v[nat])}}
}

func conflictError(k *registry.Kind, current *registry.Record) error {
	return &apperr.Error{Code: apperr.Conflict, Key: "err.conflict",
		Message: fmt.Sprintf("该%s记录已被他人修改(当前为第%d版),请查看最新内容后重试", k.Title, current.Version)}
}

func (tx *Tx) recordByKey(k *registry.Kind, v map[string]string) (*registry.Record, error) {
	var conds []string
	var args []any
	for _, n := range k.Naturals() {
		conds, args = append(conds, "r."+n+" = ?"), append(args, v[n])
	}
	rec, err := tx.db.recordBy(tx.ctx, tx.tx, auth.Everything, k, strings.Join(conds, " AND "), args...)
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil
	}
	return rec, err
}

func (tx *Tx) addHistory(k *registry.Kind, id, version int64, action string, actor audit.Source, changes []registry.Change) error {
	if changes == nil {
		changes = []registry.Change{}
	}
	b, err := json.Marshal(changes)
	if err != nil {
		return err
	}
	now := tx.db.now()
	_, err = tx.insert(`INSERT INTO reg_history (entity, record_id, action, actor_id, actor_name, changes, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, k.Entity, id, action, actor.ActorID, actor.ActorName, string(b), version, now, now)
	if err != nil {
		return fmt.Errorf("store: history of %s %d: %w", k.Entity, id, err)
	}
	return nil
}

// applyQuals writes an enterprise's qualification values: the certificate
// named by hte_no (added, or its dates corrected), the registration of
// tsme_year, and exactly the other qualifications listed. Certificates and
// registrations are never deleted: they are the history.
func (tx *Tx) applyQuals(entID int64, have []registry.Qualification, v map[string]string) error {
	now := tx.db.now()
	ins := func(q registry.Qualification) error {
		_, err := tx.insert(`INSERT INTO reg_qualifications (enterprise_id, kind, number, year, issued_on, expires_on, revoked_on,
			version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
			entID, q.Kind, q.Number, q.Year, q.IssuedOn, q.ExpiresOn, q.RevokedOn, now, now)
		if err != nil {
			return fmt.Errorf("store: qualification of enterprise %d: %w", entID, err)
		}
		return nil
	}
	upd := func(q registry.Qualification) error {
		_, err := tx.exec(`UPDATE reg_qualifications SET number = ?, year = ?, issued_on = ?, expires_on = ?, revoked_on = ?,
			version = version + 1, updated_at = ? WHERE id = ?`, q.Number, q.Year, q.IssuedOn, q.ExpiresOn, q.RevokedOn, now, q.ID)
		if err != nil {
			return fmt.Errorf("store: qualification %d: %w", q.ID, err)
		}
		return nil
	}
	if no := v["hte_no"]; no != "" {
		want := registry.Qualification{Kind: registry.HTE, Number: no, IssuedOn: v["hte_issued"],
			ExpiresOn: registry.HTEExpiry(v["hte_issued"]), RevokedOn: v["hte_revoked"]}
		found := false
		for _, q := range have {
			if q.Kind == registry.HTE && q.Number == no {
				found = true
				if q.IssuedOn != want.IssuedOn || q.RevokedOn != want.RevokedOn || q.ExpiresOn != want.ExpiresOn {
					want.ID = q.ID
					if err := upd(want); err != nil {
						return err
					}
				}
			}
		}
		if !found {
			if err := ins(want); err != nil {
				return err
			}
		}
	}
	if y, err := strconv.Atoi(v["tsme_year"]); err == nil && v["tsme_no"] != "" {
		want := registry.Qualification{Kind: registry.TSME, Number: v["tsme_no"], Year: y}
		found := false
		for _, q := range have {
			if q.Kind == registry.TSME && q.Year == y {
				found = true
				if q.Number != want.Number {
					want.ID = q.ID
					if err := upd(want); err != nil {
						return err
					}
				}
			}
		}
		if !found {
			if err := ins(want); err != nil {
				return err
			}
		}
	}
	want := map[string]bool{}
	for _, o := range strings.Split(v["others"], "、") {
		if o != "" {
			want[o] = true
		}
	}
	for _, q := range have {
		if q.Kind == registry.HTE || q.Kind == registry.TSME {
			continue
		}
		if want[q.Kind] {
			delete(want, q.Kind)
			continue
		}
		if _, err := tx.exec("DELETE FROM reg_qualifications WHERE id = ?", q.ID); err != nil {
			return fmt.Errorf("store: qualification %d: %w", q.ID, err)
		}
	}
	names := make([]string, 0, len(want))
	for o := range want {
		names = append(names, o)
	}
	sort.Strings(names)
	for _, o := range names {
		if err := ins(registry.Qualification{Kind: o}); err != nil {
			return err
		}
	}
	return nil
}

// ImportOptions say how ImportBatch writes.
type ImportOptions struct {
	// ValidOnly writes the valid rows of a batch with errors; without it a
	// single bad row refuses the whole file.
	ValidOnly bool
	// DryRun checks everything, including what only the store can see
	// (records of other units), then rolls back: the preview.
	DryRun   bool
	FileName string
	SHA256   string
}

var errDryRun = errors.New("dry run")

// ImportBatch writes the accepted rows of b in one transaction, merging by
// natural key, with one audit entry. Rows the store refuses (a record of
// another unit) are added to the batch as row errors. Unless
// opts.ValidOnly, any row error refuses the whole file and nothing is
// written.
func (db *DB) ImportBatch(ctx context.Context, b *registry.Batch, scope auth.Scope, src audit.Source, opts ImportOptions) (registry.Summary, error) {
	var sum registry.Summary
	refuse := func() error {
		return &apperr.Error{Code: apperr.Invalid,
			Message: fmt.Sprintf("文件中有 %d 行有误,未导入任何数据;请按错误报告改正后重新导入,或选择仅导入无误的行", b.Rejected())}
	}
	if b.Rejected() > 0 && !opts.ValidOnly && !opts.DryRun {
		return sum, refuse()
	}
	err := db.InTx(ctx, func(tx *Tx) error {
		sum = registry.Summary{Read: b.Read}
		for _, row := range b.Accepted() {
			res, err := tx.SaveRecord(b.Kind, row.Record, scope, src, 0)
			if e := apperr.As(err); e != nil && e.Code != apperr.Internal && len(e.Fields) > 0 {
				for field, msg := range e.Fields {
					b.Reject(row.Line, field, row.Record.Values[field], msg)
				}
				continue
			}
			if err != nil {
				return fmt.Errorf("store: import row %d: %w", row.Line, err)
			}
			switch res.Outcome {
			case Created:
				sum.Created++
			case Updated:
				sum.Updated++
			default:
				sum.Unchanged++
			}
		}
		sum.Accepted, sum.Rejected = sum.Created+sum.Updated+sum.Unchanged, b.Rejected()
		if sum.Accepted+sum.Rejected != sum.Read {
			return fmt.Errorf("store: import read %d rows but accepted %d and rejected %d", sum.Read, sum.Accepted, sum.Rejected)
		}
		if opts.DryRun {
			return errDryRun
		}
		if sum.Rejected > 0 && !opts.ValidOnly {
			return refuse()
		}
		return tx.Audit(src.New(audit.RegistryImported, b.Kind.Entity, opts.SHA256, nil, map[string]any{
			"registry": b.Kind.Name, "file": opts.FileName, "sha256": opts.SHA256, "valid_only": opts.ValidOnly,
			"read": sum.Read, "created": sum.Created, "updated": sum.Updated, "unchanged": sum.Unchanged, "rejected": sum.Rejected}))
	})
	if errors.Is(err, errDryRun) {
		return sum, nil
	}
	return sum, err
}

// RegistryOptions returns the configurable lists; a list with no rows has
// its default.
func (db *DB) RegistryOptions(ctx context.Context) (registry.Options, error) {
	rows, err := db.query(ctx, db.read, "SELECT list, value FROM reg_options ORDER BY list, sort, id")
	if err != nil {
		return nil, fmt.Errorf("store: registry options: %w", err)
	}
	defer rows.Close()
	out := registry.Options{}
	for rows.Next() {
		var l, v string
		if err := rows.Scan(&l, &v); err != nil {
			return nil, fmt.Errorf("store: registry options: %w", err)
		}
		out[l] = append(out[l], v)
	}
	for l, def := range registry.DefaultOptions {
		if _, ok := out[l]; !ok {
			out[l] = def
		}
	}
	return out, rows.Err()
}

// SetRegistryOptions replaces one configurable list. Records keep the
// values they have; new input must use the new list.
func (tx *Tx) SetRegistryOptions(list string, values []string, src audit.Source) error {
	if _, ok := registry.DefaultOptions[list]; !ok {
		return apperr.New(apperr.Invalid, "未知的选项列表 %q", list)
	}
	var clean []string
	for _, v := range values {
		v = strings.TrimSpace(v)
		if v != "" && len([]rune(v)) <= 40 && !strings.ContainsAny(v, "、,,;;") && !slices.Contains(clean, v) {
			clean = append(clean, v)
		}
	}
	if len(clean) == 0 {
		return apperr.WithFields("选项不能为空", map[string]string{list: "至少保留一项"})
	}
	before, err := tx.db.RegistryOptions(tx.ctx)
	if err != nil {
		return err
	}
	if _, err := tx.exec("DELETE FROM reg_options WHERE list = ?", list); err != nil {
		return fmt.Errorf("store: set options %s: %w", list, err)
	}
	now := tx.db.now()
	for i, v := range clean {
		if _, err := tx.exec(`INSERT INTO reg_options (list, value, sort, version, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?)`,
			list, v, i, now, now); err != nil {
			return fmt.Errorf("store: set options %s: %w", list, err)
		}
	}
	return tx.Audit(src.New(audit.RegistryOptions, "reg_options", list, before[list], clean))
}

// RegistryAggregateRaw runs a registry query on the registries themselves
// (RegistryAggregate uses it for dates inside a month).
func (db *DB) RegistryAggregateRaw(ctx context.Context, q registry.Query) (int64, error) {
	var query string
	var args []any
	switch q.Kind {
	case registry.HTEValid:
		query = "SELECT COUNT(DISTINCT q.enterprise_id) FROM reg_qualifications q JOIN reg_enterprises r ON r.id = q.enterprise_id WHERE " + hteValidCond
		args = []any{q.AsOf, q.AsOf, q.AsOf}
	case registry.TSMERegistered:
		query = "SELECT COUNT(DISTINCT q.enterprise_id) FROM reg_qualifications q JOIN reg_enterprises r ON r.id = q.enterprise_id WHERE q.kind = 'tsme' AND q.year = ?"
		args = []any{q.Year}
	case registry.ContractValue, registry.TechValue:
		col := "contract_value"
		if q.Kind == registry.TechValue {
			col = "tech_value"
		}
		query = "SELECT CAST(COALESCE(SUM(r." + col + "), 0) AS BIGINT) FROM reg_contracts r WHERE r.registered_on >= ? AND r.registered_on <= ?"
		args = []any{q.From, q.To}
	case registry.PlatformsNew:
		query = "SELECT COUNT(*) FROM reg_platforms r WHERE r.level IN ('国家', '省') AND r.approved_on >= ? AND r.approved_on <= ?"
		args = []any{q.From, q.To}
	case registry.TeamsNew:
		query = "SELECT COUNT(*) FROM reg_teams r WHERE r.year = ?"
		args = []any{q.Year}
	default:
		return 0, apperr.New(apperr.Invalid, "未知的统计口径 %q", q.Kind)
	}
	if q.Units != nil {
		c, a := inList("r.unit_id", q.Units)
		query += " AND " + c
		args = append(args, a...)
	}
	var n int64
	if err := db.queryRow(ctx, db.read, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: registry query %s: %w", q.Kind, err)
	}
	return n, nil
}

// IndicatorBindings returns the bindings of a plan's indicators by
// indicator id.
func (db *DB) IndicatorBindings(ctx context.Context, planID int64) (map[int64]registry.Binding, error) {
	rows, err := db.query(ctx, db.read, `SELECT b.indicator_id, b.query, b.version FROM indicator_bindings b
		JOIN indicators i ON i.id = b.indicator_id WHERE i.plan_id = ?`, planID)
	if err != nil {
		return nil, fmt.Errorf("store: bindings of plan %d: %w", planID, err)
	}
	defer rows.Close()
	out := map[int64]registry.Binding{}
	for rows.Next() {
		var b registry.Binding
		if err := rows.Scan(&b.IndicatorID, &b.Query, &b.Version); err != nil {
			return nil, fmt.Errorf("store: bindings of plan %d: %w", planID, err)
		}
		out[b.IndicatorID] = b
	}
	return out, rows.Err()
}

// BindIndicator binds an indicator to a registry query (or changes its
// query), audited.
func (tx *Tx) BindIndicator(indicatorID int64, query registry.QueryKind, src audit.Source) error {
	if _, ok := registry.QueryByKind(query); !ok {
		return apperr.WithFields("统计口径无效", map[string]string{"query": "请选择统计口径"})
	}
	var old string
	err := tx.queryRow("SELECT query FROM indicator_bindings WHERE indicator_id = ?", indicatorID).Scan(&old)
	now := tx.db.now()
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = tx.insert(`INSERT INTO indicator_bindings (indicator_id, query, version, created_at, updated_at) VALUES (?, ?, 1, ?, ?)`,
			indicatorID, string(query), now, now)
	case err == nil && old == string(query):
		return nil
	case err == nil:
		_, err = tx.exec("UPDATE indicator_bindings SET query = ?, version = version + 1, updated_at = ? WHERE indicator_id = ?",
			string(query), now, indicatorID)
	}
	if err != nil {
		return fmt.Errorf("store: bind indicator %d: %w", indicatorID, err)
	}
	return tx.Audit(src.New(audit.IndicatorBound, "indicator", strconv.FormatInt(indicatorID, 10),
		map[string]string{"query": old}, map[string]string{"query": string(query)}))
}

// UnbindIndicator returns an indicator to manual entry, audited.
func (tx *Tx) UnbindIndicator(indicatorID int64, src audit.Source) error {
	var old string
	err := tx.queryRow("SELECT query FROM indicator_bindings WHERE indicator_id = ?", indicatorID).Scan(&old)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: unbind indicator %d: %w", indicatorID, err)
	}
	if _, err := tx.exec("DELETE FROM indicator_bindings WHERE indicator_id = ?", indicatorID); err != nil {
		return fmt.Errorf("store: unbind indicator %d: %w", indicatorID, err)
	}
	return tx.Audit(src.New(audit.IndicatorUnbound, "indicator", strconv.FormatInt(indicatorID, 10),
		map[string]string{"query": old}, nil))
}
