package fhir

import (
	"encoding/json"
	"testing"

	"github.com/omahoito/omahoito/record"
)

// TestFastEntryTakesEveryValidEntry: the one-decode path takes every valid
// entry (with notes full of quotes and brackets, escapes included), so a
// valid Bundle never falls back to the slow reading, and it gives what
// the slow reading gives.
func TestFastEntryTakesEveryValidEntry(t *testing.T) {
	var bundle struct {
		Entry []json.RawMessage `json:"entry"`
	}
	if err := json.Unmarshal(transaction(t, 3*len(record.Specs()), nil), &bundle); err != nil {
		t.Fatal(err)
	}
	for i, raw := range bundle.Entry {
		fast, ok := fastEntry(i, raw)
		if !ok {
			t.Fatalf("entry %d not taken by the fast path: %s", i, raw)
		}
		slow, err := parseEntry(i, raw)
		if err != nil || fast != slow {
			t.Errorf("entry %d: fast %+v, slow %+v (%v)", i, fast, slow, err)
		}
	}
}

// TestSkimShapeRefuses: what the slow path refuses by name the skimmer
// must not let through to a plain, case-folding json.Unmarshal.
func TestSkimShapeRefuses(t *testing.T) {
	s := obj(map[string]*shape{"a": obj(map[string]*shape{"b": nil}), "c": nil})
	for _, body := range []string{
		`{"A":{}}`,                // case-folded name
		`{"a":{"B":1}}`,           // nested case-folded name
		`{"a":[{"b":1},{"x":1}]}`, // array element with an unknown member
		`{"a":{},"a":{}}`,         // twice
		`{"\u0061":{}}`,           // escaped name: left to the slow path
		`{"c":1} x`,               // trailing data
		`{"c":[1,2}`,              // broken nesting
		`{"c":"open`,              // unterminated string
		``,
	} {
		if skimShape([]byte(body), s) {
			t.Errorf("skimShape(%s) = true", body)
		}
	}
	for _, body := range []string{`{"a":{"b":{"anything":[1,"x\"]"]}},"c":null}`, ` { } `, `{"a":[{"b":1},{}]}`} {
		if !skimShape([]byte(body), s) {
			t.Errorf("skimShape(%s) = false", body)
		}
	}
}
