package fhirapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/omahoito/omahoito/internal/portaltest"
)

// TestPatient: a citizen reads and finds themself, not others; a search by
// personal identity code goes in a POST body, and a GET carrying one is
// refused with a message saying so, the code appearing in no link and no
// log line.
func TestPatient(t *testing.T) {
	a := newAPI(t)
	me := a.MustCitizen(t, hetuA, "kainuu")
	other := a.MustCitizen(t, hetuB, "kainuu")
	read := a.call(t, me, "GET", "/fhir/r4/Patient/"+me.PersonID, "")
	want(t, read, http.StatusOK)
	golden(t, "patient", read.Body.Bytes(), map[string]string{me.PersonID: "<patient>"})
	want(t, a.call(t, me, "GET", "/fhir/r4/Patient/"+other.PersonID, ""), http.StatusForbidden)
	want(t, a.call(t, me, "GET", "/fhir/r4/Patient/no-such-person", ""), http.StatusForbidden) // no probing for ids

	all := want(t, a.call(t, me, "GET", "/fhir/r4/Patient", ""), http.StatusOK)
	if es := entries(all); len(es) != 1 || es[0]["id"] != me.PersonID {
		t.Errorf("a citizen's Patient search: %v", es)
	}
	for _, target := range []string{
		"/fhir/r4/Patient?identifier=urn:oid:1.2.246.21|" + hetuA,
		"/fhir/r4/Patient?identifier=" + hetuA,
		"/fhir/r4/Patient?identifier:not=" + hetuB,
		"/fhir/r4/Patient/_search?identifier=" + hetuA,
	} {
		method := "GET"
		if strings.Contains(target, "_search") {
			method = "POST"
		}
		doc := want(t, a.call(t, me, method, target, ""), http.StatusBadRequest)
		if text := outcomeText(doc); !strings.Contains(text, "POST [base]/Patient/_search") || strings.Contains(text, hetuA) {
			t.Errorf("%s: %q", target, text)
		}
	}
	for form, n := range map[string]int{
		"identifier=urn:oid:1.2.246.21|" + hetuA: 1,
		"identifier=" + hetuA:                    1,
		"identifier=urn:oid:1.2.246.21|":         1,
		"identifier=|" + hetuA:                   0, // no system: the hetu always has one
		"identifier=urn:oid:1.2.3|" + hetuA:      0,
		"identifier=urn:oid:1.2.246.21|" + hetuB: 0, // someone else's: left out, never named
		"identifier=not-a-code":                  0,
	} {
		w := a.call(t, me, "POST", "/fhir/r4/Patient/_search", url.Values{"identifier": {strings.TrimPrefix(form, "identifier=")}}.Encode())
		doc := want(t, w, http.StatusOK)
		if got := len(entries(doc)); got != n || doc["total"] != float64(n) {
			t.Errorf("POST _search %s: %d entries, total %v, want %d", form, got, doc["total"], n)
		}
		if strings.Contains(w.Body.String(), "_search") || strings.Contains(link(doc, "self"), hetuA) || strings.Contains(link(doc, "self"), hetuB) {
			t.Errorf("POST _search %s: the self link %q carries the search", form, link(doc, "self"))
		}
	}
	want(t, a.call(t, me, "POST", "/fhir/r4/Patient/_search", "name=Testi"), http.StatusBadRequest)
	lenient := want(t, a.call(t, me, "POST", "/fhir/r4/Patient/_search", "name=Testi", "Prefer: handling=lenient"), http.StatusOK)
	if len(entries(lenient)) != 1 || str(obj(lastEntry(lenient)["search"])["mode"]) != "outcome" {
		t.Errorf("lenient Patient search: %v", lenient)
	}
	for _, code := range []string{hetuA, hetuB} {
		if strings.Contains(a.Log.String(), code) {
			t.Errorf("the log carries a personal identity code:\n%s", a.Log)
		}
	}
}

// TestPatientSearchRefusalsEchoNoCode: a Patient search takes one
// identifier (a long OR list would be a lookup per code); a malformed or
// repeated one is 400, and no personal identity code comes back in any
// answer or reaches the log.
func TestPatientSearchRefusalsEchoNoCode(t *testing.T) {
	a := newAPI(t)
	me := a.MustCitizen(t, hetuA, "kainuu")
	var many []string
	for range 2000 {
		many = append(many, hetuB) // 2000 codes in a 24 kB form: 2000 lookups, were it taken
	}
	for _, form := range []url.Values{
		{"identifier": {"urn:oid:1.2.246.21|" + hetuA + "|x"}},
		{"identifier": {hetuB + "," + hetuA}},
		{"identifier": {hetuA, hetuB}},
		{"identifier": {strings.Join(many, ",")}},
		{"identifier": {"urn:oid:1.2.246.21|" + hetuA}, hetuB: {"x"}},
		{"identifier": {"urn:oid:1.2.246.21|" + hetuA}, "_count": {hetuB}},
		{"identifier:text": {hetuA}},
	} {
		w := a.call(t, me, "POST", "/fhir/r4/Patient/_search", form.Encode())
		want(t, w, http.StatusBadRequest)
		if body := w.Body.String(); strings.Contains(body, hetuA) || strings.Contains(body, hetuB) {
			t.Errorf("the answer to %.80s echoes a code: %s", form.Encode(), body)
		}
	}
	lenient := a.call(t, me, "POST", "/fhir/r4/Patient/_search", url.Values{"identifier": {hetuA}, hetuB: {"x"}}.Encode(), "Prefer: handling=lenient")
	want(t, lenient, http.StatusOK)
	if strings.Contains(lenient.Body.String(), hetuB) {
		t.Errorf("a lenient search names an ignored code: %s", lenient.Body)
	}
	one := want(t, a.call(t, me, "POST", "/fhir/r4/Patient/_search", "identifier="+url.QueryEscape("urn:oid:1.2.246.21|"+hetuA)), http.StatusOK)
	if len(entries(one)) != 1 {
		t.Errorf("one identifier: %v", one)
	}
	for _, code := range []string{hetuA, hetuB} {
		if strings.Contains(a.Log.String(), code) {
			t.Errorf("the log carries a personal identity code:\n%s", a.Log)
		}
	}
}

// TestProfessionalPatientSearch: without consents a professional finds no
// one, even by a code that exists, and may read no one.
func TestProfessionalPatientSearch(t *testing.T) {
	a := newAPI(t)
	citizen := a.MustCitizen(t, hetuA, "kainuu")
	nurse := portaltest.Professional("pro-kainuu-nurse", "unit-kainuu-kajaani", "kainuu")
	for _, form := range []string{"", "identifier=urn:oid:1.2.246.21|" + hetuA} {
		doc := want(t, a.call(t, nurse, "POST", "/fhir/r4/Patient/_search", form), http.StatusOK)
		if doc["total"] != 0.0 || len(entries(doc)) != 0 {
			t.Errorf("%q: a professional without consent found %v", form, doc["entry"])
		}
	}
	want(t, a.call(t, nurse, "GET", "/fhir/r4/Patient/"+citizen.PersonID, ""), http.StatusForbidden)
	want(t, a.call(t, nurse, "GET", "/fhir/r4/Observation?patient="+citizen.PersonID, ""), http.StatusForbidden)
}

// TestDirectorySearch: Practitioner and Organization by name (starts
// with, case and accents ignored; :exact; :contains) and identifier token
// forms, within the caller's region.
func TestDirectorySearch(t *testing.T) {
	a := newAPI(t)
	oulu := a.MustCitizen(t, hetuA, "oulu")
	ids := func(target string) string {
		t.Helper()
		method, body := "GET", ""
		if path, form, ok := strings.Cut(target, " "); ok {
			method, target, body = "POST", path, form
		}
		doc := want(t, a.call(t, oulu, method, target, body), http.StatusOK)
		var out []string
		for _, e := range entries(doc) {
			out = append(out, str(e["id"]))
		}
		return strings.Join(out, ",")
	}
	for target, wantIDs := range map[string]string{
		"/fhir/r4/Practitioner":                                                               "pro-oulu-doctor,pro-oulu-nurse",
		"/fhir/r4/Practitioner?name=vai":                                                      "pro-oulu-nurse",
		"/fhir/r4/Practitioner?name=V%C3%84IS%C3%84":                                          "pro-oulu-nurse",
		"/fhir/r4/Practitioner?name=makela":                                                   "pro-oulu-doctor",
		"/fhir/r4/Practitioner?name=isanen":                                                   "",
		"/fhir/r4/Practitioner?name:contains=isanen":                                          "pro-oulu-nurse",
		"/fhir/r4/Practitioner?name:exact=V%C3%A4is%C3%A4nen":                                 "pro-oulu-nurse",
		"/fhir/r4/Practitioner?name:exact=vaisanen":                                           "",
		"/fhir/r4/Practitioner?name=Helmi%20V":                                                "pro-oulu-nurse",
		"/fhir/r4/Practitioner?name=juhani,helmi":                                             "pro-oulu-doctor,pro-oulu-nurse",
		"/fhir/r4/Practitioner?name=juhani&name=helmi":                                        "",
		"/fhir/r4/Practitioner?name=niemi":                                                    "", // an operator, not a grantee
		"/fhir/r4/Practitioner?name=heikkinen":                                                "", // another region
		"/fhir/r4/Practitioner?identifier=urn:oid:1.2.246.537.26|10000000003":                 "pro-oulu-nurse",
		"/fhir/r4/Practitioner?identifier=10000000004":                                        "pro-oulu-doctor",
		"/fhir/r4/Practitioner?identifier=urn:oid:1.2.246.537.26|":                            "pro-oulu-doctor,pro-oulu-nurse",
		"/fhir/r4/Practitioner?identifier=%7C10000000004":                                     "",
		"/fhir/r4/Practitioner?identifier=urn:oid:9|10000000004":                              "",
		"/fhir/r4/Practitioner?_count=1":                                                      "pro-oulu-doctor",
		"/fhir/r4/Practitioner/_search name:contains=kel":                                     "pro-oulu-doctor",
		"/fhir/r4/Organization?name=kontin":                                                   "unit-oulu-kontinkangas",
		"/fhir/r4/Organization?name:contains=HYVINVOINTI":                                     "region-oulu,unit-oulu-kontinkangas",
		"/fhir/r4/Organization?name:exact=Oulun%20keskustan%20terveysasema":                   "unit-oulu-keskusta",
		"/fhir/r4/Organization?identifier=urn:ietf:rfc:3986|urn:oid:1.2.246.10.99990002.10.0": "region-oulu",
		"/fhir/r4/Organization?identifier=urn:oid:1.2.246.10.99990002.10.2":                   "unit-oulu-kontinkangas",
		"/fhir/r4/Organization?identifier=urn:oid:1.2.246.10.99990001.10.1":                   "",
		"/fhir/r4/Organization/_search identifier=1.2.246.10.99990002.10.1":                   "unit-oulu-keskusta",
	} {
		if got := ids(target); got != wantIDs {
			t.Errorf("%s: %q, want %q", target, got, wantIDs)
		}
	}
	for _, bad := range []string{"/fhir/r4/Practitioner?name:below=x", "/fhir/r4/Practitioner?family=x", "/fhir/r4/Organization?_sort=name",
		"/fhir/r4/Practitioner?identifier=a|b|c", "/fhir/r4/Organization?name="} {
		want(t, a.call(t, oulu, "GET", bad, ""), http.StatusBadRequest)
	}
	want(t, a.call(t, oulu, "GET", "/fhir/r4/Practitioner/pro-oulu-nurse", ""), http.StatusOK)
	want(t, a.call(t, oulu, "GET", "/fhir/r4/Practitioner/pro-kainuu-nurse", ""), http.StatusNotFound)
	want(t, a.call(t, oulu, "GET", "/fhir/r4/Organization/unit-kainuu-kajaani", ""), http.StatusNotFound)
	want(t, a.call(t, oulu, "GET", "/fhir/r4/Organization/region-oulu", ""), http.StatusOK)
}
