package record

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/omahoito/omahoito/auth"
)

// Cursor marks a place in a search ordered by (At, ID): keyset paging, so
// pages stay correct while measurements are added concurrently.
type Cursor struct {
	At time.Time
	ID string
}

// Query selects one person's current, not deleted measurements.
type Query struct {
	PersonID string
	Kinds    []Kind    // empty: all kinds
	From     time.Time // zero: no lower bound
	FromOpen bool      // true: At > From; false: At >= From
	To       time.Time // zero: no upper bound
	ToOpen   bool      // true: At < To; false: At <= To
	Desc     bool      // newest first
	Limit    int       // rows wanted; the store returns at most this many
	After    *Cursor   // continue after this row in the chosen order
	// Scope narrows the query to what the caller may see; the Service sets
	// it from the gate's decision, so stores count and page only that.
	// The zero Scope matches nothing; Everything matches all.
	Scope Scope
}

// Store is the persistence measurements need. Implementations wrap
// ErrNotFound and ErrConflict.
type Store interface {
	// CreateMeasurements inserts all of ms (version 1) in one transaction:
	// all or nothing. A measurement whose (PersonID, Identifier) already
	// exists is not inserted again; existing holds, by index in ms, the
	// stored measurement instead (nil map entry when newly inserted). The
	// rule is SplitKnown's, applied inside the transaction: when it refuses
	// (ErrIdentifierReused) nothing is inserted, and existing is returned
	// beside the error.
	CreateMeasurements(ctx context.Context, ms []Measurement) (existing map[int]Measurement, err error)
	// MeasurementOwner returns whose measurement id is (ErrNotFound when
	// none): a professional reading by id names no patient, and the gate
	// must decide for the owner before anything is read.
	MeasurementOwner(ctx context.Context, id string) (string, error)
	// Measurement returns the current version, deleted or not.
	Measurement(ctx context.Context, personID, id string) (Measurement, error)
	// UpdateMeasurement writes m as version m.Version, which must be exactly
	// one more than the stored current version (else ErrConflict); the old
	// version stays in the history. A delete is an update with Deleted set.
	UpdateMeasurement(ctx context.Context, m Measurement) error
	// MeasurementHistory lists every version, newest first.
	MeasurementHistory(ctx context.Context, personID, id string) ([]Measurement, error)
	// SearchMeasurements returns current, not deleted measurements matching q,
	// ordered by (At, ID) ascending or descending.
	SearchMeasurements(ctx context.Context, q Query) ([]Measurement, error)
	// CountMeasurements counts what SearchMeasurements would return without
	// Limit and After.
	CountMeasurements(ctx context.Context, q Query) (int, error)
	// LatestMeasurements returns, for each kind, the newest current, not
	// deleted measurement of personID within scope, in one query.
	LatestMeasurements(ctx context.Context, personID string, scope Scope) ([]Measurement, error)
}

// People is what the Service reads of the person index: who a record
// belongs to (their birth date bounds a measurement's time; their
// demographics are the Patient resource).
type People interface {
	Person(ctx context.Context, id string) (auth.Person, error)
	FindByHetu(ctx context.Context, h auth.Hetu) (auth.Person, error)
}

// Service is the one way into a person's record. Every method takes the
// acting principal and the person whose record it is, asks Access once,
// narrows what it loads to the decision's scope, and tells Access when the
// data is about to leave (the access log's place).
type Service struct {
	Store  Store
	People People
	Access Access // nil: OwnerOnly
	Now    func() time.Time
}

func (s *Service) access() Access {
	if s.Access == nil {
		return OwnerOnly{}
	}
	return s.Access
}

// decide asks the gate; a refusal wraps ErrDenied. A gate that cannot
// decide (its store is down) fails closed: the error is returned as it is,
// which the faces answer as an internal error, never as a permit.
func (s *Service) decide(ctx context.Context, req Request) (Decision, error) {
	d, err := s.access().Decide(ctx, req)
	if err != nil && !errors.Is(err, ErrDenied) {
		return Decision{}, fmt.Errorf("access decision: %w", err)
	}
	return d, err
}

// errOutOfScope hides an entry the caller's scope does not cover: it is
// reported as not found, so that the answer tells nothing of the data.
var errOutOfScope = fmt.Errorf("outside the scope of the caller's access: %w", ErrNotFound)

// outOfScope tells the gate that the item loaded lies outside the
// decision's scope, so the access log keeps the attempt, and hides it.
func (s *Service) outOfScope(ctx context.Context, req Request, d Decision) error {
	req.OutOfScope, req.Count = true, 0
	if err := s.done(ctx, req, d); err != nil {
		return err
	}
	return errOutOfScope
}

// ownerOf is personID, or when the caller named no patient (a
// professional reading an entry by id), whose entry id is. The lookup
// reads no one's data; the gate decides for the owner next.
func (s *Service) ownerOf(ctx context.Context, personID, id string) (string, error) {
	if personID != "" {
		return personID, nil
	}
	return s.Store.MeasurementOwner(ctx, id)
}

// done tells the gate the data is about to leave; an error withholds it.
func (s *Service) done(ctx context.Context, req Request, d Decision) error {
	return s.access().Done(ctx, req, d)
}

// now is truncated to the microsecond that both databases keep, so what a
// write returns equals what a later read returns.
func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

// ErrGone is returned for a deleted measurement; it is also ErrNotFound.
var ErrGone = fmt.Errorf("deleted: %w", ErrNotFound)

// ErrIdentifierReused is a create that repeats a stored identifier with
// other content: the client must choose, not be handed the old reading.
var ErrIdentifierReused = fmt.Errorf("%w: the identifier is already used by a measurement with other content", ErrConflict)

// EntryError says which of several inputs broke a rule.
type EntryError struct {
	Index int
	Err   error
}

func (e *EntryError) Error() string { return fmt.Sprintf("entry %d: %v", e.Index, e.Err) }
func (e *EntryError) Unwrap() error { return e.Err }

// MaxPageSize caps a page of search results.
const MaxPageSize = 1000

// Page is one page of a search.
type Page struct {
	Measurements []Measurement
	Total        int     // all matches, not only this page
	Next         *Cursor // nil on the last page
}

// kindsOf lists the distinct kinds of inputs, for the gate.
func kindsOf(inputs []Input) []Kind {
	var kinds []Kind
	seen := map[Kind]bool{}
	for _, in := range inputs {
		if !seen[in.Kind] {
			seen[in.Kind] = true
			kinds = append(kinds, in.Kind)
		}
	}
	return kinds
}
