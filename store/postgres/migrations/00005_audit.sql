-- The access log (DESIGN §10). audit_entries holds the hash chain of each
-- register; the application only ever inserts into it. audit_heads holds
-- each register's last (seq, hash): an append moves it on condition that it
-- is still where the appender read it, in the same transaction as the
-- inserts (the row lock makes a concurrent appender wait, then find it
-- moved), so two processes can never both append after the same entry.
-- audit_checkpoints holds the signed heads. Times are kept in UTC to the
-- microsecond; kinds, ids and grants are JSON arrays kept as text, so they
-- come back byte for byte. Registers compare in byte order, as on SQLite.

-- +goose Up
CREATE TABLE audit_entries (
    register        TEXT COLLATE "C" NOT NULL,
    seq             BIGINT NOT NULL CHECK (seq >= 1),
    time            TIMESTAMPTZ NOT NULL,
    request_id      TEXT NOT NULL,
    actor_kind      TEXT NOT NULL,
    actor_id        TEXT NOT NULL,
    actor_name      TEXT NOT NULL,
    actor_title     TEXT NOT NULL,
    actor_unit_id   TEXT NOT NULL,
    actor_unit_name TEXT NOT NULL,
    actor_client    TEXT NOT NULL,
    on_behalf_of    TEXT NOT NULL,
    patient_id      TEXT NOT NULL,
    action          TEXT NOT NULL,
    class           TEXT NOT NULL,
    kinds           TEXT NOT NULL,
    ids             TEXT NOT NULL,
    item_count      INTEGER NOT NULL,
    grants          TEXT NOT NULL,
    purpose         TEXT NOT NULL,
    outcome         TEXT NOT NULL,
    reason          TEXT NOT NULL,
    imported        BOOLEAN NOT NULL,
    hash            BYTEA NOT NULL,
    PRIMARY KEY (register, seq)
);

CREATE INDEX audit_entries_patient_idx ON audit_entries (patient_id, time DESC, seq DESC);

CREATE TABLE audit_heads (
    register TEXT COLLATE "C" PRIMARY KEY,
    seq      BIGINT NOT NULL,
    hash     BYTEA NOT NULL
);

CREATE TABLE audit_checkpoints (
    register  TEXT COLLATE "C" NOT NULL,
    seq       BIGINT NOT NULL,
    head      BYTEA NOT NULL,
    time      TIMESTAMPTZ NOT NULL,
    key_id    TEXT NOT NULL,
    signature BYTEA NOT NULL,
    PRIMARY KEY (register, seq, key_id)
);

-- +goose Down
DROP TABLE audit_checkpoints;
DROP TABLE audit_heads;
DROP TABLE audit_entries;
