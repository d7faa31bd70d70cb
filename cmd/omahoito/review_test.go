package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Ids, values and hetus that a client sends must not reach the log.
func TestRefusalsLogNoPersonalData(t *testing.T) {
	a := MustStartApp(t, "sqlite")
	u := MustAPICitizen(t, a, testHetu)
	const otherHetu = "010594Y9021"
	for _, path := range []string{"/Patient/" + otherHetu, "/Observation?patient=" + url.QueryEscape(otherHetu), "/Observation/" + otherHetu} {
		if res, body := u.do(t, http.MethodGet, path, nil); res.StatusCode < 400 || strings.Contains(body, "sql:") {
			t.Errorf("GET %s: %d %s", path, res.StatusCode, body)
		}
	}
	u.do(t, http.MethodPost, "/Observation", bpObservation(u.patientID, 80, 95, time.Now().Add(-time.Minute), ""))
	assertNoPersonalData(t, a, otherHetu, testHetu, "systolic pressure 80")
}

func TestDeletedIdentifierIsNotRevived(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, a *testApp) {
		u := MustAPICitizen(t, a, testHetu)
		body := quantityObservation(u.patientID, "8867-4", 61, "/min", time.Now().Add(-time.Minute),
			`,"identifier":[{"system":"urn:example:watch","value":"hr-1"}]`)
		res, created := u.do(t, http.MethodPost, "/Observation", body)
		var obs struct{ ID string }
		_ = json.Unmarshal([]byte(created), &obs)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d", res.StatusCode)
		}
		u.do(t, http.MethodDelete, "/Observation/"+obs.ID, nil)
		res, outcome := u.do(t, http.MethodPost, "/Observation", body)
		if res.StatusCode != http.StatusConflict || !strings.Contains(outcome, "was deleted") {
			t.Errorf("re-sending a deleted reading: %d %s", res.StatusCode, outcome)
		}
		res, bundle := u.do(t, http.MethodPost, "", transactionBundle([][]byte{body}))
		if res.StatusCode != http.StatusOK || !strings.Contains(bundle, `"410 Gone"`) {
			t.Errorf("re-sending it in a bundle: %d %s", res.StatusCode, bundle)
		}
		if n := u.count(t); n != 0 {
			t.Errorf("the deleted reading came back: %d visible", n)
		}
	})
}

func TestNoteWithControlCharactersRefusedOnBothDatabases(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, a *testApp) {
		u := MustAPICitizen(t, a, testHetu)
		body := quantityObservation(u.patientID, "8867-4", 61, "/min", time.Now().Add(-time.Minute), `,"note":[{"text":"a\u0000b"}]`)
		if res, outcome := u.do(t, http.MethodPost, "/Observation", body); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(outcome, "Observation.note") {
			t.Errorf("NUL in note: %d %s", res.StatusCode, outcome)
		}
		if n := u.count(t); n != 0 {
			t.Errorf("stored %d", n)
		}
	})
}

func TestDateSearchPrecision(t *testing.T) {
	a := MustStartApp(t, "sqlite")
	u := MustAPICitizen(t, a, testHetu)
	at := time.Date(2024, 5, 1, 8, 30, 0, 0, time.UTC)
	u.do(t, http.MethodPost, "/Observation", quantityObservation(u.patientID, "8867-4", 61, "/min", at, ""))
	for query, want := range map[string]int{
		"2024-05-01T08:30:00Z":      1,
		"eq2024-05-01T08:30:00Z":    1,
		"le2024-05-01T08:30:00Z":    1,
		"lt2024-05-01T08:30:00Z":    0,
		"ge2024-05-01T08:30:00Z":    1,
		"gt2024-05-01T08:30:00Z":    0,
		"2024-05-01T11:30:00+03:00": 1,
		"2024-05-01":                1,
		"2024-05":                   1,
		"2024-04":                   0,
		"gt2024-05-01T08:29:59.5Z":  1,
	} {
		if got := u.search(t, "date="+url.QueryEscape(query)).Total; got != want {
			t.Errorf("date=%s: %d, want %d", query, got, want)
		}
	}
	b := u.search(t, "_count=0")
	if b.Total != 1 || len(b.Entry) != 0 || b.next() != "" {
		t.Errorf("_count=0: total %d, %d entries, next %q; want the total alone", b.Total, len(b.Entry), b.next())
	}
}

func TestAPIEdges(t *testing.T) {
	a := MustStartApp(t, "sqlite")
	u := MustAPICitizen(t, a, testHetu)
	// Links come from the configured base URL, not the Host header.
	req, _ := http.NewRequest(http.MethodGet, a.URL+"/fhir/r4/Observation", nil)
	req.Host = "evil.example"
	base, _ := url.Parse(a.URL)
	for _, ck := range u.c.Jar.Cookies(base) { // the client would look cookies up by Host
		req.AddCookie(ck)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, res)
	if strings.Contains(body, "evil.example") || !strings.Contains(body, a.URL+"/fhir/r4/Observation") {
		t.Errorf("links follow the Host header: %s", body)
	}
	// A cross-site write to the API is refused with an OperationOutcome.
	req, _ = http.NewRequest(http.MethodPost, a.URL+"/fhir/r4/Observation", bytes.NewReader([]byte(`{}`)))
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err = u.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, res); res.StatusCode != http.StatusForbidden || !strings.Contains(body, "OperationOutcome") {
		t.Errorf("cross-site POST: %d %s", res.StatusCode, body)
	}
	res, _ = u.do(t, http.MethodPost, "/Observation", []byte(`{}`), "Content-Type", "application/jsonfoo")
	if res.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("Content-Type application/jsonfoo: %d, want 415", res.StatusCode)
	}
	if res, _ := get(t, u.c, a.URL+"/static/"); res.StatusCode != http.StatusNotFound {
		t.Errorf("/static/ lists its directory: %d", res.StatusCode)
	}
}
