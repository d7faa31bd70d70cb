-- The access log (DESIGN §10). audit_entries holds the hash chain of each
-- register; the application only ever inserts into it. audit_heads holds
-- each register's last (seq, hash): an append moves it on condition that it
-- is still where the appender read it, in the same transaction as the
-- inserts, so two writers can never both append after the same entry.
-- audit_checkpoints holds the signed heads. Times are UTC RFC 3339 text of
-- fixed width with microseconds; kinds, ids and grants are JSON arrays.

-- +goose Up
CREATE TABLE audit_entries (
    register        TEXT NOT NULL,
    seq             INTEGER NOT NULL CHECK (seq >= 1),
    time            TEXT NOT NULL,
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
    imported        INTEGER NOT NULL CHECK (imported IN (0, 1)),
    hash            BLOB NOT NULL,
    PRIMARY KEY (register, seq)
) STRICT, WITHOUT ROWID;

CREATE INDEX audit_entries_patient_idx ON audit_entries (patient_id, time DESC, seq DESC);

CREATE TABLE audit_heads (
    register TEXT PRIMARY KEY,
    seq      INTEGER NOT NULL,
    hash     BLOB NOT NULL
) STRICT;

CREATE TABLE audit_checkpoints (
    register  TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    head      BLOB NOT NULL,
    time      TEXT NOT NULL,
    key_id    TEXT NOT NULL,
    signature BLOB NOT NULL,
    PRIMARY KEY (register, seq, key_id)
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE audit_checkpoints;
DROP TABLE audit_heads;
DROP TABLE audit_entries;
