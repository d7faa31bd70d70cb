package consent

import (
	"slices"
	"time"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/record"
)

// Decide answers whether req may go ahead given the patient's grants, at
// now. It is pure: the caller loads the grants and logs the answer.
//
// Only a professional of the patient's home region can be permitted, and
// only through a grant for that patient and region, naming them or their
// current unit, in force at now, whose scope covers the class (and the
// kinds, file and data time when the request names them). Grants add up:
// every grant that covers the request is listed and gives its allowance.
//
// A permit's Scope is never All. For measurements each grant gives one
// allowance of its kinds (narrowed to req.Kinds when given) in its data
// window. For files each gives one allowance whose Kinds hold the file ids
// (nil: every file) in its data window, so Scope.Covers(record.Kind(id), t)
// is the exact per-file check, while Files is the union used to narrow a
// listing. The patient and consents classes are not narrowed by kind or
// time: their Scope is empty. A grant permits reading only: a write is
// outside every grant's scope.
//
// A denial's Reason is the most specific one: a non-professional, then an
// actor of another region, then (when the grants are looked at) a grant
// naming the actor whose scope would have covered the request but which is
// not in force (why not), then grants in force that cover other data
// (outside scope), then grants naming the actor none of which is in force
// (why the gravest is not), else no grant. Among grants not in force,
// revoked > ended > not started > expired. The order of the grants never
// changes the reason.
func Decide(grants []Grant, req Request, now time.Time) Decision {
	if r := gateReason(req); r != ReasonNone {
		return Decision{Reason: r}
	}
	var t tally
	for i := range grants {
		t.add(&grants[i], i, req, now)
	}
	if t.contributing == 0 {
		return Decision{Reason: t.denialReason()}
	}
	return permit(grants[t.first:], t.contributing, req, now)
}

// gateReason refuses, before any grant is looked at, whoever no grant can
// let in.
func gateReason(req Request) Reason {
	a := req.Actor
	switch {
	case a.Kind != auth.KindProfessional || a.ID == "":
		return ReasonNotProfession
	case a.RegionID == "" || a.RegionID != req.PatientRegion:
		return ReasonOtherRegion
	case req.PatientID == "":
		return ReasonNoGrant // a request about no one: no grant can be for it
	}
	return ReasonNone
}

// tally is what one pass over the grants learns.
type tally struct {
	contributing int    // grants that permit the request
	first        int    // index of the first of them
	named        bool   // some grant for the patient names the actor
	inForce      bool   // ... and some of those is in force
	idle         Reason // why the most relevant named grant not in force is not
	idleCovering Reason // ... among those whose scope would have covered req
}

func (t *tally) add(g *Grant, i int, req Request, now time.Time) {
	if !appliesTo(g, req) {
		return
	}
	t.named = true
	if !inForce(g, now) {
		r := idleReason(g, now)
		t.idle = graver(t.idle, r)
		// The scope matters only if it could change the reason.
		if gravity(r) > gravity(t.idleCovering) && covers(g, req) {
			t.idleCovering = r
		}
		return
	}
	t.inForce = true
	if covers(g, req) {
		if t.contributing == 0 {
			t.first = i
		}
		t.contributing++
	}
}

// denialReason picks the most specific reason:
//  1. a grant naming the actor whose scope would have covered the request
//     but which is not in force: why it is not ("the grant that would have
//     covered it is revoked");
//  2. grants in force naming the actor that cover other classes, kinds,
//     files or times: outside scope;
//  3. grants naming the actor, none in force: why the gravest is not;
//  4. no grant naming the actor: no grant.
//
// Among grants not in force, revoked > ended > not started > expired: a
// citizen's act first, then the platform's, then the period. The order of
// the grants never changes the reason.
func (t *tally) denialReason() Reason {
	switch {
	case t.idleCovering != ReasonNone:
		return t.idleCovering
	case t.inForce:
		return ReasonOutsideScope
	case t.idle != ReasonNone:
		return t.idle
	}
	return ReasonNoGrant
}

// appliesTo reports whether g is for req's patient in their home region
// and names the actor, by id or by current unit.
func appliesTo(g *Grant, req Request) bool {
	if g.PersonID != req.PatientID || g.Region != req.PatientRegion || g.Grantee.ID == "" {
		return false
	}
	switch g.Grantee.Kind {
	case GranteeProfessional:
		return g.Grantee.ID == req.Actor.ID
	case GranteeUnit:
		return g.Grantee.ID == req.Actor.UnitID
	}
	return false
}

// inForce is Grant.InForce without copying the grant.
func inForce(g *Grant, now time.Time) bool {
	return g.Status == StatusActive && !now.Before(g.Start) && (g.End.IsZero() || now.Before(g.End))
}

// idleReason says why g, not in force at now, is not. A status other than
// active or revoked (ended, or one this code does not know) counts as
// ended: the grant is no longer active.
func idleReason(g *Grant, now time.Time) Reason {
	switch {
	case g.Status == StatusRevoked:
		return ReasonRevoked
	case g.Status != StatusActive:
		return ReasonEnded
	case now.Before(g.Start):
		return ReasonNotStarted
	}
	return ReasonExpired
}

// graver returns the graver of two reasons of grants not in force.
func graver(a, b Reason) Reason {
	if gravity(b) > gravity(a) {
		return b
	}
	return a
}

func gravity(r Reason) int {
	switch r {
	case ReasonRevoked:
		return 4
	case ReasonEnded:
		return 3
	case ReasonNotStarted:
		return 2
	case ReasonExpired:
		return 1
	}
	return 0
}

// covers reports whether g's scope covers req, whatever its status and
// period.
func covers(g *Grant, req Request) bool {
	if req.Action == record.ActionWrite {
		return false // a grant lets the grantee read, never write
	}
	switch req.Class {
	case record.ClassPatient, record.ClassConsents, record.ClassEverything:
		return true // having the person as a patient; reading the grants naming them; what they all cover
	case record.ClassAccessLog, "":
		return false // the access log is the person's alone
	}
	if !req.DataTime.IsZero() && !g.Scope.Window.Contains(req.DataTime) {
		return false
	}
	for i := range g.Scope.Classes {
		if classCovers(&g.Scope.Classes[i], req) {
			return true
		}
	}
	return false
}

// classCovers reports whether one class of a scope covers req's class and
// the kinds or file it names. Items of a class this code does not know
// cannot be checked, so such a class covers only when it lists no items.
func classCovers(cs *ClassScope, req Request) bool {
	if cs.Class != req.Class {
		return false
	}
	if len(cs.Items) == 0 {
		return true
	}
	switch cs.Class {
	case record.ClassMeasurements:
		return len(req.Kinds) == 0 || anyKindListed(cs.Items, req.Kinds)
	case record.ClassFiles:
		return req.FileID == "" || slices.Contains(cs.Items, req.FileID)
	}
	return false
}

func anyKindListed(items []string, kinds []record.Kind) bool {
	for _, k := range kinds {
		if slices.Contains(items, string(k)) {
			return true
		}
	}
	return false
}

// permit builds the permit from grants, whose first element contributes
// and n of which contribute in all.
func permit(grants []Grant, n int, req Request, now time.Time) Decision {
	d := Decision{Permit: true, Grants: make([]string, 0, n)}
	narrowed := req.Class != record.ClassPatient && req.Class != record.ClassConsents
	if narrowed {
		d.Scope.Allowances = make([]record.Allowance, 0, n)
	}
	for i := range grants {
		g := &grants[i]
		if !appliesTo(g, req) || !inForce(g, now) || !covers(g, req) {
			continue
		}
		d.Grants = append(d.Grants, g.ID)
		if !narrowed {
			continue
		}
		for j := range g.Scope.Classes {
			cs := &g.Scope.Classes[j]
			if req.Class == record.ClassEverything {
				d = everything(d, cs, g.Scope.Window)
				continue
			}
			if !classCovers(cs, req) {
				continue
			}
			d.Scope.Allowances = addAllowance(d.Scope.Allowances, record.Allowance{Kinds: allowedItems(cs, req), Window: g.Scope.Window})
			if req.Class == record.ClassFiles {
				d.Files = addFiles(d.Files, cs.Items)
			}
		}
	}
	return d
}

// everything adds what one class of a grant covers to the decision of a
// request for the whole visible record: measurements to the scope, files
// to the file view.
func everything(d Decision, cs *ClassScope, w record.Window) Decision {
	switch cs.Class {
	case record.ClassMeasurements:
		d.Scope.Allowances = addAllowance(d.Scope.Allowances, record.Allowance{Kinds: allowedItems(cs, Request{}), Window: w})
	case record.ClassFiles:
		d.Files = addFiles(d.Files, cs.Items)
	}
	return d
}

// allowedItems is what one covering class of a grant lets req see: for
// measurements the kinds both granted and requested (nil: every kind), for
// files the file ids (nil: every file).
func allowedItems(cs *ClassScope, req Request) []record.Kind {
	if cs.Class == record.ClassMeasurements && len(req.Kinds) > 0 {
		both := make([]record.Kind, 0, len(req.Kinds))
		for _, k := range req.Kinds {
			if (len(cs.Items) == 0 || slices.Contains(cs.Items, string(k))) && !slices.Contains(both, k) {
				both = append(both, k)
			}
		}
		return both
	}
	if len(cs.Items) == 0 {
		return nil
	}
	items := make([]record.Kind, len(cs.Items))
	for i, it := range cs.Items {
		items[i] = record.Kind(it)
	}
	return items
}

// addAllowance adds a to the list unless the same allowance is there.
func addAllowance(list []record.Allowance, a record.Allowance) []record.Allowance {
	for _, b := range list {
		if a.Window.From.Equal(b.Window.From) && a.Window.To.Equal(b.Window.To) && slices.Equal(a.Kinds, b.Kinds) {
			return list
		}
	}
	return append(list, a)
}

// addFiles adds a grant's files (none listed: every file) to the view.
func addFiles(v FileView, ids []string) FileView {
	if v.All {
		return v
	}
	if len(ids) == 0 {
		return FileView{All: true}
	}
	for _, id := range ids {
		if !slices.Contains(v.IDs, id) {
			v.IDs = append(v.IDs, id)
		}
	}
	return v
}
