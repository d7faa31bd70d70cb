package record

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/omahoito/omahoito/auth"
)

// Added is the result of recording one measurement.
type Added struct {
	Measurement Measurement
	Created     bool // false: the identifier was known, nothing new was stored
}

// Record validates and stores measurements for personID in one all-or-nothing
// step. An input whose Identifier is already stored with the same content
// is not stored again (Created false); with other content it is refused
// with ErrIdentifierReused, naming the entry, and the stored readings are
// returned beside the error.
func (s *Service) Record(ctx context.Context, who auth.Principal, personID string, source Source, inputs []Input) ([]Added, error) {
	req := Request{Who: who, PersonID: personID, Action: ActionWrite, Class: ClassMeasurements, Kinds: kindsOf(inputs), Count: len(inputs)}
	d, err := s.decide(ctx, req)
	if err != nil {
		return nil, err
	}
	born, err := s.birthDate(ctx, personID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	ms := make([]Measurement, len(inputs))
	for i, in := range inputs {
		m, err := s.normalize(in, now, born)
		if err != nil {
			return nil, &EntryError{Index: i, Err: err}
		}
		if !d.Scope.Covers(m.Kind, m.At) {
			return nil, &EntryError{Index: i, Err: fmt.Errorf("%w: the measurement is outside the scope of the caller's access", ErrDenied)}
		}
		m.ID, m.PersonID, m.EnteredBy, m.Source = auth.NewID(), personID, ActorOf(who), source
		m.Version, m.Updated = 1, now
		ms[i] = m
	}
	if err := s.done(ctx, req, d); err != nil {
		return nil, err
	}
	existing, err := s.Store.CreateMeasurements(ctx, ms)
	if errors.Is(err, ErrIdentifierReused) {
		// Nothing was stored. The stored readings go back with the error (at
		// their indexes; the others are zero): a conditional create
		// (If-None-Exist) answers with the one it names.
		out := make([]Added, len(ms))
		for i, old := range existing {
			out[i] = Added{Measurement: old}
		}
		return out, err
	}
	if err != nil {
		return nil, err
	}
	return added(ms, existing), nil
}

// added pairs each input with what is stored for it now: the new
// measurement, or the one stored earlier under its identifier.
func added(ms []Measurement, existing map[int]Measurement) []Added {
	out := make([]Added, len(ms))
	for i, m := range ms {
		if old, ok := existing[i]; ok {
			out[i] = Added{Measurement: old}
			continue
		}
		out[i] = Added{Measurement: m, Created: true}
	}
	return out
}

// SameReading reports whether two measurements say the same thing: kind,
// values in canonical units, time and note. 80 kg and 80000 g are the same.
func SameReading(a, b Measurement) bool {
	return a.Kind == b.Kind && a.Value == b.Value && a.Diastolic == b.Diastolic &&
		a.At.Equal(b.At) && a.Note == b.Note
}

// normalize applies the kind's rules and the person's birth date: a home
// measurement cannot be older than the person.
func (s *Service) normalize(in Input, now, born time.Time) (Measurement, error) {
	m, err := Normalize(in, now)
	if err != nil {
		return m, err
	}
	if !born.IsZero() && m.At.Before(born) {
		return Measurement{}, &FieldError{Field: FieldTime, Msg: fmt.Sprintf(
			"the time %s is before the person's birth", m.At.Format(time.DateOnly)), Rule: RuleBeforeBirth}
	}
	return m, nil
}

// birthDate is the record owner's birth date; zero when the Service has no
// person index (unit tests of the rules alone).
func (s *Service) birthDate(ctx context.Context, personID string) (time.Time, error) {
	if s.People == nil {
		return time.Time{}, nil
	}
	p, err := s.People.Person(ctx, personID)
	if err != nil {
		return time.Time{}, fmt.Errorf("record owner: %w", err)
	}
	return p.BirthDate, nil
}

// Update corrects a measurement; the previous version stays in the history.
// ifVersion, when not zero, must be the current version (optimistic locking).
func (s *Service) Update(ctx context.Context, who auth.Principal, personID, id string, in Input, ifVersion int) (Measurement, error) {
	stored, _, err := s.Correct(ctx, who, personID, id, ifVersion, func(Measurement) (Input, error) { return in, nil })
	return stored, err
}

// Correct is a correction in one step and one gate decision: it loads the
// current version, lets build turn what the person typed into an input for
// that measurement's kind, and stores it as the next version. ifVersion,
// when not zero, must be the current version. With an error it returns the
// current version too (when there is one), so that a page can show what
// changed meanwhile (ErrConflict) without asking again.
func (s *Service) Correct(ctx context.Context, who auth.Principal, personID, id string, ifVersion int,
	build func(cur Measurement) (Input, error)) (stored, cur Measurement, err error) {
	req := Request{Who: who, PersonID: personID, Action: ActionWrite, Class: ClassMeasurements, ID: id, Count: 1}
	d, err := s.decide(ctx, req)
	if err != nil {
		return Measurement{}, Measurement{}, err
	}
	if cur, err = s.current(ctx, personID, id, ifVersion, d.Scope); err != nil {
		return Measurement{}, cur, err
	}
	in, err := build(cur)
	if err != nil {
		return Measurement{}, cur, err
	}
	m, err := s.corrected(ctx, who, d, cur, in)
	if err != nil {
		return Measurement{}, cur, err
	}
	req.Kinds, req.DataTime = []Kind{m.Kind}, m.At
	if err := s.done(ctx, req, d); err != nil {
		return Measurement{}, cur, err
	}
	return m, cur, s.Store.UpdateMeasurement(ctx, m)
}

// corrected is cur corrected by in, checked against the rules, the owner's
// birth date and the caller's scope.
func (s *Service) corrected(ctx context.Context, who auth.Principal, d Decision, cur Measurement, in Input) (Measurement, error) {
	born, err := s.birthDate(ctx, cur.PersonID)
	if err != nil {
		return Measurement{}, err
	}
	m, err := s.normalize(in, s.now(), born)
	if err != nil {
		return Measurement{}, err
	}
	if m.Kind != cur.Kind {
		return Measurement{}, &FieldError{Field: FieldKind, Rule: RuleKindChange, Kind: m.Kind,
			Msg: fmt.Sprintf("a correction cannot change the kind of measurement from %s to %s", cur.Kind, m.Kind)}
	}
	if !d.Scope.Covers(m.Kind, m.At) {
		return Measurement{}, fmt.Errorf("%w: the corrected time is outside the scope of the caller's access", ErrDenied)
	}
	m.ID, m.PersonID, m.EnteredBy, m.Source = cur.ID, cur.PersonID, ActorOf(who), cur.Source
	if m.Identifier == "" {
		m.Identifier = cur.Identifier
	}
	m.Version, m.Updated = cur.Version+1, s.now()
	return m, nil
}

// Delete hides a measurement; its versions are kept. A measurement deleted
// already is returned with ErrGone, so a second click needs no second question.
func (s *Service) Delete(ctx context.Context, who auth.Principal, personID, id string, ifVersion int) (Measurement, error) {
	req := Request{Who: who, PersonID: personID, Action: ActionWrite, Class: ClassMeasurements, ID: id, Count: 1}
	d, err := s.decide(ctx, req)
	if err != nil {
		return Measurement{}, err
	}
	cur, err := s.current(ctx, personID, id, ifVersion, d.Scope)
	if err != nil {
		return cur, err
	}
	req.Kinds, req.DataTime = []Kind{cur.Kind}, cur.At
	if err := s.done(ctx, req, d); err != nil {
		return Measurement{}, err
	}
	cur.Deleted, cur.Version, cur.Updated, cur.EnteredBy = true, cur.Version+1, s.now(), ActorOf(who)
	return cur, s.Store.UpdateMeasurement(ctx, cur)
}

// current loads the current version for a change. An entry outside the
// scope is not found; a deleted one is returned with ErrGone, a stale
// ifVersion with ErrConflict.
func (s *Service) current(ctx context.Context, personID, id string, ifVersion int, scope Scope) (Measurement, error) {
	cur, err := s.Store.Measurement(ctx, personID, id)
	if err != nil {
		return Measurement{}, err
	}
	if !scope.Covers(cur.Kind, cur.At) {
		return Measurement{}, errOutOfScope
	}
	if cur.Deleted {
		return cur, fmt.Errorf("measurement %s: %w", id, ErrGone)
	}
	if ifVersion != 0 && ifVersion != cur.Version {
		return cur, fmt.Errorf("%w: version %d is not the current version %d", ErrConflict, ifVersion, cur.Version)
	}
	return cur, nil
}
