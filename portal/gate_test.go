package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/internal/portaltest"
	"github.com/omahoito/omahoito/record"
)

// notPersonalData are the routes that read no one's record: logins, the
// directory of professionals and care units, the capability statement.
// Every other route is a path to a person's data and must pass the gate.
var notPersonalData = map[string]bool{
	"GET /":                              true, // a professional's home shows the directory; a citizen's own name passes the gate (no store call, asserted for every route)
	"GET /login":                         true,
	"GET /pro/login":                     true,
	"GET /auth/citizen/callback":         true,
	"GET /auth/professional/callback":    true,
	"POST /logout":                       true,
	"GET /fhir/r4/metadata":              true,
	"GET /fhir/r4/Practitioner":          true,
	"POST /fhir/r4/Practitioner/_search": true,
	"GET /fhir/r4/Practitioner/:id":      true,
	"GET /fhir/r4/Organization":          true,
	"POST /fhir/r4/Organization/_search": true,
	"GET /fhir/r4/Organization/:id":      true,
	"GET /measurements/new":              true, // an empty form
}

// gateBodies are valid request bodies, so that each write reaches the
// service (and its gate) instead of stopping at a parse error. A route
// that takes a body and is missing here fails the test: add one.
func gateBodies(patient, obsID string) map[string]string {
	at := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	obs := `{"resourceType":"Observation","status":"final",` +
		`"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],` +
		`"code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":{"reference":"Patient/` + patient + `"},` +
		`"effectiveDateTime":"` + at + `","valueQuantity":{"value":60,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}`
	form := url.Values{"kind": {"heart-rate"}, "value": {"60"}, "date": {time.Now().AddDate(0, 0, -1).Format("2006-01-02")}, // yesterday: 07:00 today may lie ahead
		"time": {"07:00"}, "version": {"1"}, "token": {"t1"}}
	return map[string]string{
		"POST /fhir/r4":                     `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":` + obs + `},"request":{"method":"POST","url":"Observation"}}]}`,
		"POST /fhir/r4/Observation":         obs + "}",
		"PUT /fhir/r4/Observation/:id":      obs + `,"id":"` + obsID + `"}`,
		"POST /fhir/r4/Observation/_search": "code=8867-4",
		"POST /fhir/r4/Patient/_search":     "identifier=urn:oid:1.2.246.21|010190-900P",
		"POST /measurements/new":            form.Encode(),
		"POST /measurements/m/:id/edit":     form.Encode(),
		"POST /measurements/m/:id/delete":   form.Encode(),
	}
}

// variantsOf are the forms of one route the walk tries: for searches also
// those that a handler might answer without a query (criteria that
// contradict each other, a count of zero).
func variantsOf(key, target string) []string {
	switch key {
	case "GET /fhir/r4/Observation":
		return []string{target, target + "?code=8867-4&code=29463-7", target + "?_count=0", target + "?patient=someone-else"}
	case "GET /measurements/k/:kind":
		return []string{target, target + "?range=all", target + "?from=2026-01-01&to=2026-02-01"}
	}
	return []string{target}
}

// TestGateRefusesEveryRoute wires an Access that refuses everyone and walks
// every page route and FHIR interaction as the record's owner, another
// citizen and a professional: each answers 403 or 404, and no store method
// that reads or writes a person's data is reached. It is the start of the
// consent authorisation matrix.
func TestGateRefusesEveryRoute(t *testing.T) {
	calls, asked := &portaltest.Calls{}, &portaltest.Calls{}
	plain := portaltest.New(t, portaltest.Options{})
	owner := plain.MustCitizen(t, "010190-900P", "kainuu")
	added, err := plain.Records.Record(context.Background(), owner, owner.PersonID, record.Source{Kind: record.SourceManual},
		[]record.Input{{Kind: record.HeartRate, Value: 60, At: time.Now().Add(-time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	obsID := added[0].Measurement.ID
	env := portaltest.New(t, portaltest.Options{
		Access:      portaltest.DenyAll{Asked: asked},
		RecordStore: portaltest.RecordGuard{Store: plain.Store, Calls: calls},
		AuthStore:   portaltest.PeopleGuard{Store: plain.Store, Calls: calls},
	})
	bodies := gateBodies(owner.PersonID, obsID)
	callers := map[string]auth.Principal{
		"owner":          owner,
		"another person": {Kind: auth.KindCitizen, PersonID: "someone-else", RegionID: "kainuu"},
		"professional":   portaltest.Professional("pro-kainuu-nurse", "unit-kainuu-kajaani", "kainuu"),
	}
	walked := 0
	for _, route := range env.Routes {
		key := route.Method + " " + route.Path
		target := strings.NewReplacer(":id", obsID, ":kind", string(record.HeartRate), ":vid", "1").Replace(route.Path)
		if strings.HasPrefix(route.Path, "/fhir/r4/Patient/:id") {
			target = strings.Replace(route.Path, ":id", owner.PersonID, 1)
		}
		body, hasBody := bodies[key]
		if (route.Method == http.MethodPost || route.Method == http.MethodPut) && !hasBody && !notPersonalData[key] {
			t.Errorf("%s: no request body in gateBodies; add a valid one so the walk reaches the gate", key)
			continue
		}
		for _, variant := range variantsOf(key, target) {
			for name, who := range callers {
				asked.Take()
				w := env.Do(t, who, route.Method, variant, body)
				// Whose entry an id is may be looked up first: it reads
				// no one's data, and the gate decides for that owner.
				reached := slices.DeleteFunc(calls.Take(), func(c string) bool { return c == "MeasurementOwner" })
				if len(reached) > 0 {
					t.Errorf("%s as %s reached the store before the gate: %v", variant, name, reached)
				}
				if notPersonalData[key] {
					continue
				}
				walked++
				if len(asked.Take()) == 0 {
					t.Errorf("%s %s as %s = %d without asking the gate", route.Method, variant, name, w.Code)
				}
				if w.Code != http.StatusForbidden && w.Code != http.StatusNotFound {
					t.Errorf("%s %s as %s = %d, want 403 or 404\n%s", route.Method, variant, name, w.Code, w.Body.String())
				}
			}
		}
	}
	if walked < 3*25 {
		t.Fatalf("walked %d route×caller pairs: the walk did not reach the routes", walked)
	}
	for key := range bodies {
		method, path, _ := strings.Cut(key, " ")
		if !slices.ContainsFunc(env.Routes, func(r gin.RouteInfo) bool { return r.Method == method && r.Path == path }) {
			t.Errorf("gateBodies names %s, which is not a route", key)
		}
	}
}
