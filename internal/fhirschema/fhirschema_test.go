package fhirschema

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/omahoito/omahoito/internal/testenv"
)

func checkOrSkip(t *testing.T, docs ...string) [][]Problem {
	t.Helper()
	in := make([][]byte, len(docs))
	for i, d := range docs {
		in[i] = []byte(d)
	}
	reports, err := check(in)
	if errors.Is(err, errUnavailable) {
		testenv.Missing(t, err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != len(docs) {
		t.Fatalf("got %d reports for %d documents", len(reports), len(docs))
	}
	return reports
}

func TestValidPatientPasses(t *testing.T) {
	Validate(t, []byte(`{"resourceType":"Patient","id":"p1","active":true,"name":[{"family":"Virtanen","given":["Aino"]}],"birthDate":"1980-01-01"}`))
}

func TestProblemsAreReportedWithTheirPaths(t *testing.T) {
	reports := checkOrSkip(t,
		`{"resourceType":"Patient","id":"p1"}`,
		`{"resourceType":"Observation","status":"bogus","code":{"text":"x"}}`,
		`{"resourceType":"Observation","status":"final","code":{"text":5}}`,
		`{"resourceType":"Observation","status":"final","code":{"text":"x"},"effectiveDateTime":"2024-01-01T10:00:00"}`,
		`{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Patient","id":"a"}},{"resource":{"resourceType":"Observation","status":"bogus","code":{"text":"x"}}}]}`,
		`{"resourceType":"Nope"}`,
		`{"resourceType":"Patient",`,
	)
	want := []string{
		"",
		"Observation.status: should be equal to one of the allowed values",
		"Observation.code.text: should be string",
		"Observation.effectiveDateTime: should match pattern",
		"Bundle.entry[1].resource.status: should be equal to one of the allowed values",
		`Nope: unknown resourceType "Nope"`,
		"(document): not valid JSON",
	}
	for i, w := range want {
		got := formatProblems(reports[i])
		if w == "" {
			if got != "" {
				t.Errorf("document %d: want valid, got\n%s", i, got)
			}
			continue
		}
		if !strings.Contains(got, w) {
			t.Errorf("document %d: want a problem %q, got\n%s", i, w, got)
		}
	}
	if got := formatProblems(reports[4]); strings.Contains(got, "entry[0]") || strings.Count(got, "\n") > 0 {
		t.Errorf("bundle report should name only the bad entry, once:\n%s", got)
	}
}

func TestValidateFailsTheTest(t *testing.T) {
	checkOrSkip(t, `{"resourceType":"Patient"}`) // skip here, not inside the fake test, when Node is missing
	ft := &fakeTB{TB: t}
	Validate(ft, []byte(`{"resourceType":"Observation","status":"bogus","code":{"text":"x"}}`))
	if len(ft.errors) != 1 || !strings.Contains(ft.errors[0], "Observation.status") {
		t.Fatalf("Validate reported %q", ft.errors)
	}
}

// fakeTB records errors instead of failing.
type fakeTB struct {
	testing.TB
	errors []string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Errorf(format string, args ...any) {
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}

// TestFhirVersion401: R4's own version passes despite the schema's old
// enum; any other version the schema does not know is still reported.
func TestFhirVersion401(t *testing.T) {
	cs := func(version string) string {
		return `{"resourceType":"CapabilityStatement","status":"active","date":"2026-01-01","kind":"instance",` +
			`"fhirVersion":"` + version + `","format":["json"],"implementation":{"description":"x"}}`
	}
	reports := checkOrSkip(t, cs("4.0.1"), cs("4.0.2"))
	if got := formatProblems(reports[0]); got != "" {
		t.Errorf("4.0.1 refused:\n%s", got)
	}
	if got := formatProblems(reports[1]); !strings.Contains(got, "fhirVersion") {
		t.Errorf("4.0.2 passed: %q", got)
	}
}
