package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/omahoito/omahoito/record"
)

var _ record.Store = (*Store)(nil)

// obsColumns are the columns of both observations and observation_versions,
// in the order measurementValues writes and scanMeasurement reads them.
var obsColumns = []string{"id", "person_id", "kind", "value", "diastolic", "effective_at", "note",
	"entered_by", "source_kind", "source_client", "identifier", "version", "updated_at", "deleted"}

var obsColumnList = strings.Join(obsColumns, ", ")

const (
	// identifierIndex is the unique index on (person_id, identifier).
	identifierIndex = "observations_identifier_idx"
	// deadlockDetected is the SQLSTATE of a transaction aborted to break a deadlock.
	deadlockDetected = "40P01"
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
		if err == nil {
			return existing, nil
		}
		if attempt == maxCreateAttempts || !lostRace(err) {
			return nil, fmt.Errorf("create measurements: %w", mapRecordErr(err))
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
		fresh := record.SplitKnown(ms, found, existing)
		slices.SortStableFunc(fresh, byIdentifier)
		if err := copyInto(ctx, tx, "observations", fresh); err != nil {
			return err
		}
		return copyInto(ctx, tx, "observation_versions", fresh)
	})
	if err != nil {
		return nil, err
	}
	return existing, nil
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
// identifier) pairs occur in ms, with one query per person.
func lookupIdentifiers(ctx context.Context, tx pgx.Tx, ms []record.Measurement) (map[record.IdentifierKey]record.Measurement, error) {
	byPerson := map[string][]string{}
	for _, m := range ms {
		if m.Identifier != "" {
			byPerson[m.PersonID] = append(byPerson[m.PersonID], m.Identifier)
		}
	}
	found := map[record.IdentifierKey]record.Measurement{}
	for person, identifiers := range byPerson {
		rows, err := tx.Query(ctx, `SELECT `+obsColumnList+` FROM observations
			WHERE person_id = $1 AND identifier = ANY($2)`, person, identifiers)
		if err != nil {
			return nil, err
		}
		stored, err := collectMeasurements(rows)
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

func utcMicro(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// copyInto writes ms into table with COPY.
func copyInto(ctx context.Context, tx pgx.Tx, table string, ms []record.Measurement) error {
	if len(ms) == 0 {
		return nil
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{table}, obsColumns, pgx.CopyFromSlice(len(ms), func(i int) ([]any, error) {
		return measurementValues(ms[i]), nil
	}))
	return err
}

// measurementValues are m's values in obsColumns order.
func measurementValues(m record.Measurement) []any {
	var diastolic, identifier any // NULL unless set
	if m.Diastolic != 0 {
		diastolic = m.Diastolic
	}
	if m.Identifier != "" {
		identifier = m.Identifier
	}
	return []any{m.ID, m.PersonID, string(m.Kind), m.Value, diastolic, utcMicro(m.At), m.Note, m.EnteredBy,
		string(m.Source.Kind), m.Source.Client, identifier, m.Version, utcMicro(m.Updated), m.Deleted}
}

func scanMeasurement(row pgx.Row) (record.Measurement, error) {
	var m record.Measurement
	var kind, sourceKind string
	var diastolic *float64
	var identifier *string
	err := row.Scan(&m.ID, &m.PersonID, &kind, &m.Value, &diastolic, &m.At, &m.Note, &m.EnteredBy,
		&sourceKind, &m.Source.Client, &identifier, &m.Version, &m.Updated, &m.Deleted)
	if err != nil {
		return record.Measurement{}, err
	}
	m.Kind, m.Source.Kind = record.Kind(kind), record.SourceKind(sourceKind)
	if diastolic != nil {
		m.Diastolic = *diastolic
	}
	if identifier != nil {
		m.Identifier = *identifier
	}
	m.At, m.Updated = m.At.UTC(), m.Updated.UTC()
	return m, nil
}

// collectMeasurements scans every row and closes rows.
func collectMeasurements(rows pgx.Rows) ([]record.Measurement, error) {
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (record.Measurement, error) { return scanMeasurement(row) })
}

// Measurement returns the current version of personID's measurement id,
// deleted or not.
func (s *Store) Measurement(ctx context.Context, personID, id string) (record.Measurement, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+obsColumnList+` FROM observations WHERE id = $1 AND person_id = $2`, id, personID)
	m, err := scanMeasurement(row)
	if err != nil {
		return record.Measurement{}, fmt.Errorf("measurement %s: %w", id, mapRecordErr(err))
	}
	return m, nil
}

// UpdateMeasurement writes m as the current version and adds it to the
// history, when m.Version is one more than the stored version. The row
// lock of the UPDATE makes concurrent updates of one measurement take
// turns: the later one finds the version moved on and gets ErrConflict.
func (s *Store) UpdateMeasurement(ctx context.Context, m record.Measurement) error {
	v := measurementValues(m)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE observations SET kind = $3, value = $4, diastolic = $5,
				effective_at = $6, note = $7, entered_by = $8, source_kind = $9, source_client = $10,
				identifier = $11, version = $12, updated_at = $13, deleted = $14
			WHERE id = $1 AND person_id = $2 AND version = $12 - 1`, v...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return whyNotUpdated(ctx, tx, m)
		}
		_, err = tx.Exec(ctx, `INSERT INTO observation_versions (`+obsColumnList+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`, v...)
		return err
	})
	if err != nil {
		return fmt.Errorf("update measurement %s: %w", m.ID, mapRecordErr(err))
	}
	return nil
}

// whyNotUpdated tells a missing measurement from a stale version.
func whyNotUpdated(ctx context.Context, tx pgx.Tx, m record.Measurement) error {
	var version int
	err := tx.QueryRow(ctx, `SELECT version FROM observations WHERE id = $1 AND person_id = $2`,
		m.ID, m.PersonID).Scan(&version)
	if err != nil {
		return err
	}
	return fmt.Errorf("%w: version %d is not one more than the current version %d", record.ErrConflict, m.Version, version)
}

// MeasurementHistory lists every version of personID's measurement id,
// newest first.
func (s *Store) MeasurementHistory(ctx context.Context, personID, id string) ([]record.Measurement, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+obsColumnList+` FROM observation_versions
		WHERE id = $1 AND person_id = $2 ORDER BY version DESC`, id, personID)
	if err != nil {
		return nil, fmt.Errorf("measurement history %s: %w", id, mapRecordErr(err))
	}
	versions, err := collectMeasurements(rows)
	if err != nil {
		return nil, fmt.Errorf("measurement history %s: %w", id, mapRecordErr(err))
	}
	if len(versions) == 0 {
		return nil, fmt.Errorf("measurement history %s: %w", id, record.ErrNotFound)
	}
	return versions, nil
}

// SearchMeasurements returns current, not deleted measurements matching q
// in (At, ID) order, at most q.Limit of them when q.Limit is positive.
func (s *Store) SearchMeasurements(ctx context.Context, q record.Query) ([]record.Measurement, error) {
	f := queryFilter(q, true)
	order := "ASC"
	if q.Desc {
		order = "DESC"
	}
	query := `SELECT ` + obsColumnList + ` FROM observations WHERE ` + f.where() +
		` ORDER BY effective_at ` + order + `, id ` + order
	if q.Limit > 0 {
		query += ` LIMIT ` + f.arg(q.Limit)
	}
	rows, err := s.pool.Query(ctx, query, f.args...)
	if err != nil {
		return nil, fmt.Errorf("search measurements: %w", mapRecordErr(err))
	}
	ms, err := collectMeasurements(rows)
	if err != nil {
		return nil, fmt.Errorf("search measurements: %w", mapRecordErr(err))
	}
	return ms, nil
}

// CountMeasurements counts what SearchMeasurements returns for q without
// its Limit and After.
func (s *Store) CountMeasurements(ctx context.Context, q record.Query) (int, error) {
	f := queryFilter(q, false)
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM observations WHERE `+f.where(), f.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count measurements: %w", mapRecordErr(err))
	}
	return n, nil
}

// filter collects the conditions of a WHERE clause and their arguments.
type filter struct {
	conds []string
	args  []any
}

// arg adds v as an argument and returns its placeholder.
func (f *filter) arg(v any) string {
	f.args = append(f.args, v)
	return "$" + strconv.Itoa(len(f.args))
}

func (f *filter) where() string { return strings.Join(f.conds, " AND ") }

// queryFilter is the WHERE clause of q, with q.After when withCursor.
func queryFilter(q record.Query, withCursor bool) *filter {
	f := &filter{}
	f.conds = append(f.conds, "person_id = "+f.arg(q.PersonID), "NOT deleted")
	switch len(q.Kinds) {
	case 0:
	case 1: // an equality lets the index deliver the order
		f.conds = append(f.conds, "kind = "+f.arg(string(q.Kinds[0])))
	default:
		kinds := make([]string, len(q.Kinds))
		for i, k := range q.Kinds {
			kinds[i] = string(k)
		}
		f.conds = append(f.conds, "kind = ANY("+f.arg(kinds)+")")
	}
	if !q.From.IsZero() {
		f.conds = append(f.conds, "effective_at "+pick(q.FromOpen, ">", ">=")+" "+f.arg(utcMicro(q.From)))
	}
	if !q.To.IsZero() {
		f.conds = append(f.conds, "effective_at "+pick(q.ToOpen, "<", "<=")+" "+f.arg(utcMicro(q.To)))
	}
	if withCursor && q.After != nil {
		f.conds = append(f.conds, "(effective_at, id) "+pick(q.Desc, "<", ">")+
			" ("+f.arg(utcMicro(q.After.At))+", "+f.arg(q.After.ID)+")")
	}
	return f
}

func pick(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

// mapRecordErr wraps record's sentinel errors around err where one
// applies: no row is record.ErrNotFound, a unique violation is
// record.ErrConflict, and a missing person (foreign key) is
// record.ErrNotFound. The driver's error stays in the chain.
func mapRecordErr(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: %w", record.ErrNotFound, err)
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case uniqueViolation:
		return fmt.Errorf("%w: %w", record.ErrConflict, err)
	case foreignKeyViolation:
		return fmt.Errorf("%w: referenced row missing: %w", record.ErrNotFound, err)
	}
	return err
}
