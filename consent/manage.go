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

// Give is what a citizen chooses when they give consent.
type Give struct {
	Grantee Grantee
	Scope   Scope
	Start   time.Time // zero: now
	End     time.Time // zero: DefaultEnd(Start), unless UntilRevoked
	// UntilRevoked leaves the grant without an end.
	UntilRevoked bool
}

// GiveConsent stores a grant from the citizen who to a professional or a
// care unit of their home region. Only the citizen gives their own
// consent; a grantee outside their region, an operator, an empty scope
// or a period that ends before it starts is refused (ErrInvalid) and
// nothing is stored.
func (s *Service) GiveConsent(ctx context.Context, who auth.Principal, personID string, in Give) (Grant, error) {
	return s.give(ctx, who, personID, in, "")
}

func (s *Service) give(ctx context.Context, who auth.Principal, personID string, in Give, ask string) (Grant, error) {
	person, err := s.owner(ctx, who, personID, record.ActionWrite)
	if err != nil {
		return Grant{}, err
	}
	if err := refuseWhileMoving(person); err != nil {
		return Grant{}, err
	}
	now := s.now()
	g := Grant{
		ID: auth.NewID(), PersonID: person.ID, Region: person.HomeRegion, Grantee: in.Grantee,
		Scope: in.Scope, Start: in.Start, End: in.End, Purpose: PurposeTreatment,
		GivenBy: record.ActorOf(who), CreatedAt: now, Status: StatusActive, Version: 1,
	}
	if g.Start.IsZero() {
		g.Start = now
	}
	if g.End.IsZero() && !in.UntilRevoked {
		g.End = DefaultEnd(g.Start)
	}
	g.Start, g.End = g.Start.UTC().Truncate(time.Microsecond), g.End.UTC().Truncate(time.Microsecond)
	if err := ValidateGrant(g, now); err != nil {
		return Grant{}, err
	}
	if err := s.checkGrantee(ctx, g); err != nil {
		return Grant{}, err
	}
	if err := s.Store.CreateGrant(ctx, g, ask); err != nil {
		return Grant{}, err
	}
	return g, nil
}

// checkGrantee: the grantee exists in the directory, is of the citizen's
// home region, and is not an operator (operators never see records).
func (s *Service) checkGrantee(ctx context.Context, g Grant) error {
	switch g.Grantee.Kind {
	case GranteeProfessional:
		pro, err := s.Directory.Professional(ctx, g.Grantee.ID)
		if errors.Is(err, auth.ErrNotFound) {
			return &RuleError{Field: "grantee", Msg: "no such professional in the directory"}
		}
		if err != nil {
			return err
		}
		if pro.Role != auth.RoleProfessional {
			return &RuleError{Field: "grantee", Msg: "an operator cannot be given consent: operators never see records"}
		}
		if pro.RegionID != g.Region {
			return &RuleError{Field: "grantee", Msg: "the professional is not of your home region"}
		}
	case GranteeUnit:
		unit, err := s.Directory.CareUnit(ctx, g.Grantee.ID)
		if errors.Is(err, auth.ErrNotFound) {
			return &RuleError{Field: "grantee", Msg: "no such care unit in the directory"}
		}
		if err != nil {
			return err
		}
		if unit.RegionID != g.Region {
			return &RuleError{Field: "grantee", Msg: "the care unit is not of your home region"}
		}
	default:
		return &RuleError{Field: "grantee", Msg: "choose a professional or a care unit"}
	}
	return nil
}

// owner checks that who is the citizen personID and loads them. Anyone
// else touching a person's consents is refused, and the attempt is logged
// in that person's register.
func (s *Service) owner(ctx context.Context, who auth.Principal, personID string, action record.Action) (auth.SealedPerson, error) {
	if personID == "" {
		personID = who.PersonID
	}
	if !record.IsOwner(who, personID) {
		return auth.SealedPerson{}, s.refuse(ctx, who, personID, action, "")
	}
	p, err := s.People.PersonByID(ctx, personID)
	if err != nil {
		return auth.SealedPerson{}, fmt.Errorf("load person: %w", err)
	}
	return p, nil
}

// refuse logs a denied attempt on a person's consents and returns
// ErrDenied; an unknown person is refused alike, unlogged.
func (s *Service) refuse(ctx context.Context, who auth.Principal, personID string, action record.Action, id string) error {
	denied := fmt.Errorf("%w: only the citizen themself manages their consents", ErrDenied)
	if personID == "" {
		return denied
	}
	p, err := s.People.PersonByID(ctx, personID)
	if errors.Is(err, auth.ErrNotFound) {
		return denied
	}
	if err != nil {
		return fmt.Errorf("load person: %w", err)
	}
	_, la, err := s.actor(ctx, who)
	if err != nil {
		return denied
	}
	req := record.Request{Who: who, PersonID: p.ID, Action: action, Class: record.ClassConsents, ID: id}
	if err := s.append(ctx, trail{actor: la, register: p.HomeRegion}, req, audit.Deny, string(ReasonNotProfession), nil); err != nil {
		return err
	}
	return denied
}

// Revoke ends a grant at once; it holds from the very next request. Only
// the citizen whose grant it is may revoke it; anyone else is refused
// (ErrDenied) and the attempt logged. A citizen may revoke while their
// data is being moved, as at any time: it only takes access away, and the
// move's copy of the grant (an ended record) takes the revocation with it.
// Revoking a grant that is no longer active changes nothing and returns it
// as it is.
func (s *Service) Revoke(ctx context.Context, who auth.Principal, id string) (Grant, error) {
	g, err := s.Store.Grant(ctx, id)
	if err != nil {
		return Grant{}, err
	}
	if !record.IsOwner(who, g.PersonID) {
		return Grant{}, s.refuse(ctx, who, g.PersonID, record.ActionWrite, g.ID)
	}
	if g.Status != StatusActive {
		return g, nil
	}
	g.Status, g.RevokedAt, g.RevokedBy = StatusRevoked, s.now(), record.ActorOf(who)
	g.Version++
	if err := s.Store.UpdateGrant(ctx, g); err != nil {
		return Grant{}, err
	}
	return g, nil
}

// Consents lists a person's grants, newest first: the citizen sees all of
// theirs; a professional sees those that name them or their current unit,
// under a consent in force, and the look is logged.
func (s *Service) Consents(ctx context.Context, who auth.Principal, personID string) ([]Grant, error) {
	if record.IsOwner(who, personID) {
		return s.Store.Grants(ctx, personID)
	}
	req := record.Request{Who: who, PersonID: personID, Action: record.ActionSearch, Class: record.ClassConsents}
	d, err := s.Decide(ctx, req)
	if err != nil {
		return nil, err
	}
	all, err := s.Store.Grants(ctx, personID)
	if err != nil {
		return nil, err
	}
	out := namingActor(all, d)
	req.Count = len(out)
	if err := s.Done(ctx, req, d); err != nil {
		return nil, err
	}
	return out, nil
}

// Consent reads one grant, for the citizen whose it is or a professional
// it names (logged).
func (s *Service) Consent(ctx context.Context, who auth.Principal, id string) (Grant, error) {
	g, err := s.Store.Grant(ctx, id)
	if err != nil {
		return Grant{}, err
	}
	if record.IsOwner(who, g.PersonID) {
		return g, nil
	}
	req := record.Request{Who: who, PersonID: g.PersonID, Action: record.ActionRead, Class: record.ClassConsents, ID: id}
	d, err := s.Decide(ctx, req)
	if err != nil {
		return Grant{}, err
	}
	if len(namingActor([]Grant{g}, d)) == 0 {
		req.OutOfScope = true
		if err := s.Done(ctx, req, d); err != nil {
			return Grant{}, err
		}
		return Grant{}, fmt.Errorf("consent %s: %w", id, ErrNotFound)
	}
	req.Count = 1
	if err := s.Done(ctx, req, d); err != nil {
		return Grant{}, err
	}
	return g, nil
}

// namingActor keeps the grants a professional's permit rests on: those
// that name them or their current unit and are in force.
func namingActor(gs []Grant, d record.Decision) []Grant {
	var out []Grant
	for _, g := range gs {
		for _, id := range d.Grants {
			if g.ID == id {
				out = append(out, g)
				break
			}
		}
	}
	return out
}
