package store

import (
	"context"
	"fmt"
)

// keptPasswords bounds the history kept per account: the policy's largest
// setting (auth.MaxPasswordHistory) less the current password.
const keptPasswords = 23

// ArchivePassword keeps an account's current password hash in its history;
// call it in the transaction that replaces the password. Entries beyond
// what any policy can ask for are dropped.
func (tx *Tx) ArchivePassword(userID int64) error {
	if _, err := tx.exec(`INSERT INTO password_history (user_id, password_hash, created_at)
		SELECT id, password_hash, ? FROM users WHERE id = ?`, tx.db.now(), userID); err != nil {
		return fmt.Errorf("store: archive password of user %d: %w", userID, err)
	}
	if _, err := tx.exec(`DELETE FROM password_history WHERE user_id = ? AND id NOT IN
		(SELECT id FROM password_history WHERE user_id = ? ORDER BY id DESC LIMIT ?)`, userID, userID, keptPasswords); err != nil {
		return fmt.Errorf("store: trim password history of user %d: %w", userID, err)
	}
	return nil
}

// PasswordHistory returns the n latest earlier password hashes of an
// account, newest first.
func (db *DB) PasswordHistory(ctx context.Context, userID int64, n int) ([]string, error) {
	if n <= 0 {
		return nil, nil
	}
	rows, err := db.query(ctx, db.read, `SELECT password_hash FROM password_history WHERE user_id = ?
		ORDER BY id DESC LIMIT ?`, userID, n)
	if err != nil {
		return nil, fmt.Errorf("store: password history of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, fmt.Errorf("store: password history of user %d: %w", userID, err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}
