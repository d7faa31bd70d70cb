package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/internal/filesql"
	"github.com/omahoito/omahoito/store/internal/sqlq"
)

var _ record.FileStore = (*Store)(nil)

// CreateFile inserts f (version 1) if the person's files and f take at
// most maxPersonSize (else a *record.QuotaError); ErrConflict when its id
// or content key exists, ErrNotFound when its person does not.
func (s *Store) CreateFile(ctx context.Context, f record.File, maxPersonSize int64) error {
	err := s.inFileTx(ctx, func(tx filesql.DB) error { return filesql.RunCreate(ctx, dialect, tx, f, maxPersonSize) })
	if err != nil {
		return fmt.Errorf("create file %s: %w", f.ID, mapErr(err, filesql.Sentinels))
	}
	return nil
}

// File returns the current version of personID's file id, deleted or not.
func (s *Store) File(ctx context.Context, personID, id string) (record.File, error) {
	f, err := filesql.Scan(s.pool.QueryRow(ctx, filesql.Get(dialect), id, personID))
	if err != nil {
		return record.File{}, fmt.Errorf("file %s: %w", id, mapErr(err, filesql.Sentinels))
	}
	return f, nil
}

// FileOwner returns whose file id is.
func (s *Store) FileOwner(ctx context.Context, id string) (string, error) {
	var person string
	if err := s.pool.QueryRow(ctx, filesql.Owner(dialect), id).Scan(&person); err != nil {
		return "", fmt.Errorf("file %s: %w", id, mapErr(err, filesql.Sentinels))
	}
	return person, nil
}

// UpdateFile writes f's name, title, description and deletion as version
// f.Version over f.Version-1 and adds it to the history: ErrConflict when
// another version is stored, ErrNotFound when f.PersonID has no file
// f.ID. The content's fields stay as stored: content never changes. The
// row lock of the update makes concurrent updates of one file take turns:
// the later one finds the version moved on.
func (s *Store) UpdateFile(ctx context.Context, f record.File) error {
	err := s.inFileTx(ctx, func(tx filesql.DB) error { return filesql.RunUpdate(ctx, dialect, tx, f) })
	if err != nil {
		return fmt.Errorf("update file %s: %w", f.ID, mapErr(err, filesql.Sentinels))
	}
	return nil
}

// FileHistory lists every version of personID's file id, newest first.
func (s *Store) FileHistory(ctx context.Context, personID, id string) ([]record.File, error) {
	versions, err := filesql.RunHistory(ctx, dialect, fileDB{s.pool}, personID, id)
	if err != nil {
		return nil, fmt.Errorf("file history %s: %w", id, mapErr(err, filesql.Sentinels))
	}
	return versions, nil
}

// Files lists personID's current, not deleted files, newest first; only
// those of ids when ids is not nil.
func (s *Store) Files(ctx context.Context, personID string, ids []string) ([]record.File, error) {
	files, err := filesql.RunList(ctx, dialect, fileDB{s.pool}, personID, ids)
	if err != nil {
		return nil, fmt.Errorf("files: %w", mapErr(err, filesql.Sentinels))
	}
	return files, nil
}

// FilesSize is the sum of the sizes of personID's current, not deleted
// files.
func (s *Store) FilesSize(ctx context.Context, personID string) (int64, error) {
	n, err := filesql.RunSize(ctx, dialect, fileDB{s.pool}, personID)
	if err != nil {
		return 0, fmt.Errorf("size of files: %w", mapErr(err, filesql.Sentinels))
	}
	return n, nil
}

// ContentKeys reports which of keys any version of any file names.
func (s *Store) ContentKeys(ctx context.Context, keys []string) (map[string]bool, error) {
	named, err := filesql.RunContentKeys(ctx, dialect, fileDB{s.pool}, keys)
	if err != nil {
		return nil, fmt.Errorf("content keys: %w", mapErr(err, filesql.Sentinels))
	}
	return named, nil
}

// RewrapDataKeys gives every version of each file whose data key master
// key fromMasterKeyID wraps the wrapping wrap returns, batch files a
// transaction, and returns how many files it rewrapped. Run again after a
// failure, it continues with the files left on the old key.
func (s *Store) RewrapDataKeys(ctx context.Context, fromMasterKeyID string, batch int,
	wrap func(old []byte) (newKey []byte, newKeyID string, err error)) (int, error) {
	n, err := filesql.RunRewrap(ctx, dialect, s.inFileTx, fromMasterKeyID, batch, wrap)
	if err != nil {
		return n, fmt.Errorf("rewrap data keys: %w", mapErr(err, filesql.Sentinels))
	}
	return n, nil
}

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
