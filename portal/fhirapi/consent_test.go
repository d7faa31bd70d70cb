package fhirapi_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/omahoito/omahoito/audit"
)

// TestConsentLifecycle: a citizen gives a consent (201, Location, ETag,
// the grantee named from the directory), reads it, finds it by status
// and actor, and revokes it by an update to status inactive, after which
// the professional is refused.
func TestConsentLifecycle(t *testing.T) {
	a := newAPI(t)
	citizen := a.MustCitizen(t, hetuA, "kainuu")
	a.mustReadings(t, citizen, 1)

	w := a.call(t, citizen, "POST", "/fhir/r4/Consent", consentJSON("", "Practitioner/"+nurse.ProfessionalID, bpCode))
	id := created(t, w)
	if loc := w.Header().Get("Location"); loc != base+"/Consent/"+id+"/_history/1" || w.Header().Get("ETag") != `W/"1"` {
		t.Errorf("Location %q, ETag %q", loc, w.Header().Get("ETag"))
	}
	golden(t, "consent", instants.ReplaceAll(w.Body.Bytes(), []byte("<instant>")), map[string]string{id: "<consent>", citizen.PersonID: "<patient>"})
	read := want(t, a.call(t, citizen, "GET", "/fhir/r4/Consent/"+id, ""), http.StatusOK)
	if str(read["status"]) != "active" || str(obj(obj(anys(obj(read["provision"])["actor"])[0])["reference"])["display"]) != "Aino Heikkinen, sairaanhoitaja" {
		t.Errorf("read: %v", read)
	}
	unit := a.mustConsent(t, citizen, "Organization/unit-kainuu-kajaani")
	minimal := a.call(t, citizen, "POST", "/fhir/r4/Consent", consentJSON(citizen.PersonID, "Practitioner/"+doctor.ProfessionalID), "Prefer: return=minimal")
	if minimal.Code != http.StatusCreated || minimal.Body.Len() != 0 || minimal.Header().Get("Location") == "" {
		t.Errorf("return=minimal: %d %q", minimal.Code, minimal.Body)
	}

	for target, n := range map[string]int{
		"/fhir/r4/Consent": 3,
		"/fhir/r4/Consent?patient=" + citizen.PersonID:            3,
		"/fhir/r4/Consent?status=active":                          3,
		"/fhir/r4/Consent?status=inactive":                        0,
		"/fhir/r4/Consent?actor=Organization/unit-kainuu-kajaani": 1,
		"/fhir/r4/Consent?actor=Practitioner/pro-kainuu-nurse":    1,
		"/fhir/r4/Consent?status=active&status=inactive":          0,
	} {
		doc := want(t, a.call(t, citizen, "GET", target, ""), http.StatusOK)
		if len(entries(doc)) != n || doc["total"] != float64(n) {
			t.Errorf("%s: %d entries, total %v, want %d", target, len(entries(doc)), doc["total"], n)
		}
	}
	if doc := want(t, a.call(t, citizen, "POST", "/fhir/r4/Consent/_search", "actor=Organization/unit-kainuu-kajaani&_count=1"), http.StatusOK); len(entries(doc)) != 1 || entries(doc)[0]["id"] != unit {
		t.Errorf("POST _search by actor: %v", doc)
	}
	if doc := want(t, a.call(t, citizen, "GET", "/fhir/r4/Consent?_count=1", ""), http.StatusOK); len(entries(doc)) != 1 || doc["total"] != 3.0 {
		t.Errorf("_count=1: %d entries, total %v", len(entries(doc)), doc["total"])
	}

	// The professional sees the consent that names them.
	want(t, a.call(t, nurse, "GET", "/fhir/r4/Consent/"+id, ""), http.StatusOK)
	want(t, a.call(t, nurse, "GET", "/fhir/r4/Observation?patient="+citizen.PersonID, ""), http.StatusOK)

	revoke := setStatus(t, read, "inactive")
	want(t, a.call(t, citizen, "PUT", "/fhir/r4/Consent/"+id, revoke, `If-Match: W/"7"`), http.StatusPreconditionFailed)
	if doc := want(t, a.call(t, citizen, "PUT", "/fhir/r4/Consent/"+id, strings.Replace(revoke, bpCode, weightCode, 1)), http.StatusUnprocessableEntity); !strings.Contains(outcomeText(doc), "only status can change") {
		t.Errorf("a changed scope: %q", outcomeText(doc))
	}
	want(t, a.call(t, citizen, "PUT", "/fhir/r4/Consent/"+unit, revoke), http.StatusBadRequest) // the body's id is another
	want(t, a.call(t, citizen, "PUT", "/fhir/r4/Consent/"+id, setStatus(t, read, "active")), http.StatusOK)
	done := a.call(t, citizen, "PUT", "/fhir/r4/Consent/"+id, revoke, `If-Match: W/"1"`)
	if doc := want(t, done, http.StatusOK); str(doc["status"]) != "inactive" || done.Header().Get("ETag") != `W/"2"` {
		t.Errorf("revoked: %v, ETag %s", doc, done.Header().Get("ETag"))
	}
	want(t, a.call(t, citizen, "PUT", "/fhir/r4/Consent/"+id, revoke), http.StatusOK) // again: nothing changes
	if doc := want(t, a.call(t, citizen, "PUT", "/fhir/r4/Consent/"+id, setStatus(t, read, "active")), http.StatusUnprocessableEntity); !strings.Contains(outcomeText(doc), "give a new consent") {
		t.Errorf("re-activating: %q", outcomeText(doc))
	}
	if doc := want(t, a.call(t, citizen, "GET", "/fhir/r4/Consent?status=inactive", ""), http.StatusOK); len(entries(doc)) != 1 {
		t.Errorf("inactive after revoking: %v", doc)
	}
	want(t, a.call(t, nurse, "GET", "/fhir/r4/Consent/"+id, ""), http.StatusNotFound) // no longer in force
	a.noHetu(t, citizen)
}

// instants are the times the server chose: when the consent was given,
// its start and end.
var instants = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`)

// setStatus is a Consent as read, with another status.
func setStatus(t *testing.T, consent map[string]any, status string) string {
	t.Helper()
	c := map[string]any{}
	for k, v := range consent {
		c[k] = v
	}
	c["status"] = status
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestConsentRefusals: a consent for another person is refused and the
// attempt logged in their log; a professional neither gives nor revokes
// consents, and searches one patient's only, seeing those naming them.
func TestConsentRefusals(t *testing.T) {
	a := newAPI(t)
	citizen := a.MustCitizen(t, hetuA, "kainuu")
	other := a.MustCitizen(t, hetuB, "kainuu")

	want(t, a.call(t, citizen, "POST", "/fhir/r4/Consent", consentJSON(other.PersonID, "Practitioner/"+nurse.ProfessionalID)), http.StatusForbidden)
	if es := a.logOf(t, other.PersonID); len(es) != 1 || es[0].Outcome != audit.Deny || es[0].Actor.ID != citizen.PersonID || es[0].Class != "consents" {
		t.Errorf("the attempt is not in the other's log: %+v", es)
	}
	inactive := strings.Replace(consentJSON("", "Practitioner/"+nurse.ProfessionalID), `"status":"active"`, `"status":"inactive"`, 1)
	want(t, a.call(t, citizen, "POST", "/fhir/r4/Consent", inactive), http.StatusUnprocessableEntity)
	want(t, a.call(t, citizen, "POST", "/fhir/r4/Consent", consentJSON("", "Practitioner/pro-oulu-nurse")), http.StatusUnprocessableEntity)
	want(t, a.call(t, citizen, "POST", "/fhir/r4/Consent", `{"resourceType":"Observation"}`), http.StatusBadRequest)
	want(t, a.call(t, nurse, "POST", "/fhir/r4/Consent", consentJSON(citizen.PersonID, "Practitioner/"+nurse.ProfessionalID)), http.StatusForbidden)

	mine := a.mustConsent(t, citizen, "Practitioner/"+nurse.ProfessionalID)
	theirs := a.mustConsent(t, citizen, "Practitioner/"+doctor.ProfessionalID)
	doc := want(t, a.call(t, nurse, "GET", "/fhir/r4/Consent", ""), http.StatusBadRequest)
	if !strings.Contains(outcomeText(doc), "patient is required") {
		t.Errorf("a professional without patient: %q", outcomeText(doc))
	}
	doc = want(t, a.call(t, nurse, "GET", "/fhir/r4/Consent?patient=Patient/"+citizen.PersonID, ""), http.StatusOK)
	if es := entries(doc); len(es) != 1 || es[0]["id"] != mine {
		t.Errorf("the nurse sees %v, want only %s", es, mine)
	}
	want(t, a.call(t, nurse, "GET", "/fhir/r4/Consent/"+theirs, ""), http.StatusNotFound)
	want(t, a.call(t, nurse, "GET", "/fhir/r4/Consent?patient="+other.PersonID, ""), http.StatusForbidden)
	read := want(t, a.call(t, citizen, "GET", "/fhir/r4/Consent/"+mine, ""), http.StatusOK)
	want(t, a.call(t, nurse, "PUT", "/fhir/r4/Consent/"+mine, setStatus(t, read, "inactive")), http.StatusForbidden)
	want(t, a.call(t, other, "GET", "/fhir/r4/Consent/"+mine, ""), http.StatusForbidden)
	if doc := want(t, a.call(t, citizen, "GET", "/fhir/r4/Consent/"+mine, ""), http.StatusOK); str(doc["status"]) != "active" {
		t.Errorf("a refused revocation changed the consent: %v", doc)
	}
	var search int
	for _, e := range a.logOf(t, citizen.PersonID) {
		if e.Actor.ID == nurse.ProfessionalID && e.Class == "consents" && e.Action == "search" && e.Outcome == audit.Permit && e.Count == 1 {
			search++
		}
	}
	if search != 1 {
		t.Errorf("%d permitted consent searches logged, want 1", search)
	}
	a.noHetu(t, citizen, other)
}
