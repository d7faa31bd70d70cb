package fhirapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/omahoito/omahoito/auth"
)

// TestCapabilityStatement: metadata is served without login, as JSON
// only, and states what works (golden).
func TestCapabilityStatement(t *testing.T) {
	a := newAPI(t)
	w := a.call(t, auth.Principal{}, "GET", "/fhir/r4/metadata", "")
	doc := want(t, w, http.StatusOK)
	if doc["resourceType"] != "CapabilityStatement" {
		t.Fatalf("metadata is a %v", doc["resourceType"])
	}
	golden(t, "capability-statement", w.Body.Bytes(), nil)
	want(t, a.call(t, auth.Principal{}, "GET", "/fhir/r4/metadata?_format=xml", ""), http.StatusNotAcceptable)
	want(t, a.call(t, auth.Principal{}, "GET", "/fhir/r4/metadata?_format=json", ""), http.StatusOK)
}

// TestBearerSkipsCrossOriginCheck: a state-changing request from another
// origin is refused when the session cookie authorises it, but one with a
// bearer token is authorised by the token alone (here: refused as an
// invalid token, 401, not as a forgery, 403).
func TestBearerSkipsCrossOriginCheck(t *testing.T) {
	a := newAPI(t)
	me := a.MustCitizen(t, hetuA, "kainuu")
	body := observation(me.PersonID, heartRate, "/min", 60, "2026-11-05T07:00:00+02:00", "")
	foreign := []string{"Origin: https://evil.example", "Sec-Fetch-Site: cross-site"}
	refused := want(t, a.call(t, me, "POST", "/fhir/r4/Observation", body, foreign...), http.StatusForbidden)
	if !strings.Contains(outcomeText(refused), "cross-origin") {
		t.Errorf("a cross-origin cookie request: %s", outcomeText(refused))
	}
	w := a.call(t, auth.Principal{}, "POST", "/fhir/r4/Observation", body, append(foreign, "Authorization: Bearer some-token")...)
	want(t, w, http.StatusUnauthorized)
	if w.Header().Get("WWW-Authenticate") == "" {
		t.Error("a refused bearer token without a challenge")
	}
	if n := want(t, a.call(t, me, "GET", "/fhir/r4/Observation?_count=0", ""), http.StatusOK)["total"]; n != 0.0 {
		t.Errorf("refused requests stored %v measurements", n)
	}
}

// TestRefusals: every refusal is an OperationOutcome with the status the
// R4 HTTP page gives it.
func TestRefusals(t *testing.T) {
	a := newAPI(t)
	me := a.MustCitizen(t, hetuA, "kainuu")
	other := a.MustCitizen(t, hetuB, "kainuu")
	mine := created(t, a.call(t, me, "POST", "/fhir/r4/Observation", observation(me.PersonID, heartRate, "/min", 60, "2026-11-05T07:00:00+02:00", "")))
	theirs := created(t, a.call(t, other, "POST", "/fhir/r4/Observation", observation(other.PersonID, heartRate, "/min", 60, "2026-11-05T07:00:00+02:00", "")))
	nobody := auth.Principal{}

	w := a.call(t, nobody, "GET", "/fhir/r4/Observation", "")
	want(t, w, http.StatusUnauthorized)
	if !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("401 without a Bearer challenge: %q", w.Header().Get("WWW-Authenticate"))
	}
	want(t, a.call(t, nobody, "POST", "/fhir/r4/Observation", observation(me.PersonID, heartRate, "/min", 60, "2026-11-05T07:00:00+02:00", "")), http.StatusUnauthorized)

	// Another person's record: the gate refuses, whether by id or subject.
	want(t, a.call(t, me, "GET", "/fhir/r4/Observation/"+theirs, ""), http.StatusNotFound)
	want(t, a.call(t, me, "GET", "/fhir/r4/Observation?patient=Patient/"+other.PersonID, ""), http.StatusForbidden)
	// Criteria that cannot all hold do not skip the gate.
	want(t, a.call(t, me, "GET", "/fhir/r4/Observation?patient=Patient/"+other.PersonID+"&code="+heartRate+"&code="+weight, ""), http.StatusForbidden)
	want(t, a.call(t, me, "POST", "/fhir/r4/Observation", observation(other.PersonID, heartRate, "/min", 60, "2026-11-05T07:00:00+02:00", "")), http.StatusForbidden)

	want(t, a.call(t, me, "GET", "/fhir/r4/Observation/no-such-id", ""), http.StatusNotFound)
	want(t, a.call(t, me, "GET", "/fhir/r4/Encounter", ""), http.StatusNotFound)
	want(t, a.call(t, me, "PATCH", "/fhir/r4/Observation/"+mine, `{}`), http.StatusMethodNotAllowed)

	for _, c := range []struct{ method, target, body, header string }{
		{"GET", "/fhir/r4/Observation/" + mine, "", "Accept: application/fhir+xml"},
		{"GET", "/fhir/r4/Observation/" + mine + "?_format=xml", "", ""},
		{"GET", "/fhir/r4/Observation?_format=application/fhir%2Bxml", "", ""},
		{"GET", "/fhir/r4/Observation/" + mine + "/_history?_format=xml", "", ""},
		{"GET", "/fhir/r4/Patient/" + me.PersonID, "", "Accept: application/xml, text/xml;q=0.9"},
		{"POST", "/fhir/r4/Observation", observation(me.PersonID, heartRate, "/min", 60, "2026-11-05T08:00:00+02:00", ""), "Accept: application/fhir+xml"},
		{"POST", "/fhir/r4", transaction(), "Accept: application/fhir+xml"},
		{"POST", "/fhir/r4/Observation/_search", "_format=xml", ""},
		{"GET", "/fhir/r4/Practitioner", "", "Accept: text/turtle"},
	} {
		var headers []string
		if c.header != "" {
			headers = append(headers, c.header)
		}
		want(t, a.call(t, me, c.method, c.target, c.body, headers...), http.StatusNotAcceptable)
	}
	want(t, a.call(t, me, "GET", "/fhir/r4/Observation/"+mine, "", "Accept: application/fhir+json, application/fhir+xml;q=0.5"), http.StatusOK)
	want(t, a.call(t, me, "GET", "/fhir/r4/Observation/"+mine, "", "Accept: */*"), http.StatusOK)
	if n := want(t, a.call(t, me, "GET", "/fhir/r4/Observation?_count=0", ""), http.StatusOK)["total"]; n != 1.0 {
		t.Errorf("a create refused with 406 was stored: %v measurements", n)
	}

	want(t, a.call(t, me, "POST", "/fhir/r4/Observation", "value=60"), http.StatusUnsupportedMediaType)
	want(t, a.call(t, me, "POST", "/fhir/r4/Observation", `{"resourceType":"Observation",`), http.StatusBadRequest)
	unprocessable := a.call(t, me, "POST", "/fhir/r4/Observation",
		observation(me.PersonID, heartRate, "mg", 60, "2026-11-05T07:00:00+02:00", ""))
	doc := want(t, unprocessable, http.StatusUnprocessableEntity)
	if !strings.Contains(outcomeText(doc), "@Observation.valueQuantity.code") {
		t.Errorf("422 names no element: %s", outcomeText(doc))
	}
	golden(t, "operation-outcome", unprocessable.Body.Bytes(), nil)
	// An R4 element omahoito does not keep is refused by name (422), not
	// dropped; a name R4 does not have (in any case) is not FHIR (400).
	caseFolded := strings.Replace(observation(me.PersonID, heartRate, "/min", 60, "2026-11-05T07:00:00+02:00", ""), `"status"`, `"STATUS"`, 1)
	if text := outcomeText(want(t, a.call(t, me, "POST", "/fhir/r4/Observation", caseFolded), http.StatusBadRequest)); !strings.Contains(text, "@Observation.STATUS") {
		t.Errorf("a case-folded element: %s", text)
	}
	notKept := strings.Replace(observation(me.PersonID, heartRate, "/min", 60, "2026-11-05T07:00:00+02:00", ""), `"status"`, `"performer":[{"reference":"Practitioner/x"}],"status"`, 1)
	if text := outcomeText(want(t, a.call(t, me, "POST", "/fhir/r4/Observation", notKept), http.StatusUnprocessableEntity)); !strings.Contains(text, "@Observation.performer") {
		t.Errorf("an element omahoito does not keep: %s", text)
	}
	big := `{"resourceType":"Observation","note":[{"text":"` + strings.Repeat("x", 1<<20) + `"}]}`
	want(t, a.call(t, me, "POST", "/fhir/r4/Observation", big), http.StatusRequestEntityTooLarge)
}
