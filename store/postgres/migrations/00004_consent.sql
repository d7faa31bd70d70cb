-- Consent (DESIGN §9): a citizen's grants to a professional or a care
-- unit, and professionals' requests for consent (asks). Times are kept in
-- UTC to the microsecond; NULL where a time is not set (end_at NULL: until
-- revoked). Ids compare in byte order (COLLATE "C"), as on SQLite, so that
-- listings order alike on both databases. scope is JSON text (not jsonb:
-- the same text as on SQLite) written and read by
-- store/internal/consentsql: the classes with their chosen items, and the
-- data window. Expiry is derived from end_at, never stored.

-- +goose Up
CREATE TABLE consent_grants (
    id                      TEXT COLLATE "C" PRIMARY KEY,
    person_id               TEXT NOT NULL REFERENCES people (id),
    region                  TEXT NOT NULL REFERENCES regions (id),
    grantee_kind            TEXT NOT NULL CHECK (grantee_kind IN ('professional', 'unit')),
    grantee_id              TEXT NOT NULL,
    scope                   TEXT NOT NULL,
    start_at                TIMESTAMPTZ NOT NULL,
    end_at                  TIMESTAMPTZ,
    purpose                 TEXT NOT NULL,
    given_by_kind           TEXT NOT NULL,
    given_by_id             TEXT NOT NULL,
    given_by_on_behalf_of   TEXT NOT NULL,
    created_at              TIMESTAMPTZ NOT NULL,
    status                  TEXT NOT NULL CHECK (status IN ('active', 'revoked', 'ended')),
    revoked_at              TIMESTAMPTZ,
    revoked_by_kind         TEXT NOT NULL,
    revoked_by_id           TEXT NOT NULL,
    revoked_by_on_behalf_of TEXT NOT NULL,
    ended_at                TIMESTAMPTZ,
    end_reason              TEXT NOT NULL,
    version                 INTEGER NOT NULL CHECK (version >= 1)
);

-- a person's grants in force; grants to a professional or a unit in force
CREATE INDEX consent_grants_person_idx ON consent_grants (person_id, status);
CREATE INDEX consent_grants_grantee_idx ON consent_grants (grantee_kind, grantee_id, status);

CREATE TABLE consent_asks (
    id              TEXT COLLATE "C" PRIMARY KEY,
    person_id       TEXT NOT NULL REFERENCES people (id),
    professional_id TEXT NOT NULL,
    scope           TEXT NOT NULL,
    months          INTEGER NOT NULL CHECK (months >= 0),
    reason          TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined')),
    decided_at      TIMESTAMPTZ,
    grant_id        TEXT REFERENCES consent_grants (id) -- when approved
);

CREATE INDEX consent_asks_person_idx ON consent_asks (person_id, created_at);
CREATE INDEX consent_asks_professional_idx ON consent_asks (professional_id, created_at);

-- +goose Down
DROP TABLE consent_asks;
DROP TABLE consent_grants;
