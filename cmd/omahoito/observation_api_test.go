package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/omahoito/omahoito/internal/fhirschema"
)

const fhirJSON = "application/fhir+json"

// apiCitizen is a logged-in citizen's browser with their Patient id.
type apiCitizen struct {
	*testApp
	c         *http.Client
	patientID string
}

func MustAPICitizen(tb testing.TB, a *testApp, hetu string) *apiCitizen {
	tb.Helper()
	c := browser(tb)
	a.citizenLogin(tb, c, hetu, "kainuu")
	return &apiCitizen{testApp: a, c: c, patientID: mustPatientSelf(tb, c, a).ID}
}

func (u *apiCitizen) do(tb testing.TB, method, path string, body []byte, header ...string) (*http.Response, string) {
	tb.Helper()
	req, err := http.NewRequest(method, u.URL+"/fhir/r4"+path, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", fhirJSON)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := u.c.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	return res, readBody(tb, res)
}

func bpObservation(patient string, sys, dia float64, at time.Time, extra string) []byte {
	return []byte(fmt.Sprintf(`{"resourceType":"Observation","status":"final",
	"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],
	"code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}]},
	"subject":{"reference":"Patient/%s"},"effectiveDateTime":"%s",
	"component":[
	 {"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":%g,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}},
	 {"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":%g,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}]%s}`,
		patient, at.Format(time.RFC3339), sys, dia, extra))
}

func quantityObservation(patient, code string, value float64, unit string, at time.Time, extra string) []byte {
	return []byte(fmt.Sprintf(`{"resourceType":"Observation","status":"final",
	"code":{"coding":[{"system":"http://loinc.org","code":"%s"}]},
	"subject":{"reference":"Patient/%s"},"effectiveDateTime":"%s",
	"valueQuantity":{"value":%g,"system":"http://unitsofmeasure.org","code":"%s"}%s}`,
		code, patient, at.Format(time.RFC3339), value, unit, extra))
}

type searchBundle struct {
	Total int `json:"total"`
	Link  []struct{ Relation, URL string }
	Entry []struct {
		Resource struct {
			ID   string `json:"id"`
			Meta struct {
				VersionID string `json:"versionId"`
			} `json:"meta"`
			EffectiveDateTime string `json:"effectiveDateTime"`
		} `json:"resource"`
	} `json:"entry"`
}

func (b searchBundle) next() string {
	for _, l := range b.Link {
		if l.Relation == "next" {
			return l.URL
		}
	}
	return ""
}

func (u *apiCitizen) search(tb testing.TB, query string) searchBundle {
	tb.Helper()
	res, body := u.do(tb, http.MethodGet, "/Observation?"+query, nil)
	if res.StatusCode != http.StatusOK {
		tb.Fatalf("search %s: %d %s", query, res.StatusCode, body)
	}
	var b searchBundle
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		tb.Fatal(err)
	}
	return b
}

func (u *apiCitizen) count(tb testing.TB) int {
	tb.Helper()
	return u.search(tb, "_count=1").Total
}

func TestObservationCreateReadVersions(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, a *testApp) {
		u := MustAPICitizen(t, a, testHetu)
		at := time.Now().Add(-time.Hour).Truncate(time.Second)
		res, created := u.do(t, http.MethodPost, "/Observation", bpObservation(u.patientID, 128, 82, at, ""))
		if res.StatusCode != http.StatusCreated || res.Header.Get("ETag") != `W/"1"` || !strings.Contains(res.Header.Get("Location"), "/_history/1") {
			t.Fatalf("create: %d %v %s", res.StatusCode, res.Header, created)
		}
		var obs struct{ ID string }
		_ = json.Unmarshal([]byte(created), &obs)
		_, read := u.do(t, http.MethodGet, "/Observation/"+obs.ID, nil)
		for _, want := range []string{`"85354-9"`, `"8480-6"`, `"8462-4"`, `"vital-signs"`, `"mm[Hg]"`, `"versionId":"1"`} {
			if !strings.Contains(read, want) {
				t.Errorf("read lacks %s: %s", want, read)
			}
		}

		// A correction with the current version makes version 2; a stale one is refused.
		res, updated := u.do(t, http.MethodPut, "/Observation/"+obs.ID,
			withID(bpObservation(u.patientID, 126, 80, at, ""), obs.ID), "If-Match", `W/"1"`)
		if res.StatusCode != http.StatusOK || !strings.Contains(updated, `"versionId":"2"`) {
			t.Fatalf("update: %d %s", res.StatusCode, updated)
		}
		res, _ = u.do(t, http.MethodPut, "/Observation/"+obs.ID,
			withID(bpObservation(u.patientID, 150, 90, at, ""), obs.ID), "If-Match", `W/"1"`)
		if res.StatusCode != http.StatusPreconditionFailed {
			t.Fatalf("stale If-Match: %d, want 412", res.StatusCode)
		}
		res, _ = u.do(t, http.MethodDelete, "/Observation/"+obs.ID, nil)
		if res.StatusCode != http.StatusNoContent {
			t.Fatalf("delete: %d", res.StatusCode)
		}
		if res, _ := u.do(t, http.MethodGet, "/Observation/"+obs.ID, nil); res.StatusCode != http.StatusGone {
			t.Errorf("read after delete: %d, want 410", res.StatusCode)
		}
		if n := u.count(t); n != 0 {
			t.Errorf("search after delete: total %d", n)
		}
		res, hist := u.do(t, http.MethodGet, "/Observation/"+obs.ID+"/_history", nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(hist, `"type":"history"`) || strings.Count(hist, `"method":`) != 3 {
			t.Fatalf("history: %d %s", res.StatusCode, hist)
		}
		if res, v1 := u.do(t, http.MethodGet, "/Observation/"+obs.ID+"/_history/1", nil); res.StatusCode != http.StatusOK || !strings.Contains(v1, `"value":128`) {
			t.Errorf("version 1: %d %s", res.StatusCode, v1)
		}
		fhirschema.Validate(t, []byte(created), []byte(read), []byte(updated), []byte(hist))
	})
}

func withID(body []byte, id string) []byte {
	return bytes.Replace(body, []byte(`{"resourceType":"Observation",`), []byte(`{"resourceType":"Observation","id":"`+id+`",`), 1)
}

func TestObservationIdempotentCreate(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, a *testApp) {
		u := MustAPICitizen(t, a, testHetu)
		body := quantityObservation(u.patientID, "29463-7", 72.5, "kg", time.Now().Add(-time.Minute),
			`,"identifier":[{"system":"urn:example:scale","value":"reading-1"}]`)
		r1, b1 := u.do(t, http.MethodPost, "/Observation", body)
		r2, b2 := u.do(t, http.MethodPost, "/Observation", body)
		if r1.StatusCode != http.StatusCreated || r2.StatusCode != http.StatusOK {
			t.Fatalf("statuses %d, %d; want 201 then 200", r1.StatusCode, r2.StatusCode)
		}
		var o1, o2 struct{ ID string }
		_ = json.Unmarshal([]byte(b1), &o1)
		_ = json.Unmarshal([]byte(b2), &o2)
		if o1.ID != o2.ID || u.count(t) != 1 {
			t.Fatalf("sent twice, stored %d times (%s, %s)", u.count(t), o1.ID, o2.ID)
		}
	})
}

func TestObservationBadInputChangesNothing(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, a *testApp) {
		u := MustAPICitizen(t, a, testHetu)
		other := MustAPICitizen(t, a, "010594Y9021")
		now := time.Now().Add(-time.Minute)
		cases := []struct {
			name   string
			body   []byte
			status int
			field  string // the exact path in issue[0].expression; "" for none
		}{
			// 400: not FHIR at all; 422: FHIR that breaks omahoito's rules.
			{"unknown code", quantityObservation(u.patientID, "12345-6", 1, "kg", now, ""), 422, "Observation.code"},
			{"wrong unit", quantityObservation(u.patientID, "29463-7", 70, "cm", now, ""), 422, "Observation.valueQuantity.code"},
			{"out of range", quantityObservation(u.patientID, "29463-7", 700, "kg", now, ""), 422, "Observation.valueQuantity.value"},
			{"systolic not above diastolic", bpObservation(u.patientID, 80, 80, now, ""), 422, "Observation.component[0].valueQuantity.value"},
			{"both value[x]", quantityObservation(u.patientID, "29463-7", 70, "kg", now, `,"valueString":"70"`), 400, "Observation.value[x]"},
			{"no value", []byte(`{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},"subject":{"reference":"Patient/` + u.patientID + `"},"effectiveDateTime":"2024-01-01T10:00:00Z"}`), 422, "Observation.value[x]"},
			{"future time", quantityObservation(u.patientID, "29463-7", 70, "kg", time.Now().Add(time.Hour), ""), 422, "Observation.effectiveDateTime"},
			// The gate refuses another person's record before anything is read.
			{"another person", quantityObservation(other.patientID, "29463-7", 70, "kg", now, ""), 403, ""},
			{"malformed JSON", []byte(`{"resourceType":"Observation",`), 400, "Observation"},
		}
		var outcomes [][]byte
		for _, tc := range cases {
			res, body := u.do(t, http.MethodPost, "/Observation", tc.body)
			var oo struct {
				ResourceType string `json:"resourceType"`
				Issue        []struct {
					Expression []string `json:"expression"`
				} `json:"issue"`
			}
			_ = json.Unmarshal([]byte(body), &oo)
			var expression string
			if len(oo.Issue) > 0 && len(oo.Issue[0].Expression) > 0 {
				expression = oo.Issue[0].Expression[0]
			}
			if res.StatusCode != tc.status || oo.ResourceType != "OperationOutcome" || len(oo.Issue) == 0 || expression != tc.field {
				t.Errorf("%s: %d %s; want %d with expression %s", tc.name, res.StatusCode, body, tc.status, tc.field)
			}
			outcomes = append(outcomes, []byte(body))
		}
		fhirschema.Validate(t, outcomes...)
		huge := quantityObservation(u.patientID, "29463-7", 70, "kg", now, `,"note":[{"text":"`+strings.Repeat("x", 1<<20)+`"}]`)
		if res, _ := u.do(t, http.MethodPost, "/Observation", huge); res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("over 1 MB: %d, want 413", res.StatusCode)
		}
		if n := u.count(t); n != 0 {
			t.Fatalf("refused requests stored %d measurements", n)
		}
		pro := browser(t)
		a.professionalLogin(t, pro, "kainuu-nurse")
		valid := quantityObservation(u.patientID, "29463-7", 70, "kg", now, "")
		req, _ := http.NewRequest(http.MethodPost, a.URL+"/fhir/r4/Observation", bytes.NewReader(valid))
		req.Header.Set("Content-Type", fhirJSON)
		if res, err := pro.Do(req); err != nil || res.StatusCode != http.StatusForbidden {
			t.Errorf("professional create: %v %v", res.StatusCode, err)
		}
	})
}

func transactionBundle(entries [][]byte) []byte {
	var b bytes.Buffer
	b.WriteString(`{"resourceType":"Bundle","type":"transaction","entry":[`)
	for i, e := range entries {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"fullUrl":"urn:uuid:%08d-0000-4000-8000-000000000000","resource":%s,"request":{"method":"POST","url":"Observation"}}`, i, e)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

func TestTransactionAllOrNothing(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, a *testApp) {
		u := MustAPICitizen(t, a, testHetu)
		start := time.Now().AddDate(0, 0, -10000)
		entries := make([][]byte, 10000)
		for i := range entries {
			entries[i] = bpObservation(u.patientID, 120+float64(i%20), 80, start.Add(time.Duration(i)*time.Hour), "")
		}
		bad := append([][]byte(nil), entries...)
		bad[7321] = bpObservation(u.patientID, 80, 95, start, "")
		res, body := u.do(t, http.MethodPost, "", transactionBundle(bad))
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Bundle.entry[7321]") {
			t.Fatalf("bundle with one bad entry: %d %.400s", res.StatusCode, body)
		}
		if n := u.count(t); n != 0 {
			t.Fatalf("a refused bundle stored %d measurements", n)
		}
		res, body = u.do(t, http.MethodPost, "", transactionBundle(entries))
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `"transaction-response"`) || strings.Count(body, `"201 Created"`) != 10000 {
			t.Fatalf("good bundle: %d %.300s", res.StatusCode, body)
		}
		if n := u.count(t); n != 10000 {
			t.Fatalf("stored %d of 10000", n)
		}
		over := transactionBundle([][]byte{quantityObservation(u.patientID, "29463-7", 70, "kg", time.Now(), `,"note":[{"text":"`+strings.Repeat("x", 11<<20)+`"}]`)})
		if res, _ := u.do(t, http.MethodPost, "", over); res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("bundle over 10 MB: %d, want 413", res.StatusCode)
		}
	})
}

func TestObservationSearch(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, a *testApp) {
		u := MustAPICitizen(t, a, testHetu)
		other := MustAPICitizen(t, a, "010594Y9021")
		base := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
		var entries [][]byte
		for i := 0; i < 35; i++ {
			entries = append(entries, bpObservation(u.patientID, 120, 80, base.AddDate(0, 0, i), ""))
		}
		entries = append(entries, quantityObservation(u.patientID, "8867-4", 60, "/min", base, ""))
		res, seeded := u.do(t, http.MethodPost, "", transactionBundle(entries))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("seed: %d %.300s", res.StatusCode, seeded)
		}
		_, firstPage := u.do(t, http.MethodGet, "/Observation?_count=10", nil)
		fhirschema.Validate(t, []byte(seeded), []byte(firstPage))
		u2 := other.search(t, "")
		if u2.Total != 0 {
			t.Fatalf("another citizen sees %d of the first one's measurements", u2.Total)
		}
		for _, q := range []string{"patient=" + u.patientID, "patient=Patient/" + u.patientID, ""} {
			if got := u.search(t, q).Total; got != 36 {
				t.Errorf("%q: total %d, want 36", q, got)
			}
		}
		if res, _ := u.do(t, http.MethodGet, "/Observation?patient="+other.patientID, nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("search of another patient: %d, want 403", res.StatusCode)
		}
		if got := u.search(t, "code="+url.QueryEscape("http://loinc.org|8867-4")).Total; got != 1 {
			t.Errorf("code search: %d", got)
		}
		if got := u.search(t, "code=85354-9&date=ge2025-03-10&date=lt2025-03-20").Total; got != 10 {
			t.Errorf("date range: %d, want 10", got)
		}
		if res, _ := u.do(t, http.MethodGet, "/Observation?date=soon", nil); res.StatusCode != http.StatusBadRequest {
			t.Errorf("bad date: %d", res.StatusCode)
		}

		// Walk pages of 10 newest first while new readings arrive, older and
		// newer than the cursor: every original reading is seen exactly once.
		seen := map[string]int{}
		page := u.search(t, "code=85354-9&_count=10&_sort=-date")
		pages := 0
		for {
			pages++
			for _, e := range page.Entry {
				seen[e.Resource.EffectiveDateTime]++
			}
			if pages == 1 {
				late := [][]byte{bpObservation(u.patientID, 130, 85, base.AddDate(0, 0, 40), ""), bpObservation(u.patientID, 130, 85, base.AddDate(0, 0, -3), "")}
				u.do(t, http.MethodPost, "", transactionBundle(late))
			}
			next := page.next()
			if next == "" {
				break
			}
			res, body := u.do(t, http.MethodGet, strings.TrimPrefix(next, u.URL+"/fhir/r4"), nil)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("next page: %d %s", res.StatusCode, body)
			}
			page = searchBundle{}
			_ = json.Unmarshal([]byte(body), &page)
		}
		for i := 0; i < 35; i++ {
			at := base.AddDate(0, 0, i).Format(time.RFC3339)
			if seen[at] != 1 {
				t.Errorf("reading at %s seen %d times", at, seen[at])
			}
		}
	})
}

// Units other than the canonical one are converted on entry and stored
// converted, on both databases.
func TestObservationUnitConversions(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, a *testApp) {
		u := MustAPICitizen(t, a, testHetu)
		at := time.Now().Add(-time.Hour)
		cases := []struct {
			code, unit string
			value      float64
			want       string
		}{
			{"29463-7", "[lb_av]", 160, `"value":72.57`},
			{"29463-7", "g", 72500, `"value":72.5`},
			{"8302-2", "m", 1.78, `"value":178`},
			{"8302-2", "[in_i]", 70, `"value":177.8`},
			{"8310-5", "[degF]", 98.6, `"value":37`},
			{"14743-9", "mg/dL", 108, `"value":5.99`},
			{"15074-8", "mmol/L", 6.1, `"code":"14743-9"`},
		}
		for _, tc := range cases {
			res, body := u.do(t, http.MethodPost, "/Observation", quantityObservation(u.patientID, tc.code, tc.value, tc.unit, at, ""))
			var obs struct{ ID string }
			_ = json.Unmarshal([]byte(body), &obs)
			if res.StatusCode != http.StatusCreated {
				t.Errorf("%g %s: %d %s", tc.value, tc.unit, res.StatusCode, body)
				continue
			}
			_, read := u.do(t, http.MethodGet, "/Observation/"+obs.ID, nil)
			if !strings.Contains(read, tc.want) {
				t.Errorf("%g %s read back as %s, want %s", tc.value, tc.unit, read, tc.want)
			}
		}
	})
}

// An app's write from another origin (a web app of its own) is authorised
// by its bearer token, which no browser adds by itself; the same write
// authorised by the portal's session cookie is a forgery and refused.
func TestBearerWriteFromAnotherOrigin(t *testing.T) {
	a := MustStartApp(t, "sqlite")
	token := devAppToken(t, a, testHetu)
	patientID := bearerPatientID(t, a, nil, token)
	session := MustAPICitizen(t, a, testHetu)
	at := time.Now().Add(-time.Hour).Truncate(time.Second)
	send := func(c *http.Client, bearer string, value float64) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, a.URL+"/fhir/r4/Observation",
			bytes.NewReader(quantityObservation(patientID, "8867-4", value, "/min", at, "")))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", fhirJSON)
		req.Header.Set("Origin", "https://app.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res, readBody(t, res)
	}
	if res, body := send(&http.Client{}, token, 61); res.StatusCode != http.StatusCreated {
		t.Errorf("a cross-origin write with a bearer token: %d %s, want 201", res.StatusCode, body)
	}
	if res, body := send(session.c, "", 62); res.StatusCode != http.StatusForbidden || !strings.Contains(body, "cross-origin") {
		t.Errorf("a cross-origin write with the session cookie: %d %s, want 403", res.StatusCode, body)
	}
	if n := session.count(t); n != 1 {
		t.Errorf("%d measurements stored, want the bearer one alone", n)
	}
}
