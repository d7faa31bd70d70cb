package fhir

import (
	"errors"
	"testing"

	"github.com/omahoito/omahoito/record"
)

// TestMalformedOrRule: input that is not FHIR is ErrMalformed (400); a
// broken rule, such as an R4 element omahoito does not keep, is not (422).
// Both are record.ErrInvalid, and keep their kind inside a Bundle entry.
func TestMalformedOrRule(t *testing.T) {
	cases := []struct {
		name      string
		change    func(map[string]any)
		malformed bool
	}{
		{"case-folded name", func(o map[string]any) { o["Status"] = o["status"]; delete(o, "status") }, true},
		{"wrong type", func(o map[string]any) { o["status"] = 5 }, true},
		{"another resource", func(o map[string]any) { o["resourceType"] = "Patient" }, true},
		{"an element not kept", func(o map[string]any) { o["performer"] = []any{map[string]any{"reference": "Practitioner/x"}} }, false},
		{"a unit not accepted", func(o map[string]any) { o["valueQuantity"] = map[string]any{"value": 6.1, "code": "mg"} }, false},
	}
	for _, c := range cases {
		_, err := ParseObservation(obs(t, c.change))
		if !errors.Is(err, record.ErrInvalid) || errors.Is(err, ErrMalformed) != c.malformed {
			t.Errorf("%s: %v; malformed %v, want %v", c.name, err, errors.Is(err, ErrMalformed), c.malformed)
		}
		if moved := InBundleEntry(2, err); errors.Is(moved, ErrMalformed) != c.malformed {
			t.Errorf("%s: in a Bundle entry, malformed %v", c.name, !c.malformed)
		}
	}
}
