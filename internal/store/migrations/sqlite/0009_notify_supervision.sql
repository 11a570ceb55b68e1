-- Notifications and supervision (issue 8, items 4 and 5).

-- Where a unit's notifications go besides the in-app inbox: e-mail
-- addresses and WeCom/DingTalk group robots, configured by staff.
CREATE TABLE notify_channels (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    kind       TEXT    NOT NULL CHECK (kind IN ('email','wecom','dingtalk')),
    name       TEXT    NOT NULL DEFAULT '',
    target     TEXT    NOT NULL,
    secret     TEXT    NOT NULL DEFAULT '',
    enabled    BOOLEAN NOT NULL DEFAULT TRUE,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX notify_channels_unit ON notify_channels(unit_id);

-- The durable outbox: one row per event, recipient and channel (idem_key is
-- unique, so enqueueing an event twice makes one row). A worker claims due
-- rows (claimed_by/claimed_until), sends, and marks them sent; a failure
-- is retried with backoff until max attempts, then the row is 'failed'.
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    idem_key      TEXT    NOT NULL UNIQUE,
    event         TEXT    NOT NULL,
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    channel_id    INTEGER NOT NULL REFERENCES notify_channels(id) ON DELETE CASCADE,
    subject       TEXT    NOT NULL,
    body          TEXT    NOT NULL DEFAULT '',
    link          TEXT    NOT NULL DEFAULT '',
    status        TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sent','failed')),
    due_at        DATETIME NOT NULL,
    sent_at       DATETIME,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT    NOT NULL DEFAULT '',
    claimed_by    TEXT    NOT NULL DEFAULT '',
    claimed_until DATETIME,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);
CREATE INDEX outbox_due ON outbox(status, due_at);

-- The in-app inbox (收件箱): one row per user and event.
CREATE TABLE inbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    idem_key   TEXT    NOT NULL,
    event      TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    body       TEXT    NOT NULL DEFAULT '',
    link       TEXT    NOT NULL DEFAULT '',
    read_at    DATETIME,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    UNIQUE (user_id, idem_key)
);
CREATE INDEX inbox_user ON inbox(user_id, read_at);

-- Supervision notices (督办单): numbered per year (督〔2023〕第3号), issued
-- to a unit about a task or measure, with a reply deadline.
CREATE TABLE supervision_notices (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    year         INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    number       TEXT    NOT NULL UNIQUE,
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    task_id      INTEGER REFERENCES tasks(id) ON DELETE SET NULL,
    measure_id   INTEGER REFERENCES measures(id) ON DELETE SET NULL,
    subject      TEXT    NOT NULL,
    body         TEXT    NOT NULL DEFAULT '',
    reply_due    TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'issued' CHECK (status IN ('issued','replied','extension_requested','closed','escalated')),
    level        INTEGER NOT NULL DEFAULT 1,
    issued_by    INTEGER NOT NULL DEFAULT 0,
    issuer_name  TEXT    NOT NULL DEFAULT '',
    closed_at    DATETIME,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL,
    UNIQUE (year, seq)
);
CREATE INDEX supervision_notices_unit ON supervision_notices(unit_id);

-- Every step of a notice, time-stamped; written once.
CREATE TABLE supervision_trail (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    notice_id  INTEGER NOT NULL REFERENCES supervision_notices(id) ON DELETE CASCADE,
    at         DATETIME NOT NULL,
    step       TEXT    NOT NULL CHECK (step IN ('issued','reminded','replied','extension_requested','extension_granted','extension_refused','closed','escalated')),
    actor_id   INTEGER NOT NULL DEFAULT 0,
    actor_name TEXT    NOT NULL DEFAULT '',
    text       TEXT    NOT NULL DEFAULT '',
    due_on     TEXT    NOT NULL DEFAULT '',
    version    INTEGER NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX supervision_trail_notice ON supervision_trail(notice_id);

-- Evidence files of a trail step (the unit's reply); the bytes are in files.
CREATE TABLE supervision_files (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    trail_id   INTEGER NOT NULL REFERENCES supervision_trail(id) ON DELETE CASCADE,
    sha256     TEXT    NOT NULL REFERENCES files(sha256),
    name       TEXT    NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX supervision_files_trail ON supervision_files(trail_id);
