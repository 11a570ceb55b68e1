-- Org units, plans and their structure (issue 2).
CREATE TABLE units (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    code          TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('city','county','district','park','bureau','section')),
    parent_id     INTEGER REFERENCES units(id),
    division_code TEXT,
    sort          INTEGER NOT NULL DEFAULT 0,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);
CREATE INDEX units_parent ON units(parent_id);

CREATE TABLE plans (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    title        TEXT    NOT NULL,
    issuer       TEXT    NOT NULL DEFAULT '',
    issued_on    TEXT    NOT NULL DEFAULT '',
    year         INTEGER NOT NULL,
    doc_no       TEXT    NOT NULL DEFAULT '',
    addressees   TEXT    NOT NULL DEFAULT '',
    preamble     TEXT    NOT NULL DEFAULT '',
    themes       TEXT    NOT NULL DEFAULT '[]',
    status       TEXT    NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','active','archived')),
    content_hash TEXT    NOT NULL DEFAULT '',
    source_name  TEXT    NOT NULL DEFAULT '',
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL
);
CREATE INDEX plans_year ON plans(year);
CREATE INDEX plans_hash ON plans(content_hash);

CREATE TABLE sections (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id    INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    no         INTEGER NOT NULL,
    title      TEXT    NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX sections_plan ON sections(plan_id);

CREATE TABLE tasks (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id         INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    section_id      INTEGER REFERENCES sections(id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL CHECK (kind IN ('work_item','key_item')),
    no              INTEGER NOT NULL,
    title           TEXT    NOT NULL,
    text            TEXT    NOT NULL DEFAULT '',
    suggested_units TEXT    NOT NULL DEFAULT '[]',
    due_on          TEXT    NOT NULL DEFAULT '',
    due_text        TEXT    NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);
CREATE INDEX tasks_plan ON tasks(plan_id);
CREATE INDEX tasks_section ON tasks(section_id);

CREATE TABLE measures (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id    INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    no         INTEGER NOT NULL,
    text       TEXT    NOT NULL,
    done       BOOLEAN NOT NULL DEFAULT FALSE,
    done_note  TEXT    NOT NULL DEFAULT '',
    due_on     TEXT    NOT NULL DEFAULT '',
    due_text   TEXT    NOT NULL DEFAULT '',
    version    INTEGER NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX measures_task ON measures(task_id);

CREATE TABLE indicators (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id       INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    task_id       INTEGER REFERENCES tasks(id) ON DELETE CASCADE,
    sort          INTEGER NOT NULL DEFAULT 0,
    name          TEXT    NOT NULL,
    unit          TEXT    NOT NULL,
    comparator    TEXT    NOT NULL CHECK (comparator IN ('>=','>','~','<=')),
    increment     BOOLEAN NOT NULL DEFAULT FALSE,
    target_value  DOUBLE PRECISION NOT NULL,
    stretch_value DOUBLE PRECISION,
    display       TEXT    NOT NULL DEFAULT '',
    source        TEXT    NOT NULL DEFAULT '',
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);
CREATE INDEX indicators_plan ON indicators(plan_id);
CREATE INDEX indicators_task ON indicators(task_id);

CREATE TABLE responsibilities (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id    INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    role       TEXT    NOT NULL CHECK (role IN ('lead','co')),
    version    INTEGER NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    UNIQUE (task_id, unit_id)
);
CREATE INDEX responsibilities_unit ON responsibilities(unit_id);
