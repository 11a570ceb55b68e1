-- Indicators by unit (issue 10): how an indicator accumulates and is judged,
-- its allocation to units (目标分解), and its monthly values with where each
-- came from. A value is the year-to-date figure at the end of its month: the
-- cumulative sum for a flow, the level for a stock.
ALTER TABLE indicators ADD COLUMN kind TEXT NOT NULL DEFAULT 'flow' CHECK (kind IN ('flow','stock','annual'));
ALTER TABLE indicators ADD COLUMN base_value DOUBLE PRECISION;
ALTER TABLE indicators ADD COLUMN lag_months INTEGER NOT NULL DEFAULT 0 CHECK (lag_months BETWEEN 0 AND 11);
ALTER TABLE indicators ADD COLUMN aggregation TEXT NOT NULL DEFAULT 'sum' CHECK (aggregation IN ('sum','max','avg'));

CREATE TABLE indicator_allocations (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    indicator_id  INTEGER NOT NULL REFERENCES indicators(id) ON DELETE CASCADE,
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    target_value  DOUBLE PRECISION NOT NULL,
    base_value    DOUBLE PRECISION,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL,
    UNIQUE (indicator_id, unit_id)
);
CREATE INDEX indicator_allocations_unit ON indicator_allocations(unit_id);

-- source: report (a unit's approved monthly report), registry (computed
-- from the registries), manual (typed by bureau staff), demo (synthetic).
CREATE TABLE indicator_values (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    indicator_id  INTEGER NOT NULL REFERENCES indicators(id) ON DELETE CASCADE,
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    period        TEXT    NOT NULL CHECK (length(period) = 7),
    value         DOUBLE PRECISION NOT NULL,
    source        TEXT    NOT NULL CHECK (source IN ('report','registry','manual','demo')),
    source_ref    TEXT    NOT NULL DEFAULT '',
    entered_by    TEXT    NOT NULL DEFAULT '',
    as_of         TEXT    NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL,
    UNIQUE (indicator_id, unit_id, period)
);
CREATE INDEX indicator_values_unit ON indicator_values(unit_id, period);
