-- A person's own files (DESIGN §11): the metadata only; the encrypted
-- content lives in a bucket under content_key. files holds the current
-- version of each file; file_versions holds every version, the current one
-- included, for the history. The content never changes between versions:
-- only name, title, description and deleted do. data_key is the file's own
-- data key wrapped by the master key master_key_id; a key rotation rewraps
-- it in every version. Times are kept in UTC to the microsecond, as in the
-- other tables. Ids compare in byte order (COLLATE "C"), as on SQLite.

-- +goose Up
CREATE TABLE files (
    id              TEXT COLLATE "C" PRIMARY KEY,
    person_id       TEXT NOT NULL REFERENCES people (id),
    version         INTEGER NOT NULL CHECK (version >= 1),
    name            TEXT NOT NULL,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL,
    media_type      TEXT NOT NULL,
    size            BIGINT NOT NULL CHECK (size >= 0),
    sha256          BYTEA NOT NULL,
    content_key     TEXT NOT NULL UNIQUE,
    data_key        BYTEA NOT NULL,
    master_key_id   TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    entered_by_kind TEXT NOT NULL,
    entered_by_id   TEXT NOT NULL,
    on_behalf_of    TEXT NOT NULL,
    deleted         BOOLEAN NOT NULL
);

-- a person's files, newest first, and the sum of their sizes
CREATE INDEX files_person_idx ON files (person_id, deleted, created_at DESC);

CREATE TABLE file_versions (
    id              TEXT COLLATE "C" NOT NULL REFERENCES files (id),
    version         INTEGER NOT NULL CHECK (version >= 1),
    person_id       TEXT NOT NULL,
    name            TEXT NOT NULL,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL,
    media_type      TEXT NOT NULL,
    size            BIGINT NOT NULL CHECK (size >= 0),
    sha256          BYTEA NOT NULL,
    content_key     TEXT NOT NULL,
    data_key        BYTEA NOT NULL,
    master_key_id   TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    entered_by_kind TEXT NOT NULL,
    entered_by_id   TEXT NOT NULL,
    on_behalf_of    TEXT NOT NULL,
    deleted         BOOLEAN NOT NULL,
    PRIMARY KEY (id, version)
);

-- key rotation: the versions still wrapped by a master key, in id order
CREATE INDEX file_versions_master_key_idx ON file_versions (master_key_id, id);
-- the sweeper: is there a record, of any version, naming this content?
CREATE INDEX file_versions_content_key_idx ON file_versions (content_key);

-- +goose Down
DROP TABLE file_versions;
DROP TABLE files;
