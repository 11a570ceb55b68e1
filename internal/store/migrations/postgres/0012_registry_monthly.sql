-- Per-unit, per-month aggregates of the registries (issue 10, speed at
-- scale), kept current in the same transaction as every registry write, so
-- the dashboard reads a few thousand rows instead of scanning the registries.
-- period is YYYY-MM; per-year counts use YYYY-00. metric: contract_value,
-- tech_value (yuan, by month registered), platforms_new (国家/省 level, by
-- month approved), teams (by year), tsme (enterprises registered, by year),
-- hte (+1 in the month an enterprise's certificate becomes valid at month
-- end, -1 in the month it stops: the count valid at a month's end is the sum
-- up to that month).
CREATE TABLE registry_monthly (
    unit_id BIGINT  NOT NULL REFERENCES units(id),
    metric  TEXT    NOT NULL,
    period  TEXT    NOT NULL,
    value   BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, metric, period)
);
-- Covering: the dashboard reads (unit, value) by metric and period range.
CREATE INDEX registry_monthly_metric ON registry_monthly(metric, period, unit_id, value);
