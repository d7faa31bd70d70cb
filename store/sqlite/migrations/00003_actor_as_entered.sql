-- Who wrote a version becomes a typed actor (kind, id, and on whose behalf
-- when that is someone else) instead of "person:ID" / "professional:ID"
-- text; and a value given in another unit than the canonical one (glucose
-- in mg/dL) is kept as entered: entered_value, entered_diastolic and
-- entered_unit, all NULL when the canonical unit was used.

-- +goose Up
ALTER TABLE observations ADD COLUMN entered_by_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE observations ADD COLUMN entered_by_id TEXT NOT NULL DEFAULT '';
ALTER TABLE observations ADD COLUMN on_behalf_of TEXT NOT NULL DEFAULT '';
ALTER TABLE observations ADD COLUMN entered_value REAL;
ALTER TABLE observations ADD COLUMN entered_diastolic REAL;
ALTER TABLE observations ADD COLUMN entered_unit TEXT;
UPDATE observations SET
    entered_by_kind = substr(entered_by, 1, instr(entered_by, ':') - 1),
    entered_by_id = substr(entered_by, instr(entered_by, ':') + 1);
ALTER TABLE observations DROP COLUMN entered_by;

ALTER TABLE observation_versions ADD COLUMN entered_by_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE observation_versions ADD COLUMN entered_by_id TEXT NOT NULL DEFAULT '';
ALTER TABLE observation_versions ADD COLUMN on_behalf_of TEXT NOT NULL DEFAULT '';
ALTER TABLE observation_versions ADD COLUMN entered_value REAL;
ALTER TABLE observation_versions ADD COLUMN entered_diastolic REAL;
ALTER TABLE observation_versions ADD COLUMN entered_unit TEXT;
UPDATE observation_versions SET
    entered_by_kind = substr(entered_by, 1, instr(entered_by, ':') - 1),
    entered_by_id = substr(entered_by, instr(entered_by, ':') + 1);
ALTER TABLE observation_versions DROP COLUMN entered_by;

-- +goose Down
ALTER TABLE observations ADD COLUMN entered_by TEXT NOT NULL DEFAULT '';
UPDATE observations SET entered_by = entered_by_kind || ':' || entered_by_id;
ALTER TABLE observations DROP COLUMN entered_by_kind;
ALTER TABLE observations DROP COLUMN entered_by_id;
ALTER TABLE observations DROP COLUMN on_behalf_of;
ALTER TABLE observations DROP COLUMN entered_value;
ALTER TABLE observations DROP COLUMN entered_diastolic;
ALTER TABLE observations DROP COLUMN entered_unit;

ALTER TABLE observation_versions ADD COLUMN entered_by TEXT NOT NULL DEFAULT '';
UPDATE observation_versions SET entered_by = entered_by_kind || ':' || entered_by_id;
ALTER TABLE observation_versions DROP COLUMN entered_by_kind;
ALTER TABLE observation_versions DROP COLUMN entered_by_id;
ALTER TABLE observation_versions DROP COLUMN on_behalf_of;
ALTER TABLE observation_versions DROP COLUMN entered_value;
ALTER TABLE observation_versions DROP COLUMN entered_diastolic;
ALTER TABLE observation_versions DROP COLUMN entered_unit;
