package sqlite

import (
	"context"
	"database/sql"

	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/internal/filesql"
	"github.com/omahoito/omahoito/store/internal/sqlq"
)

// This file is the metadata of a person's own files (record.FileStore);
// files_test.go is about the database's own files on disk.

var _ record.FileStore = (*Store)(nil)

// fileStore is the files' metadata, written once for both stores
// (filesql.Store); a Store embeds it.
type fileStore = filesql.Store

// inFileTx is filesql.InTx on the writer.
func (s *Store) inFileTx(ctx context.Context, fn func(filesql.DB) error) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return fn(fileDB{tx}) })
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// fileDB is a pool or a transaction as filesql runs it.
type fileDB struct{ q querier }

func (d fileDB) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := d.q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (d fileDB) QueryRow(ctx context.Context, query string, args ...any) sqlq.Scanner {
	return d.q.QueryRowContext(ctx, query, args...)
}

func (d fileDB) Query(ctx context.Context, query string, args []any, row func(sqlq.Scanner) error) error {
	rows, err := d.q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
