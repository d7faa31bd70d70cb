package fhirapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/omahoito/omahoito/audit"
)

// TestProfessionalPatientsBounded: _count bounds a professional's list of
// patients; a cut list has no next link and leaves total out, and only
// the people returned are listed in their access logs. _count=0 lists no
// one and logs nothing.
func TestProfessionalPatientsBounded(t *testing.T) {
	a := newAPI(t)
	older := a.MustCitizen(t, hetuA, "kainuu")
	newer := a.MustCitizen(t, hetuB, "kainuu")
	a.mustConsent(t, older, "Practitioner/"+nurse.ProfessionalID)
	time.Sleep(2 * time.Millisecond) // the newer consent is newer
	a.mustConsent(t, newer, "Organization/unit-kainuu-kajaani")
	listings := func(personID string) int {
		n := 0
		for _, e := range a.logOf(t, personID) {
			if e.Class == "patient" && e.Outcome == audit.Permit {
				n++
			}
		}
		return n
	}

	doc := want(t, a.call(t, nurse, "GET", "/fhir/r4/Patient?_count=1", ""), http.StatusOK)
	if es := entries(doc); len(es) != 1 || es[0]["id"] != newer.PersonID {
		t.Fatalf("_count=1: %v, want the newer consent's person alone", es)
	}
	if _, ok := doc["total"]; ok || link(doc, "next") != "" {
		t.Errorf("a cut list: total %v, next %q; want neither", doc["total"], link(doc, "next"))
	}
	if listings(older.PersonID) != 0 || listings(newer.PersonID) != 1 {
		t.Errorf("listings logged: older %d, newer %d; want 0 and 1", listings(older.PersonID), listings(newer.PersonID))
	}

	doc = want(t, a.call(t, nurse, "GET", "/fhir/r4/Patient?_count=0", ""), http.StatusOK)
	if _, ok := doc["total"]; ok || len(entries(doc)) != 0 || listings(older.PersonID) != 0 {
		t.Errorf("_count=0: %v; want no entries, no total and no one listed", doc)
	}

	doc = want(t, a.call(t, nurse, "GET", "/fhir/r4/Patient?_count=2", ""), http.StatusOK)
	if len(entries(doc)) != 2 || doc["total"] != 2.0 || link(doc, "next") != "" {
		t.Errorf("room for both: %v; want both and total 2", doc)
	}
}
