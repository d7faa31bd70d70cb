package consent

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/record"
)

// MaxAskReason bounds the professional's reason for asking, in characters.
const MaxAskReason = 500

// MaxAskMonths bounds the period a professional may ask for.
const MaxAskMonths = 24

// AskFor is what a professional asks a citizen for.
type AskFor struct {
	Scope  Scope
	Months int // 1..MaxAskMonths; 0: until revoked
	Reason string
}

// AskConsent stores a professional's request to the person for consent.
// The answer does not tell whether the person exists or lives in the
// professional's region: a request to someone who cannot receive it is
// not stored, but it is logged (denied) in that person's register.
func (s *Service) AskConsent(ctx context.Context, who auth.Principal, personID string, in AskFor) error {
	if who.Kind != auth.KindProfessional {
		return fmt.Errorf("%w: only a professional asks for consent", ErrDenied)
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if err := validateAsk(in); err != nil {
		return err
	}
	actor, la, err := s.actor(ctx, who)
	if err != nil {
		return err
	}
	if actor.Kind != auth.KindProfessional {
		return fmt.Errorf("%w: only a professional asks for consent", ErrDenied)
	}
	p, err := s.People.PersonByID(ctx, personID)
	if errors.Is(err, auth.ErrNotFound) {
		return nil // the same answer as a request sent
	}
	if err != nil {
		return fmt.Errorf("load person: %w", err)
	}
	if p.HomeRegion != actor.RegionID {
		req := record.Request{Who: who, PersonID: p.ID, Action: record.ActionWrite, Class: record.ClassConsents}
		return s.append(ctx, trail{actor: la, register: p.HomeRegion}, req, audit.Deny, string(ReasonOtherRegion), nil)
	}
	return s.Store.CreateAsk(ctx, Ask{
		ID: auth.NewID(), PersonID: p.ID, ProfessionalID: actor.ID, Scope: in.Scope, Months: in.Months,
		Reason: in.Reason, CreatedAt: s.now(), Status: AskPending,
	})
}

// AskConsentByHetu is AskConsent for the person with the personal identity
// code h, as a professional knows them. Whether anyone has the code is not
// told: the answer is the same.
func (s *Service) AskConsentByHetu(ctx context.Context, who auth.Principal, h auth.Hetu, in AskFor) error {
	if who.Kind != auth.KindProfessional {
		return fmt.Errorf("%w: only a professional asks for consent", ErrDenied)
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if err := validateAsk(in); err != nil {
		return err
	}
	p, err := s.Finder.FindByHetu(ctx, h)
	if errors.Is(err, auth.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find person: %w", err)
	}
	return s.AskConsent(ctx, who, p.ID, in)
}

func validateAsk(in AskFor) error {
	switch {
	case in.Months < 0 || in.Months > MaxAskMonths:
		return &RuleError{Field: "months", Msg: fmt.Sprintf("choose a period of 1 to %d months, or until revoked", MaxAskMonths)}
	case in.Reason == "":
		return &RuleError{Field: "reason", Msg: "say briefly why you ask"}
	case utf8.RuneCountInString(in.Reason) > MaxAskReason:
		return &RuleError{Field: "reason", Msg: fmt.Sprintf("the reason is at most %d characters", MaxAskReason)}
	case strings.ContainsFunc(in.Reason, func(r rune) bool { return r < 0x20 && r != '\n' }):
		return &RuleError{Field: "reason", Msg: "the reason holds control characters"}
	}
	// The scope is checked as a grant's would be.
	probe := Grant{ID: "-", PersonID: "-", Region: "-", Grantee: Grantee{Kind: GranteeProfessional, ID: "-"},
		Scope: in.Scope, Start: time.Now(), Purpose: PurposeTreatment}
	return ValidateGrant(probe, probe.Start)
}

// Asks lists the requests for consent made to the citizen who, newest first.
func (s *Service) Asks(ctx context.Context, who auth.Principal) ([]Ask, error) {
	if who.Kind != auth.KindCitizen || who.PersonID == "" {
		return nil, fmt.Errorf("%w: only a citizen reads the requests made to them", ErrDenied)
	}
	return s.Store.Asks(ctx, who.PersonID)
}

// AsksBy lists the requests the professional who has made, newest first.
func (s *Service) AsksBy(ctx context.Context, who auth.Principal) ([]Ask, error) {
	if who.Kind != auth.KindProfessional || who.ProfessionalID == "" {
		return nil, fmt.Errorf("%w: only a professional has requests of their own", ErrDenied)
	}
	return s.Store.AsksBy(ctx, who.ProfessionalID)
}

// ApproveAsk turns a pending request made to the citizen who into a grant
// to the professional who asked, for what they asked; the request and the
// grant change in one transaction.
func (s *Service) ApproveAsk(ctx context.Context, who auth.Principal, id string) (Grant, error) {
	a, err := s.pendingAsk(ctx, who, id)
	if err != nil {
		return Grant{}, err
	}
	in := Give{Grantee: Grantee{Kind: GranteeProfessional, ID: a.ProfessionalID}, Scope: a.Scope, UntilRevoked: a.Months == 0}
	if a.Months > 0 {
		start := s.now()
		in.Start, in.End = start, start.AddDate(0, a.Months, 0)
	}
	return s.give(ctx, who, a.PersonID, in, a.ID)
}

// DeclineAsk declines a pending request made to the citizen who.
func (s *Service) DeclineAsk(ctx context.Context, who auth.Principal, id string) error {
	a, err := s.pendingAsk(ctx, who, id)
	if err != nil {
		return err
	}
	return s.Store.DeclineAsk(ctx, a.ID, s.now())
}

// pendingAsk loads a request of the citizen who that still waits for an
// answer; another person's request is not found.
func (s *Service) pendingAsk(ctx context.Context, who auth.Principal, id string) (Ask, error) {
	a, err := s.Store.Ask(ctx, id)
	if err != nil {
		return Ask{}, err
	}
	if !record.IsOwner(who, a.PersonID) {
		return Ask{}, fmt.Errorf("request %s: %w", id, ErrNotFound)
	}
	if a.Status != AskPending {
		return Ask{}, fmt.Errorf("%w: the request was already answered", ErrConflict)
	}
	return a, nil
}

// Patient is one of a professional's patients: a person whose grants in
// force cover them, and those grants.
type Patient struct {
	PersonID   string
	GivenName  string
	FamilyName string
	Grants     []Grant
}

// MyPatients lists the people whose consent in force covers the
// professional who, by name or through their current unit, ordered by
// family and given name. Each person listed is one logged search.
func (s *Service) MyPatients(ctx context.Context, who auth.Principal) ([]Patient, error) {
	if who.Kind != auth.KindProfessional {
		return nil, fmt.Errorf("%w: only a professional has patients", ErrDenied)
	}
	actor, _, err := s.actor(ctx, who)
	if err != nil {
		return nil, err
	}
	grants, err := s.Store.GrantsTo(ctx, actor.ID, actor.UnitID, s.now())
	if err != nil {
		return nil, fmt.Errorf("load grants: %w", err)
	}
	var out []Patient
	for _, personID := range groupByPerson(grants) {
		p, err := s.patient(ctx, who, personID)
		if errors.Is(err, record.ErrDenied) {
			continue // e.g. the person moved: the grants no longer hold
		}
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Patient) int {
		return strings.Compare(a.FamilyName+"\x00"+a.GivenName+"\x00"+a.PersonID, b.FamilyName+"\x00"+b.GivenName+"\x00"+b.PersonID)
	})
	return out, nil
}

// patient decides and logs the listing of one person as a patient.
func (s *Service) patient(ctx context.Context, who auth.Principal, personID string) (Patient, error) {
	req := record.Request{Who: who, PersonID: personID, Action: record.ActionSearch, Class: record.ClassPatient}
	d, err := s.Decide(ctx, req)
	if err != nil {
		return Patient{}, err
	}
	p, err := s.People.PersonByID(ctx, personID)
	if err != nil {
		return Patient{}, fmt.Errorf("load person: %w", err)
	}
	all, err := s.Store.GrantsInForce(ctx, personID, s.now())
	if err != nil {
		return Patient{}, err
	}
	req.Count = 1
	if err := s.Done(ctx, req, d); err != nil {
		return Patient{}, err
	}
	return Patient{PersonID: p.ID, GivenName: p.GivenName, FamilyName: p.FamilyName, Grants: namingActor(all, d)}, nil
}

// groupByPerson lists the distinct persons of grants in first-seen order.
func groupByPerson(gs []Grant) []string {
	var out []string
	seen := map[string]bool{}
	for _, g := range gs {
		if !seen[g.PersonID] {
			seen[g.PersonID] = true
			out = append(out, g.PersonID)
		}
	}
	return out
}
