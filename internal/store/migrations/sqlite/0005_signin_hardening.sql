-- Sign-in attempts whose password is being checked right now (issue 7):
-- counted with the failures before any hashing, so that a burst of
-- parallel tries checks no more than the lockout threshold.
ALTER TABLE login_failures ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;

-- Earlier password hashes of each account (argon2id, as in users), so that
-- a new password is not one of the last N (the security policy's number).
-- Rows are written once, when a password is replaced.
CREATE TABLE password_history (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    password_hash TEXT    NOT NULL,
    created_at    DATETIME NOT NULL
);
CREATE INDEX password_history_user ON password_history(user_id, id);
