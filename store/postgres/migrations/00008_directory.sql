-- The directory kept up to date by `omahoito directory import`: a
-- professional missing from a newer file is deactivated, not deleted, so
-- that their id stays theirs and a later file can bring them back. Only
-- active professionals log in, are found, or act.

-- +goose Up
ALTER TABLE professionals ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;

-- +goose Down
ALTER TABLE professionals DROP COLUMN active;
