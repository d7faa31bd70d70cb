-- The person index holds the transfer under way, if any (docs/regions.md,
-- step 1 "freeze"): moving_to is the region the person's data is being
-- moved to and moving_since when the move began, both NULL when no move is
-- under way. While they are set every write to the person's data is
-- refused (record.ErrMoving); reads go on. moving_since is UTC RFC 3339
-- text of fixed width with microseconds, as created_at.

-- +goose Up
ALTER TABLE people ADD COLUMN moving_to TEXT REFERENCES regions (id);
ALTER TABLE people ADD COLUMN moving_since TEXT
    CHECK ((moving_to IS NULL) = (moving_since IS NULL));

-- +goose Down
ALTER TABLE people DROP COLUMN moving_since;
ALTER TABLE people DROP COLUMN moving_to;
