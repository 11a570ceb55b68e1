package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/luoshi/luoshi/internal/audit"
)

// auditLockKey is the PostgreSQL advisory lock that serialises appends to
// the audit chain ("audit" in ASCII; Migrate uses 4242).
const auditLockKey int64 = 0x6175646974

// sqliteAuditTime is how SQLite stores audit_log.at: fixed width, so text
// order is time order, and microseconds, like PostgreSQL.
const sqliteAuditTime = "2006-01-02 15:04:05.000000-07:00"

const auditColumns = `id, at, actor_id, actor_name, unit_id, ip, request_id, action, entity, entity_id,
	before_json, after_json, prev_hash, hash, hash_alg`

// Audit appends e to the audit log in the caller's transaction, so the
// record commits or rolls back with the change it describes. It sets the
// id, the time (the store's clock when e.At is zero) and the hashes.
//
// Appends are serialised: on PostgreSQL by a transaction-scoped advisory
// lock held until commit, on SQLite by its single writer. Call Audit as the
// transaction's last write to hold that lock briefly. The transaction must
// be READ COMMITTED (InTx's default) so that it sees the last committed
// record once it has the lock; were it not, two appends would pick the same
// id and one would fail on the primary key rather than fork the chain.
func (tx *Tx) Audit(e audit.Entry) error {
	if tx.db.dialect.name() == "postgres" {
		if _, err := tx.exec("SELECT pg_advisory_xact_lock(?)", auditLockKey); err != nil {
			return fmt.Errorf("store: audit %s: lock: %w", e.Action, err)
		}
	}
	var lastID int64
	var lastHash, lastAlg string
	err := tx.queryRow("SELECT id, hash, hash_alg FROM audit_log ORDER BY id DESC LIMIT 1").Scan(&lastID, &lastHash, &lastAlg)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: audit %s: last record: %w", e.Action, err)
	}
	if e.At.IsZero() {
		e.At = tx.db.now()
	}
	e.ID = lastID + 1
	if err := audit.Prepare(&e); err != nil {
		return fmt.Errorf("store: audit %s: %w", e.Action, err)
	}
	if key := tx.db.auditKey; len(key) > 0 {
		err = audit.SealKeyed(&e, lastHash, key)
	} else if audit.Keyed(lastAlg) {
		// Never a plain record after a keyed one: verify would take it for
		// a rewrite. The server was started without its key.
		err = errors.New("审计日志已使用密钥签名,但未配置审计密钥(LUOSHI_AUDIT_KEY 或 --audit-key-file)")
	} else {
		err = audit.Seal(&e, lastHash)
	}
	if err != nil {
		return fmt.Errorf("store: audit %s: %w", e.Action, err)
	}
	_, err = tx.exec(`INSERT INTO audit_log (`+auditColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, tx.db.auditTimeArg(e.At), e.ActorID, e.ActorName, e.UnitID, e.IP, e.RequestID, e.Action, e.Entity, e.EntityID,
		string(e.Before), string(e.After), e.PrevHash, e.Hash, e.HashAlg)
	if err != nil {
		return fmt.Errorf("store: audit %s: %w", e.Action, err)
	}
	return nil
}

// auditTimeArg is t as audit_log.at is written on this engine.
func (db *DB) auditTimeArg(t time.Time) any {
	if db.dialect.name() == "sqlite" {
		return t.UTC().Format(sqliteAuditTime)
	}
	return t.UTC()
}

// AuditEntries returns the records f selects, newest first, and how many
// records match f in all (for paging).
func (db *DB) AuditEntries(ctx context.Context, f audit.Filter) ([]audit.Entry, int, error) {
	var conds []string
	var args []any
	if !f.From.IsZero() {
		conds, args = append(conds, "at >= ?"), append(args, db.auditTimeArg(f.From))
	}
	if !f.To.IsZero() {
		conds, args = append(conds, "at < ?"), append(args, db.auditTimeArg(f.To))
	}
	if f.Action != "" {
		conds, args = append(conds, "action = ?"), append(args, f.Action)
	}
	if len(f.Actions) > 0 {
		conds = append(conds, "action IN (?"+strings.Repeat(", ?", len(f.Actions)-1)+")")
		for _, a := range f.Actions {
			args = append(args, a)
		}
	}
	if f.ActorName != "" {
		conds, args = append(conds, `LOWER(actor_name) LIKE ? ESCAPE '\'`), append(args, "%"+likeEscape(strings.ToLower(f.ActorName))+"%")
	}
	if f.Entity != "" {
		conds, args = append(conds, "entity = ?"), append(args, f.Entity)
	}
	if f.EntityID != "" {
		conds, args = append(conds, "entity_id = ?"), append(args, f.EntityID)
	}
	if f.UnitID != 0 {
		conds, args = append(conds, "unit_id = ?"), append(args, f.UnitID)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	var total int
	if err := db.queryRow(ctx, db.read, "SELECT COUNT(*) FROM audit_log"+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: audit entries: %w", err)
	}
	offset := max(f.Offset, 0)
	rows, err := db.query(ctx, db.read, "SELECT "+auditColumns+" FROM audit_log"+where+" ORDER BY id DESC LIMIT ? OFFSET ?",
		append(args, f.PageLimit(), offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: audit entries: %w", err)
	}
	defer rows.Close()
	out := []audit.Entry{}
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("store: audit entries: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: audit entries: %w", err)
	}
	return out, total, nil
}

// likeEscape escapes LIKE's wildcards with a backslash.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// VerifyAudit checks the whole chain, streaming the records in id order.
// A broken chain is reported in the Result, not as an error.
func (db *DB) VerifyAudit(ctx context.Context) (audit.Result, error) {
	v := audit.Verifier{Key: db.auditKey}
	rows, err := db.query(ctx, db.read, "SELECT "+auditColumns+" FROM audit_log ORDER BY id")
	if err != nil {
		return v.Result(), fmt.Errorf("store: verify audit: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanAudit(rows)
		var bad *badAuditTime
		if errors.As(err, &bad) {
			// An unreadable time is tampering too: report it as this
			// record's break rather than failing the whole check.
			res := v.Result()
			res.Broken, res.BrokenID, res.Reason = true, bad.id, "记录时间无法解析,记录已被修改"
			return res, nil
		}
		if err != nil {
			return v.Result(), fmt.Errorf("store: verify audit: %w", err)
		}
		if !v.Add(e) {
			return v.Result(), nil
		}
	}
	if err := rows.Err(); err != nil {
		return v.Result(), fmt.Errorf("store: verify audit: %w", err)
	}
	return v.Finish(), nil
}

// SetAuditKey makes new audit records keyed (audit.KeyedHashAlg) with key
// and VerifyAudit check them with it (issue 7). The key lives outside the
// database: LUOSHI_AUDIT_KEY or a key file.
func (db *DB) SetAuditKey(key []byte) { db.auditKey = key }

// AuditKeyed reports whether a key is set.
func (db *DB) AuditKeyed() bool { return len(db.auditKey) > 0 }

// lastAuditKeyed reports whether the last audit record is keyed.
func (db *DB) lastAuditKeyed(tx *Tx) bool {
	var alg string
	err := tx.queryRow("SELECT hash_alg FROM audit_log ORDER BY id DESC LIMIT 1").Scan(&alg)
	return err == nil && audit.Keyed(alg)
}

// AuditChainKeyed reports whether any audit record is keyed: a server
// started without the key must not write (its records would be plain).
func (db *DB) AuditChainKeyed(ctx context.Context) (bool, error) {
	var n int
	err := db.queryRow(ctx, db.read, "SELECT COUNT(*) FROM audit_log WHERE hash_alg = ?", audit.KeyedHashAlg).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: audit chain keyed: %w", err)
	}
	return n > 0, nil
}

// EnableAuditKey writes an audit.key_enabled record, keyed, when a key is
// set and the chain's last record is plain (a chain begun before the key
// was configured, or an empty one): from then on verify with the key
// expects keyed records, and a rewrite of the plain prefix breaks this
// record's link.
func (db *DB) EnableAuditKey(ctx context.Context, src audit.Source) error {
	if len(db.auditKey) == 0 {
		return nil
	}
	return db.InTx(ctx, func(tx *Tx) error {
		if db.lastAuditKeyed(tx) {
			return nil
		}
		var n int64
		if err := tx.queryRow("SELECT COUNT(*) FROM audit_log").Scan(&n); err != nil || n == 0 {
			return err // an empty chain: its first record will be keyed
		}
		return tx.Audit(src.New(audit.AuditKeyEnabled, "audit", "key", nil, map[string]any{"plain_records": n}))
	})
}

type badAuditTime struct {
	id  int64
	err error
}

func (b *badAuditTime) Error() string {
	return fmt.Sprintf("audit record %d: time: %v", b.id, b.err)
}

func scanAudit(rows *sql.Rows) (audit.Entry, error) {
	var e audit.Entry
	var at any
	var before, after string
	err := rows.Scan(&e.ID, &at, &e.ActorID, &e.ActorName, &e.UnitID, &e.IP, &e.RequestID, &e.Action,
		&e.Entity, &e.EntityID, &before, &after, &e.PrevHash, &e.Hash, &e.HashAlg)
	if err != nil {
		return e, err
	}
	if before != "" {
		e.Before = []byte(before)
	}
	if after != "" {
		e.After = []byte(after)
	}
	switch v := at.(type) {
	case time.Time:
		e.At = v.UTC()
	case string:
		e.At, err = time.Parse(sqliteAuditTime, v)
	case []byte:
		e.At, err = time.Parse(sqliteAuditTime, string(v))
	default:
		err = fmt.Errorf("unexpected type %T", at)
	}
	if err != nil {
		return e, &badAuditTime{id: e.ID, err: err}
	}
	e.At = e.At.UTC()
	return e, nil
}
