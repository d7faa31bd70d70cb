package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/internal/filesql"
	"github.com/omahoito/omahoito/store/internal/sqlq"
)

var _ record.FileStore = (*Store)(nil)

// fileStore is the files' metadata, written once for both stores
// (filesql.Store); a Store embeds it.
type fileStore = filesql.Store

// inFileTx is filesql.InTx on the pool.
func (s *Store) inFileTx(ctx context.Context, fn func(filesql.DB) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return fn(fileDB{tx}) })
}

// querier is what the pool and a transaction share.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// fileDB is the pool or a transaction as filesql runs it.
type fileDB struct{ q querier }

func (d fileDB) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := d.q.Exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (d fileDB) QueryRow(ctx context.Context, query string, args ...any) sqlq.Scanner {
	return d.q.QueryRow(ctx, query, args...)
}

func (d fileDB) Query(ctx context.Context, query string, args []any, row func(sqlq.Scanner) error) error {
	rows, err := d.q.Query(ctx, query, args...)
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
