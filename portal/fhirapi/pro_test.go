package fhirapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/internal/portaltest"
)

const (
	bpCode     = "85354-9"
	weightCode = "29463-7"
)

var (
	nurse  = portaltest.Professional("pro-kainuu-nurse", "unit-kainuu-kajaani", "kainuu")
	doctor = portaltest.Professional("pro-kainuu-doctor", "unit-kainuu-kajaani", "kainuu")
)

// consentJSON is a citizen's Consent for patient (empty: left out) to the
// actor ("Practitioner/id" or "Organization/id") over measurements of the
// LOINC codes (none: every kind).
func consentJSON(patient, actor string, codes ...string) string {
	provision := map[string]any{
		"type": "permit",
		"actor": []any{map[string]any{
			"role": map[string]any{"coding": []any{map[string]any{
				"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "IRCP"}}},
			"reference": map[string]any{"reference": actor},
		}},
		"class": []any{map[string]any{"system": "http://hl7.org/fhir/resource-types", "code": "Observation"}},
	}
	var cs []any
	for _, c := range codes {
		cs = append(cs, map[string]any{"coding": []any{map[string]any{"system": "http://loinc.org", "code": c}}})
	}
	if len(cs) > 0 {
		provision["code"] = cs
	}
	c := map[string]any{"resourceType": "Consent", "status": "active", "provision": provision}
	if patient != "" {
		c["patient"] = map[string]any{"reference": "Patient/" + patient}
	}
	b, _ := json.Marshal(c)
	return string(b)
}

// mustConsent gives a consent as the citizen and returns its id.
func (a *api) mustConsent(t *testing.T, citizen auth.Principal, actor string, codes ...string) string {
	t.Helper()
	return created(t, a.call(t, citizen, "POST", "/fhir/r4/Consent", consentJSON(citizen.PersonID, actor, codes...)))
}

// mustReadings stores n blood pressures and n weights for the citizen,
// an hour apart, the newest an hour ago.
func (a *api) mustReadings(t *testing.T, citizen auth.Principal, n int) {
	t.Helper()
	var resources []string
	start := time.Now().UTC().Add(-time.Duration(2*n+1) * time.Hour)
	for i := range n {
		at := start.Add(time.Duration(2*i) * time.Hour)
		resources = append(resources,
			bloodPressure(citizen.PersonID, 120+float64(i), 80, at.Format(time.RFC3339)),
			observation(citizen.PersonID, weightCode, "kg", 70+float64(i), at.Add(time.Hour).Format(time.RFC3339), ""))
	}
	want(t, a.call(t, citizen, "POST", "/fhir/r4", transaction(resources...)), http.StatusOK)
}

// logOf is the person's access log, newest first.
func (a *api) logOf(t *testing.T, personID string) []audit.Entry {
	t.Helper()
	es, _, err := a.Audit.Search(context.Background(), audit.Query{PatientID: personID, Limit: audit.MaxSearchLimit})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// codes are the LOINC codes of a Bundle's Observations.
func codes(doc map[string]any) []string {
	var out []string
	for _, e := range entries(doc) {
		if e["resourceType"] == "Observation" {
			out = append(out, str(obj(anys(obj(e["code"])["coding"])[0])["code"]))
		}
	}
	return out
}

// follow turns an absolute next link into the request target.
func follow(t *testing.T, next string) string {
	t.Helper()
	if !strings.HasPrefix(next, base+"/") {
		t.Fatalf("next link %q is not under %s", next, base)
	}
	return "/fhir/r4" + strings.TrimPrefix(next, base)
}

// TestProfessionalObservationSearch: a BP-only grant narrows a
// professional's search so that total and paging count blood pressures
// alone, and following next links yields exactly them; every page is a
// permit entry naming the professional and the count.
func TestProfessionalObservationSearch(t *testing.T) {
	a := newAPI(t)
	citizen := a.MustCitizen(t, hetuA, "kainuu")
	a.mustReadings(t, citizen, 10)
	a.mustConsent(t, citizen, "Practitioner/"+nurse.ProfessionalID, bpCode)

	doc := want(t, a.call(t, nurse, "GET", "/fhir/r4/Observation", ""), http.StatusBadRequest)
	if !strings.Contains(outcomeText(doc), "patient is required") {
		t.Errorf("no patient: %q", outcomeText(doc))
	}
	target := "/fhir/r4/Observation?patient=" + citizen.PersonID + "&_count=3"
	seen := map[string]bool{}
	pages := 0
	for target != "" {
		doc := want(t, a.call(t, nurse, "GET", target, ""), http.StatusOK)
		if doc["total"] != 10.0 {
			t.Fatalf("%s: total %v, want 10 (blood pressures only)", target, doc["total"])
		}
		for i, code := range codes(doc) {
			if code != bpCode {
				t.Errorf("page %d holds %s, outside the grant", pages, code)
			}
			seen[str(entries(doc)[i]["id"])] = true
		}
		pages++
		target = ""
		if next := link(doc, "next"); next != "" {
			target = follow(t, next)
		}
	}
	if len(seen) != 10 || pages != 4 {
		t.Errorf("following next links: %d distinct blood pressures in %d pages, want 10 in 4", len(seen), pages)
	}
	var counts []int
	for _, e := range a.logOf(t, citizen.PersonID) {
		if e.Actor.ID != nurse.ProfessionalID || e.Class != "measurements" || e.Action != "search" {
			continue
		}
		if e.Outcome != audit.Permit || e.Actor.Name != "Aino Heikkinen" {
			t.Errorf("search entry %+v", e)
		}
		counts = append(counts, e.Count)
	}
	if fmt.Sprint(counts) != "[1 3 3 3]" { // newest first: the last page held one
		t.Errorf("logged counts %v, want [1 3 3 3]", counts)
	}
}

// TestProfessionalReads: by id, in scope 200, out of scope 404, without
// consent 403; writes are refused; a forged patient is refused and logged
// in that person's log.
func TestProfessionalReads(t *testing.T) {
	a := newAPI(t)
	citizen := a.MustCitizen(t, hetuA, "kainuu")
	other := a.MustCitizen(t, hetuB, "kainuu")
	a.mustReadings(t, citizen, 1)
	a.mustConsent(t, citizen, "Practitioner/"+nurse.ProfessionalID, bpCode)
	ids := map[string]string{}
	for _, e := range entries(want(t, a.call(t, citizen, "GET", "/fhir/r4/Observation", ""), http.StatusOK)) {
		ids[str(obj(anys(obj(e["code"])["coding"])[0])["code"])] = str(e["id"])
	}
	bp, weight := ids[bpCode], ids[weightCode]

	for _, target := range []string{"/fhir/r4/Observation/" + bp, "/fhir/r4/Observation/" + bp + "/_history/1", "/fhir/r4/Observation/" + bp + "/_history"} {
		want(t, a.call(t, nurse, "GET", target, ""), http.StatusOK)
		want(t, a.call(t, doctor, "GET", target, ""), http.StatusForbidden)
	}
	for _, target := range []string{"/fhir/r4/Observation/" + weight, "/fhir/r4/Observation/" + weight + "/_history/1", "/fhir/r4/Observation/" + weight + "/_history"} {
		want(t, a.call(t, nurse, "GET", target, ""), http.StatusNotFound)
	}
	want(t, a.call(t, nurse, "GET", "/fhir/r4/Patient/"+citizen.PersonID, ""), http.StatusOK)
	want(t, a.call(t, doctor, "GET", "/fhir/r4/Patient/"+citizen.PersonID, ""), http.StatusForbidden)

	// Writes are never granted.
	reading := observation(citizen.PersonID, weightCode, "kg", 71, time.Now().Add(-time.Minute).UTC().Format(time.RFC3339), "")
	want(t, a.call(t, nurse, "POST", "/fhir/r4/Observation", reading), http.StatusForbidden)
	want(t, a.call(t, nurse, "POST", "/fhir/r4", transaction(reading)), http.StatusForbidden)
	put := strings.Replace(reading, `{"`, `{"id":"`+bp+`","`, 1)
	want(t, a.call(t, nurse, "PUT", "/fhir/r4/Observation/"+bp, put), http.StatusForbidden)
	want(t, a.call(t, nurse, "DELETE", "/fhir/r4/Observation/"+bp, ""), http.StatusForbidden)
	if w := a.call(t, citizen, "GET", "/fhir/r4/Observation/"+bp, ""); w.Code != http.StatusOK || w.Header().Get("ETag") != `W/"1"` {
		t.Errorf("after refused writes the reading is %d %s", w.Code, w.Header().Get("ETag"))
	}

	// A forged patient: someone who has not consented.
	before := len(a.logOf(t, other.PersonID))
	want(t, a.call(t, nurse, "GET", "/fhir/r4/Observation?patient="+other.PersonID, ""), http.StatusForbidden)
	es := a.logOf(t, other.PersonID)
	if len(es) != before+1 || es[0].Outcome != audit.Deny || es[0].Actor.ID != nurse.ProfessionalID {
		t.Errorf("the forged search left %d new entries, newest %+v", len(es)-before, es[0])
	}

	reads := 0
	for _, e := range a.logOf(t, citizen.PersonID) {
		if e.Actor.ID == nurse.ProfessionalID && e.Outcome == audit.Permit && (e.Action == "read" || e.Action == "history") {
			reads++
			if e.Count < 1 || e.Actor.Name != "Aino Heikkinen" {
				t.Errorf("read entry %+v", e)
			}
		}
	}
	if reads != 4 { // three of the reading, one of the Patient
		t.Errorf("%d permitted reads logged, want 4", reads)
	}
	a.noHetu(t, citizen, other)
}

// TestProfessionalPatients: a professional's Patient list is those who
// consented, each listing logged; a search by code finds a consenting
// person, and for one who has not, answers empty and logs the denial.
func TestProfessionalPatients(t *testing.T) {
	a := newAPI(t)
	citizen := a.MustCitizen(t, hetuA, "kainuu")
	other := a.MustCitizen(t, hetuB, "kainuu")
	a.mustConsent(t, citizen, "Organization/unit-kainuu-kajaani")

	doc := want(t, a.call(t, nurse, "GET", "/fhir/r4/Patient", ""), http.StatusOK)
	if es := entries(doc); len(es) != 1 || es[0]["id"] != citizen.PersonID || doc["total"] != 1.0 {
		t.Fatalf("my patients: %v", doc)
	}
	if strings.Contains(fmt.Sprint(doc), hetuA) {
		t.Errorf("the list of patients carries the code: %v", doc)
	}
	listed := 0
	for _, e := range a.logOf(t, citizen.PersonID) {
		if e.Actor.ID == nurse.ProfessionalID && e.Class == "patient" && e.Outcome == audit.Permit && e.Count == 1 {
			listed++
		}
	}
	if listed != 1 {
		t.Errorf("%d listings logged, want 1", listed)
	}

	search := func(hetu string) map[string]any {
		return want(t, a.call(t, nurse, "POST", "/fhir/r4/Patient/_search", url.Values{"identifier": {"urn:oid:1.2.246.21|" + hetu}}.Encode()), http.StatusOK)
	}
	if es := entries(search(hetuA)); len(es) != 1 || es[0]["id"] != citizen.PersonID {
		t.Errorf("by the code of a consenting person: %v", es)
	}
	before := len(a.logOf(t, other.PersonID))
	if doc := search(hetuB); len(entries(doc)) != 0 || doc["total"] != 0.0 {
		t.Errorf("by the code of a person without consent: %v", doc)
	}
	if es := a.logOf(t, other.PersonID); len(es) != before+1 || es[0].Outcome != audit.Deny {
		t.Errorf("the refused search is not logged as a denial: %+v", es)
	}
	a.noHetu(t, citizen, other)
}

// noHetu fails the test if a personal identity code reached the log
// lines or the access log of the people.
func (a *api) noHetu(t *testing.T, people ...auth.Principal) {
	t.Helper()
	var logged strings.Builder
	logged.WriteString(a.Log.String())
	for _, p := range people {
		fmt.Fprintf(&logged, "%+v", a.logOf(t, p.PersonID))
	}
	for _, code := range []string{hetuA, hetuB} {
		if strings.Contains(logged.String(), code) {
			t.Errorf("a log carries a personal identity code")
		}
	}
}
