-- Imported access-log entries (docs/regions.md, "copy"): for each entry a
-- register copied from another register, where it came from. The source
-- is unique within the importing register, so a rerun of an import
-- appends none twice. source_register is "deployment/region" between
-- deployments; source_hash is the source entry's hash as it came.

-- +goose Up
CREATE TABLE audit_imported (
    register        TEXT COLLATE "C" NOT NULL,
    seq             BIGINT NOT NULL,
    source_register TEXT COLLATE "C" NOT NULL,
    source_seq      BIGINT NOT NULL,
    source_hash     BYTEA NOT NULL,
    PRIMARY KEY (register, source_register, source_seq),
    FOREIGN KEY (register, seq) REFERENCES audit_entries (register, seq)
);

-- +goose Down
DROP TABLE audit_imported;
