package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/internal/obsql"
	"github.com/omahoito/omahoito/store/internal/sqlq"
)

// lookupChunk is how many identifiers one lookup query asks for, well
// under SQLite's limit of bound variables.
const lookupChunk = 500

// CreateMeasurements inserts ms (version 1) in one transaction: all or
// nothing. The transaction runs on the writer and begins IMMEDIATE, so the
// lookup of known identifiers and the inserts that follow see no
// concurrent writer: the same identifier is never stored twice, within one
// batch or across concurrent ones.
func (s *Store) CreateMeasurements(ctx context.Context, ms []record.Measurement) (map[int]record.Measurement, error) {
	existing := map[int]record.Measurement{}
	if len(ms) == 0 {
		return existing, nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		found, err := lookupIdentifiers(ctx, tx, ms)
		if err != nil {
			return err
		}
		fresh, err := record.SplitKnown(ms, found, existing)
		if err != nil {
			return err
		}
		// Ids are random: inserting them in order keeps each index page
		// touched once instead of scattering writes across the B-trees.
		slices.SortFunc(fresh, func(a, b record.Measurement) int { return strings.Compare(a.ID, b.ID) })
		if err := insertRowsInto(ctx, tx, obsql.Current, fresh); err != nil {
			return err
		}
		return insertRowsInto(ctx, tx, obsql.Versions, fresh)
	})
	if errors.Is(err, record.ErrIdentifierReused) {
		return existing, err // nothing inserted; the stored readings go with the refusal
	}
	if err != nil {
		return nil, fmt.Errorf("create measurements: %w", mapErr(err, obsql.Sentinels))
	}
	return existing, nil
}

// inTx runs fn in a write transaction on the writer, committed when fn
// returns nil. Callers wait for the writer's one connection in turn.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback() // the error of fn is the one to report
		return err
	}
	return tx.Commit()
}

// lookupIdentifiers finds the stored measurements whose (person,
// identifier) pairs occur in ms.
func lookupIdentifiers(ctx context.Context, tx *sql.Tx, ms []record.Measurement) (map[record.IdentifierKey]record.Measurement, error) {
	found := map[record.IdentifierKey]record.Measurement{}
	for person, identifiers := range identifiersByPerson(ms) {
		for chunk := range slices.Chunk(identifiers, lookupChunk) {
			query, args := obsql.Lookup(dialect, person, chunk)
			rows, err := tx.QueryContext(ctx, query, args...)
			if err != nil {
				return nil, err
			}
			stored, err := collect(rows, obsql.Scan)
			if err != nil {
				return nil, err
			}
			for _, m := range stored {
				k, _ := m.Key()
				found[k] = m
			}
		}
	}
	return found, nil
}

// identifiersByPerson lists the distinct identifiers of ms by person.
func identifiersByPerson(ms []record.Measurement) map[string][]string {
	byPerson := map[string][]string{}
	seen := map[record.IdentifierKey]bool{}
	for _, m := range ms {
		k := record.IdentifierKey{PersonID: m.PersonID, Identifier: m.Identifier}
		if m.Identifier != "" && !seen[k] {
			seen[k] = true
			byPerson[m.PersonID] = append(byPerson[m.PersonID], m.Identifier)
		}
	}
	return byPerson
}

// insertRowsInto inserts ms into table with one prepared single-row
// INSERT executed per row. (Multi-row INSERTs were measured slower: a
// statement that writes many rows needs a statement journal.)
func insertRowsInto(ctx context.Context, tx *sql.Tx, table string, ms []record.Measurement) error {
	stmt, err := tx.PrepareContext(ctx, obsql.Insert(dialect, table))
	if err != nil {
		return err
	}
	defer stmt.Close()
	args := make([]any, 0, len(obsql.Columns))
	for _, m := range ms {
		if _, err := stmt.ExecContext(ctx, obsql.Values(dialect, args[:0], m)...); err != nil {
			return err
		}
	}
	return nil
}

// Measurement returns the current version of personID's measurement id,
// deleted or not.
func (s *Store) Measurement(ctx context.Context, personID, id string) (record.Measurement, error) {
	m, err := obsql.Scan(s.read.QueryRowContext(ctx, obsql.Get(dialect), id, personID))
	if err != nil {
		return record.Measurement{}, fmt.Errorf("measurement %s: %w", id, mapErr(err, obsql.Sentinels))
	}
	return m, nil
}

// MeasurementOwner returns whose measurement id is.
func (s *Store) MeasurementOwner(ctx context.Context, id string) (string, error) {
	var person string
	if err := s.read.QueryRowContext(ctx, obsql.Owner(dialect), id).Scan(&person); err != nil {
		return "", fmt.Errorf("measurement %s: %w", id, mapErr(err, obsql.Sentinels))
	}
	return person, nil
}

// MeasurementIDs lists the ids of every measurement of personID, deleted
// ones too (which no search returns), in id order: what an export of the
// whole record walks.
func (s *Store) MeasurementIDs(ctx context.Context, personID string) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, obsql.PersonIDs(dialect), personID)
	if err != nil {
		return nil, fmt.Errorf("measurement ids: %w", mapErr(err, obsql.Sentinels))
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("measurement ids: %w", mapErr(err, obsql.Sentinels))
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// UpdateMeasurement writes m as the current version and adds it to the
// history, when m.Version is one more than the stored version.
func (s *Store) UpdateMeasurement(ctx context.Context, m record.Measurement) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		query, args := obsql.Update(dialect, m)
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return whyNotUpdated(ctx, tx, m)
		}
		_, err = tx.ExecContext(ctx, obsql.Insert(dialect, obsql.Versions), obsql.Values(dialect, nil, m)...)
		return err
	})
	if err != nil {
		return fmt.Errorf("update measurement %s: %w", m.ID, mapErr(err, obsql.Sentinels))
	}
	return nil
}

// whyNotUpdated tells a missing measurement from a stale version.
func whyNotUpdated(ctx context.Context, tx *sql.Tx, m record.Measurement) error {
	var version int
	if err := tx.QueryRowContext(ctx, obsql.CurrentVersion(dialect), m.ID, m.PersonID).Scan(&version); err != nil {
		return err
	}
	return fmt.Errorf("%w: version %d is not one more than the current version %d", record.ErrConflict, m.Version, version)
}

// MeasurementHistory lists every version of personID's measurement id,
// newest first.
func (s *Store) MeasurementHistory(ctx context.Context, personID, id string) ([]record.Measurement, error) {
	versions, err := s.query(ctx, obsql.History(dialect), id, personID)
	if err != nil {
		return nil, fmt.Errorf("measurement history %s: %w", id, err)
	}
	if len(versions) == 0 {
		return nil, fmt.Errorf("measurement history %s: %w", id, record.ErrNotFound)
	}
	return versions, nil
}

// SearchMeasurements returns current, not deleted measurements matching q
// within q.Scope in (At, ID) order, at most q.Limit of them when q.Limit
// is positive.
func (s *Store) SearchMeasurements(ctx context.Context, q record.Query) ([]record.Measurement, error) {
	return obsql.RunSearch(ctx, dialect, s.query, q)
}

// CountMeasurements counts what SearchMeasurements returns for q without
// its Limit and After.
func (s *Store) CountMeasurements(ctx context.Context, q record.Query) (int, error) {
	query, args := obsql.Count(dialect, q)
	var n int
	if err := s.read.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count measurements: %w", mapErr(err, obsql.Sentinels))
	}
	return n, nil
}

// LatestMeasurements returns, for each kind, the newest current, not
// deleted measurement of personID within scope, in one query, in the
// order of record.Specs.
func (s *Store) LatestMeasurements(ctx context.Context, personID string, scope record.Scope) ([]record.Measurement, error) {
	return obsql.RunLatest(ctx, dialect, s.query, personID, scope)
}

// query runs a read of measurements on the read pool: the obsql.Query
// of this store.
func (s *Store) query(ctx context.Context, query string, args ...any) ([]record.Measurement, error) {
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(err, obsql.Sentinels)
	}
	ms, err := collect(rows, obsql.Scan)
	if err != nil {
		return nil, mapErr(err, obsql.Sentinels)
	}
	return ms, nil
}

// collect scans every row with scan and closes rows.
func collect[T any](rows *sql.Rows, scan func(sqlq.Scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	out := []T{} // empty, not nil, as pgx.CollectRows returns
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// CopyMeasurements is record.CopyStore.CopyMeasurements (obsql.RunCopy)
// in one transaction on the writer: all or nothing.
func (s *Store) CopyMeasurements(ctx context.Context, ms []record.Measurement) (record.CopyCount, error) {
	var n record.CopyCount
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = obsql.RunCopy(ctx, dialect, fileDB{tx}, ms)
		return err
	})
	if err != nil {
		return record.CopyCount{}, fmt.Errorf("copy measurements: %w", mapErr(err, obsql.Sentinels))
	}
	return n, nil
}

var _ record.CopyStore = (*Store)(nil)
