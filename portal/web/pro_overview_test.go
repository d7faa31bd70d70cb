package web_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/consent"
	pt "github.com/omahoito/omahoito/internal/portaltest"
	"github.com/omahoito/omahoito/portal/web"
	"github.com/omahoito/omahoito/record"
)

// accessLog is the person's access log, newest first.
func accessLog(t *testing.T, env *pt.Env, personID string) []audit.Entry {
	t.Helper()
	es, _, err := env.Audit.Search(context.Background(), audit.Query{PatientID: personID, Limit: audit.MaxSearchLimit})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// TestProPatientViewIsOneEntry: one view of a patient's page is one
// decision, so one entry in the citizen's access log, naming the grants
// the page shows the data under; two grants to the nurse (by name and
// through the unit) are both named, and both consents are on the page.
func TestProPatientViewIsOneEntry(t *testing.T) {
	p := newPractice(t)
	ctx := context.Background()
	byName, err := p.env.Consents.GiveConsent(ctx, p.citizen, p.citizen.PersonID, consent.Give{
		Grantee: consent.Grantee{Kind: consent.GranteeProfessional, ID: kainuuNurse.ProfessionalID},
		Scope:   consent.Scope{Classes: []consent.ClassScope{{Class: record.ClassMeasurements, Items: []string{string(record.BloodPressure)}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	before := len(accessLog(t, p.env, p.citizen.PersonID))
	w, page := p.do(t, kainuuNurse, http.MethodGet, "/pro/patients/"+p.citizen.PersonID+"?lang=en", nil)
	if w.Code != http.StatusOK {
		t.Fatalf("patient view: %d", w.Code)
	}
	if got := len(page.All(pt.Tag("li"), pt.Within(pt.Tag("main")))); !strings.Contains(page.Text(pt.Tag("main")), "to you by name") || got < 2 {
		t.Errorf("the page does not show both consents:\n%s", page.Text(pt.Tag("main")))
	}
	es := accessLog(t, p.env, p.citizen.PersonID)
	if len(es) != before+1 {
		t.Fatalf("one view added %d entries to the citizen's log, want 1: %+v", len(es)-before, es[:len(es)-before])
	}
	e := es[0]
	slices.Sort(e.Grants)
	want := []string{p.grant.ID, byName.ID}
	slices.Sort(want)
	if e.Outcome != audit.Permit || e.Actor.ID != kainuuNurse.ProfessionalID || !slices.Equal(e.Grants, want) {
		t.Errorf("the entry: %+v, want a permit to the nurse naming the grants %v", e, want)
	}
	if e.Count != 2 { // the person and the one blood pressure
		t.Errorf("the entry counts %d items, want 2 (the person and the blood pressure)", e.Count)
	}
}

// TestGrantsUsedNamesOnlyTheCallersGrants: the details of the grants a
// decision named are told only for grants in force that name the caller;
// an id of another grantee's grant, a revoked grant or another person's
// grant is left out, and nothing is logged.
func TestGrantsUsedNamesOnlyTheCallersGrants(t *testing.T) {
	p := newPractice(t)
	ctx := context.Background()
	give := func(c auth.Principal, to consent.Grantee) consent.Grant {
		g, err := p.env.Consents.GiveConsent(ctx, c, c.PersonID, consent.Give{Grantee: to,
			Scope: consent.Scope{Classes: []consent.ClassScope{{Class: record.ClassMeasurements}}}})
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	toDoctor := give(p.citizen, consent.Grantee{Kind: consent.GranteeProfessional, ID: kainuuDoctor.ProfessionalID})
	revoked := give(p.citizen, consent.Grantee{Kind: consent.GranteeProfessional, ID: kainuuNurse.ProfessionalID})
	if _, err := p.env.Consents.Revoke(ctx, p.citizen, revoked.ID); err != nil {
		t.Fatal(err)
	}
	other := p.env.MustCitizen(t, otherHetu, "kainuu")
	othersGrant := give(other, consent.Grantee{Kind: consent.GranteeProfessional, ID: kainuuNurse.ProfessionalID})
	before := len(accessLog(t, p.env, p.citizen.PersonID))

	gs, err := p.env.Consents.GrantsUsed(ctx, kainuuNurse, p.citizen.PersonID, []string{p.grant.ID, toDoctor.ID, revoked.ID, othersGrant.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 1 || gs[0].ID != p.grant.ID {
		t.Errorf("GrantsUsed: %v, want only the unit's grant %s", gs, p.grant.ID)
	}
	if n := len(accessLog(t, p.env, p.citizen.PersonID)); n != before {
		t.Errorf("GrantsUsed wrote %d entries, want none: the view's one entry names the grants", n-before)
	}
	if _, err := p.env.Consents.GrantsUsed(ctx, kainuuOp, p.citizen.PersonID, []string{p.grant.ID}); err == nil {
		t.Errorf("an operator was told a grant's details")
	}
}

// TestProPatientsBounded: the list of patients is cut to the bound, those
// whose consent is newest first; the page says so, and only the people
// listed are logged.
func TestProPatientsBounded(t *testing.T) {
	p := newPractice(t) // the first consent, the oldest
	ctx := context.Background()
	var listed []auth.Principal
	for _, h := range []string{otherHetu, "030390-903P"} {
		c := p.env.MustCitizen(t, h, "kainuu")
		time.Sleep(2 * time.Millisecond) // consents given in a known order
		if _, err := p.env.Consents.GiveConsent(ctx, c, c.PersonID, consent.Give{
			Grantee: consent.Grantee{Kind: consent.GranteeProfessional, ID: kainuuNurse.ProfessionalID},
			Scope:   consent.Scope{Classes: []consent.ClassScope{{Class: record.ClassMeasurements}}},
		}); err != nil {
			t.Fatal(err)
		}
		listed = append(listed, c)
	}
	defer web.ShowPatients(2)()
	before := len(accessLog(t, p.env, p.citizen.PersonID))
	w, page := p.do(t, kainuuNurse, http.MethodGet, "/pro/patients?lang=en", nil)
	if w.Code != http.StatusOK {
		t.Fatalf("my patients: %d", w.Code)
	}
	hrefs := page.Attrs("href", pt.Tag("a"), pt.Within(pt.Class("patients")))
	slices.Sort(hrefs)
	want := []string{"/pro/patients/" + listed[0].PersonID, "/pro/patients/" + listed[1].PersonID}
	slices.Sort(want)
	if !slices.Equal(hrefs, want) {
		t.Errorf("my patients link to %v, want the two newest consents' %v", hrefs, want)
	}
	if more := page.Text(pt.Class("more")); !strings.Contains(more, "Showing the 2 patients") || !strings.Contains(more, "look them up") {
		t.Errorf("the page does not say the list is cut: %q", more)
	}
	if n := len(accessLog(t, p.env, p.citizen.PersonID)); n != before {
		t.Errorf("the person left out of the list was logged (%d entries)", n-before)
	}
	for _, c := range listed {
		if es := accessLog(t, p.env, c.PersonID); len(es) != 1 || es[0].Class != string(record.ClassPatient) || es[0].Outcome != audit.Permit {
			t.Errorf("a listed person's log: %+v, want one listing", es)
		}
	}

	defer web.ShowPatients(3)()
	_, page = p.do(t, kainuuNurse, http.MethodGet, "/pro/patients?lang=en", nil)
	if n := len(page.All(pt.Tag("h2"), pt.Within(pt.Class("patients")))); n != 3 || len(page.All(pt.Class("more"))) != 0 {
		t.Errorf("with room for all three: %d listed, the cut said %q", n, page.Text(pt.Class("more")))
	}
}
