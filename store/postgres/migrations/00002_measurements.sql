-- Home measurements (FHIR Observation). observations holds the current
-- version of each measurement; observation_versions holds every version,
-- the current one included, for the history. Times are kept in UTC to the
-- microsecond. Ids compare in byte order (COLLATE "C"), as on SQLite, so
-- that keyset paging by (effective_at, id) orders alike on both databases.
-- diastolic is NULL for every kind but blood pressure; identifier is the
-- client-supplied "system|value", NULL when none was given.

-- +goose Up
CREATE TABLE observations (
    id            TEXT COLLATE "C" PRIMARY KEY,
    person_id     TEXT NOT NULL REFERENCES people (id),
    kind          TEXT NOT NULL,
    value         DOUBLE PRECISION NOT NULL,
    diastolic     DOUBLE PRECISION,
    effective_at  TIMESTAMPTZ NOT NULL,
    note          TEXT NOT NULL,
    entered_by    TEXT NOT NULL,
    source_kind   TEXT NOT NULL,
    source_client TEXT NOT NULL,
    identifier    TEXT,
    version       INTEGER NOT NULL CHECK (version >= 1),
    updated_at    TIMESTAMPTZ NOT NULL,
    deleted       BOOLEAN NOT NULL
);

-- the same identifier twice stores once
CREATE UNIQUE INDEX observations_identifier_idx ON observations (person_id, identifier)
    WHERE identifier IS NOT NULL;
CREATE INDEX observations_kind_idx ON observations (person_id, kind, effective_at, id);
CREATE INDEX observations_time_idx ON observations (person_id, effective_at, id);

CREATE TABLE observation_versions (
    id            TEXT COLLATE "C" NOT NULL REFERENCES observations (id),
    version       INTEGER NOT NULL CHECK (version >= 1),
    person_id     TEXT NOT NULL,
    kind          TEXT NOT NULL,
    value         DOUBLE PRECISION NOT NULL,
    diastolic     DOUBLE PRECISION,
    effective_at  TIMESTAMPTZ NOT NULL,
    note          TEXT NOT NULL,
    entered_by    TEXT NOT NULL,
    source_kind   TEXT NOT NULL,
    source_client TEXT NOT NULL,
    identifier    TEXT,
    updated_at    TIMESTAMPTZ NOT NULL,
    deleted       BOOLEAN NOT NULL,
    PRIMARY KEY (id, version)
);

-- +goose Down
DROP TABLE observation_versions;
DROP TABLE observations;
