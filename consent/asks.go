package consent

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
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
	// A person whose data is being moved is leaving the region: a request
	// is refused as one to another region's resident (the answer is the
	// same), so that nothing is written behind the move's copy.
	if p.HomeRegion != actor.RegionID || p.Moving() {
		req := record.Request{Who: who, PersonID: p.ID, Action: record.ActionWrite, Class: record.ClassConsents}
		return s.append(ctx, trail{actor: la, register: p.HomeRegion}, req, audit.Deny, string(ReasonOtherRegion), nil)
	}
	pending, err := s.pendingFrom(ctx, p.ID, actor.ID)
	if err != nil || pending {
		return err // one request waits at a time: asking again adds nothing to the citizen's list
	}
	err = s.Store.CreateAsk(ctx, Ask{
		ID: auth.NewID(), PersonID: p.ID, ProfessionalID: actor.ID, Scope: in.Scope, Months: in.Months,
		Reason: in.Reason, CreatedAt: s.now(), Status: AskPending,
	})
	if errors.Is(err, ErrConflict) {
		return nil // the same request sent twice at once: one waits
	}
	return err
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

// pendingFrom reports whether the professional already has a request
// waiting for the person's answer.
func (s *Service) pendingFrom(ctx context.Context, personID, professionalID string) (bool, error) {
	asks, err := s.Store.Asks(ctx, personID)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(asks, func(a Ask) bool { return a.ProfessionalID == professionalID && a.Status == AskPending }), nil
}

// AsksBy lists the requests the professional who has made that the
// person has answered, newest first. Requests still waiting are left out:
// a request to a code no one in the region has is not stored, so listing
// the waiting ones would tell who uses omahoito.
func (s *Service) AsksBy(ctx context.Context, who auth.Principal) ([]Ask, error) {
	if who.Kind != auth.KindProfessional || who.ProfessionalID == "" {
		return nil, fmt.Errorf("%w: only a professional has requests of their own", ErrDenied)
	}
	asks, err := s.Store.AsksBy(ctx, who.ProfessionalID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(asks, func(a Ask) bool { return a.Status == AskPending }), nil
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
	if err := s.notMoving(ctx, a.PersonID); err != nil {
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

// MaxPatients bounds a professional's list of patients: each person
// listed is decided and logged, so the list is bounded as a page is.
const MaxPatients = 200

// listWorkers is how many people of one listing are decided and logged at
// once: the access log's group commit writes their entries together.
const listWorkers = 8

// MyPatients lists the people whose consent in force covers the
// professional who, by name or through their current unit, ordered by
// family and given name: at most limit of them (0 or more than
// MaxPatients: MaxPatients), those whose consent is newest, and whether
// there are more (then the professional looks a person up by code). Each
// person listed is one logged search.
func (s *Service) MyPatients(ctx context.Context, who auth.Principal, limit int) ([]Patient, bool, error) {
	if who.Kind != auth.KindProfessional {
		return nil, false, fmt.Errorf("%w: only a professional has patients", ErrDenied)
	}
	if limit <= 0 || limit > MaxPatients {
		limit = MaxPatients
	}
	// Who acts is read once for the whole listing: every person in it is
	// decided for the same professional, unit and region.
	actor, la, err := s.actor(ctx, who)
	if err != nil {
		return nil, false, err
	}
	now := s.now()
	grants, err := s.Store.GrantsTo(ctx, actor.ID, actor.UnitID, now, limit+1)
	if err != nil {
		return nil, false, fmt.Errorf("load grants: %w", err)
	}
	people := groupByPerson(grants)
	more := len(people) > limit
	if more {
		people = people[:limit]
	}
	out, err := s.listPatients(ctx, lister{who: who, actor: actor, log: la, now: now}, people)
	if err != nil {
		return nil, false, err
	}
	slices.SortFunc(out, func(a, b Patient) int {
		return strings.Compare(a.FamilyName+"\x00"+a.GivenName+"\x00"+a.PersonID, b.FamilyName+"\x00"+b.GivenName+"\x00"+b.PersonID)
	})
	return out, more, nil
}

// lister is who lists their patients, loaded once for the listing.
type lister struct {
	who   auth.Principal
	actor Actor
	log   audit.Actor
	now   time.Time
}

// personGrants are one person's grants to the professional.
type personGrants struct {
	personID string
	grants   []Grant
}

// listPatients decides and logs the people concurrently, a few at a time;
// the first error stops the listing and nothing of it is returned.
func (s *Service) listPatients(ctx context.Context, l lister, people []personGrants) ([]Patient, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	listed := make([]Patient, len(people))
	kept := make([]bool, len(people))
	var (
		first error // the first failure: the others may only echo its cancel
		once  sync.Once
		wg    sync.WaitGroup
	)
	sem := make(chan struct{}, listWorkers)
spawn:
	for i, pg := range people {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			break spawn
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			var err error
			if listed[i], kept[i], err = s.listPatient(ctx, l, pg); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	if err := ctx.Err(); err != nil {
		return nil, err // the caller went away before every person was decided
	}
	var out []Patient
	for i := range people {
		if kept[i] {
			out = append(out, listed[i])
		}
	}
	return out, nil
}

// listPatient decides and logs the listing of one person as a patient,
// with the grants already loaded: they are the person's grants in force
// naming the professional, all a permit can rest on. A person whom the
// grants no longer let the professional see (e.g. who moved to another
// region) is left out, and the refusal is logged.
func (s *Service) listPatient(ctx context.Context, l lister, pg personGrants) (Patient, bool, error) {
	req := record.Request{Who: l.who, PersonID: pg.personID, Action: record.ActionSearch, Class: record.ClassPatient}
	p, err := s.People.PersonByID(ctx, pg.personID)
	if errors.Is(err, auth.ErrNotFound) {
		return Patient{}, false, nil
	}
	if err != nil {
		return Patient{}, false, fmt.Errorf("load person: %w", err)
	}
	t := trail{actor: l.log, register: p.HomeRegion}
	d, err := s.answer(ctx, t, req, Decide(pg.grants, request(l.actor, p, req), l.now))
	if errors.Is(err, record.ErrDenied) {
		return Patient{}, false, nil
	}
	if err != nil {
		return Patient{}, false, err
	}
	req.Count = 1
	if err := s.Done(ctx, req, d); err != nil {
		return Patient{}, false, err
	}
	return Patient{PersonID: p.ID, GivenName: p.GivenName, FamilyName: p.FamilyName, Grants: namingActor(pg.grants, d)}, true, nil
}

// groupByPerson groups grants by person, in the order each person is
// first seen.
func groupByPerson(gs []Grant) []personGrants {
	var out []personGrants
	at := map[string]int{}
	for _, g := range gs {
		i, ok := at[g.PersonID]
		if !ok {
			i = len(out)
			at[g.PersonID] = i
			out = append(out, personGrants{personID: g.PersonID})
		}
		out[i].grants = append(out[i].grants, g)
	}
	return out
}

// GrantsUsed returns the grants among ids that are in force for the
// person and name the professional who, by name or through their current
// unit, newest first: the details (grantee, scope, period) of the
// consents a decision of the same request rested on, such as
// record.Overview.Grants, for the page to say under which consents it
// shows the data. Any other id is left out, never named.
//
// It is not logged: it completes that request's one decision, whose
// access-log entry already names the person and these grants (DESIGN §3:
// a page that shows many things is one decision and one entry). Logging
// it again would count one view twice and, after a revocation between
// the two calls, log a refusal of a view that was permitted.
func (s *Service) GrantsUsed(ctx context.Context, who auth.Principal, personID string, ids []string) ([]Grant, error) {
	if len(ids) == 0 || record.IsOwner(who, personID) {
		return nil, nil // the owner's decision rests on no grant
	}
	actor, _, err := s.actor(ctx, who)
	if err != nil {
		return nil, err
	}
	if actor.Kind != auth.KindProfessional {
		return nil, fmt.Errorf("%w: only a professional is granted consent", ErrDenied)
	}
	gs, err := s.Store.GrantsInForce(ctx, personID, s.now())
	if err != nil {
		return nil, fmt.Errorf("load grants: %w", err)
	}
	return slices.DeleteFunc(gs, func(g Grant) bool {
		return !slices.Contains(ids, g.ID) || !names(&g, actor)
	}), nil
}

// names reports whether g is to actor, by id or by current unit, in the
// actor's region.
func names(g *Grant, actor Actor) bool {
	if g.Region != actor.RegionID || g.Grantee.ID == "" {
		return false
	}
	switch g.Grantee.Kind {
	case GranteeProfessional:
		return g.Grantee.ID == actor.ID
	case GranteeUnit:
		return g.Grantee.ID == actor.UnitID
	}
	return false
}
