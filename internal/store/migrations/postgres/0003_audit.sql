-- Audit log (issue 4): append-only and hash-chained; see internal/audit.
-- The store assigns id = previous id + 1 itself (under an advisory lock),
-- because the id is part of the hashed content and must be known before the
-- row is written. No foreign keys: the log outlives the users and units it
-- names.
CREATE TABLE audit_log (
    id          BIGINT PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    actor_id    BIGINT  NOT NULL DEFAULT 0,
    actor_name  TEXT    NOT NULL DEFAULT '',
    unit_id     BIGINT  NOT NULL DEFAULT 0,
    ip          TEXT    NOT NULL DEFAULT '',
    request_id  TEXT    NOT NULL DEFAULT '',
    action      TEXT    NOT NULL,
    entity      TEXT    NOT NULL DEFAULT '',
    entity_id   TEXT    NOT NULL DEFAULT '',
    before_json TEXT    NOT NULL DEFAULT '',
    after_json  TEXT    NOT NULL DEFAULT '',
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    hash_alg    TEXT    NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_action ON audit_log(action);
CREATE INDEX audit_log_actor_name ON audit_log(actor_name);

-- Defence in depth: the application never changes a record. Whoever gets
-- past these triggers (a superuser can disable them) is still caught by
-- `luoshi audit verify`. TRUNCATE skips row triggers, hence its own.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
