package filesql

import (
	"context"
	"fmt"

	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/internal/sqlq"
)

// Store is record.FileStore over one database, written once for both:
// each store embeds one, filled with its dialect, its read pool and write
// transactions as this package runs them, and its one error mapper.
type Store struct {
	Dialect sqlq.Dialect
	Read    DB                                       // reads, outside a transaction
	InTx    InTx                                     // a write transaction
	Map     func(err error, to sqlq.Sentinels) error // the store's error mapper
}

var _ record.FileStore = Store{}

func (s Store) mapErr(err error) error { return s.Map(err, Sentinels) }

// CreateFile inserts f (version 1) if the person's files and f take at
// most maxPersonSize (else a *record.QuotaError); ErrConflict when its id
// or content key exists, ErrNotFound when its person does not.
func (s Store) CreateFile(ctx context.Context, f record.File, maxPersonSize int64) error {
	err := s.InTx(ctx, func(tx DB) error { return RunCreate(ctx, s.Dialect, tx, f, maxPersonSize) })
	if err != nil {
		return fmt.Errorf("create file %s: %w", f.ID, s.mapErr(err))
	}
	return nil
}

// File returns the current version of personID's file id, deleted or not.
func (s Store) File(ctx context.Context, personID, id string) (record.File, error) {
	f, err := Scan(s.Read.QueryRow(ctx, Get(s.Dialect), id, personID))
	if err != nil {
		return record.File{}, fmt.Errorf("file %s: %w", id, s.mapErr(err))
	}
	return f, nil
}

// FileOwner returns whose file id is.
func (s Store) FileOwner(ctx context.Context, id string) (string, error) {
	var person string
	if err := s.Read.QueryRow(ctx, Owner(s.Dialect), id).Scan(&person); err != nil {
		return "", fmt.Errorf("file %s: %w", id, s.mapErr(err))
	}
	return person, nil
}

// UpdateFile writes f's name, title, description and deletion as version
// f.Version over f.Version-1 and adds it to the history: ErrConflict when
// another version is stored, ErrNotFound when f.PersonID has no file
// f.ID. The content's fields stay as stored: content never changes.
func (s Store) UpdateFile(ctx context.Context, f record.File) error {
	err := s.InTx(ctx, func(tx DB) error { return RunUpdate(ctx, s.Dialect, tx, f) })
	if err != nil {
		return fmt.Errorf("update file %s: %w", f.ID, s.mapErr(err))
	}
	return nil
}

// FileHistory lists every version of personID's file id, newest first.
func (s Store) FileHistory(ctx context.Context, personID, id string) ([]record.File, error) {
	versions, err := RunHistory(ctx, s.Dialect, s.Read, personID, id)
	if err != nil {
		return nil, fmt.Errorf("file history %s: %w", id, s.mapErr(err))
	}
	return versions, nil
}

// Files lists personID's current, not deleted files, newest first; only
// those of ids when ids is not nil.
func (s Store) Files(ctx context.Context, personID string, ids []string) ([]record.File, error) {
	files, err := RunList(ctx, s.Dialect, s.Read, personID, ids)
	if err != nil {
		return nil, fmt.Errorf("files: %w", s.mapErr(err))
	}
	return files, nil
}

// FilesSize is the sum of the sizes of personID's current, not deleted
// files.
func (s Store) FilesSize(ctx context.Context, personID string) (int64, error) {
	n, err := RunSize(ctx, s.Dialect, s.Read, personID)
	if err != nil {
		return 0, fmt.Errorf("size of files: %w", s.mapErr(err))
	}
	return n, nil
}

// ContentKeys reports which of keys a file that is not deleted names.
func (s Store) ContentKeys(ctx context.Context, keys []string) (map[string]bool, error) {
	named, err := RunContentKeys(ctx, s.Dialect, s.Read, keys)
	if err != nil {
		return nil, fmt.Errorf("content keys: %w", s.mapErr(err))
	}
	return named, nil
}

// RewrapDataKeys gives every version of each file whose data key master
// key fromMasterKeyID wraps the wrapping wrap returns, batch files a
// transaction, and returns how many files it rewrapped. Run again after a
// failure, it continues with the files left on the old key.
func (s Store) RewrapDataKeys(ctx context.Context, fromMasterKeyID string, batch int,
	wrap func(old []byte) (newKey []byte, newKeyID string, err error)) (int, error) {
	n, err := RunRewrap(ctx, s.Dialect, s.InTx, fromMasterKeyID, batch, wrap)
	if err != nil {
		return n, fmt.Errorf("rewrap data keys: %w", s.mapErr(err))
	}
	return n, nil
}
