-- Denied accesses counted per key and time window (issue 7): a locked-out
-- or refused caller retrying a thousand times updates one row here, and
-- the audit log gets one access.denied record per key and window, not one
-- per try. Not part of the audit chain, so it may be updated in place.
CREATE TABLE access_denials (
    key          TEXT        NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    count        INTEGER     NOT NULL,
    last_at      TIMESTAMPTZ NOT NULL,
    version      INTEGER     NOT NULL DEFAULT 1,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX access_denials_window ON access_denials(window_start);
