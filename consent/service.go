package consent

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/record"
)

// Directory is what the Service reads of the region's directory: who a
// professional is now (their current unit and region) and the names the
// access log keeps.
type Directory interface {
	Professional(ctx context.Context, id string) (auth.Professional, error)
	CareUnit(ctx context.Context, id string) (auth.CareUnit, error)
}

// PersonIndex tells whose record it is and where it is kept, without
// opening the sealed hetu.
type PersonIndex interface {
	PersonByID(ctx context.Context, id string) (auth.SealedPerson, error)
}

// HetuFinder finds a registered person by personal identity code
// (auth.People).
type HetuFinder interface {
	FindByHetu(ctx context.Context, h auth.Hetu) (auth.Person, error)
}

// AccessLog is where every access by anyone but the owner is written
// before the data leaves (audit.Log).
type AccessLog interface {
	Append(ctx context.Context, e audit.Entry) error
}

// Service is the consent gate: it implements record.Access by loading the
// grants in force and asking Decide once per request, writes the access
// log, and manages grants and requests for consent.
type Service struct {
	Store     Store
	Directory Directory
	People    PersonIndex
	Finder    HetuFinder // a professional asking by personal identity code
	Log       AccessLog
	History   AccessHistory // the same log, read by the person
	Now       func() time.Time
	// RequestID names the HTTP request an access belongs to, for the log.
	RequestID func(context.Context) string
}

var _ record.Access = (*Service)(nil)

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

// trail is what Decide hands Done through record.Decision.Trail.
type trail struct {
	actor    audit.Actor
	register string
}

// Decide is the one gate's decision for a record request. The owner sees
// everything and is not logged, and writes unless their data is being
// moved (record.ErrMoving); anyone else is decided by the grants in
// force, and a denial is logged before it is returned.
func (s *Service) Decide(ctx context.Context, req record.Request) (record.Decision, error) {
	if record.IsOwner(req.Who, req.PersonID) {
		return s.ownerDecision(ctx, req)
	}
	if req.PersonID == "" {
		return s.decidePatientSearch(req)
	}
	actor, logActor, err := s.actor(ctx, req.Who)
	if err != nil {
		return record.Decision{}, err
	}
	patient, err := s.People.PersonByID(ctx, req.PersonID)
	if errors.Is(err, auth.ErrNotFound) {
		// No one's record: nothing to log, and the same answer as a
		// person without consent, so ids cannot be probed.
		return record.Decision{}, fmt.Errorf("%w: no consent in force", record.ErrDenied)
	}
	if err != nil {
		return record.Decision{}, fmt.Errorf("load patient: %w", err)
	}
	d, err := s.decide(ctx, actor, patient, req)
	if err != nil {
		return record.Decision{}, err
	}
	return s.answer(ctx, trail{actor: logActor, register: patient.HomeRegion}, req, d)
}

// answer is the gate's answer to Decide's: a denial is logged in the
// patient's register before it is returned; a permit carries the trail
// Done logs with.
func (s *Service) answer(ctx context.Context, t trail, req record.Request, d Decision) (record.Decision, error) {
	if !d.Permit {
		if err := s.append(ctx, t, req, audit.Deny, string(d.Reason), nil); err != nil {
			return record.Decision{}, err
		}
		return record.Decision{}, fmt.Errorf("%w: no consent in force covers this %s", record.ErrDenied, req.Action)
	}
	return record.Decision{Scope: d.Scope, Grants: d.Grants, Trail: t}, nil
}

// request is what Decide is asked for req, by actor, about patient.
func request(actor Actor, patient auth.SealedPerson, req record.Request) Request {
	creq := Request{
		Actor: actor, PatientID: patient.ID, PatientRegion: patient.HomeRegion,
		Action: req.Action, Class: req.Class, Kinds: req.Kinds, DataTime: req.DataTime,
	}
	if req.Class == record.ClassFiles {
		creq.FileID = req.ID
	}
	return creq
}

// decide loads the grants and asks Decide. Writes are never granted:
// what a citizen records stays theirs to change.
func (s *Service) decide(ctx context.Context, actor Actor, patient auth.SealedPerson, req record.Request) (Decision, error) {
	now := s.now()
	if req.Action == record.ActionWrite {
		return Decision{Reason: ReasonOutsideScope}, nil
	}
	creq := request(actor, patient, req)
	grants, err := s.Store.GrantsInForce(ctx, patient.ID, now)
	if err != nil {
		return Decision{}, fmt.Errorf("load grants: %w", err)
	}
	d := Decide(grants, creq, now)
	if d.Permit || d.Reason != ReasonNoGrant || actor.Kind != auth.KindProfessional {
		return d, nil
	}
	// Denied for want of a grant in force: the log says why more
	// precisely when an ended, revoked or expired grant names the actor.
	all, err := s.Store.Grants(ctx, patient.ID)
	if err != nil {
		return Decision{}, fmt.Errorf("load grants: %w", err)
	}
	return Decide(all, creq, now), nil
}

// decidePatientSearch answers "may the caller look for patients at all",
// asked before anyone is looked up: citizens (who find themself) and
// professionals (who find those a consent covers) may; operators never
// see records. Nothing is logged: no person is touched yet.
func (s *Service) decidePatientSearch(req record.Request) (record.Decision, error) {
	if req.Class == record.ClassPatient && req.Action == record.ActionSearch {
		switch {
		case req.Who.Kind == auth.KindCitizen && req.Who.PersonID != "":
			return record.Decision{}, nil
		case req.Who.Kind == auth.KindProfessional && req.Who.ProfessionalID != "":
			return record.Decision{}, nil
		}
	}
	return record.Decision{}, fmt.Errorf("%w: %s without a patient", record.ErrDenied, req.Action)
}

// actor is who acts as Decide sees them (a professional's current unit and
// region, read now, not at login) and as the access log names them.
func (s *Service) actor(ctx context.Context, who auth.Principal) (Actor, audit.Actor, error) {
	switch who.Kind {
	case auth.KindCitizen:
		a := Actor{Kind: auth.KindCitizen, ID: who.PersonID, RegionID: who.RegionID}
		return a, audit.Actor{Kind: string(auth.KindCitizen), ID: who.PersonID, Client: who.Client}, nil
	case auth.KindProfessional, auth.KindOperator:
	default:
		return Actor{}, audit.Actor{}, fmt.Errorf("%w: no one is logged in", record.ErrDenied)
	}
	pro, err := s.Directory.Professional(ctx, who.ProfessionalID)
	if errors.Is(err, auth.ErrNotFound) {
		// Removed from the directory while logged in: no longer anyone
		// who may see records.
		return Actor{}, audit.Actor{}, fmt.Errorf("%w: the professional is no longer in the directory", record.ErrDenied)
	}
	if err != nil {
		return Actor{}, audit.Actor{}, fmt.Errorf("load professional: %w", err)
	}
	kind := auth.KindProfessional
	if pro.Role != auth.RoleProfessional {
		kind = auth.KindOperator
	}
	a := Actor{Kind: kind, ID: pro.ID, UnitID: pro.CareUnitID, RegionID: pro.RegionID}
	la := audit.Actor{
		Kind: string(kind), ID: pro.ID, Name: joinName(pro.GivenName, pro.FamilyName),
		Title: pro.Title, UnitID: pro.CareUnitID, Client: who.Client,
	}
	if pro.CareUnitID != "" {
		unit, err := s.Directory.CareUnit(ctx, pro.CareUnitID)
		if err != nil && !errors.Is(err, auth.ErrNotFound) {
			return Actor{}, audit.Actor{}, fmt.Errorf("load care unit: %w", err)
		}
		la.UnitName = unit.Name
	}
	return a, la, nil
}

// Done writes the access-log entry of a permitted request, just before
// the data leaves; an error withholds the data. The owner is not logged.
func (s *Service) Done(ctx context.Context, req record.Request, d record.Decision) error {
	if record.IsOwner(req.Who, req.PersonID) {
		return nil
	}
	t, ok := d.Trail.(trail)
	if !ok {
		// A permit this gate did not give (a patient search's first
		// question): nothing to log, nothing of a person leaves.
		if req.PersonID == "" {
			return nil
		}
		return fmt.Errorf("%w: a decision without its trail", audit.ErrUnavailable)
	}
	if req.OutOfScope {
		return s.append(ctx, t, req, audit.Deny, string(ReasonOutsideScope), d.Grants)
	}
	return s.append(ctx, t, req, audit.Permit, "", d.Grants)
}

// append writes one entry; the log being down is an error that withholds
// the data (fail closed).
func (s *Service) append(ctx context.Context, t trail, req record.Request, outcome audit.Outcome, reason string, grants []string) error {
	e := audit.Entry{
		Register: t.register, Time: s.now(), Actor: t.actor,
		PatientID: req.PersonID, Action: string(req.Action), Class: string(req.Class),
		Count: req.Count, Grants: grants, Purpose: PurposeTreatment, Outcome: outcome, Reason: reason,
	}
	if s.RequestID != nil {
		e.RequestID = s.RequestID(ctx)
	}
	for _, k := range req.Kinds {
		e.Kinds = append(e.Kinds, string(k))
	}
	if req.ID != "" {
		e.IDs = []string{req.ID}
	}
	if err := s.Log.Append(ctx, e); err != nil {
		return fmt.Errorf("%w: %w", audit.ErrUnavailable, err)
	}
	return nil
}

func joinName(given, family string) string {
	switch {
	case given == "":
		return family
	case family == "":
		return given
	}
	return given + " " + family
}

// AccessHistory is where a person's access-log entries are read (audit.Log).
type AccessHistory interface {
	Search(ctx context.Context, q audit.Query) ([]audit.Entry, *audit.Cursor, error)
}

// AccessLog reads who has viewed or tried to view a person's data, newest
// first: the person alone reads it ("who has viewed my data", FHIR
// AuditEvent). Anyone else is refused before anything is read.
func (s *Service) AccessLog(ctx context.Context, who auth.Principal, q audit.Query) ([]audit.Entry, *audit.Cursor, error) {
	if !record.IsOwner(who, q.PatientID) {
		return nil, nil, s.refuseAccessLog(ctx, who, q.PatientID)
	}
	return s.History.Search(ctx, q)
}

// refuseAccessLog logs an attempt to read someone's access log in that
// person's register, and refuses it.
func (s *Service) refuseAccessLog(ctx context.Context, who auth.Principal, personID string) error {
	denied := fmt.Errorf("%w: only the person reads their access log", record.ErrDenied)
	p, err := s.People.PersonByID(ctx, personID)
	if errors.Is(err, auth.ErrNotFound) || personID == "" {
		return denied
	}
	if err != nil {
		return fmt.Errorf("load person: %w", err)
	}
	_, la, err := s.actor(ctx, who)
	if err != nil {
		return err
	}
	req := record.Request{Who: who, PersonID: p.ID, Action: record.ActionSearch, Class: record.ClassAccessLog}
	if err := s.append(ctx, trail{actor: la, register: p.HomeRegion}, req, audit.Deny, string(ReasonOutsideScope), nil); err != nil {
		return err
	}
	return denied
}
