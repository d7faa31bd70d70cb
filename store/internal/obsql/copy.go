package obsql

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/internal/sqlq"
)

// DB is a write transaction as a copy runs it; each store implements it
// on its driver (the same shape as filesql.DB).
type DB interface {
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	Query(ctx context.Context, query string, args []any, row func(sqlq.Scanner) error) error
}

// GetVersion selects one version of a measurement, whoever's it is:
// arguments id, version.
func GetVersion(d sqlq.Dialect) string {
	return d.Rebind(`SELECT ` + columnList + ` FROM observation_versions WHERE id = ? AND version = ?`)
}

// UpsertCurrent inserts a measurement as the current version, or makes it
// the current one when the stored current version is older: the newest
// version copied wins whatever the order of the copy.
func UpsertCurrent(d sqlq.Dialect) string {
	sets := make([]string, 0, len(Columns))
	for _, c := range Columns[1:] { // not id
		sets = append(sets, c+" = excluded."+c)
	}
	return d.Rebind("INSERT INTO observations (" + columnList + ") VALUES (" + sqlq.Placeholders(len(Columns)) +
		") ON CONFLICT (id) DO UPDATE SET " + strings.Join(sets, ", ") +
		" WHERE observations.version < excluded.version AND observations.person_id = excluded.person_id")
}

// RunCopy is record.CopyStore.CopyMeasurements inside tx: each version of
// ms absent by (id, version) is added to the history and, when newer than
// the current one, made current; a version present with the same content
// is counted as present; one present with other content, or an id another
// person's measurement has, is record.ErrOtherContent, the caller rolling
// tx back.
func RunCopy(ctx context.Context, d sqlq.Dialect, tx DB, ms []record.Measurement) (record.CopyCount, error) {
	var n record.CopyCount
	ms = slices.Clone(ms)
	slices.SortFunc(ms, func(a, b record.Measurement) int {
		return cmp.Or(strings.Compare(a.ID, b.ID), a.Version-b.Version)
	})
	for _, m := range ms {
		stored, err := storedVersion(ctx, d, tx, m)
		if err != nil {
			return n, err
		}
		if stored != nil {
			if !record.SameVersion(*stored, m) {
				return n, fmt.Errorf("measurement %s version %d: %w", m.ID, m.Version, record.ErrOtherContent)
			}
			n.Present++
			continue
		}
		if err := insertVersion(ctx, d, tx, m); err != nil {
			return n, err
		}
		n.Added++
	}
	return n, nil
}

// storedVersion is the stored version (id, version) of m, nil when there
// is none; any version of m's id under another person is
// record.ErrOtherContent.
func storedVersion(ctx context.Context, d sqlq.Dialect, tx DB, m record.Measurement) (*record.Measurement, error) {
	var owner string
	err := tx.Query(ctx, Owner(d), []any{m.ID}, func(row sqlq.Scanner) error { return row.Scan(&owner) })
	if err != nil {
		return nil, err
	}
	if owner != "" && owner != m.PersonID {
		return nil, fmt.Errorf("measurement %s: %w", m.ID, record.ErrOtherContent)
	}
	var stored *record.Measurement
	err = tx.Query(ctx, GetVersion(d), []any{m.ID, m.Version}, func(row sqlq.Scanner) error {
		s, err := Scan(row)
		stored = &s
		return err
	})
	return stored, err
}

// insertVersion writes m into the current table (when newest) and the
// history. The current row goes first: the history references it.
func insertVersion(ctx context.Context, d sqlq.Dialect, tx DB, m record.Measurement) error {
	values := Values(d, nil, m)
	if _, err := tx.Exec(ctx, UpsertCurrent(d), values...); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, Insert(d, Versions), values...)
	return err
}
