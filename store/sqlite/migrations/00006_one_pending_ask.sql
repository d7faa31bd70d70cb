-- One request for consent waits at a time from one professional to one
-- person: a request sent twice at once (a double click) stores one.

-- +goose Up
CREATE UNIQUE INDEX consent_asks_one_pending ON consent_asks (person_id, professional_id) WHERE status = 'pending';

-- +goose Down
DROP INDEX consent_asks_one_pending;
