-- Year-end assessment (年度考核, issue 10): the weight of each indicator and
-- of each task category in a plan's scores, with the indicator's bonus rule.
-- item is "indicator:<id>" or "category:work_item" / "category:key_item".
CREATE TABLE assessment_weights (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id     INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    item        TEXT    NOT NULL,
    weight      DOUBLE PRECISION NOT NULL CHECK (weight >= 0),
    bonus_rate  DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (bonus_rate >= 0),
    bonus_cap   DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (bonus_cap >= 0),
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL,
    UNIQUE (plan_id, item)
);
