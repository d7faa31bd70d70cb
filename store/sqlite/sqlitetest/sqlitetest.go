// Package sqlitetest is test support for the SQLite store: the raw batched
// insert that benchmarks measure the store's and the API's writes against.
package sqlitetest

import (
	"context"
	"database/sql"

	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/storetest"
)

// TxBeginner is a *sql.DB or a *sql.Conn.
type TxBeginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// timeLayout is the store's fixed-width UTC time text (see the migration).
const timeLayout = "2006-01-02T15:04:05.000000Z07:00"

// RawInsert is the plain fast path into a SQLite store's tables: one
// transaction, one prepared INSERT per table, executed for every row, with
// no lookups and no checks. Values are encoded as the store encodes them
// (NULL diastolic and identifier when unset).
func RawInsert(db TxBeginner) storetest.RawInsert {
	return func(ctx context.Context, ms []record.Measurement) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback() }()
		for _, table := range []string{"observations", "observation_versions"} {
			if err := insertInto(ctx, tx, table, ms); err != nil {
				return err
			}
		}
		return tx.Commit()
	}
}

func insertInto(ctx context.Context, tx *sql.Tx, table string, ms []record.Measurement) error {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO `+table+` (id, person_id, kind, value, diastolic,
		effective_at, note, entered_by, source_kind, source_client, identifier, version, updated_at, deleted)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, m := range ms {
		_, err := stmt.ExecContext(ctx, m.ID, m.PersonID, string(m.Kind), m.Value,
			sql.NullFloat64{Float64: m.Diastolic, Valid: m.Diastolic != 0},
			m.At.UTC().Format(timeLayout), m.Note, m.EnteredBy, string(m.Source.Kind), m.Source.Client,
			sql.NullString{String: m.Identifier, Valid: m.Identifier != ""},
			m.Version, m.Updated.UTC().Format(timeLayout))
		if err != nil {
			return err
		}
	}
	return nil
}
