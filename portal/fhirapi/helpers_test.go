package fhirapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/internal/fhirschema"
	"github.com/omahoito/omahoito/internal/portaltest"
)

const (
	base     = portaltest.BaseURL + "/fhir/r4"
	fhirJSON = "application/fhir+json"
	hetuA    = "010190-900P" // test codes (individual number 9xx)
	hetuB    = "020290-9027"
)

// api is a test portal whose every FHIR answer is collected and checked
// against the R4 JSON schema when the test ends (one Node run per test).
type api struct {
	*portaltest.Env
	mu     sync.Mutex
	bodies [][]byte
}

func newAPI(t *testing.T) *api {
	t.Helper()
	a := &api{Env: portaltest.New(t, portaltest.Options{})}
	t.Cleanup(func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		if !t.Failed() && len(a.bodies) > 0 {
			fhirschema.Validate(t, a.bodies...)
		}
	})
	return a
}

// call sends one request as who with the given headers ("Name: value").
// A body starting with "{" is FHIR JSON, another a search form. Every
// non-empty answer must be FHIR JSON; it is kept for schema validation.
func (a *api) call(t *testing.T, who auth.Principal, method, target, body string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	switch {
	case strings.HasPrefix(body, "{"):
		r.Header.Set("Content-Type", fhirJSON)
	case body != "":
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	r.Header.Set("Origin", portaltest.BaseURL) // same origin, as the portal's own pages
	r.Host = strings.TrimPrefix(portaltest.BaseURL, "http://")
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ":")
		r.Header.Add(name, strings.TrimSpace(value))
	}
	w := httptest.NewRecorder()
	a.As(who).ServeHTTP(w, r)
	if w.Body.Len() > 0 {
		if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, fhirJSON) {
			t.Errorf("%s %s: Content-Type %q, want %s", method, target, ct, fhirJSON)
		}
		a.mu.Lock()
		a.bodies = append(a.bodies, bytes.Clone(w.Body.Bytes()))
		a.mu.Unlock()
	}
	return w
}

// want fails the test unless the answer has the status; refusals must be
// an OperationOutcome.
func want(t *testing.T, w *httptest.ResponseRecorder, status int) map[string]any {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d: %s", w.Code, status, w.Body)
	}
	if w.Body.Len() == 0 {
		return nil
	}
	var doc map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatalf("answer is not JSON: %v: %s", err, w.Body)
	}
	if status >= 400 && doc["resourceType"] != "OperationOutcome" {
		t.Fatalf("a %d answer is a %v, want an OperationOutcome", status, doc["resourceType"])
	}
	return doc
}

// outcomeText is the diagnostics and expressions of an OperationOutcome.
func outcomeText(doc map[string]any) string {
	var b strings.Builder
	for _, i := range doc["issue"].([]any) {
		issue := i.(map[string]any)
		b.WriteString(str(issue["diagnostics"]))
		for _, e := range anys(issue["expression"]) {
			b.WriteString(" @" + str(e))
		}
	}
	return b.String()
}

func str(v any) string { s, _ := v.(string); return s }

func anys(v any) []any { s, _ := v.([]any); return s }

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }

// entries are the resources of a Bundle's match entries.
func entries(doc map[string]any) []map[string]any {
	var out []map[string]any
	for _, e := range anys(doc["entry"]) {
		if mode := str(obj(obj(e)["search"])["mode"]); mode == "" || mode == "match" {
			out = append(out, obj(obj(e)["resource"]))
		}
	}
	return out
}

// link is the URL of a Bundle's link with the relation.
func link(doc map[string]any, relation string) string {
	for _, l := range anys(doc["link"]) {
		if str(obj(l)["relation"]) == relation {
			return str(obj(l)["url"])
		}
	}
	return ""
}

var (
	instant = regexp.MustCompile(`"(lastUpdated|timestamp|lastModified|date)": "[^"]*"`)
	cursor  = regexp.MustCompile(`_cursor=[A-Za-z0-9_-]+`)
)

// golden compares body, indented and normalised (the times the server
// sets, ids it chose, page positions), with testdata/name.golden through
// portaltest.Golden (-update rewrites the file). ids maps each chosen id
// to its stand-in.
func golden(t *testing.T, name string, body []byte, ids map[string]string) {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	pretty, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got := instant.ReplaceAllString(string(pretty), `"$1": "<time>"`)
	got = cursor.ReplaceAllString(got, "_cursor=<cursor>")
	for id, stand := range ids {
		got = strings.ReplaceAll(got, id, stand)
	}
	portaltest.Golden(t, name, got+"\n")
}

// observation is a client's Observation of the kind (LOINC code, value,
// UCUM unit) at the time, with an optional identifier.
func observation(patient, code, unit string, value float64, at, identifier string) string {
	o := map[string]any{
		"resourceType": "Observation", "status": "final",
		"category": []any{map[string]any{"coding": []any{map[string]any{
			"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs"}}}},
		"code":              map[string]any{"coding": []any{map[string]any{"system": "http://loinc.org", "code": code}}},
		"subject":           map[string]any{"reference": "Patient/" + patient},
		"effectiveDateTime": at,
		"valueQuantity":     map[string]any{"value": value, "system": "http://unitsofmeasure.org", "code": unit},
	}
	if identifier != "" {
		sys, val, _ := strings.Cut(identifier, "|")
		o["identifier"] = []any{map[string]any{"system": sys, "value": val}}
	}
	b, _ := json.Marshal(o)
	return string(b)
}

// bloodPressure is a client's blood pressure panel.
func bloodPressure(patient string, sys, dia float64, at string) string {
	comp := func(code string, v float64) map[string]any {
		return map[string]any{
			"code":          map[string]any{"coding": []any{map[string]any{"system": "http://loinc.org", "code": code}}},
			"valueQuantity": map[string]any{"value": v, "system": "http://unitsofmeasure.org", "code": "mm[Hg]"},
		}
	}
	o := map[string]any{
		"resourceType": "Observation", "status": "final",
		"code":              map[string]any{"coding": []any{map[string]any{"system": "http://loinc.org", "code": "85354-9"}}},
		"subject":           map[string]any{"reference": "Patient/" + patient},
		"effectiveDateTime": at,
		"component":         []any{comp("8480-6", sys), comp("8462-4", dia)},
	}
	b, _ := json.Marshal(o)
	return string(b)
}

// transaction wraps resources in a transaction Bundle of creates.
func transaction(resources ...string) string {
	parts := make([]string, len(resources))
	for i, r := range resources {
		parts[i] = `{"resource":` + r + `,"request":{"method":"POST","url":"Observation"}}`
	}
	return `{"resourceType":"Bundle","type":"transaction","entry":[` + strings.Join(parts, ",") + `]}`
}

func created(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	doc := want(t, w, http.StatusCreated)
	return str(doc["id"])
}
