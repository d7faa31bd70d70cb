package filesql

import (
	"context"
	"fmt"

	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/internal/sqlq"
)

// CopyFiles is record.CopyStore.CopyFiles in one write transaction.
func (s Store) CopyFiles(ctx context.Context, fs []record.File) ([]string, error) {
	var added []string
	err := s.InTx(ctx, func(tx DB) error {
		var err error
		added, err = RunCopy(ctx, s.Dialect, tx, fs)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("copy files: %w", s.mapErr(err))
	}
	return added, nil
}

// GetAny selects the current version of a file, whoever's it is:
// argument id.
func GetAny(d sqlq.Dialect) string {
	return d.Rebind(`SELECT ` + columnList + ` FROM files WHERE id = ?`)
}

// RunCopy inserts, inside tx, each file of fs that is absent by id as its
// current version and into its history, and returns the ids it inserted.
// A file present with the same content (record.SameFile) is left as it
// is; one with other content, or another person's, is
// record.ErrOtherContent, the caller rolling tx back.
func RunCopy(ctx context.Context, d sqlq.Dialect, tx DB, fs []record.File) ([]string, error) {
	var added []string
	for _, f := range fs {
		var stored *record.File
		err := tx.Query(ctx, GetAny(d), []any{f.ID}, func(row sqlq.Scanner) error {
			s, err := Scan(row)
			stored = &s
			return err
		})
		if err != nil {
			return nil, err
		}
		if stored != nil {
			if !record.SameFile(*stored, f) {
				return nil, fmt.Errorf("file %s: %w", f.ID, record.ErrOtherContent)
			}
			continue
		}
		if _, err := tx.Exec(ctx, Insert(d, Current), Values(d, f)...); err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, Insert(d, Versions), Values(d, f)...); err != nil {
			return nil, err
		}
		added = append(added, f.ID)
	}
	return added, nil
}
