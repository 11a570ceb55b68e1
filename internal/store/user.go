package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/luoshi/luoshi/internal/apperr"
	"github.com/luoshi/luoshi/internal/auth"
)

const userColumns = `u.id, u.username, u.name, u.role, u.unit_id, un.name, u.must_change, u.disabled, u.created_at,
	u.version, u.password_changed_at`

func scanUser(sc interface{ Scan(...any) error }) (auth.User, error) {
	var u auth.User
	err := sc.Scan(&u.ID, &u.Username, &u.Name, &u.Role, &u.UnitID, &u.UnitName, &u.MustChange, &u.Disabled,
		&u.CreatedAt, &u.Version, &u.PasswordSet)
	return u, err
}

// CreateUser inserts an account with a password hash. A username that folds
// to an existing one (NFKC, case) is a conflict.
func (tx *Tx) CreateUser(u *auth.User, passwordHash string) error {
	now := tx.db.now()
	id, err := tx.insert(`INSERT INTO users (username, username_key, name, role, unit_id, password_hash, must_change,
		disabled, password_changed_at, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
		u.Username, auth.NormalizeUsername(u.Username), u.Name, string(u.Role), u.UnitID, passwordHash, u.MustChange,
		u.Disabled, now, now, now)
	if isUniqueViolation(err) {
		return apperr.WithFields("用户名已存在", map[string]string{"username": "用户名已存在"})
	}
	if err != nil {
		return fmt.Errorf("store: create user %s: %w", u.Username, err)
	}
	u.ID, u.Version, u.CreatedAt = id, 1, now
	return nil
}

// UserCredentials returns the account whose folded username is key, with
// its password hash.
func (db *DB) UserCredentials(ctx context.Context, key string) (auth.User, string, error) {
	var hash string
	row := db.queryRow(ctx, db.read, `SELECT `+userColumns+`, u.password_hash FROM users u JOIN units un ON un.id = u.unit_id
		WHERE u.username_key = ?`, key)
	var u auth.User
	err := row.Scan(&u.ID, &u.Username, &u.Name, &u.Role, &u.UnitID, &u.UnitName, &u.MustChange, &u.Disabled,
		&u.CreatedAt, &u.Version, &u.PasswordSet, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return u, "", notFound("user", key)
	}
	if err != nil {
		return u, "", fmt.Errorf("store: user %s: %w", key, err)
	}
	return u, hash, nil
}

// User reads one account.
func (db *DB) User(ctx context.Context, id int64) (auth.User, error) {
	u, err := scanUser(db.queryRow(ctx, db.read, `SELECT `+userColumns+` FROM users u JOIN units un ON un.id = u.unit_id
		WHERE u.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, notFound("user", id)
	}
	if err != nil {
		return u, fmt.Errorf("store: user %d: %w", id, err)
	}
	return u, nil
}

// Users lists every account.
func (db *DB) Users(ctx context.Context) ([]auth.User, error) {
	rows, err := db.query(ctx, db.read, `SELECT `+userColumns+` FROM users u JOIN units un ON un.id = u.unit_id
		ORDER BY u.role, u.username_key`)
	if err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	defer rows.Close()
	var out []auth.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("store: users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// UpdateUser changes an account's name, role, unit and disabled flag,
// guarded by its version.
func (tx *Tx) UpdateUser(u *auth.User) error {
	err := tx.update("user", `UPDATE users SET name = ?, role = ?, unit_id = ?, disabled = ?, version = version + 1,
		updated_at = ? WHERE id = ? AND version = ?`, u.Name, string(u.Role), u.UnitID, u.Disabled, tx.db.now(), u.ID, u.Version)
	if err == nil {
		u.Version++
	}
	return err
}

// SetPassword replaces an account's password hash; mustChange forces a
// change at the next sign-in (an administrator's reset).
func (tx *Tx) SetPassword(userID int64, hash string, mustChange bool) error {
	now := tx.db.now()
	_, err := tx.exec(`UPDATE users SET password_hash = ?, must_change = ?, password_changed_at = ?, version = version + 1,
		updated_at = ? WHERE id = ?`, hash, mustChange, now, now, userID)
	if err != nil {
		return fmt.Errorf("store: set password of user %d: %w", userID, err)
	}
	return nil
}

// Session is a web session or an API login token.
type Session struct {
	ID         string // SHA-256 of the secret
	UserID     int64
	Username   string
	Kind       string
	CSRF       string
	IP         string
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	Revoked    bool
}

// CreateSession stores a new session.
func (tx *Tx) CreateSession(s *Session) error {
	_, err := tx.exec(`INSERT INTO sessions (id, user_id, kind, csrf_token, ip, user_agent, created_at, last_seen_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, s.ID, s.UserID, s.Kind, s.CSRF, s.IP, s.UserAgent, s.CreatedAt, s.LastSeenAt, s.ExpiresAt)
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

const sessionColumns = `s.id, s.user_id, u.username, s.kind, s.csrf_token, s.ip, s.user_agent, s.created_at, s.last_seen_at,
	s.expires_at, s.revoked_at IS NOT NULL`

func scanSession(sc interface{ Scan(...any) error }) (Session, error) {
	var s Session
	err := sc.Scan(&s.ID, &s.UserID, &s.Username, &s.Kind, &s.CSRF, &s.IP, &s.UserAgent, &s.CreatedAt, &s.LastSeenAt,
		&s.ExpiresAt, &s.Revoked)
	return s, err
}

// Session reads a session by id (the hash of its secret).
func (db *DB) Session(ctx context.Context, id string) (Session, error) {
	s, err := scanSession(db.queryRow(ctx, db.read, `SELECT `+sessionColumns+` FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return s, notFound("session", "…")
	}
	if err != nil {
		return s, fmt.Errorf("store: session: %w", err)
	}
	return s, nil
}

// TouchSession records activity on a session.
func (db *DB) TouchSession(ctx context.Context, id string, at time.Time) error {
	_, err := db.write.ExecContext(ctx, db.dialect.rebind(`UPDATE sessions SET last_seen_at = ? WHERE id = ?`), at, id)
	return err
}

// RevokeSession ends one session; with userID non-zero only that user's.
func (tx *Tx) RevokeSession(id string, userID int64) (bool, error) {
	q := `UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`
	args := []any{tx.db.now(), id}
	if userID != 0 {
		q += ` AND user_id = ?`
		args = append(args, userID)
	}
	res, err := tx.exec(q, args...)
	if err != nil {
		return false, fmt.Errorf("store: revoke session: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// RevokeUserSessions ends every session of a user (password change, reset,
// disabling).
func (tx *Tx) RevokeUserSessions(userID int64, except string) error {
	_, err := tx.exec(`UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND id <> ? AND revoked_at IS NULL`,
		tx.db.now(), userID, except)
	return err
}

// ActiveSessions lists sessions not revoked and not expired at now, newest
// first; userID 0 lists everyone's (online users).
func (db *DB) ActiveSessions(ctx context.Context, userID int64, now time.Time, idle time.Duration) ([]Session, error) {
	q := `SELECT ` + sessionColumns + ` FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.revoked_at IS NULL`
	var args []any
	if userID != 0 {
		q += ` AND s.user_id = ?`
		args = append(args, userID)
	}
	rows, err := db.query(ctx, db.read, q+` ORDER BY s.last_seen_at DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: sessions: %w", err)
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		if s.ExpiresAt.After(now) && (s.Kind == "api" || s.LastSeenAt.Add(idle).After(now)) {
			out = append(out, s)
		}
	}
	return out, rows.Err()
}

// APIToken is a personal API token's record.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	CreatedAt  time.Time
	LastUsedAt sql.NullTime
	Revoked    bool
}

// CreateAPIToken stores a personal token by its hash.
func (tx *Tx) CreateAPIToken(userID int64, name, hash string) (int64, error) {
	id, err := tx.insert(`INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)`,
		userID, name, hash, tx.db.now())
	if err != nil {
		return 0, fmt.Errorf("store: create api token: %w", err)
	}
	return id, nil
}

// APITokenUser returns the user id of a live personal token.
func (db *DB) APITokenUser(ctx context.Context, hash string) (int64, int64, error) {
	var id, userID int64
	err := db.queryRow(ctx, db.read, `SELECT id, user_id FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL`, hash).Scan(&id, &userID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, notFound("api token", "…")
	}
	if err != nil {
		return 0, 0, fmt.Errorf("store: api token: %w", err)
	}
	db.write.ExecContext(ctx, db.dialect.rebind(`UPDATE api_tokens SET last_used_at = ? WHERE id = ?`), db.now(), id)
	return id, userID, nil
}

// APITokens lists a user's personal tokens.
func (db *DB) APITokens(ctx context.Context, userID int64) ([]APIToken, error) {
	rows, err := db.query(ctx, db.read, `SELECT id, user_id, name, created_at, last_used_at, revoked_at IS NOT NULL
		FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: api tokens: %w", err)
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		var t APIToken
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &t.CreatedAt, &t.LastUsedAt, &t.Revoked); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeAPIToken revokes one of a user's tokens.
func (tx *Tx) RevokeAPIToken(userID, id int64) error {
	res, err := tx.exec(`UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL`, tx.db.now(), id, userID)
	if err != nil {
		return fmt.Errorf("store: revoke api token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("api token", id)
	}
	return nil
}

const policyKey = "security_policy"

// Policy returns the security policy, or the default when none is stored.
func (db *DB) Policy(ctx context.Context) (auth.Policy, int64, error) {
	var value string
	var version int64
	err := db.queryRow(ctx, db.read, `SELECT value, version FROM settings WHERE key = ?`, policyKey).Scan(&value, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.DefaultPolicy, 0, nil
	}
	if err != nil {
		return auth.Policy{}, 0, fmt.Errorf("store: policy: %w", err)
	}
	p := auth.DefaultPolicy
	if err := json.Unmarshal([]byte(value), &p); err != nil {
		return auth.Policy{}, 0, fmt.Errorf("store: policy: %w", err)
	}
	return p, version, nil
}

// SetPolicy stores the policy; version is the one read (0 when none was
// stored), so concurrent edits conflict rather than overwrite.
func (tx *Tx) SetPolicy(p auth.Policy, version int64) error {
	b, _ := json.Marshal(p)
	if version == 0 {
		_, err := tx.exec(`INSERT INTO settings (key, value, version, updated_at) VALUES (?, ?, 1, ?)`, policyKey, string(b), tx.db.now())
		if isUniqueViolation(err) {
			return &apperr.Error{Code: apperr.Conflict, Message: "数据已被他人修改,请刷新后重试"}
		}
		return err
	}
	return tx.update("policy", `UPDATE settings SET value = ?, version = version + 1, updated_at = ? WHERE key = ? AND version = ?`,
		string(b), tx.db.now(), policyKey, version)
}
