package filesql

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/internal/sqlq"
)

// DB is a store's connection pool or one of its transactions, on its
// driver: the work below is then the same for both stores. Errors are the
// driver's, unmapped; the store maps what these functions return with its
// one error mapper.
type DB interface {
	// Exec runs a statement and returns the number of rows it affected.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	// QueryRow runs a query of one row.
	QueryRow(ctx context.Context, query string, args ...any) sqlq.Scanner
	// Query runs a query and calls row for each row, in order.
	Query(ctx context.Context, query string, args []any, row func(sqlq.Scanner) error) error
}

// InTx runs fn in one write transaction of the store, committed when fn
// returns nil and rolled back otherwise.
type InTx func(ctx context.Context, fn func(tx DB) error) error

// RunCreate is record.FileStore.CreateFile inside tx: f is inserted as the
// current version and into the history, if the person's files and f
// together take at most maxPersonSize. The person's row is locked first
// (PostgreSQL; SQLite has one writer), so two uploads of one person at
// once cannot both pass the check with the sum from before the other.
func RunCreate(ctx context.Context, d sqlq.Dialect, tx DB, f record.File, maxPersonSize int64) error {
	if d == sqlq.Postgres {
		var id string
		if err := tx.QueryRow(ctx, LockPerson(d), f.PersonID).Scan(&id); err != nil {
			return err // no such person: the store maps it to ErrNotFound
		}
	}
	var used int64
	if err := tx.QueryRow(ctx, Size(d), f.PersonID, false).Scan(&used); err != nil {
		return err
	}
	if f.Size > maxPersonSize-used {
		return &record.QuotaError{Used: used, Size: f.Size, Limit: maxPersonSize}
	}
	if _, err := tx.Exec(ctx, Insert(d, Current), Values(d, f)...); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, Insert(d, Versions), Values(d, f)...)
	return err
}

// RunUpdate is record.FileStore.UpdateFile inside tx: f's editable fields
// replace version f.Version-1, and the new current version is copied into
// the history. Another version stored is ErrConflict; no such file of
// f.PersonID, a missing row (the store maps it to ErrNotFound).
func RunUpdate(ctx context.Context, d sqlq.Dialect, tx DB, f record.File) error {
	query, args := Update(d, f)
	n, err := tx.Exec(ctx, query, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		var version int
		if err := tx.QueryRow(ctx, CurrentVersion(d), f.ID, f.PersonID).Scan(&version); err != nil {
			return err
		}
		return fmt.Errorf("%w: file %s: version %d is not one more than the current version %d",
			record.ErrConflict, f.ID, f.Version, version)
	}
	_, err = tx.Exec(ctx, CopyToVersions(d), f.ID)
	return err
}

// RunHistory is record.FileStore.FileHistory on db: ErrNotFound when the
// person has no such file.
func RunHistory(ctx context.Context, d sqlq.Dialect, db DB, personID, id string) ([]record.File, error) {
	versions, err := collect(ctx, db, History(d), []any{id, personID})
	if err == nil && len(versions) == 0 {
		err = fmt.Errorf("no file %s of this person: %w", id, record.ErrNotFound)
	}
	return versions, err
}

// RunList is record.FileStore.Files on db. The ids are asked for in
// chunks on SQLite, so the chunks' rows are put in order again.
func RunList(ctx context.Context, d sqlq.Dialect, db DB, personID string, ids []string) ([]record.File, error) {
	if ids == nil {
		query, args := List(d, personID, nil)
		return collect(ctx, db, query, args)
	}
	files := []record.File{}
	for _, chunk := range chunks(d, ids) {
		query, args := List(d, personID, chunk)
		some, err := collect(ctx, db, query, args)
		if err != nil {
			return nil, err
		}
		files = append(files, some...)
	}
	slices.SortFunc(files, func(a, b record.File) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return files, nil
}

// RunSize is record.FileStore.FilesSize on db.
func RunSize(ctx context.Context, d sqlq.Dialect, db DB, personID string) (int64, error) {
	var n int64
	err := db.QueryRow(ctx, Size(d), personID, d.Bool(false)).Scan(&n)
	return n, err
}

// RunContentKeys is record.FileStore.ContentKeys on db.
func RunContentKeys(ctx context.Context, d sqlq.Dialect, db DB, keys []string) (map[string]bool, error) {
	named := map[string]bool{}
	for _, chunk := range chunks(d, keys) {
		query, args := ContentKeys(d, chunk)
		err := db.Query(ctx, query, args, func(row sqlq.Scanner) error {
			var key string
			err := row.Scan(&key)
			named[key] = true
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return named, nil
}

// Wrap gives a data key its new wrapping (record.FileStore.RewrapDataKeys).
type Wrap func(old []byte) (newKey []byte, newKeyID string, err error)

// RunRewrap is record.FileStore.RewrapDataKeys: batches of up to batch
// files still wrapped by master key from, each rewrapped in a transaction
// of its own, until none is left. It returns how many files it rewrapped.
// A run that stops (an error, a crash) leaves each file wholly on one key;
// running again continues with the rest.
func RunRewrap(ctx context.Context, d sqlq.Dialect, inTx InTx, from string, batch int, wrap Wrap) (int, error) {
	if batch < 1 {
		return 0, fmt.Errorf("rewrap data keys: batch size %d: must be at least 1", batch)
	}
	total := 0
	for {
		n, err := rewrapBatch(ctx, d, inTx, from, batch, wrap)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// rewrapBatch rewraps one batch in one transaction and returns how many
// files it rewrapped (0: none was left).
func rewrapBatch(ctx context.Context, d sqlq.Dialect, inTx InTx, from string, batch int, wrap Wrap) (int, error) {
	files := 0
	err := inTx(ctx, func(tx DB) error {
		files = 0
		todo, err := toRewrap(ctx, d, tx, from, batch)
		if err != nil {
			return err
		}
		last := ""
		for _, k := range todo {
			if err := rewrapOne(ctx, d, tx, from, k, wrap); err != nil {
				return err
			}
			if k.id != last {
				files, last = files+1, k.id
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return files, nil
}

// wrapped is one file's data key as wrapped by the old master key.
type wrapped struct {
	id  string
	key []byte
}

func toRewrap(ctx context.Context, d sqlq.Dialect, tx DB, from string, batch int) ([]wrapped, error) {
	var todo []wrapped
	err := tx.Query(ctx, ToRewrap(d), []any{from, batch}, func(row sqlq.Scanner) error {
		var k wrapped
		err := row.Scan(&k.id, &k.key)
		todo = append(todo, k)
		return err
	})
	return todo, err
}

// errSameKey is a wrapping under the master key being replaced: rewrapping
// would never end.
var errSameKey = errors.New("the new wrapping names the master key being replaced")

func rewrapOne(ctx context.Context, d sqlq.Dialect, tx DB, from string, k wrapped, wrap Wrap) error {
	newKey, newID, err := wrap(k.key)
	if err != nil {
		return fmt.Errorf("rewrap data key of file %s: %w", k.id, err)
	}
	if newID == from {
		return fmt.Errorf("rewrap data key of file %s: %w", k.id, errSameKey)
	}
	for _, table := range []string{Current, Versions} {
		if _, err := tx.Exec(ctx, Rewrap(d, table), nonNil(newKey), newID, k.id, from, k.key); err != nil {
			return err
		}
	}
	return nil
}

// collect runs a query of Columns on db.
func collect(ctx context.Context, db DB, query string, args []any) ([]record.File, error) {
	files := []record.File{}
	err := db.Query(ctx, query, args, func(row sqlq.Scanner) error {
		f, err := Scan(row)
		files = append(files, f)
		return err
	})
	if err != nil {
		return nil, err
	}
	return files, nil
}
