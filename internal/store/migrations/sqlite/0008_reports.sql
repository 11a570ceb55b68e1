-- Assignment and monthly progress reporting (issue 8).

-- How a plan is reported on: monthly (default) or quarterly, with a
-- submission window of days in the month after the period ends.
ALTER TABLE plans ADD COLUMN report_frequency TEXT NOT NULL DEFAULT 'monthly' CHECK (report_frequency IN ('monthly','quarterly'));
ALTER TABLE plans ADD COLUMN window_open_day  INTEGER NOT NULL DEFAULT 1;
ALTER TABLE plans ADD COLUMN window_close_day INTEGER NOT NULL DEFAULT 5;

-- Responsibilities now also name a measure's units: measure_id 0 is the
-- task itself. SQLite cannot drop a table constraint, so the table is
-- rebuilt with the wider unique key.
CREATE TABLE responsibilities_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id    INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    measure_id INTEGER NOT NULL DEFAULT 0,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    role       TEXT    NOT NULL CHECK (role IN ('lead','co')),
    version    INTEGER NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    UNIQUE (task_id, measure_id, unit_id)
);
INSERT INTO responsibilities_new (id, task_id, measure_id, unit_id, role, version, created_at, updated_at)
    SELECT id, task_id, 0, unit_id, role, version, created_at, updated_at FROM responsibilities;
DROP TABLE responsibilities;
ALTER TABLE responsibilities_new RENAME TO responsibilities;
CREATE INDEX responsibilities_unit ON responsibilities(unit_id);

-- The rest of an assignment: the person responsible, the due date and the
-- milestones. One row per task (measure_id 0) or measure, made when staff
-- first assign it; its version guards the whole assignment, units included.
CREATE TABLE assignments (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id        INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    measure_id     INTEGER NOT NULL DEFAULT 0,
    person_name    TEXT    NOT NULL DEFAULT '',
    person_phone   TEXT    NOT NULL DEFAULT '',
    person_user_id INTEGER REFERENCES users(id),
    due_on         TEXT    NOT NULL DEFAULT '',
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL,
    UNIQUE (task_id, measure_id)
);

CREATE TABLE milestones (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    assignment_id INTEGER NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
    sort          INTEGER NOT NULL DEFAULT 0,
    due_on        TEXT    NOT NULL,
    deliverable   TEXT    NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);
CREATE INDEX milestones_assignment ON milestones(assignment_id);
CREATE INDEX milestones_due ON milestones(due_on);

-- Units the parser found in a task's text or table: suggestions that staff
-- accept, reject or correct one by one; never responsibilities by themselves.
CREATE TABLE unit_suggestions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id    INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    measure_id INTEGER NOT NULL DEFAULT 0,
    name       TEXT    NOT NULL,
    role       TEXT    NOT NULL CHECK (role IN ('lead','co')),
    unit_id    INTEGER REFERENCES units(id),
    state      TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open','accepted','rejected')),
    version    INTEGER NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    UNIQUE (task_id, measure_id, name)
);

-- A unit's progress report on a task or measure (measure_id 0: the task)
-- for one period (2023-06, or 2023-Q2 for a quarterly plan).
CREATE TABLE reports (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id        INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    task_id        INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    measure_id     INTEGER NOT NULL DEFAULT 0,
    unit_id        INTEGER NOT NULL REFERENCES units(id),
    period         TEXT    NOT NULL,
    status         TEXT    NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','submitted','returned','approved')),
    progress       TEXT    NOT NULL DEFAULT '',
    percent        INTEGER NOT NULL DEFAULT 0,
    state          TEXT    NOT NULL DEFAULT 'not_started' CHECK (state IN ('not_started','in_progress','done','behind')),
    problems       TEXT    NOT NULL DEFAULT '',
    next_steps     TEXT    NOT NULL DEFAULT '',
    revision       INTEGER NOT NULL DEFAULT 0,
    submitted_at   DATETIME,
    submitted_by   TEXT    NOT NULL DEFAULT '',
    reviewed_at    DATETIME,
    reviewed_by    TEXT    NOT NULL DEFAULT '',
    review_comment TEXT    NOT NULL DEFAULT '',
    demo           BOOLEAN NOT NULL DEFAULT FALSE,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL,
    UNIQUE (unit_id, period, task_id, measure_id)
);
CREATE INDEX reports_plan_period ON reports(plan_id, period);
CREATE INDEX reports_task ON reports(task_id);

-- Indicator values a report gives (indicators of the tasks the unit leads).
CREATE TABLE report_values (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id    INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    indicator_id INTEGER NOT NULL REFERENCES indicators(id) ON DELETE CASCADE,
    value        DOUBLE PRECISION NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL,
    UNIQUE (report_id, indicator_id)
);
CREATE INDEX report_values_indicator ON report_values(indicator_id);

-- Evidence files of a report; the bytes are in files, by SHA-256.
CREATE TABLE report_files (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id  INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    sha256     TEXT    NOT NULL REFERENCES files(sha256),
    name       TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    size       INTEGER NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    UNIQUE (report_id, sha256)
);

-- Every submission, return and approval of a report with what it said
-- then (snapshot, JSON): every version is kept and can be shown.
CREATE TABLE report_revisions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id  INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    revision   INTEGER NOT NULL,
    action     TEXT    NOT NULL CHECK (action IN ('submitted','returned','approved')),
    actor      TEXT    NOT NULL DEFAULT '',
    comment    TEXT    NOT NULL DEFAULT '',
    snapshot   TEXT    NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX report_revisions_report ON report_revisions(report_id);
