-- The history of a person shows an access once, by its original, when the
-- same database holds both (a transfer between regions of one store): the
-- search looks an entry up here by its own place in its chain.

-- +goose Up
CREATE INDEX audit_imported_entry_idx ON audit_imported (register, seq);

-- +goose Down
DROP INDEX audit_imported_entry_idx;
