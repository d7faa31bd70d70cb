-- Identity: regions, care units, professionals, people, and the web
-- sessions table that github.com/alexedwards/scs/sqlite3store expects.
-- Columns ending in _fold hold the name case-folded in Go (SQLite's LOWER
-- folds ASCII only), for case-insensitive search.

-- +goose Up
CREATE TABLE regions (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    registrar_oid  TEXT NOT NULL,
    registrar_name TEXT NOT NULL
) STRICT;

CREATE TABLE care_units (
    id        TEXT PRIMARY KEY,
    region_id TEXT NOT NULL REFERENCES regions (id),
    oid       TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    name_fold TEXT NOT NULL,
    UNIQUE (id, region_id)
) STRICT;

CREATE INDEX care_units_region_idx ON care_units (region_id, name_fold);

CREATE TABLE professionals (
    id               TEXT PRIMARY KEY,
    username         TEXT NOT NULL UNIQUE,
    terhikki         TEXT UNIQUE, -- NULL when the professional has none
    given_name       TEXT NOT NULL,
    family_name      TEXT NOT NULL,
    given_name_fold  TEXT NOT NULL,
    family_name_fold TEXT NOT NULL,
    title            TEXT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('professional', 'operator')),
    care_unit_id     TEXT NOT NULL,
    region_id        TEXT NOT NULL REFERENCES regions (id),
    -- the care unit must belong to the professional's region
    FOREIGN KEY (care_unit_id, region_id) REFERENCES care_units (id, region_id)
) STRICT;

CREATE INDEX professionals_region_idx ON professionals (region_id, family_name_fold, given_name_fold);

CREATE TABLE people (
    id          TEXT PRIMARY KEY,
    hetu_key    BLOB NOT NULL UNIQUE,
    hetu_sealed BLOB NOT NULL,
    given_name  TEXT NOT NULL,
    family_name TEXT NOT NULL,
    birth_date  TEXT NOT NULL CHECK (date(birth_date) IS birth_date), -- YYYY-MM-DD
    home_region TEXT NOT NULL REFERENCES regions (id),
    created_at  TEXT NOT NULL -- UTC, RFC 3339 with microseconds, fixed width
) STRICT;

CREATE INDEX people_home_region_idx ON people (home_region);

CREATE TABLE sessions (
    token  TEXT PRIMARY KEY,
    data   BLOB NOT NULL,
    expiry REAL NOT NULL -- Julian day number, as sqlite3store writes it
) STRICT;

CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- +goose Down
DROP TABLE sessions;
DROP TABLE people;
DROP TABLE professionals;
DROP TABLE care_units;
DROP TABLE regions;
