-- Registries (科技主体库, issue 9): enterprises and their qualifications,
-- technology contracts, innovation platforms, S&T projects, talent teams and
-- science commissioners; each record's history; the configurable lists; and
-- indicators bound to registry queries. Dates are TEXT YYYY-MM-DD (they
-- compare as text on both engines), money BIGINT yuan. Every record has a
-- unit: the reporter's scope is applied on unit_id.
CREATE TABLE reg_enterprises (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    uscc       TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    industry   TEXT    NOT NULL DEFAULT '',
    address    TEXT    NOT NULL DEFAULT '',
    contact    TEXT    NOT NULL DEFAULT '',
    phone      TEXT    NOT NULL DEFAULT '',
    version    INTEGER NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX reg_enterprises_unit ON reg_enterprises(unit_id);
CREATE INDEX reg_enterprises_name ON reg_enterprises(name);

-- kind: 'hte' (certificate: number, issued_on, expires_on, revoked_on),
-- 'tsme' (registration: number, year) or another qualification's name.
CREATE TABLE reg_qualifications (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    enterprise_id INTEGER NOT NULL REFERENCES reg_enterprises(id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL,
    number        TEXT    NOT NULL DEFAULT '',
    year          INTEGER NOT NULL DEFAULT 0,
    issued_on     TEXT    NOT NULL DEFAULT '',
    expires_on    TEXT    NOT NULL DEFAULT '',
    revoked_on    TEXT    NOT NULL DEFAULT '',
    version    INTEGER NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX reg_qualifications_enterprise ON reg_qualifications(enterprise_id);
CREATE INDEX reg_qualifications_kind ON reg_qualifications(kind, issued_on);

CREATE TABLE reg_contracts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    reg_no         TEXT    NOT NULL UNIQUE,
    name           TEXT    NOT NULL,
    type           TEXT    NOT NULL CHECK (type IN ('技术开发','技术转让','技术许可','技术咨询','技术服务')),
    seller         TEXT    NOT NULL,
    seller_uscc    TEXT    NOT NULL DEFAULT '',
    unit_id        INTEGER NOT NULL REFERENCES units(id),
    buyer          TEXT    NOT NULL,
    buyer_region   TEXT    NOT NULL DEFAULT '',
    contract_value INTEGER  NOT NULL DEFAULT 0,
    tech_value     INTEGER  NOT NULL DEFAULT 0,
    signed_on      TEXT    NOT NULL DEFAULT '',
    registered_on  TEXT    NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX reg_contracts_unit ON reg_contracts(unit_id);
CREATE INDEX reg_contracts_registered ON reg_contracts(registered_on);

CREATE TABLE reg_platforms (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL UNIQUE,
    kind        TEXT    NOT NULL,
    level       TEXT    NOT NULL CHECK (level IN ('国家','省','市')),
    host        TEXT    NOT NULL,
    host_uscc   TEXT    NOT NULL DEFAULT '',
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    approved_on TEXT    NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX reg_platforms_unit ON reg_platforms(unit_id);
CREATE INDEX reg_platforms_approved ON reg_platforms(approved_on);

CREATE TABLE reg_projects (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    code       TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    category   TEXT    NOT NULL,
    owner      TEXT    NOT NULL,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    budget     INTEGER  NOT NULL DEFAULT 0,
    start_on   TEXT    NOT NULL,
    end_on     TEXT    NOT NULL DEFAULT '',
    status     TEXT    NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX reg_projects_unit ON reg_projects(unit_id);

CREATE TABLE reg_teams (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL UNIQUE,
    leader     TEXT    NOT NULL,
    host       TEXT    NOT NULL,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    field      TEXT    NOT NULL DEFAULT '',
    members    INTEGER  NOT NULL DEFAULT 0,
    year       INTEGER  NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX reg_teams_unit ON reg_teams(unit_id);

CREATE TABLE reg_commissioners (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL,
    employer   TEXT    NOT NULL,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    served     TEXT    NOT NULL DEFAULT '',
    expertise  TEXT    NOT NULL DEFAULT '',
    year       INTEGER  NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    UNIQUE (name, employer)
);
CREATE INDEX reg_commissioners_unit ON reg_commissioners(unit_id);

-- One row per version of a record: who changed which fields, when.
-- Written with the change, never updated.
CREATE TABLE reg_history (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    entity     TEXT    NOT NULL,
    record_id  INTEGER NOT NULL,
    action     TEXT    NOT NULL,
    actor_id   INTEGER NOT NULL DEFAULT 0,
    actor_name TEXT    NOT NULL DEFAULT '',
    changes    TEXT    NOT NULL DEFAULT '[]',
    version    INTEGER NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX reg_history_record ON reg_history(entity, record_id);

-- Configurable lists: industry, qualification, platform_kind, project_category.
CREATE TABLE reg_options (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    list       TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    sort       INTEGER NOT NULL DEFAULT 0,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    UNIQUE (list, value)
);

-- An indicator whose value is computed from a registry query (registry.QueryKind).
CREATE TABLE indicator_bindings (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    indicator_id INTEGER NOT NULL UNIQUE REFERENCES indicators(id) ON DELETE CASCADE,
    query        TEXT    NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);

INSERT INTO reg_options (list, value, sort, version, created_at, updated_at) VALUES
    ('industry', '锂电', 0, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('industry', '电子信息', 1, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('industry', '能源化工', 2, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('industry', '装备制造', 3, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('industry', '食品', 4, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('industry', '生物医药', 5, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('industry', '新材料', 6, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('industry', '现代农业', 7, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('industry', '其他', 8, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('qualification', '瞪羚企业', 0, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('qualification', '专精特新', 1, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('qualification', '创新型中小企业', 2, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('qualification', '技术先进型服务企业', 3, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('platform_kind', '重点实验室', 0, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('platform_kind', '工程技术研究中心', 1, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('platform_kind', '企业技术中心', 2, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('platform_kind', '新型研发机构', 3, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('platform_kind', '孵化器', 4, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('platform_kind', '众创空间', 5, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('platform_kind', '国际科技合作基地', 6, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('platform_kind', '科普基地', 7, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('platform_kind', '农业科技园区', 8, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('platform_kind', '院士(专家)工作站', 9, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('project_category', '重大科技专项', 0, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('project_category', '揭榜挂帅', 1, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('project_category', '重点研发', 2, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('project_category', '成果转化', 3, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('project_category', '软科学', 4, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('project_category', '其他', 5, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
