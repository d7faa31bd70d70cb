package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/internal/obsql"
	"github.com/omahoito/omahoito/store/internal/sqlq"
)

var _ record.Store = (*Store)(nil)

const (
	// identifierIndex is the unique index on (person_id, identifier).
	identifierIndex = "observations_identifier_idx"
	// maxCreateAttempts bounds the retries of a create that lost a race
	// for an identifier to a concurrent create.
	maxCreateAttempts = 5
)

// CreateMeasurements inserts ms (version 1) in one transaction: all or
// nothing. It looks up the identifiers of ms that are already stored and
// copies the rest in with COPY. When a concurrent create commits one of
// the same identifiers first, the unique index refuses the copy; the
// transaction is then retried, and the lookup finds the other's
// measurements. Rows are copied in identifier order so that two creates
// never wait for each other; a deadlock, should one occur anyway, is
// retried the same way.
func (s *Store) CreateMeasurements(ctx context.Context, ms []record.Measurement) (map[int]record.Measurement, error) {
	if len(ms) == 0 {
		return map[int]record.Measurement{}, nil
	}
	for attempt := 1; ; attempt++ {
		existing, err := s.createOnce(ctx, ms)
		if err == nil || errors.Is(err, record.ErrIdentifierReused) {
			return existing, err // refused: nothing inserted; the stored readings go with it
		}
		if attempt == maxCreateAttempts || !lostRace(err) {
			return nil, fmt.Errorf("create measurements: %w", mapErr(err, obsql.Sentinels))
		}
	}
}

func (s *Store) createOnce(ctx context.Context, ms []record.Measurement) (map[int]record.Measurement, error) {
	existing := map[int]record.Measurement{}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		found, err := lookupIdentifiers(ctx, tx, ms)
		if err != nil {
			return err
		}
		fresh, err := record.SplitKnown(ms, found, existing)
		if err != nil {
			return err
		}
		slices.SortStableFunc(fresh, byIdentifier)
		if err := copyInto(ctx, tx, obsql.Current, fresh); err != nil {
			return err
		}
		return copyInto(ctx, tx, obsql.Versions, fresh)
	})
	return existing, err
}

// byIdentifier orders measurements by (person, identifier). Concurrent
// creates that insert in this one order cannot each wait for an identifier
// the other holds: the later one waits for the earlier to end, then finds
// its measurements stored.
func byIdentifier(a, b record.Measurement) int {
	return cmp.Or(strings.Compare(a.PersonID, b.PersonID), strings.Compare(a.Identifier, b.Identifier))
}

// lostRace reports whether a create failed for a concurrent one: that one
// stored an identifier first, or the two waited on each other's
// identifiers (a deadlock, one of them aborted). Trying again finds the
// other's measurements stored.
func lostRace(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	return pe.Code == uniqueViolation && pe.ConstraintName == identifierIndex || pe.Code == deadlockDetected
}

// lookupIdentifiers finds the stored measurements whose (person,
// identifier) pairs occur in ms.
func lookupIdentifiers(ctx context.Context, tx pgx.Tx, ms []record.Measurement) (map[record.IdentifierKey]record.Measurement, error) {
	found := map[record.IdentifierKey]record.Measurement{}
	for person, identifiers := range identifiersByPerson(ms) {
		query, args := obsql.LookupArray(person, identifiers)
		rows, err := tx.Query(ctx, query, args...)
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

// copyInto writes ms into table with COPY.
func copyInto(ctx context.Context, tx pgx.Tx, table string, ms []record.Measurement) error {
	if len(ms) == 0 {
		return nil
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{table}, obsql.Columns, pgx.CopyFromSlice(len(ms), func(i int) ([]any, error) {
		return obsql.Values(dialect, nil, ms[i]), nil
	}))
	return err
}

// Measurement returns the current version of personID's measurement id,
// deleted or not.
func (s *Store) Measurement(ctx context.Context, personID, id string) (record.Measurement, error) {
	m, err := obsql.Scan(s.pool.QueryRow(ctx, obsql.Get(dialect), id, personID))
	if err != nil {
		return record.Measurement{}, fmt.Errorf("measurement %s: %w", id, mapErr(err, obsql.Sentinels))
	}
	return m, nil
}

// MeasurementOwner returns whose measurement id is.
func (s *Store) MeasurementOwner(ctx context.Context, id string) (string, error) {
	var person string
	if err := s.pool.QueryRow(ctx, obsql.Owner(dialect), id).Scan(&person); err != nil {
		return "", fmt.Errorf("measurement %s: %w", id, mapErr(err, obsql.Sentinels))
	}
	return person, nil
}

// MeasurementIDs lists the ids of every measurement of personID, deleted
// ones too (which no search returns), in id order: what an export of the
// whole record walks.
func (s *Store) MeasurementIDs(ctx context.Context, personID string) ([]string, error) {
	rows, err := s.pool.Query(ctx, obsql.PersonIDs(dialect), personID)
	if err != nil {
		return nil, fmt.Errorf("measurement ids: %w", mapErr(err, obsql.Sentinels))
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("measurement ids: %w", mapErr(err, obsql.Sentinels))
	}
	return ids, nil
}

// UpdateMeasurement writes m as the current version and adds it to the
// history, when m.Version is one more than the stored version. The row
// lock of the UPDATE makes concurrent updates of one measurement take
// turns: the later one finds the version moved on and gets ErrConflict.
func (s *Store) UpdateMeasurement(ctx context.Context, m record.Measurement) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		query, args := obsql.Update(dialect, m)
		tag, err := tx.Exec(ctx, query, args...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return whyNotUpdated(ctx, tx, m)
		}
		_, err = tx.Exec(ctx, obsql.Insert(dialect, obsql.Versions), obsql.Values(dialect, nil, m)...)
		return err
	})
	if err != nil {
		return fmt.Errorf("update measurement %s: %w", m.ID, mapErr(err, obsql.Sentinels))
	}
	return nil
}

// whyNotUpdated tells a missing measurement from a stale version.
func whyNotUpdated(ctx context.Context, tx pgx.Tx, m record.Measurement) error {
	var version int
	if err := tx.QueryRow(ctx, obsql.CurrentVersion(dialect), m.ID, m.PersonID).Scan(&version); err != nil {
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
	if err := s.pool.QueryRow(ctx, query, args...).Scan(&n); err != nil {
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

// query runs a read of measurements: the obsql.Query of this store.
func (s *Store) query(ctx context.Context, query string, args ...any) ([]record.Measurement, error) {
	rows, err := s.pool.Query(ctx, query, args...)
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
func collect[T any](rows pgx.Rows, scan func(sqlq.Scanner) (T, error)) ([]T, error) {
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (T, error) { return scan(row) })
}

// CopyMeasurements is record.CopyStore.CopyMeasurements (obsql.RunCopy)
// in one transaction: all or nothing.
func (s *Store) CopyMeasurements(ctx context.Context, ms []record.Measurement) (record.CopyCount, error) {
	var n record.CopyCount
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
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
