-- Uploaded documents (issue 3): kept in the database, content-addressed by
-- their SHA-256, so that one backup holds everything. A row is written
-- once and never changed; the same bytes uploaded again reuse it.
CREATE TABLE files (
    sha256     TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL,
    size       BIGINT  NOT NULL,
    content    BYTEA   NOT NULL,
    created_by TEXT    NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);

-- A document is imported as one plan at most: importing it again offers to
-- replace the plan instead (plans made by hand have no hash).
CREATE UNIQUE INDEX plans_content_hash_unique ON plans(content_hash) WHERE content_hash <> '';
