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
	"GET /files/new":                     true, // an empty form
	"GET /privacy":                       true, // the privacy statement; a citizen's own registrar passes the gate, as on the home page
}

// consentDecided are the routes consent.Service answers by itself,
// without record.Access: the citizen's consent pages and requests, the
// access log, the professional's own lists and requests. Each checks its
// caller in the service (only the owner manages and reads their own;
// only a professional has patients and requests), so a gate that refuses
// everyone says nothing about them. The authorisation matrix in
// cmd/omahoito (TestAuthorisationMatrix) asserts every caller's status on
// each of them; here they must still reach no store of records. The value
// names the kinds of caller for whom the route is decided there; nil: all.
var consentDecided = map[string][]auth.Kind{
	"GET /consents":                    nil,
	"GET /consents/new":                nil,
	"POST /consents/new":               nil,
	"POST /consents/confirm":           nil,
	"GET /consents/:id/revoke":         nil,
	"POST /consents/:id/revoke":        nil,
	"GET /consents/:id/receipt":        nil,
	"GET /consents/asks/:id/approve":   nil,
	"POST /consents/asks/:id/approve":  nil,
	"POST /consents/asks/:id/decline":  nil,
	"GET /access-log":                  nil,
	"GET /pro/patients":                nil, // consent.Service.MyPatients
	"GET /pro/asks":                    nil, // consent.Service.AsksBy
	"POST /pro/ask":                    nil, // consent.Service.AskConsentByHetu
	"POST /fhir/r4/Consent":            nil,
	"GET /fhir/r4/Consent":             nil,
	"POST /fhir/r4/Consent/_search":    nil,
	"GET /fhir/r4/Consent/:id":         nil,
	"PUT /fhir/r4/Consent/:id":         nil,
	"GET /fhir/r4/AuditEvent":          nil,
	"POST /fhir/r4/AuditEvent/_search": nil,
	"GET /fhir/r4/Patient":             {auth.KindProfessional}, // without criteria: the professional's patients (MyPatients)
}

// refusedByKind are the routes whose handler refuses a kind of caller
// before asking any service: a professional's page answers a citizen's
// session 403 (web's proPage), and says nothing of anyone's data. For
// that kind the walk accepts exactly 403 without a question to the gate.
var refusedByKind = map[string]auth.Kind{
	"GET /pro/patients/:id":                     auth.KindCitizen,
	"GET /pro/patients/:id/measurements/:kind":  auth.KindCitizen,
	"GET /pro/lookup":                           auth.KindCitizen,
	"POST /pro/lookup":                          auth.KindCitizen,
	"GET /pro/patients/:id/files/:fid":          auth.KindCitizen,
	"GET /pro/patients/:id/files/:fid/download": auth.KindCitizen,
	"GET /pro/patients/:id/files/:fid/preview":  auth.KindCitizen,
}

// citizenPages are the prefixes of a citizen's own pages, which refuse a
// professional's or operator's session (403) before any service: their
// pages are under /pro/.
var citizenPages = []string{"/measurements", "/consents", "/access-log", "/files"}

// refusedKind is the kind of caller a route's handler refuses before any
// service is asked, if any.
func refusedKind(key string) (auth.Kind, bool) {
	if kind, ok := refusedByKind[key]; ok {
		return kind, true
	}
	_, path, _ := strings.Cut(key, " ")
	for _, p := range citizenPages {
		if path == p || strings.HasPrefix(path, p+"/") {
			return auth.KindProfessional, true
		}
	}
	return "", false
}

// answeredBeforeTheGate is the status a route answers a caller before the
// gate, when that is right: a professional's Observation search without
// patient is a bad request (400; a professional has no record of their
// own), which tells nothing about anyone; so is a DocumentReference search.
// A professional reading a file by an id no file has is not found (404)
// when the service looks up whose it is, as for any unknown id.
func answeredBeforeTheGate(key, target string, kind auth.Kind) (int, bool) {
	switch key {
	case "GET /fhir/r4/Observation", "POST /fhir/r4/Observation/_search",
		"GET /fhir/r4/DocumentReference", "POST /fhir/r4/DocumentReference/_search":
		if kind == auth.KindProfessional && !strings.Contains(target, "patient=") {
			return http.StatusBadRequest, true
		}
	case "GET /fhir/r4/DocumentReference/:id", "GET /fhir/r4/Binary/:id", "GET /fhir/r4/DocumentReference/:id/_history/:vid":
		if kind == auth.KindProfessional {
			return http.StatusNotFound, true
		}
	case "POST /files/new":
		// The walk sends forms URL-encoded; the upload takes multipart only
		// (415). portal/web's TestUploadAsksTheGate sends a real upload.
		if kind == auth.KindCitizen {
			return http.StatusUnsupportedMediaType, true
		}
	}
	return 0, false
}

// decidedByConsent reports whether consent.Service, not record.Access,
// decides key for a caller of kind.
func decidedByConsent(key string, kind auth.Kind) bool {
	kinds, ok := consentDecided[key]
	return ok && (kinds == nil || slices.Contains(kinds, kind))
}

// recordStoreCalls are the guarded calls that read or write a record.
// Finding the person is not among them on consent's routes: the consent
// service reads whose record a grant is about (PersonByID), and finds the
// person a professional's request for consent goes to (PersonByHetuKey),
// answering the same whether or not anyone has the code.
func recordStoreCalls(calls []string) []string {
	return slices.DeleteFunc(calls, func(c string) bool { return c == "PersonByID" || c == "PersonByHetuKey" })
}

// gateBodies are valid request bodies, so that each write reaches the
// service (and its gate) instead of stopping at a parse error. A route
// that takes a body and is missing here fails the test: add one. An empty
// body is for a POST whose form has no fields (revoke, approve, decline).
func gateBodies(patient, obsID string) map[string]string {
	at := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	obs := `{"resourceType":"Observation","status":"final",` +
		`"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],` +
		`"code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":{"reference":"Patient/` + patient + `"},` +
		`"effectiveDateTime":"` + at + `","valueQuantity":{"value":60,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}`
	form := url.Values{"kind": {"heart-rate"}, "value": {"60"}, "date": {time.Now().AddDate(0, 0, -1).Format("2006-01-02")}, // yesterday: 07:00 today may lie ahead
		"time": {"07:00"}, "version": {"1"}, "token": {"t1"}}
	give := url.Values{"grantee": {"professional:pro-kainuu-nurse"}, "what": {"chosen"}, "kind": {"blood-pressure"}, "period": {"12"}}
	return map[string]string{
		"POST /fhir/r4":                           `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":` + obs + `},"request":{"method":"POST","url":"Observation"}}]}`,
		"POST /fhir/r4/Observation":               obs + "}",
		"PUT /fhir/r4/Observation/:id":            obs + `,"id":"` + obsID + `"}`,
		"POST /fhir/r4/Observation/_search":       "code=8867-4",
		"POST /fhir/r4/Patient/_search":           "identifier=urn:oid:1.2.246.21|010190-900P",
		"POST /fhir/r4/Patient/:id/$everything":   "_count=10",
		"POST /fhir/r4/Consent":                   consentJSON(patient, "", "active"),
		"PUT /fhir/r4/Consent/:id":                consentJSON(patient, obsID, "inactive"),
		"POST /fhir/r4/Consent/_search":           "status=active",
		"POST /fhir/r4/AuditEvent/_search":        "_count=10",
		"POST /fhir/r4/DocumentReference":         documentJSON(patient, ""),
		"PUT /fhir/r4/DocumentReference/:id":      documentJSON(patient, obsID),
		"POST /fhir/r4/DocumentReference/_search": "type=http://loinc.org|51855-5",
		"POST /fhir/r4/Binary":                    "plain text of a note",
		"POST /measurements/new":                  form.Encode(),
		"POST /measurements/m/:id/edit":           form.Encode(),
		"POST /measurements/m/:id/delete":         form.Encode(),
		"POST /consents/new":                      give.Encode(),
		"POST /consents/confirm":                  give.Encode(),
		"POST /consents/:id/revoke":               "",
		"POST /consents/asks/:id/approve":         "",
		"POST /consents/asks/:id/decline":         "",
		"POST /files/new":                         "title=x",
		"POST /files/:id/edit":                    "version=1&title=x",
		"POST /files/:id/delete":                  "version=1",
		"POST /pro/lookup":                        "hetu=010190-900P",
		"POST /pro/ask":                           "hetu=010190-900P&what=all&months=12&reason=seuranta",
	}
}

// consentJSON is the patient's FHIR Consent to kainuu-nurse over their
// measurements; with an id and status inactive it is a revocation.
func consentJSON(patient, id, status string) string {
	idField := ""
	if id != "" {
		idField = `"id":"` + id + `",`
	}
	return `{"resourceType":"Consent",` + idField + `"status":"` + status + `","patient":{"reference":"Patient/` + patient + `"},` +
		`"provision":{"type":"permit","actor":[{"role":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ParticipationType","code":"IRCP"}]},` +
		`"reference":{"reference":"Practitioner/pro-kainuu-nurse"}}],"class":[{"system":"http://hl7.org/fhir/resource-types","code":"Observation"}]}}`
}

// documentJSON is the patient's DocumentReference of a short text file;
// with an id it is an update of that one's title.
func documentJSON(patient, id string) string {
	idField := ""
	if id != "" {
		idField = `"id":"` + id + `",`
	}
	return `{"resourceType":"DocumentReference",` + idField + `"status":"current","subject":{"reference":"Patient/` + patient + `"},` +
		`"description":"Note","content":[{"attachment":{"contentType":"text/plain","title":"note.txt","data":"aGVsbG8gd29ybGQ="}}]}`
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
// citizen and a professional: each answers 403 or 404 after asking the
// gate, and no store method that reads or writes a person's data is
// reached. The exceptions are named above (consentDecided, refusedByKind,
// answeredBeforeTheGate); a new route is walked like any record route, so
// one that skips the gate fails here. It is the start of the consent
// authorisation matrix (cmd/omahoito, TestAuthorisationMatrix).
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
		target := strings.NewReplacer(":id", obsID, ":kind", string(record.HeartRate), ":vid", "1", ":fid", obsID).Replace(route.Path)
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
				walked += gateStep(t, env, calls, asked, gateCase{key: key, method: route.Method, target: variant, body: body, caller: name, who: who})
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
	for _, m := range []map[string]bool{keysOf(consentDecided), keysOf(refusedByKind)} {
		for key := range m {
			method, path, _ := strings.Cut(key, " ")
			if !slices.ContainsFunc(env.Routes, func(r gin.RouteInfo) bool { return r.Method == method && r.Path == path }) {
				t.Errorf("an exception names %s, which is not a route", key)
			}
		}
	}
}

// gateCase is one request of the walk.
type gateCase struct {
	key, method, target, body, caller string
	who                               auth.Principal
}

// gateStep sends one request of the walk and checks it; it returns 1 when
// the request was one of a person's data that the gate had to refuse.
func gateStep(t *testing.T, env *portaltest.Env, calls, asked *portaltest.Calls, c gateCase) int {
	t.Helper()
	asked.Take()
	w := env.Do(t, c.who, c.method, c.target, c.body)
	// Whose entry an id is may be looked up first: it reads no one's
	// data, and the gate decides for that owner.
	reached := slices.DeleteFunc(calls.Take(), func(name string) bool { return name == "MeasurementOwner" })
	gated := len(asked.Take()) > 0
	if decidedByConsent(c.key, c.who.Kind) {
		reached = recordStoreCalls(reached)
	}
	if len(reached) > 0 {
		t.Errorf("%s %s as %s reached the store before the gate: %v", c.method, c.target, c.caller, reached)
	}
	if notPersonalData[c.key] || decidedByConsent(c.key, c.who.Kind) {
		return 0
	}
	if status, ok := answeredBeforeTheGate(c.key, c.target, c.who.Kind); ok {
		if w.Code != status {
			t.Errorf("%s %s as %s = %d, want %d before the gate", c.method, c.target, c.caller, w.Code, status)
		}
		return 1
	}
	if kind, ok := refusedKind(c.key); ok && kind == c.who.Kind {
		if w.Code != http.StatusForbidden || gated {
			t.Errorf("%s %s as %s = %d (asked the gate: %v), want 403 from the page before any service", c.method, c.target, c.caller, w.Code, gated)
		}
		return 1
	}
	if !gated {
		t.Errorf("%s %s as %s = %d without asking the gate", c.method, c.target, c.caller, w.Code)
	}
	if w.Code != http.StatusForbidden && w.Code != http.StatusNotFound {
		t.Errorf("%s %s as %s = %d, want 403 or 404\n%s", c.method, c.target, c.caller, w.Code, w.Body.String())
	}
	return 1
}

func keysOf[V any](m map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}
