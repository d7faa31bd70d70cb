package record

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/omahoito/omahoito/auth"
)

// Action is what a principal wants to do with a record.
type Action string

// Actions on a record. Reads are told apart because the access log names
// them (DESIGN §10): a single read, a search, a version history.
const (
	ActionRead    Action = "read"
	ActionSearch  Action = "search"
	ActionHistory Action = "history"
	ActionWrite   Action = "write"
)

// Class is a class of data in a record; a consent grants classes.
type Class string

// Classes of a record. ClassPatient is the person's demographics (the
// FHIR Patient): seeing them is what "having the person as a patient" is.
const (
	ClassPatient      Class = "patient"
	ClassMeasurements Class = "measurements"
	ClassFiles        Class = "files"      // the person's own files (a consent can name them)
	ClassConsents     Class = "consents"   // the person's grants: a professional sees those naming them
	ClassAccessLog    Class = "access-log" // who viewed the person's data: the person alone
	// ClassEverything is the whole visible record at once ($everything):
	// any consent in force permits it, and its scope is the union of what
	// the consents cover.
	ClassEverything Class = "everything"
)

// Request is one question to the gate: who acts, on whose record, doing
// what, and what is touched. It is asked once per HTTP request.
type Request struct {
	Who      auth.Principal
	PersonID string // empty only for a search across people (Patient search), asked before any lookup
	Action   Action
	Class    Class
	Kinds    []Kind    // the kinds touched; empty: whichever the scope allows
	ID       string    // the one item touched, when there is one
	DataTime time.Time // the time of the data touched (a measurement's time); zero: unknown
	Count    int       // how many items a search returned, for the access log
	// OutOfScope is set on Done when the decision permitted the class but
	// the item loaded lies outside its scope: nothing leaves, and the
	// access log keeps it as a denied attempt.
	OutOfScope bool
}

// Window is a span of data time, [From, To); a zero end is open.
type Window struct {
	From, To time.Time
}

// Contains reports whether t falls in the window.
func (w Window) Contains(t time.Time) bool {
	return (w.From.IsZero() || !t.Before(w.From)) && (w.To.IsZero() || t.Before(w.To))
}

// Allowance is one part of what a caller may see: the kinds (empty: every
// kind) in a data window. A Scope of several adds them up.
type Allowance struct {
	Kinds  []Kind
	Window Window
}

// Covers reports whether the allowance lets the caller see data of kind k
// at time t.
func (a Allowance) Covers(k Kind, t time.Time) bool {
	return (len(a.Kinds) == 0 || slices.Contains(a.Kinds, k)) && a.Window.Contains(t)
}

// Scope is what a permitted request may see. The owner's scope is
// everything (All); a consent's is the union of its Allowances, which
// narrows store queries so totals and paging count only what is visible.
type Scope struct {
	All        bool
	Allowances []Allowance
}

// Everything is the scope of a person's own record.
var Everything = Scope{All: true}

// Covers reports whether the scope lets the caller see data of kind k at
// time t.
func (s Scope) Covers(k Kind, t time.Time) bool {
	if s.All {
		return true
	}
	for _, a := range s.Allowances {
		if a.Covers(k, t) {
			return true
		}
	}
	return false
}

// Decision is the gate's answer to a permitted request.
type Decision struct {
	Scope  Scope
	Grants []string // the consents the permission rests on; empty for the owner
	// Trail is the gate's own note from Decide to Done (the actor as the
	// access log names them, the register), so that Done need not look
	// them up again. The record never reads it.
	Trail any
}

// Access is the one gate: every service method asks it once, before any
// store is read, and uses its Scope to narrow what it loads. Implementations
// return an error wrapping ErrDenied when the request is refused, and log
// the access (permitted or denied) where the access log requires it.
// Done is called after the data is loaded and before it leaves, with the
// request completed (e.g. Count); an error from it withholds the data.
type Access interface {
	Decide(ctx context.Context, req Request) (Decision, error)
	Done(ctx context.Context, req Request, d Decision) error
}

// OwnerOnly is the first Access: a citizen reaches their own record, no one
// else reaches any. The consent service replaces it.
type OwnerOnly struct{}

var _ Access = OwnerOnly{}

// Decide permits a citizen on their own record, and a citizen's or a
// professional's search for patients (each person found is then decided
// alone, so a citizen finds only themself and, without consents, a
// professional no one).
func (OwnerOnly) Decide(_ context.Context, req Request) (Decision, error) {
	if IsOwner(req.Who, req.PersonID) {
		return Decision{Scope: Everything}, nil
	}
	if req.PersonID == "" && req.Class == ClassPatient && req.Action == ActionSearch && mayLookForPatients(req.Who) {
		return Decision{}, nil // may search; each person found is decided on its own
	}
	return Decision{}, fmt.Errorf("%w: %s of another person's record", ErrDenied, req.Action)
}

// Done has nothing to log for the owner.
func (OwnerOnly) Done(context.Context, Request, Decision) error { return nil }

// mayLookForPatients: a citizen (who finds only themself) and a
// professional (who finds those a consent covers) may search for
// patients; an operator never sees records.
func mayLookForPatients(who auth.Principal) bool {
	return IsOwner(who, who.PersonID) || (who.Kind == auth.KindProfessional && who.ProfessionalID != "")
}

// IsOwner reports whether who is the citizen whose record it is.
func IsOwner(who auth.Principal, personID string) bool {
	return who.Kind == auth.KindCitizen && who.PersonID != "" && who.PersonID == personID
}
