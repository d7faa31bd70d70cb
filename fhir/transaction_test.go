package fhir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/omahoito/omahoito/record"
)

// clientObservation is what a device sends for m: no id or meta.
func clientObservation(t testing.TB, m record.Measurement) []byte {
	o := Observation(m)
	o.Id, o.Meta = nil, nil
	return marshal(t, o)
}

// trickyNote has what could confuse a splitter of JSON.
const trickyNote = "näin: \"]}, {[\\\" \u2028 end"

// transaction builds a transaction Bundle of n creates cycling through
// every kind; bad replaces the resources of the entries it names.
func transaction(t testing.TB, n int, bad map[int][]byte) []byte {
	specs := record.Specs()
	var b bytes.Buffer
	b.WriteString(`{"resourceType":"Bundle","type":"transaction","entry":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		m := sample(specs[i%len(specs)])
		m.Identifier = fmt.Sprintf("urn:ietf:rfc:3986|urn:uuid:%08d", i)
		m.At = measuredAt.Add(-time.Duration(i) * time.Minute)
		if i%7 == 3 {
			m.Note = trickyNote
		}
		res := clientObservation(t, m)
		if b, ok := bad[i]; ok {
			res = b
		}
		fmt.Fprintf(&b, `{"fullUrl":"urn:uuid:e%08d","resource":%s,"request":{"method":"POST","url":"Observation"}}`, i, res)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

func TestParseTransaction(t *testing.T) {
	entries, err := ParseTransaction(transaction(t, len(record.Specs()), nil))
	if err != nil {
		t.Fatal(err)
	}
	for i, spec := range record.Specs() {
		e := entries[i]
		if e.FullURL != fmt.Sprintf("urn:uuid:e%08d", i) || e.Observation.Input.Kind != spec.Kind {
			t.Errorf("entry %d: %q %s, want %s", i, e.FullURL, e.Observation.Input.Kind, spec.Kind)
		}
		if i%7 == 3 && e.Observation.Input.Note != trickyNote {
			t.Errorf("entry %d: note %q, want %q", i, e.Observation.Input.Note, trickyNote)
		}
		if want := sample(spec); e.Observation.Input.Value != want.Value || e.Observation.Input.Diastolic != want.Diastolic {
			t.Errorf("entry %d: value %v/%v, want %v/%v", i, e.Observation.Input.Value, e.Observation.Input.Diastolic, want.Value, want.Diastolic)
		}
	}
	empty, err := ParseTransaction([]byte(`{"resourceType":"Bundle","type":"transaction"}`))
	if err != nil || len(empty) != 0 {
		t.Errorf("empty transaction: %v, %d entries", err, len(empty))
	}
}

func TestParseTransactionNamesTheBadEntryAmong10000(t *testing.T) {
	bad := obs(t, func(o map[string]any) { o["valueQuantity"] = map[string]any{"value": 6.1, "code": "mg"} })
	body := transaction(t, 10_000, map[int][]byte{7321: bad, 9100: bad, 9999: []byte(`{"resourceType":"Patient"}`)})
	start := time.Now()
	_, err := ParseTransaction(body)
	t.Logf("refused a %d-byte bundle in %v", len(body), time.Since(start))
	checkFieldError(t, err, "Bundle.entry[7321].resource.valueQuantity.code", `unit "mg"`)
}

func TestParseTransactionEntryRefusals(t *testing.T) {
	for _, c := range observationRefusals(t) {
		if !json.Valid(c.body) {
			continue // a broken resource breaks the whole Bundle: see TestParseTransactionRefuses
		}
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseTransaction(transaction(t, 5, map[int][]byte{3: c.body}))
			want := "Bundle.entry[3].resource" + strings.TrimPrefix(c.field, "Observation")
			checkFieldError(t, err, want, c.msg)
		})
	}
}

func TestParseTransactionRefuses(t *testing.T) {
	entry := func(request string) string {
		return `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":` + string(obs(t, nil)) + `,"request":` + request + `}]}`
	}
	cases := []struct{ name, body, field, msg string }{
		{"malformed", `{"resourceType":"Bundle","type":"transaction","entry":[{]}`, "Bundle.entry[0]", "malformed JSON"},
		{"not a Bundle", string(obs(t, nil)), "Bundle.code", "resourceType Bundle"},
		{"an Observation, resourceType first", `{"resourceType":"Observation","status":"final"}`, "Bundle.resourceType", `got "Observation"`},
		{"array", `[]`, "Bundle", "expected a JSON object"},
		{"empty", ``, "Bundle", "empty"},
		{"trailing data", `{"resourceType":"Bundle","type":"transaction"} x`, "Bundle", "after the JSON object"},
		{"mismatched brackets", `{"resourceType":"Bundle","type":"transaction","entry":[{"a":[1}]}`, "Bundle.entry[0]", "malformed JSON at byte"},
		{"unterminated", `{"resourceType":"Bundle","type":"transaction","entry":[{"a":"b`, "Bundle.entry[0]", "ends early"},
		{"entry twice", `{"resourceType":"Bundle","type":"transaction","entry":[],"entry":[]}`, "Bundle.entry", "twice"},
		{"entry not an array", `{"resourceType":"Bundle","type":"transaction","entry":{}}`, "Bundle.entry", "expected an array"},
		{"bad literal in entry", `{"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":nul}]}`, "Bundle.entry[0]", "malformed JSON"},
		{"total", `{"resourceType":"Bundle","type":"transaction","total":1}`, "Bundle.total", "search and history"},
		{"wrong resourceType", `{"resourceType":"Parameters","type":"transaction"}`, "Bundle.resourceType", `"Parameters"`},
		{"batch", `{"resourceType":"Bundle","type":"batch","entry":[]}`, "Bundle.type", `got "batch"`},
		{"no type", `{"resourceType":"Bundle","entry":[]}`, "Bundle.type", "missing"},
		{"unknown field", `{"resourceType":"Bundle","type":"transaction","entries":[]}`, "Bundle.entries", "unknown field"},
		{"entry not an object", `{"resourceType":"Bundle","type":"transaction","entry":[5]}`, "Bundle.entry[0]", "expected a JSON object"},
		{"unknown entry field", `{"resourceType":"Bundle","type":"transaction","entry":[{"resorce":{}}]}`, "Bundle.entry[0].resorce", "unknown field"},
		{"no request", `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":` + string(obs(t, nil)) + `}]}`,
			"Bundle.entry[0].request", "needs a request"},
		{"no resource", `{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"POST","url":"Observation"}}]}`,
			"Bundle.entry[0].resource", "needs an Observation"},
		{"PUT", entry(`{"method":"PUT","url":"Observation/abc"}`), "Bundle.entry[0].request.method", `got "PUT"`},
		{"DELETE", entry(`{"method":"DELETE","url":"Observation/abc"}`), "Bundle.entry[0].request.method", `got "DELETE"`},
		{"bogus method", entry(`{"method":"FETCH","url":"Observation"}`), "Bundle.entry[0].request.method", `got "FETCH"`},
		{"no method", entry(`{"url":"Observation"}`), "Bundle.entry[0].request.method", "missing"},
		{"other type", entry(`{"method":"POST","url":"Patient"}`), "Bundle.entry[0].request.url", `got "Patient"`},
		{"conditional create", entry(`{"method":"POST","url":"Observation","ifNoneExist":"identifier=x|y"}`),
			"Bundle.entry[0].request.ifNoneExist", "identifier"},
		{"search in an entry", `{"resourceType":"Bundle","type":"transaction","entry":[{"search":{"mode":"match"}}]}`,
			"Bundle.entry[0].search", "searchset"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseTransaction([]byte(c.body))
			checkFieldError(t, err, c.field, c.msg)
		})
	}
}

func TestInBundleEntryMovesNormalizeErrors(t *testing.T) {
	p, err := ParseObservation(obs(t, func(o map[string]any) { o["valueQuantity"] = map[string]any{"value": 80, "code": "mmol/L"} }))
	if err != nil {
		t.Fatal(err)
	}
	_, err = record.Normalize(p.Input, parseNow)
	checkFieldError(t, InBundleEntry(41, err), "Bundle.entry[41].resource.valueQuantity.value", "plausible range")
	if other := fmt.Errorf("boom"); InBundleEntry(1, other) != other {
		t.Error("errors that are not FieldErrors should pass unchanged")
	}
}

func TestTransactionResponse(t *testing.T) {
	m1, m2 := sample(mustSpec(t, record.HeartRate)), sample(mustSpec(t, record.BodyWeight))
	m1.Version, m2.Version = 1, 4
	b := TransactionResponse([]record.Added{{Measurement: m1, Created: true}, {Measurement: m2}})
	raw := marshal(t, b)
	sameJSON(t, raw, `{
	  "resourceType": "Bundle",
	  "type": "transaction-response",
	  "entry": [
	    {"response": {"status": "201 Created", "location": "Observation/m-heart-rate/_history/1", "etag": "W/\"1\"", "lastModified": "2025-03-14T08:00:00Z"}},
	    {"response": {"status": "200 OK", "location": "Observation/m-body-weight/_history/4", "etag": "W/\"4\"", "lastModified": "2025-03-14T08:00:00Z"}}
	  ]
	}`)
}

func BenchmarkParseTransaction10k(b *testing.B) {
	body := transaction(b, 10_000, nil)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		entries, err := ParseTransaction(body)
		if err != nil || len(entries) != 10_000 {
			b.Fatalf("%d entries, %v", len(entries), err)
		}
	}
}

// BenchmarkUnmarshalBundle10k is the baseline for BenchmarkParseTransaction10k:
// plain encoding/json of the same Bundle into the samply models, no checks.
func BenchmarkUnmarshalBundle10k(b *testing.B) {
	body := transaction(b, 10_000, nil)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var bundle fm.Bundle
		if err := json.Unmarshal(body, &bundle); err != nil {
			b.Fatal(err)
		}
		for _, e := range bundle.Entry {
			var o fm.Observation
			if err := json.Unmarshal(e.Resource, &o); err != nil {
				b.Fatal(err)
			}
		}
	}
}
