// Package sqlitetest is test support for the SQLite store: the raw batched
// insert that benchmarks measure the store's and the API's writes against.
package sqlitetest

import (
	"context"
	"database/sql"

	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/internal/obsql"
	"github.com/omahoito/omahoito/store/internal/sqlq"
	"github.com/omahoito/omahoito/store/storetest"
)

// TxBeginner is a *sql.DB or a *sql.Conn.
type TxBeginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// RawInsert is the plain fast path into a SQLite store's tables: one
// transaction, one prepared INSERT per table, executed for every row, with
// no lookups and no checks. Values are encoded as the store encodes them
// (obsql.Values).
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
	stmt, err := tx.PrepareContext(ctx, obsql.Insert(sqlq.SQLite, table))
	if err != nil {
		return err
	}
	defer stmt.Close()
	args := make([]any, 0, len(obsql.Columns))
	for _, m := range ms {
		if _, err := stmt.ExecContext(ctx, obsql.Values(sqlq.SQLite, args[:0], m)...); err != nil {
			return err
		}
	}
	return nil
}
