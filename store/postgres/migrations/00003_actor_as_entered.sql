-- Who wrote a version becomes a typed actor (kind, id, and on whose behalf
-- when that is someone else) instead of "person:ID" / "professional:ID"
-- text; and a value given in another unit than the canonical one (glucose
-- in mg/dL) is kept as entered: entered_value, entered_diastolic and
-- entered_unit, all NULL when the canonical unit was used.

-- +goose Up
ALTER TABLE observations
    ADD COLUMN entered_by_kind TEXT NOT NULL DEFAULT '',
    ADD COLUMN entered_by_id TEXT NOT NULL DEFAULT '',
    ADD COLUMN on_behalf_of TEXT NOT NULL DEFAULT '',
    ADD COLUMN entered_value DOUBLE PRECISION,
    ADD COLUMN entered_diastolic DOUBLE PRECISION,
    ADD COLUMN entered_unit TEXT;
UPDATE observations SET
    entered_by_kind = split_part(entered_by, ':', 1),
    entered_by_id = substr(entered_by, strpos(entered_by, ':') + 1);
ALTER TABLE observations DROP COLUMN entered_by,
    ALTER COLUMN entered_by_kind DROP DEFAULT,
    ALTER COLUMN entered_by_id DROP DEFAULT;

ALTER TABLE observation_versions
    ADD COLUMN entered_by_kind TEXT NOT NULL DEFAULT '',
    ADD COLUMN entered_by_id TEXT NOT NULL DEFAULT '',
    ADD COLUMN on_behalf_of TEXT NOT NULL DEFAULT '',
    ADD COLUMN entered_value DOUBLE PRECISION,
    ADD COLUMN entered_diastolic DOUBLE PRECISION,
    ADD COLUMN entered_unit TEXT;
UPDATE observation_versions SET
    entered_by_kind = split_part(entered_by, ':', 1),
    entered_by_id = substr(entered_by, strpos(entered_by, ':') + 1);
ALTER TABLE observation_versions DROP COLUMN entered_by,
    ALTER COLUMN entered_by_kind DROP DEFAULT,
    ALTER COLUMN entered_by_id DROP DEFAULT;

-- +goose Down
ALTER TABLE observations ADD COLUMN entered_by TEXT NOT NULL DEFAULT '';
UPDATE observations SET entered_by = entered_by_kind || ':' || entered_by_id;
ALTER TABLE observations ALTER COLUMN entered_by DROP DEFAULT,
    DROP COLUMN entered_by_kind, DROP COLUMN entered_by_id, DROP COLUMN on_behalf_of,
    DROP COLUMN entered_value, DROP COLUMN entered_diastolic, DROP COLUMN entered_unit;

ALTER TABLE observation_versions ADD COLUMN entered_by TEXT NOT NULL DEFAULT '';
UPDATE observation_versions SET entered_by = entered_by_kind || ':' || entered_by_id;
ALTER TABLE observation_versions ALTER COLUMN entered_by DROP DEFAULT,
    DROP COLUMN entered_by_kind, DROP COLUMN entered_by_id, DROP COLUMN on_behalf_of,
    DROP COLUMN entered_value, DROP COLUMN entered_diastolic, DROP COLUMN entered_unit;
