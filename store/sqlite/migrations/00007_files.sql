-- A person's own files (DESIGN §11): the metadata only; the encrypted
-- content lives in a bucket under content_key. files holds the current
-- version of each file; file_versions holds every version, the current one
-- included, for the history. The content never changes between versions:
-- only name, title, description and deleted do. data_key is the file's own
-- data key wrapped by the master key master_key_id; a key rotation rewraps
-- it in every version. Times are UTC RFC 3339 text of fixed width with
-- microseconds, as in the other tables, so that text order is time order.

-- +goose Up
CREATE TABLE files (
    id              TEXT PRIMARY KEY,
    person_id       TEXT NOT NULL REFERENCES people (id),
    version         INTEGER NOT NULL CHECK (version >= 1),
    name            TEXT NOT NULL,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL,
    media_type      TEXT NOT NULL,
    size            INTEGER NOT NULL CHECK (size >= 0),
    sha256          BLOB NOT NULL,
    content_key     TEXT NOT NULL UNIQUE,
    data_key        BLOB NOT NULL,
    master_key_id   TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    entered_by_kind TEXT NOT NULL,
    entered_by_id   TEXT NOT NULL,
    on_behalf_of    TEXT NOT NULL,
    deleted         INTEGER NOT NULL CHECK (deleted IN (0, 1))
) STRICT;

-- a person's files, newest first, and the sum of their sizes
CREATE INDEX files_person_idx ON files (person_id, deleted, created_at DESC);

CREATE TABLE file_versions (
    id              TEXT NOT NULL REFERENCES files (id),
    version         INTEGER NOT NULL CHECK (version >= 1),
    person_id       TEXT NOT NULL,
    name            TEXT NOT NULL,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL,
    media_type      TEXT NOT NULL,
    size            INTEGER NOT NULL CHECK (size >= 0),
    sha256          BLOB NOT NULL,
    content_key     TEXT NOT NULL,
    data_key        BLOB NOT NULL,
    master_key_id   TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    entered_by_kind TEXT NOT NULL,
    entered_by_id   TEXT NOT NULL,
    on_behalf_of    TEXT NOT NULL,
    deleted         INTEGER NOT NULL CHECK (deleted IN (0, 1)),
    PRIMARY KEY (id, version)
) STRICT, WITHOUT ROWID;

-- key rotation: the versions still wrapped by a master key, in id order
CREATE INDEX file_versions_master_key_idx ON file_versions (master_key_id, id);
-- the sweeper: is there a record, of any version, naming this content?
CREATE INDEX file_versions_content_key_idx ON file_versions (content_key);

-- +goose Down
DROP TABLE file_versions;
DROP TABLE files;
