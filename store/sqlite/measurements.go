package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/omahoito/omahoito/record"
)

var _ record.Store = (*Store)(nil)

// obsColumns are the columns of both observations and observation_versions,
// in the order measurementArgs writes and scanMeasurement reads them.
const obsColumns = `id, person_id, kind, value, diastolic, effective_at, note, entered_by,
	source_kind, source_client, identifier, version, updated_at, deleted`

const numObsColumns = 14

// lookupChunk is how many identifiers one lookup query asks for, well
// under SQLite's limit of bound variables.
const lookupChunk = 500

// CreateMeasurements inserts ms (version 1) in one transaction: all or
// nothing. The transaction begins IMMEDIATE, holding the database's write
// lock, so the lookup of known identifiers and the inserts that follow see
// no concurrent writer: the same identifier is never stored twice, within
// one batch or across concurrent ones.
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
		fresh := record.SplitKnown(ms, found, existing)
		// Ids are random: inserting them in order keeps each index page
		// touched once instead of scattering writes across the B-trees.
		slices.SortFunc(fresh, func(a, b record.Measurement) int { return strings.Compare(a.ID, b.ID) })
		if err := insertRowsInto(ctx, tx, "observations", fresh); err != nil {
			return err
		}
		return insertRowsInto(ctx, tx, "observation_versions", fresh)
	})
	if err != nil {
		return nil, fmt.Errorf("create measurements: %w", mapRecordErr(err))
	}
	return existing, nil
}

// inTx runs fn in a transaction, committed when fn returns nil.
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
	byPerson := map[string][]string{}
	seen := map[record.IdentifierKey]bool{}
	for _, m := range ms {
		k := record.IdentifierKey{PersonID: m.PersonID, Identifier: m.Identifier}
		if m.Identifier != "" && !seen[k] {
			seen[k] = true
			byPerson[m.PersonID] = append(byPerson[m.PersonID], m.Identifier)
		}
	}
	found := map[record.IdentifierKey]record.Measurement{}
	for person, identifiers := range byPerson {
		for chunk := range chunks(identifiers, lookupChunk) {
			if err := lookupChunkInto(ctx, tx, person, chunk, found); err != nil {
				return nil, err
			}
		}
	}
	return found, nil
}

func lookupChunkInto(ctx context.Context, tx *sql.Tx, person string, identifiers []string, found map[record.IdentifierKey]record.Measurement) error {
	args := make([]any, 0, len(identifiers)+1)
	args = append(args, person)
	for _, id := range identifiers {
		args = append(args, id)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+obsColumns+` FROM observations
		WHERE person_id = ? AND identifier IN (`+placeholders(len(identifiers))+`)`, args...)
	if err != nil {
		return err
	}
	stored, err := collect(rows, scanMeasurement)
	if err != nil {
		return err
	}
	for _, m := range stored {
		k, _ := m.Key()
		found[k] = m
	}
	return nil
}

// insertRowsInto inserts ms into table with one prepared single-row
// INSERT executed per row. (Multi-row INSERTs were measured slower: a
// statement that writes many rows needs a statement journal.)
func insertRowsInto(ctx context.Context, tx *sql.Tx, table string, ms []record.Measurement) error {
	stmt, err := tx.PrepareContext(ctx, insertStatement(table))
	if err != nil {
		return err
	}
	defer stmt.Close()
	args := make([]any, 0, numObsColumns)
	for _, m := range ms {
		if _, err := stmt.ExecContext(ctx, appendMeasurementArgs(args[:0], m)...); err != nil {
			return err
		}
	}
	return nil
}

func insertStatement(table string) string {
	return "INSERT INTO " + table + " (" + obsColumns + ") VALUES (" + placeholders(numObsColumns) + ")"
}

// appendMeasurementArgs appends m's values in obsColumns order.
func appendMeasurementArgs(args []any, m record.Measurement) []any {
	return append(args, m.ID, m.PersonID, string(m.Kind), m.Value, nullIfZero(m.Diastolic),
		formatTime(m.At), m.Note, m.EnteredBy, string(m.Source.Kind), m.Source.Client,
		nullIfEmpty(m.Identifier), m.Version, formatTime(m.Updated), boolInt(m.Deleted))
}

func scanMeasurement(row rowScanner) (record.Measurement, error) {
	var m record.Measurement
	var kind, sourceKind, at, updated string
	var diastolic sql.NullFloat64
	var identifier sql.NullString
	var deleted int
	err := row.Scan(&m.ID, &m.PersonID, &kind, &m.Value, &diastolic, &at, &m.Note, &m.EnteredBy,
		&sourceKind, &m.Source.Client, &identifier, &m.Version, &updated, &deleted)
	if err != nil {
		return record.Measurement{}, err
	}
	m.Kind, m.Source.Kind = record.Kind(kind), record.SourceKind(sourceKind)
	m.Diastolic, m.Identifier, m.Deleted = diastolic.Float64, identifier.String, deleted != 0
	if m.At, err = parseTime(at); err != nil {
		return record.Measurement{}, fmt.Errorf("effective at: %w", err)
	}
	if m.Updated, err = parseTime(updated); err != nil {
		return record.Measurement{}, fmt.Errorf("updated at: %w", err)
	}
	return m, nil
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	return t.UTC(), err
}

// Measurement returns the current version of personID's measurement id,
// deleted or not.
func (s *Store) Measurement(ctx context.Context, personID, id string) (record.Measurement, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+obsColumns+` FROM observations WHERE id = ? AND person_id = ?`, id, personID)
	m, err := scanMeasurement(row)
	if err != nil {
		return record.Measurement{}, fmt.Errorf("measurement %s: %w", id, mapRecordErr(err))
	}
	return m, nil
}

// UpdateMeasurement writes m as the current version and adds it to the
// history, when m.Version is one more than the stored version.
func (s *Store) UpdateMeasurement(ctx context.Context, m record.Measurement) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE observations SET kind = ?, value = ?, diastolic = ?,
				effective_at = ?, note = ?, entered_by = ?, source_kind = ?, source_client = ?,
				identifier = ?, version = ?, updated_at = ?, deleted = ?
			WHERE id = ? AND person_id = ? AND version = ?`,
			string(m.Kind), m.Value, nullIfZero(m.Diastolic), formatTime(m.At), m.Note, m.EnteredBy,
			string(m.Source.Kind), m.Source.Client, nullIfEmpty(m.Identifier), m.Version,
			formatTime(m.Updated), boolInt(m.Deleted), m.ID, m.PersonID, m.Version-1)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return whyNotUpdated(ctx, tx, m)
		}
		_, err = tx.ExecContext(ctx, insertStatement("observation_versions"), appendMeasurementArgs(nil, m)...)
		return err
	})
	if err != nil {
		return fmt.Errorf("update measurement %s: %w", m.ID, mapRecordErr(err))
	}
	return nil
}

// whyNotUpdated tells a missing measurement from a stale version.
func whyNotUpdated(ctx context.Context, tx *sql.Tx, m record.Measurement) error {
	var version int
	err := tx.QueryRowContext(ctx, `SELECT version FROM observations WHERE id = ? AND person_id = ?`,
		m.ID, m.PersonID).Scan(&version)
	if err != nil {
		return err
	}
	return fmt.Errorf("%w: version %d is not one more than the current version %d", record.ErrConflict, m.Version, version)
}

// MeasurementHistory lists every version of personID's measurement id,
// newest first.
func (s *Store) MeasurementHistory(ctx context.Context, personID, id string) ([]record.Measurement, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+obsColumns+` FROM observation_versions
		WHERE id = ? AND person_id = ? ORDER BY version DESC`, id, personID)
	if err != nil {
		return nil, fmt.Errorf("measurement history %s: %w", id, mapRecordErr(err))
	}
	versions, err := collect(rows, scanMeasurement)
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
	where, args := queryFilter(q, true)
	order := "ASC"
	if q.Desc {
		order = "DESC"
	}
	query := `SELECT ` + obsColumns + ` FROM observations WHERE ` + where +
		` ORDER BY effective_at ` + order + `, id ` + order
	if q.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, q.Limit)
	}
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search measurements: %w", mapRecordErr(err))
	}
	ms, err := collect(rows, scanMeasurement)
	if err != nil {
		return nil, fmt.Errorf("search measurements: %w", mapRecordErr(err))
	}
	return ms, nil
}

// CountMeasurements counts what SearchMeasurements returns for q without
// its Limit and After.
func (s *Store) CountMeasurements(ctx context.Context, q record.Query) (int, error) {
	where, args := queryFilter(q, false)
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM observations WHERE `+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count measurements: %w", mapRecordErr(err))
	}
	return n, nil
}

// queryFilter is the WHERE clause of q, with q.After when withCursor. Each
// bound on effective_at is also written as a plain range so that the index
// on (person_id, [kind,] effective_at, id) serves it.
func queryFilter(q record.Query, withCursor bool) (string, []any) {
	conds := []string{"person_id = ?", "deleted = 0"}
	args := []any{q.PersonID}
	switch len(q.Kinds) {
	case 0:
	case 1:
		conds, args = append(conds, "kind = ?"), append(args, string(q.Kinds[0]))
	default:
		conds = append(conds, "kind IN ("+placeholders(len(q.Kinds))+")")
		for _, k := range q.Kinds {
			args = append(args, string(k))
		}
	}
	if !q.From.IsZero() {
		conds, args = append(conds, "effective_at "+pick(q.FromOpen, ">", ">=")+" ?"), append(args, formatTime(q.From))
	}
	if !q.To.IsZero() {
		conds, args = append(conds, "effective_at "+pick(q.ToOpen, "<", "<=")+" ?"), append(args, formatTime(q.To))
	}
	if withCursor && q.After != nil {
		at := formatTime(q.After.At)
		cmp := pick(q.Desc, "<", ">")
		conds = append(conds, "effective_at "+cmp+"= ?", "(effective_at "+cmp+" ? OR id "+cmp+" ?)")
		args = append(args, at, at, q.After.ID)
	}
	return strings.Join(conds, " AND "), args
}

func pick(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

// placeholders is n comma-separated question marks.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// chunks yields consecutive parts of s of at most n elements.
func chunks[T any](s []T, n int) func(yield func([]T) bool) {
	return func(yield func([]T) bool) {
		for len(s) > 0 {
			k := min(n, len(s))
			if !yield(s[:k]) {
				return
			}
			s = s[k:]
		}
	}
}

func nullIfZero(v float64) sql.NullFloat64 { return sql.NullFloat64{Float64: v, Valid: v != 0} }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// mapRecordErr wraps record's sentinel errors around err where one
// applies: no row is record.ErrNotFound, a unique or primary key violation
// is record.ErrConflict, and a missing person (foreign key) is
// record.ErrNotFound. The driver's error stays in the chain.
func mapRecordErr(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %w", record.ErrNotFound, err)
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return fmt.Errorf("%w: %w", record.ErrConflict, err)
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return fmt.Errorf("%w: referenced row missing: %w", record.ErrNotFound, err)
	}
	return err
}
