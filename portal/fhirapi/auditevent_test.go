package fhirapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/omahoito/omahoito/audit"
)

// TestAuditEvent: the citizen reads who has viewed their data as
// AuditEvents, newest first, paged by next links that hold exactly the
// log; a tampered page position is refused; no one else reads the log.
func TestAuditEvent(t *testing.T) {
	a := newAPI(t)
	citizen := a.MustCitizen(t, hetuA, "kainuu")
	other := a.MustCitizen(t, hetuB, "kainuu")
	a.mustReadings(t, citizen, 1)
	a.mustConsent(t, citizen, "Practitioner/"+nurse.ProfessionalID)
	want(t, a.call(t, nurse, "GET", "/fhir/r4/Patient/"+citizen.PersonID, ""), http.StatusOK)
	want(t, a.call(t, nurse, "GET", "/fhir/r4/Observation?patient="+citizen.PersonID, ""), http.StatusOK)
	want(t, a.call(t, doctor, "GET", "/fhir/r4/Observation?patient="+citizen.PersonID, ""), http.StatusForbidden)
	logged := len(a.logOf(t, citizen.PersonID))
	if logged != 3 {
		t.Fatalf("%d entries in the log, want 3", logged)
	}

	all := want(t, a.call(t, citizen, "GET", "/fhir/r4/AuditEvent", ""), http.StatusOK)
	events := entries(all)
	if len(events) != 3 || all["total"] != 3.0 {
		t.Fatalf("AuditEvent: %d events, total %v", len(events), all["total"])
	}
	newest := events[0]
	if str(newest["outcome"]) != "4" || str(obj(anys(newest["agent"])[0])["who"].(map[string]any)["reference"]) != "Practitioner/pro-kainuu-doctor" {
		t.Errorf("the newest event is not the doctor's refusal: %v", newest)
	}
	if who := obj(obj(anys(events[2]["agent"])[0])["who"]); str(who["reference"]) != "Practitioner/pro-kainuu-nurse" || str(who["display"]) != "Aino Heikkinen" {
		t.Errorf("the oldest event's agent: %v", who)
	}
	if str(obj(newest["source"])["observer"].(map[string]any)["display"]) != "Kainuun hyvinvointialue" {
		t.Errorf("observer: %v", newest["source"])
	}

	// Paging: one a page, by next links only.
	var ids []string
	target := "/fhir/r4/AuditEvent?_count=1&patient=" + citizen.PersonID
	for target != "" {
		doc := want(t, a.call(t, citizen, "GET", target, ""), http.StatusOK)
		for _, e := range entries(doc) {
			ids = append(ids, str(e["id"]))
		}
		target = ""
		if next := link(doc, "next"); next != "" {
			target = follow(t, next)
		}
	}
	if strings.Join(ids, ",") != str(events[0]["id"])+","+str(events[1]["id"])+","+str(events[2]["id"]) {
		t.Errorf("paged ids %v", ids)
	}
	post := want(t, a.call(t, citizen, "POST", "/fhir/r4/AuditEvent/_search", "_count=2"), http.StatusOK)
	if len(entries(post)) != 2 || link(post, "next") == "" || post["total"] != nil {
		t.Errorf("POST _search _count=2: %d entries, next %q, total %v", len(entries(post)), link(post, "next"), post["total"])
	}
	if doc := want(t, a.call(t, citizen, "GET", "/fhir/r4/AuditEvent?_count=0", ""), http.StatusOK); doc["total"] != 3.0 || len(entries(doc)) != 0 {
		t.Errorf("_count=0: %v", doc)
	}
	future := url.QueryEscape("gt" + time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	if doc := want(t, a.call(t, citizen, "GET", "/fhir/r4/AuditEvent?date="+future, ""), http.StatusOK); len(entries(doc)) != 0 {
		t.Errorf("date in the future: %v", entries(doc))
	}
	past := url.QueryEscape("ge" + time.Now().Add(-time.Hour).UTC().Format(time.RFC3339))
	if doc := want(t, a.call(t, citizen, "GET", "/fhir/r4/AuditEvent?date="+past, ""), http.StatusOK); len(entries(doc)) != 3 {
		t.Errorf("date in the last hour: %d", len(entries(doc)))
	}

	for _, bad := range []string{"_cursor=xyz", "_cursor=" + "MjAyNS0wMS0wMVQwMDowMDowMFogMCBrYWludXU", "_cursor=a&_cursor=b", "date=tomorrow", "_sort=date"} {
		want(t, a.call(t, citizen, "GET", "/fhir/r4/AuditEvent?"+bad, ""), http.StatusBadRequest)
	}
	want(t, a.call(t, citizen, "GET", "/fhir/r4/AuditEvent?patient="+other.PersonID, ""), http.StatusForbidden)
	want(t, a.call(t, nurse, "GET", "/fhir/r4/AuditEvent?patient="+citizen.PersonID, ""), http.StatusForbidden)
	want(t, a.call(t, nurse, "GET", "/fhir/r4/AuditEvent", ""), http.StatusForbidden)
	// The citizen reading their own log leaves no entry; the nurse's
	// refused attempt on it leaves one, a denial.
	if es := a.logOf(t, citizen.PersonID); len(es) != logged+1 || es[0].Outcome != audit.Deny || es[0].Actor.ID != "pro-kainuu-nurse" {
		t.Errorf("reading the log: %d entries after %d, newest %+v; want the nurse's refusal alone added", len(es), logged, es[0])
	}
	a.noHetu(t, citizen, other)
}
