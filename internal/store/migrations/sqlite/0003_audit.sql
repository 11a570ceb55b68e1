-- Audit log (issue 4): append-only and hash-chained; see internal/audit.
-- The store assigns id = previous id + 1 itself, because the id is part of
-- the hashed content and must be known before the row is written. at is
-- fixed-width text (YYYY-MM-DD HH:MM:SS.ffffff+00:00) so that it sorts as
-- text and reads back exactly as hashed. No foreign keys: the log outlives
-- the users and units it names.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT    NOT NULL,
    actor_id    INTEGER NOT NULL DEFAULT 0,
    actor_name  TEXT    NOT NULL DEFAULT '',
    unit_id     INTEGER NOT NULL DEFAULT 0,
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
-- past these triggers is still caught by `luoshi audit verify`.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
