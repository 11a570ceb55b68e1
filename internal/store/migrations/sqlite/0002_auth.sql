-- Accounts, sessions, API tokens, sign-in failure counters and settings (issue 4).
CREATE TABLE users (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    username     TEXT    NOT NULL,
    username_key TEXT    NOT NULL UNIQUE,
    name         TEXT    NOT NULL DEFAULT '',
    role         TEXT    NOT NULL CHECK (role IN ('staff','reporter','leader','sysadmin','secadmin','auditor')),
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    password_hash TEXT   NOT NULL,
    must_change  BOOLEAN NOT NULL DEFAULT FALSE,
    disabled     BOOLEAN NOT NULL DEFAULT FALSE,
    password_changed_at DATETIME NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL
);
CREATE INDEX users_unit ON users(unit_id);

-- A web session or an API login token; id is the SHA-256 of the secret.
CREATE TABLE sessions (
    id           TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    kind         TEXT    NOT NULL CHECK (kind IN ('web','api')),
    csrf_token   TEXT    NOT NULL,
    ip           TEXT    NOT NULL DEFAULT '',
    user_agent   TEXT    NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL,
    last_seen_at DATETIME NOT NULL,
    expires_at   DATETIME NOT NULL,
    revoked_at   DATETIME
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Personal API tokens; only the hash is kept.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    name         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    created_at   DATETIME NOT NULL,
    last_used_at DATETIME,
    revoked_at   DATETIME
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- Failed sign-in counters by account key (u:<name>) and source (ip:<addr>);
-- in the database so that a restart does not reset a lockout.
CREATE TABLE login_failures (
    key          TEXT    PRIMARY KEY,
    failures     INTEGER NOT NULL,
    first_at     DATETIME NOT NULL,
    locked_until DATETIME
);

CREATE TABLE settings (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    updated_at DATETIME NOT NULL
);
