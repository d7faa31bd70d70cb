package consent_test

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/record"
)

// gen draws grants and requests from small pools, so that ids, units,
// regions, kinds and files collide often and every rule is met and broken.
type gen struct{ r *rand.Rand }

func pick[T any](g gen, xs ...T) T { return xs[g.r.IntN(len(xs))] }

func (g gen) offset() time.Time { return now.Add(time.Duration(g.r.IntN(41)-20) * day) }

// start is mostly in the past, so that many grants are in force.
func (g gen) start() time.Time { return now.Add(time.Duration(g.r.IntN(26)-20) * day) }

func (g gen) maybeTime() time.Time {
	if g.r.IntN(3) == 0 {
		return time.Time{}
	}
	return g.offset()
}

func (g gen) items(pool ...string) []string {
	if g.r.IntN(3) == 0 {
		return nil
	}
	var out []string
	for _, p := range pool {
		if g.r.IntN(2) == 0 {
			out = append(out, p)
		}
	}
	return out
}

func (g gen) grant(id string) consent.Grant {
	gr := consent.Grant{
		ID: id, PersonID: pick(g, "anna", "anna", "anna", "bertta"), Region: pick(g, "kainuu", "kainuu", "kainuu", "oulu"),
		Grantee: pick(g, consent.Grantee{Kind: consent.GranteeProfessional, ID: "pro-1"}, consent.Grantee{Kind: consent.GranteeProfessional, ID: "pro-2"},
			consent.Grantee{Kind: consent.GranteeProfessional, ID: "pro-1"}, consent.Grantee{Kind: consent.GranteeUnit, ID: "unit-a"},
			consent.Grantee{Kind: consent.GranteeUnit, ID: "unit-a"}, consent.Grantee{Kind: consent.GranteeUnit, ID: "unit-b"},
			consent.Grantee{Kind: consent.GranteeUnit, ID: ""}, consent.Grantee{Kind: consent.GranteeProfessional, ID: "anna"}),
		Status: pick(g, consent.StatusActive, consent.StatusActive, consent.StatusActive, consent.StatusActive, consent.StatusRevoked, consent.StatusEnded),
		Start:  g.start(), End: g.maybeTime(), Purpose: consent.PurposeTreatment,
		Scope: consent.Scope{Window: record.Window{From: g.maybeTime(), To: g.maybeTime()}},
	}
	if g.r.IntN(2) == 0 {
		gr.Scope.Classes = append(gr.Scope.Classes, consent.ClassScope{Class: record.ClassMeasurements,
			Items: g.items(string(bp), string(glucose), string(heart))})
	}
	if g.r.IntN(2) == 0 {
		gr.Scope.Classes = append(gr.Scope.Classes, consent.ClassScope{Class: record.ClassFiles, Items: g.items("f1", "f2", "f3")})
	}
	if g.r.IntN(10) == 0 {
		gr.Scope.Classes = append(gr.Scope.Classes, consent.ClassScope{Class: record.ClassAccessLog})
	}
	return gr
}

func (g gen) request() consent.Request {
	req := consent.Request{
		Actor: consent.Actor{Kind: pick(g, auth.KindProfessional, auth.KindProfessional, auth.KindProfessional, auth.KindProfessional, auth.KindProfessional, auth.KindProfessional, auth.KindCitizen, auth.KindOperator),
			ID: pick(g, "pro-1", "pro-1", "pro-1", "pro-2", "anna"), UnitID: pick(g, "unit-a", "unit-a", "unit-b", ""), RegionID: pick(g, "kainuu", "kainuu", "kainuu", "kainuu", "oulu")},
		PatientID: pick(g, "anna", "anna", "anna", "bertta"), PatientRegion: pick(g, "kainuu", "kainuu", "kainuu", "kainuu", "oulu"),
		Action: pick(g, record.ActionRead, record.ActionSearch, record.ActionHistory, record.ActionWrite),
		Class: pick(g, record.ClassMeasurements, record.ClassMeasurements, record.ClassFiles, record.ClassFiles,
			record.ClassPatient, record.ClassConsents, record.ClassAccessLog),
		DataTime: g.maybeTime(),
	}
	if g.r.IntN(10) > 0 {
		req.Actor.RegionID = req.PatientRegion // mostly of the patient's region, so that grants are what decides
	}
	for _, k := range g.items(string(bp), string(glucose), string(heart)) {
		req.Kinds = append(req.Kinds, record.Kind(k))
	}
	if req.Class == record.ClassFiles && g.r.IntN(2) == 0 {
		req.FileID = pick(g, "f1", "f2", "f3")
	}
	return req
}

func TestDecideProperties(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(1, 2))}
	permits := 0
	for trial := range 20000 {
		grants := make([]consent.Grant, g.r.IntN(12))
		for i := range grants {
			grants[i] = g.grant(string(rune('a' + i)))
		}
		req := g.request()
		d := consent.Decide(grants, req, now)
		if d.Permit {
			permits++
		}
		for _, problem := range checkDecision(g, grants, req, d) {
			t.Errorf("trial %d: %s\nrequest %+v\ngrants %+v\ndecision %+v", trial, problem, req, grants, d)
		}
		if t.Failed() {
			return
		}
	}
	// The pools are tuned so that a fair share is permitted: the invariants
	// on permits are not checked on nothing.
	if permits < 1000 {
		t.Errorf("only %d permits in 20000 trials", permits)
	}
}

// checkDecision lists the invariants d breaks.
func checkDecision(g gen, grants []consent.Grant, req consent.Request, d consent.Decision) []string {
	var problems []string
	fail := func(s string) { problems = append(problems, s) }
	if req.Actor.Kind != auth.KindProfessional && (d.Permit || d.Reason != consent.ReasonNotProfession) {
		fail("a non-professional is not refused as such")
	}
	if d.Permit == (d.Reason != consent.ReasonNone) {
		fail("a permit with a reason, or a denial without one")
	}
	if !d.Permit {
		if d.Grants != nil || !reflect.DeepEqual(d.Scope, record.Scope{}) || !reflect.DeepEqual(d.Files, consent.FileView{}) {
			fail("a denial tells what is granted")
		}
		if other := consent.Decide(shuffled(g, grants, nil), req, now); !reflect.DeepEqual(other, d) {
			fail("the order of the grants changes the denial: " + string(other.Reason))
		}
		return problems
	}
	if d.Scope.All || req.Actor.RegionID != req.PatientRegion {
		fail("a professional sees everything, or one of another region sees anything")
	}
	used := map[string]bool{}
	for _, id := range d.Grants {
		used[id] = true
		i := slices.IndexFunc(grants, func(gr consent.Grant) bool { return gr.ID == id })
		if i < 0 || !grants[i].InForce(now) || grants[i].PersonID != req.PatientID || grants[i].Region != req.PatientRegion || !names(grants[i].Grantee, req.Actor) {
			fail("grant " + id + " is listed but is not in force, for another patient or region, or names someone else")
		}
	}
	problems = append(problems, checkScopeNarrowed(req, d)...)
	rest := slices.DeleteFunc(slices.Clone(grants), func(gr consent.Grant) bool { return used[gr.ID] })
	if consent.Decide(rest, req, now).Permit {
		fail("still permitted without the grants it rested on")
	}
	if other := consent.Decide(shuffled(g, grants, used), req, now); !reflect.DeepEqual(other, d) {
		fail("the order of grants that do not contribute changes the permit")
	}
	more := append(slices.Clone(grants), g.grant("z"))
	if other := consent.Decide(more, req, now); !other.Permit || !isSubsequence(d.Grants, other.Grants) {
		fail("one more grant takes a permit away")
	}
	return problems
}

// checkScopeNarrowed: what a permit lets the caller see is no more than
// what was asked.
func checkScopeNarrowed(req consent.Request, d consent.Decision) []string {
	if req.Class != record.ClassMeasurements && req.Class != record.ClassFiles {
		if len(d.Scope.Allowances) != 0 {
			return []string{"the patient or consents class is narrowed by kinds or times"}
		}
		return nil
	}
	var problems []string
	for _, a := range d.Scope.Allowances {
		if !req.DataTime.IsZero() && !a.Window.Contains(req.DataTime) {
			problems = append(problems, "an allowance's window misses the data asked for")
		}
		if req.Class == record.ClassMeasurements && len(req.Kinds) > 0 &&
			(len(a.Kinds) == 0 || slices.ContainsFunc(a.Kinds, func(k record.Kind) bool { return !slices.Contains(req.Kinds, k) })) {
			problems = append(problems, "an allowance holds kinds not asked for")
		}
		if req.FileID != "" && len(a.Kinds) > 0 && !slices.Contains(a.Kinds, record.Kind(req.FileID)) {
			problems = append(problems, "an allowance does not hold the file asked for")
		}
	}
	if req.FileID != "" && !d.Files.All && !slices.Contains(d.Files.IDs, req.FileID) {
		problems = append(problems, "the file asked for is not visible")
	}
	return problems
}

func names(ge consent.Grantee, a consent.Actor) bool {
	return ge.ID != "" && (ge.Kind == consent.GranteeProfessional && ge.ID == a.ID || ge.Kind == consent.GranteeUnit && ge.ID == a.UnitID)
}

// shuffled returns grants with those not in keep shuffled among those in
// keep, which stay in their order.
func shuffled(g gen, grants []consent.Grant, keep map[string]bool) []consent.Grant {
	var kept, others []consent.Grant
	for _, gr := range grants {
		if keep[gr.ID] {
			kept = append(kept, gr)
		} else {
			others = append(others, gr)
		}
	}
	g.r.Shuffle(len(others), func(i, j int) { others[i], others[j] = others[j], others[i] })
	out := make([]consent.Grant, 0, len(grants))
	for len(kept)+len(others) > 0 {
		if len(others) == 0 || len(kept) > 0 && g.r.IntN(2) == 0 {
			out, kept = append(out, kept[0]), kept[1:]
		} else {
			out, others = append(out, others[0]), others[1:]
		}
	}
	return out
}

func isSubsequence(sub, seq []string) bool {
	i := 0
	for _, s := range seq {
		if i < len(sub) && sub[i] == s {
			i++
		}
	}
	return i == len(sub)
}
