package record

import (
	"context"
	"fmt"
	"strings"
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
}

// Store is the persistence measurements need. Implementations wrap
// ErrNotFound and ErrConflict.
type Store interface {
	// CreateMeasurements inserts all of ms (version 1) in one transaction:
	// all or nothing. A measurement whose (PersonID, Identifier) already
	// exists is not inserted again; existing holds, by index in ms, the
	// stored measurement instead (nil map entry when newly inserted).
	CreateMeasurements(ctx context.Context, ms []Measurement) (existing map[int]Measurement, err error)
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
}

// Service is the one way into a person's record. Every method takes the
// acting principal and the person whose record it is, and checks access in
// allow before anything else: the consent decision and the access log will
// be added there, in one place.
type Service struct {
	Store Store
	Now   func() time.Time
}

// Action is what a principal wants to do with a record.
type Action string

// Actions on a record.
const (
	ActionRead  Action = "read"
	ActionWrite Action = "write"
)

// allow decides whether who may do action on personID's record. Today only
// the person themself may; consents will widen reads.
func (s *Service) allow(_ context.Context, who auth.Principal, personID string, action Action) error {
	if who.Kind == auth.KindCitizen && who.PersonID != "" && who.PersonID == personID {
		return nil
	}
	return fmt.Errorf("%w: %s of another person's record", ErrDenied, action)
}

// now is truncated to the microsecond that both databases keep, so what a
// write returns equals what a later read returns.
func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

// Added is the result of recording one measurement.
type Added struct {
	Measurement Measurement
	Created     bool // false: the identifier was known, nothing new was stored
}

// Record validates and stores measurements for personID in one all-or-nothing
// step. An input whose Identifier is already stored is not stored again.
func (s *Service) Record(ctx context.Context, who auth.Principal, personID string, source Source, inputs []Input) ([]Added, error) {
	if err := s.allow(ctx, who, personID, ActionWrite); err != nil {
		return nil, err
	}
	now := s.now()
	ms := make([]Measurement, len(inputs))
	for i, in := range inputs {
		m, err := Normalize(in, now)
		if err != nil {
			return nil, &EntryError{Index: i, Err: err}
		}
		m.ID, m.PersonID, m.EnteredBy, m.Source = auth.NewID(), personID, EnteredBy(who), source
		m.Version, m.Updated = 1, now
		ms[i] = m
	}
	existing, err := s.Store.CreateMeasurements(ctx, ms)
	if err != nil {
		return nil, err
	}
	out := make([]Added, len(ms))
	for i, m := range ms {
		if old, ok := existing[i]; ok {
			out[i] = Added{Measurement: old}
			continue
		}
		out[i] = Added{Measurement: m, Created: true}
	}
	return out, nil
}

// EntryError says which of several inputs broke a rule.
type EntryError struct {
	Index int
	Err   error
}

func (e *EntryError) Error() string { return fmt.Sprintf("entry %d: %v", e.Index, e.Err) }
func (e *EntryError) Unwrap() error { return e.Err }

// EnteredBy is how a Measurement names the principal who wrote a version:
// "person:ID" for a citizen (later also a guardian), "professional:ID".
func EnteredBy(who auth.Principal) string {
	if who.PersonID != "" {
		return "person:" + who.PersonID
	}
	return "professional:" + who.ProfessionalID
}

// EnteredByProfessional reports whether a version was written by a professional.
func EnteredByProfessional(enteredBy string) bool {
	return strings.HasPrefix(enteredBy, "professional:")
}

// Get returns the current version of a measurement that is not deleted.
func (s *Service) Get(ctx context.Context, who auth.Principal, personID, id string) (Measurement, error) {
	if err := s.allow(ctx, who, personID, ActionRead); err != nil {
		return Measurement{}, err
	}
	m, err := s.Store.Measurement(ctx, personID, id)
	if err != nil {
		return Measurement{}, err
	}
	if m.Deleted {
		return m, fmt.Errorf("measurement %s: %w", id, ErrGone)
	}
	return m, nil
}

// ErrGone is returned for a deleted measurement; it is also ErrNotFound.
var ErrGone = fmt.Errorf("deleted: %w", ErrNotFound)

// Update corrects a measurement; the previous version stays in the history.
// ifVersion, when not zero, must be the current version (optimistic locking).
func (s *Service) Update(ctx context.Context, who auth.Principal, personID, id string, in Input, ifVersion int) (Measurement, error) {
	if err := s.allow(ctx, who, personID, ActionWrite); err != nil {
		return Measurement{}, err
	}
	cur, err := s.current(ctx, personID, id, ifVersion)
	if err != nil {
		return Measurement{}, err
	}
	m, err := Normalize(in, s.now())
	if err != nil {
		return Measurement{}, err
	}
	if m.Kind != cur.Kind {
		return Measurement{}, invalid("Observation.code", "a correction cannot change the kind of measurement from %s to %s", cur.Kind, m.Kind)
	}
	m.ID, m.PersonID, m.EnteredBy, m.Source = cur.ID, cur.PersonID, EnteredBy(who), cur.Source
	if m.Identifier == "" {
		m.Identifier = cur.Identifier
	}
	m.Version, m.Updated = cur.Version+1, s.now()
	return m, s.Store.UpdateMeasurement(ctx, m)
}

// Delete hides a measurement; its versions are kept.
func (s *Service) Delete(ctx context.Context, who auth.Principal, personID, id string, ifVersion int) (Measurement, error) {
	if err := s.allow(ctx, who, personID, ActionWrite); err != nil {
		return Measurement{}, err
	}
	cur, err := s.current(ctx, personID, id, ifVersion)
	if err != nil {
		return Measurement{}, err
	}
	cur.Deleted, cur.Version, cur.Updated, cur.EnteredBy = true, cur.Version+1, s.now(), EnteredBy(who)
	return cur, s.Store.UpdateMeasurement(ctx, cur)
}

func (s *Service) current(ctx context.Context, personID, id string, ifVersion int) (Measurement, error) {
	cur, err := s.Store.Measurement(ctx, personID, id)
	if err != nil {
		return Measurement{}, err
	}
	if cur.Deleted {
		return Measurement{}, fmt.Errorf("measurement %s: %w", id, ErrGone)
	}
	if ifVersion != 0 && ifVersion != cur.Version {
		return Measurement{}, fmt.Errorf("%w: version %d is not the current version %d", ErrConflict, ifVersion, cur.Version)
	}
	return cur, nil
}

// History lists every version of a measurement, newest first, including
// the deletion.
func (s *Service) History(ctx context.Context, who auth.Principal, personID, id string) ([]Measurement, error) {
	if err := s.allow(ctx, who, personID, ActionRead); err != nil {
		return nil, err
	}
	return s.Store.MeasurementHistory(ctx, personID, id)
}

// MaxPageSize caps a page of search results.
const MaxPageSize = 1000

// Page is one page of a search.
type Page struct {
	Measurements []Measurement
	Total        int     // all matches, not only this page
	Next         *Cursor // nil on the last page
}

// Search returns one page of a person's measurements.
func (s *Service) Search(ctx context.Context, who auth.Principal, q Query) (Page, error) {
	if err := s.allow(ctx, who, q.PersonID, ActionRead); err != nil {
		return Page{}, err
	}
	if q.Limit <= 0 || q.Limit > MaxPageSize {
		q.Limit = MaxPageSize
	}
	want := q.Limit
	q.Limit++ // one more tells whether a next page exists
	ms, err := s.Store.SearchMeasurements(ctx, q)
	if err != nil {
		return Page{}, err
	}
	total, err := s.Store.CountMeasurements(ctx, q)
	if err != nil {
		return Page{}, err
	}
	p := Page{Measurements: ms, Total: total}
	if len(ms) > want {
		p.Measurements = ms[:want]
		last := ms[want-1]
		p.Next = &Cursor{At: last.At, ID: last.ID}
	}
	return p, nil
}
