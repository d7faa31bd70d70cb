package fhirapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/omahoito/omahoito/audit"
)

// TestEverything: the citizen's $everything is the Patient and every
// Observation, paged; a professional under a BP-only grant gets the
// Patient and the blood pressures alone, logged as one search; without
// consent the refusal says nothing of the data.
func TestEverything(t *testing.T) {
	a := newAPI(t)
	citizen := a.MustCitizen(t, hetuA, "kainuu")
	other := a.MustCitizen(t, hetuB, "kainuu")
	a.mustReadings(t, citizen, 3)

	self := want(t, a.call(t, citizen, "GET", "/fhir/r4/Patient/"+citizen.PersonID+"/$everything", ""), http.StatusOK)
	es := entries(self)
	if len(es) != 7 || self["total"] != 7.0 || es[0]["resourceType"] != "Patient" || link(self, "next") != "" {
		t.Fatalf("the citizen's $everything: %d entries, total %v", len(es), self["total"])
	}

	a.mustConsent(t, citizen, "Practitioner/"+nurse.ProfessionalID, bpCode)
	var got []string
	target := "/fhir/r4/Patient/" + citizen.PersonID + "/$everything?_count=2"
	for pages := 0; target != ""; pages++ {
		doc := want(t, a.call(t, nurse, "GET", target, ""), http.StatusOK)
		if doc["total"] != 4.0 {
			t.Fatalf("page %d: total %v, want 4 (the Patient and 3 blood pressures)", pages, doc["total"])
		}
		for _, e := range entries(doc) {
			got = append(got, str(e["resourceType"]))
		}
		got = append(got, codes(doc)...)
		target = ""
		if next := link(doc, "next"); next != "" {
			target = follow(t, next)
		}
	}
	if want := "Patient,Observation,Observation," + bpCode + "," + bpCode + ",Observation," + bpCode; strings.Join(got, ",") != want {
		t.Errorf("the nurse's pages: %v, want %s", got, want)
	}
	post := want(t, a.call(t, nurse, "POST", "/fhir/r4/Patient/"+citizen.PersonID+"/$everything", "_count=10"), http.StatusOK)
	if len(entries(post)) != 4 || strings.Contains(strings.Join(codes(post), ","), weightCode) {
		t.Errorf("POST $everything: %v", codes(post))
	}
	var counts []int
	for _, e := range a.logOf(t, citizen.PersonID) {
		if e.Actor.ID == nurse.ProfessionalID && e.Outcome == audit.Permit && e.Class == "everything" {
			counts = append(counts, e.Count)
		}
	}
	if len(counts) != 3 || counts[0] != 4 {
		t.Errorf("logged $everything counts %v, want three, the newest 4", counts)
	}

	for _, refused := range []struct {
		who    string
		target string
	}{
		{"doctor", "/fhir/r4/Patient/" + citizen.PersonID + "/$everything"},
		{"nurse", "/fhir/r4/Patient/" + other.PersonID + "/$everything"},
		{"nurse", "/fhir/r4/Patient/no-such-person/$everything"},
	} {
		who := doctor
		if refused.who == "nurse" {
			who = nurse
		}
		w := a.call(t, who, "GET", refused.target, "")
		doc := want(t, w, http.StatusForbidden)
		if text := outcomeText(doc); strings.Contains(text, "Observation") || strings.Contains(text, "blood") || strings.Contains(text, "weight") {
			t.Errorf("%s: the refusal speaks of the data: %q", refused.target, text)
		}
	}
	want(t, a.call(t, citizen, "GET", "/fhir/r4/Patient/"+other.PersonID+"/$everything", ""), http.StatusForbidden)
	want(t, a.call(t, citizen, "GET", "/fhir/r4/Patient/"+citizen.PersonID+"/$everything?start=2020-01-01", ""), http.StatusBadRequest)
	want(t, a.call(t, citizen, "GET", "/fhir/r4/Patient/"+citizen.PersonID+"/$everything?_cursor=nope", ""), http.StatusBadRequest)
	if doc := want(t, a.call(t, citizen, "GET", "/fhir/r4/Patient/"+citizen.PersonID+"/$everything?_count=0", ""), http.StatusOK); doc["total"] != 7.0 || len(entries(doc)) != 0 {
		t.Errorf("_count=0: %v", doc)
	}
	a.noHetu(t, citizen, other)
}
