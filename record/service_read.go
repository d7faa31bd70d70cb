package record

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/omahoito/omahoito/auth"
)

// Get returns the current version of a measurement that is not deleted.
func (s *Service) Get(ctx context.Context, who auth.Principal, personID, id string) (Measurement, error) {
	personID, err := s.ownerOf(ctx, personID, id)
	if err != nil {
		return Measurement{}, err
	}
	req := Request{Who: who, PersonID: personID, Action: ActionRead, Class: ClassMeasurements, ID: id}
	d, err := s.decide(ctx, req)
	if err != nil {
		return Measurement{}, err
	}
	m, err := s.Store.Measurement(ctx, personID, id)
	if err != nil {
		return Measurement{}, err
	}
	req.Kinds, req.DataTime, req.Count = []Kind{m.Kind}, m.At, 1
	if !d.Scope.Covers(m.Kind, m.At) {
		return Measurement{}, s.outOfScope(ctx, req, d)
	}
	if err := s.done(ctx, req, d); err != nil {
		return Measurement{}, err
	}
	if m.Deleted {
		return m, fmt.Errorf("measurement %s: %w", id, ErrGone)
	}
	return m, nil
}

// History lists every version of a measurement, newest first, including
// the deletion.
func (s *Service) History(ctx context.Context, who auth.Principal, personID, id string) ([]Measurement, error) {
	personID, err := s.ownerOf(ctx, personID, id)
	if err != nil {
		return nil, err
	}
	req := Request{Who: who, PersonID: personID, Action: ActionHistory, Class: ClassMeasurements, ID: id}
	d, err := s.decide(ctx, req)
	if err != nil {
		return nil, err
	}
	versions, err := s.Store.MeasurementHistory(ctx, personID, id)
	if err != nil {
		return nil, err
	}
	if len(versions) == 0 {
		return nil, fmt.Errorf("measurement %s: %w", id, ErrNotFound)
	}
	req.Kinds, req.DataTime = []Kind{versions[0].Kind}, versions[0].At
	// The reading as it is now must be covered, as for a read; then each
	// older version is held to the scope too: a correction may have moved
	// the reading's time into a consent's data window, and the versions
	// from before the move are not covered by it.
	if !d.Scope.Covers(versions[0].Kind, versions[0].At) {
		return nil, s.outOfScope(ctx, req, d)
	}
	visible := slices.DeleteFunc(versions, func(m Measurement) bool { return !d.Scope.Covers(m.Kind, m.At) })
	req.Count = len(visible)
	if err := s.done(ctx, req, d); err != nil {
		return nil, err
	}
	return visible, nil
}

// Search returns one page of a person's measurements that the caller may see.
func (s *Service) Search(ctx context.Context, who auth.Principal, q Query) (Page, error) {
	req := Request{Who: who, PersonID: q.PersonID, Action: ActionSearch, Class: ClassMeasurements, Kinds: q.Kinds}
	d, err := s.decide(ctx, req)
	if err != nil {
		return Page{}, err
	}
	p, err := s.search(ctx, q, d.Scope, true)
	if err != nil {
		return Page{}, err
	}
	req.Count = len(p.Measurements)
	if err := s.done(ctx, req, d); err != nil {
		return Page{}, err
	}
	return p, nil
}

// search loads one page within scope, and the total when withTotal.
func (s *Service) search(ctx context.Context, q Query, scope Scope, withTotal bool) (Page, error) {
	q.Scope = scope
	if q.Limit <= 0 || q.Limit > MaxPageSize {
		q.Limit = MaxPageSize
	}
	want := q.Limit
	q.Limit++ // one more tells whether a next page exists
	ms, err := s.Store.SearchMeasurements(ctx, q)
	if err != nil {
		return Page{}, err
	}
	p := Page{Measurements: ms}
	if withTotal {
		if p.Total, err = s.Store.CountMeasurements(ctx, q); err != nil {
			return Page{}, err
		}
	}
	if len(ms) > want {
		p.Measurements = ms[:want]
		last := ms[want-1]
		p.Next = &Cursor{At: last.At, ID: last.ID}
	}
	return p, nil
}

// Latest returns each kind's newest measurement that the caller may see:
// the overview page, in one decision and one store query.
func (s *Service) Latest(ctx context.Context, who auth.Principal, personID string) ([]Measurement, error) {
	req := Request{Who: who, PersonID: personID, Action: ActionSearch, Class: ClassMeasurements}
	d, err := s.decide(ctx, req)
	if err != nil {
		return nil, err
	}
	ms, err := s.Store.LatestMeasurements(ctx, personID, d.Scope)
	if err != nil {
		return nil, err
	}
	req.Count = len(ms)
	if err := s.done(ctx, req, d); err != nil {
		return nil, err
	}
	return ms, nil
}

// BrowseQuery asks for one kind's page: the newest Chart measurements of a
// period for the chart, and a table page of TableRows, after TableAfter
// when the reader has paged on.
type BrowseQuery struct {
	Query      Query // the period and kind; Limit and After are set by Browse
	Chart      int   // at most this many for the chart, newest first
	TableRows  int
	TableAfter *Cursor
}

// Browsed is what one kind's page shows.
type Browsed struct {
	Chart     []Measurement // newest first, at most Chart of them
	Total     int           // all in the period
	Table     []Measurement
	TableNext *Cursor // nil on the table's last page
}

// Browse loads a kind's chart and table in one decision.
func (s *Service) Browse(ctx context.Context, who auth.Principal, bq BrowseQuery) (Browsed, error) {
	q := bq.Query
	q.Desc = true
	req := Request{Who: who, PersonID: q.PersonID, Action: ActionSearch, Class: ClassMeasurements, Kinds: q.Kinds}
	d, err := s.decide(ctx, req)
	if err != nil {
		return Browsed{}, err
	}
	var b Browsed
	if b.Chart, b.Total, err = s.chartSeries(ctx, q, d.Scope, bq.Chart); err != nil {
		return Browsed{}, err
	}
	if b.Table, b.TableNext, err = s.tableRows(ctx, q, d.Scope, b.Chart, bq); err != nil {
		return Browsed{}, err
	}
	req.Count = distinct(b.Chart, b.Table)
	if err := s.done(ctx, req, d); err != nil {
		return Browsed{}, err
	}
	return b, nil
}

// chartSeries loads the period's newest max measurements page by page,
// and counts the period once.
func (s *Service) chartSeries(ctx context.Context, q Query, scope Scope, max int) ([]Measurement, int, error) {
	var ms []Measurement
	first := q
	q.Limit = min(max, MaxPageSize)
	for {
		p, err := s.search(ctx, q, scope, false)
		if err != nil {
			return nil, 0, err
		}
		ms = append(ms, p.Measurements...)
		if p.Next == nil || len(ms) >= max {
			break
		}
		q.After = p.Next
		q.Limit = min(max-len(ms), MaxPageSize)
	}
	first.Scope = scope
	total, err := s.Store.CountMeasurements(ctx, first)
	return ms, total, err
}

// distinct counts the measurements of the lists, each once: the table's
// rows are often the chart's.
func distinct(lists ...[]Measurement) int {
	seen := map[string]bool{}
	for _, l := range lists {
		for _, m := range l {
			seen[m.ID] = true
		}
	}
	return len(seen)
}

// tableRows are the newest rows from what the chart loaded, or on a later
// page the rows after the cursor.
func (s *Service) tableRows(ctx context.Context, q Query, scope Scope, chart []Measurement, bq BrowseQuery) ([]Measurement, *Cursor, error) {
	if bq.TableAfter != nil {
		q.Limit, q.After = bq.TableRows, bq.TableAfter
		p, err := s.search(ctx, q, scope, false)
		return p.Measurements, p.Next, err
	}
	if len(chart) <= bq.TableRows {
		return chart, nil, nil
	}
	rows := chart[:bq.TableRows]
	last := rows[len(rows)-1]
	return rows, &Cursor{At: last.At, ID: last.ID}, nil
}

// Patient returns the person whose record it is, as the Patient resource
// shows them, when the caller may see them.
func (s *Service) Patient(ctx context.Context, who auth.Principal, personID string) (auth.Person, error) {
	req := Request{Who: who, PersonID: personID, Action: ActionRead, Class: ClassPatient, Count: 1}
	d, err := s.decide(ctx, req)
	if err != nil {
		return auth.Person{}, err
	}
	p, err := s.People.Person(ctx, personID)
	if errors.Is(err, auth.ErrNotFound) {
		return auth.Person{}, fmt.Errorf("patient: %w", ErrNotFound)
	}
	if err != nil {
		return auth.Person{}, err
	}
	if err := s.done(ctx, req, d); err != nil {
		return auth.Person{}, err
	}
	return p, nil
}

// PatientSearch narrows a Patient search; a zero Hetu lists whoever the
// caller may see.
type PatientSearch struct {
	Hetu auth.Hetu
}

// SearchPatients lists the people the caller may see as patients. A
// citizen sees themself; others see those the gate permits. A caller who
// may not search for patients at all is refused (ErrDenied) before anyone
// is looked up; a person found whom the caller may not see is left out,
// never named.
func (s *Service) SearchPatients(ctx context.Context, who auth.Principal, ps PatientSearch) ([]auth.Person, error) {
	// First: may the caller search for patients at all? Nothing is looked
	// up, not even a hetu, for a caller who may see no one.
	if _, err := s.decide(ctx, Request{Who: who, Action: ActionSearch, Class: ClassPatient}); err != nil {
		return nil, err
	}
	candidates, err := s.patientCandidates(ctx, who, ps)
	if err != nil || len(candidates) == 0 {
		return nil, err
	}
	var out []auth.Person
	for _, p := range candidates {
		req := Request{Who: who, PersonID: p.ID, Action: ActionSearch, Class: ClassPatient}
		d, err := s.decide(ctx, req)
		if errors.Is(err, ErrDenied) {
			continue
		}
		if err != nil {
			return nil, err
		}
		req.Count = 1
		if err := s.done(ctx, req, d); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// patientCandidates are the people a Patient search could name: the one
// with the hetu, or the caller themself. Professionals' lists of patients
// come with consents.
func (s *Service) patientCandidates(ctx context.Context, who auth.Principal, ps PatientSearch) ([]auth.Person, error) {
	var p auth.Person
	var err error
	switch {
	case !ps.Hetu.IsZero():
		p, err = s.People.FindByHetu(ctx, ps.Hetu)
	case who.Kind == auth.KindCitizen && who.PersonID != "":
		p, err = s.People.Person(ctx, who.PersonID)
	default:
		return nil, nil
	}
	if errors.Is(err, auth.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return []auth.Person{p}, nil
}

// Visible is the part of a person's record the caller may see, at once:
// the Patient and a page of their measurements ($everything).
type Visible struct {
	Patient auth.Person
	Page    Page
}

// Everything loads what the caller may see of a person's record, in one
// decision: the person and one page of the measurements in scope.
func (s *Service) Everything(ctx context.Context, who auth.Principal, q Query) (Visible, error) {
	req := Request{Who: who, PersonID: q.PersonID, Action: ActionSearch, Class: ClassEverything}
	d, err := s.decide(ctx, req)
	if err != nil {
		return Visible{}, err
	}
	p, err := s.People.Person(ctx, q.PersonID)
	if errors.Is(err, auth.ErrNotFound) {
		return Visible{}, fmt.Errorf("patient: %w", ErrNotFound)
	}
	if err != nil {
		return Visible{}, err
	}
	page, err := s.search(ctx, q, d.Scope, true)
	if err != nil {
		return Visible{}, err
	}
	req.Count = len(page.Measurements)
	if q.After == nil {
		req.Count++ // the Patient goes with the first page only
	}
	if err := s.done(ctx, req, d); err != nil {
		return Visible{}, err
	}
	return Visible{Patient: p, Page: page}, nil
}

// Overview is what a professional's page of one patient shows at once:
// the person, the newest measurement of each kind in scope, and the
// consents the permission rests on (their ids; the consent service tells
// their details, see consent.Service.GrantsUsed).
type Overview struct {
	Patient auth.Person
	Latest  []Measurement
	Grants  []string
}

// Overview loads a person's page in one decision and one access-log
// entry (DESIGN §3): any consent in force naming the caller permits it,
// and it shows the newest measurement of each kind the consents cover
// together. A revocation between the parts cannot leave half a page: the
// gate is asked once.
func (s *Service) Overview(ctx context.Context, who auth.Principal, personID string) (Overview, error) {
	req := Request{Who: who, PersonID: personID, Action: ActionSearch, Class: ClassEverything}
	d, err := s.decide(ctx, req)
	if err != nil {
		return Overview{}, err
	}
	p, err := s.People.Person(ctx, personID)
	if errors.Is(err, auth.ErrNotFound) {
		return Overview{}, fmt.Errorf("patient: %w", ErrNotFound)
	}
	if err != nil {
		return Overview{}, err
	}
	latest, err := s.Store.LatestMeasurements(ctx, personID, d.Scope)
	if err != nil {
		return Overview{}, err
	}
	req.Count = len(latest) + 1 // the measurements and the person
	for _, m := range latest {
		req.Kinds = append(req.Kinds, m.Kind) // one a kind: the log says what was seen
	}
	if err := s.done(ctx, req, d); err != nil {
		return Overview{}, err
	}
	return Overview{Patient: p, Latest: latest, Grants: d.Grants}, nil
}
