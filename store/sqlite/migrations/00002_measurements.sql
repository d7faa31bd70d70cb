-- Home measurements (FHIR Observation). observations holds the current
-- version of each measurement; observation_versions holds every version,
-- the current one included, for the history. Times are UTC RFC 3339 text
-- of fixed width with microseconds ("2006-01-02T15:04:05.000000Z"), so
-- that text order is time order and ranges and ORDER BY use the indexes.
-- diastolic is NULL for every kind but blood pressure; identifier is the
-- client-supplied "system|value", NULL when none was given.

-- +goose Up
CREATE TABLE observations (
    id            TEXT PRIMARY KEY,
    person_id     TEXT NOT NULL REFERENCES people (id),
    kind          TEXT NOT NULL,
    value         REAL NOT NULL,
    diastolic     REAL,
    effective_at  TEXT NOT NULL,
    note          TEXT NOT NULL,
    entered_by    TEXT NOT NULL,
    source_kind   TEXT NOT NULL,
    source_client TEXT NOT NULL,
    identifier    TEXT,
    version       INTEGER NOT NULL CHECK (version >= 1),
    updated_at    TEXT NOT NULL,
    deleted       INTEGER NOT NULL CHECK (deleted IN (0, 1))
) STRICT;

-- the same identifier twice stores once
CREATE UNIQUE INDEX observations_identifier_idx ON observations (person_id, identifier)
    WHERE identifier IS NOT NULL;
CREATE INDEX observations_kind_idx ON observations (person_id, kind, effective_at, id);
CREATE INDEX observations_time_idx ON observations (person_id, effective_at, id);

CREATE TABLE observation_versions (
    id            TEXT NOT NULL REFERENCES observations (id),
    version       INTEGER NOT NULL CHECK (version >= 1),
    person_id     TEXT NOT NULL,
    kind          TEXT NOT NULL,
    value         REAL NOT NULL,
    diastolic     REAL,
    effective_at  TEXT NOT NULL,
    note          TEXT NOT NULL,
    entered_by    TEXT NOT NULL,
    source_kind   TEXT NOT NULL,
    source_client TEXT NOT NULL,
    identifier    TEXT,
    updated_at    TEXT NOT NULL,
    deleted       INTEGER NOT NULL CHECK (deleted IN (0, 1)),
    PRIMARY KEY (id, version)
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE observation_versions;
DROP TABLE observations;
