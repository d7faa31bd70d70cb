package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/omahoito/omahoito/record"
)

var (
	measuredAt = time.Date(2025, 3, 14, 7, 45, 12, 250_000_000, time.UTC)
	updatedAt  = time.Date(2025, 3, 14, 8, 0, 0, 0, time.UTC)
	parseNow   = time.Date(2025, 3, 15, 0, 0, 0, 0, time.UTC)
)

// sample returns a plausible stored measurement of the kind.
func sample(spec record.Spec) record.Measurement {
	m := record.Measurement{
		ID: "m-" + string(spec.Kind), PersonID: "person-1", Kind: spec.Kind,
		Value: midRange(spec.Range, spec.Decimals), At: measuredAt,
		Note: "aamulla, ennen kahvia ☕", Identifier: "urn:ietf:rfc:3986|urn:uuid:7b1c" + string(spec.Kind),
		Source:  record.Source{Kind: record.SourceDevice, Client: "mittari-app"},
		Version: 2, Updated: updatedAt,
	}
	if spec.Diastolic != nil {
		m.Value, m.Diastolic = 128, 84
	}
	return m
}

func midRange(r record.Range, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round((r.Min+(r.Max-r.Min)/3)*p) / p
}

func marshal(t testing.TB, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestObservationRoundTripsEveryKind(t *testing.T) {
	for _, spec := range record.Specs() {
		t.Run(string(spec.Kind), func(t *testing.T) {
			m := sample(spec)
			p, err := ParseObservation(marshal(t, Observation(m)))
			if err != nil {
				t.Fatalf("parse own output: %v", err)
			}
			want := record.Input{Kind: m.Kind, Value: m.Value, Diastolic: m.Diastolic, Unit: spec.Unit,
				At: m.At, Note: m.Note, Identifier: m.Identifier}
			if !p.Input.At.Equal(want.At) {
				t.Errorf("At = %v, want %v", p.Input.At, want.At)
			}
			p.Input.At = want.At
			if !reflect.DeepEqual(p.Input, want) {
				t.Errorf("input = %+v\nwant    %+v", p.Input, want)
			}
			if p.Subject != "Patient/person-1" || p.ID != m.ID {
				t.Errorf("subject, id = %q, %q", p.Subject, p.ID)
			}
			back, err := record.Normalize(p.Input, parseNow)
			if err != nil {
				t.Fatalf("normalize: %v", err)
			}
			if back.Value != m.Value || back.Diastolic != m.Diastolic || !back.At.Equal(m.At) {
				t.Errorf("normalized %v/%v at %v, stored %v/%v at %v", back.Value, back.Diastolic, back.At, m.Value, m.Diastolic, m.At)
			}
		})
	}
}

// sameJSON compares two JSON documents by value, not by key order.
func sameJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation: %v", err)
	}
	if !reflect.DeepEqual(g, w) {
		pretty, _ := json.MarshalIndent(g, "", "  ")
		t.Errorf("JSON differs; got\n%s\nwant\n%s", pretty, want)
	}
}

func TestBloodPressurePanelJSON(t *testing.T) {
	m := sample(mustSpec(t, record.BloodPressure))
	m.Note, m.Identifier, m.Source = "", "", record.Source{Kind: record.SourceManual}
	sameJSON(t, marshal(t, Observation(m)), `{
	  "resourceType": "Observation",
	  "id": "m-blood-pressure",
	  "meta": {"versionId": "2", "lastUpdated": "2025-03-14T08:00:00Z"},
	  "status": "final",
	  "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs", "display": "Vital Signs"}]}],
	  "code": {
	    "coding": [{"system": "http://loinc.org", "code": "85354-9", "display": "Blood pressure panel with all children optional"}],
	    "text": "Blood pressure panel with all children optional"
	  },
	  "subject": {"reference": "Patient/person-1"},
	  "effectiveDateTime": "2025-03-14T07:45:12.25Z",
	  "component": [
	    {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6", "display": "Systolic blood pressure"}]},
	     "valueQuantity": {"value": 128, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}},
	    {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4", "display": "Diastolic blood pressure"}]},
	     "valueQuantity": {"value": 84, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}}
	  ]
	}`)
}

func TestGlucoseJSON(t *testing.T) {
	m := sample(mustSpec(t, record.Glucose))
	m.Value = 5.4
	sameJSON(t, marshal(t, Observation(m)), `{
	  "resourceType": "Observation",
	  "id": "m-glucose",
	  "meta": {"versionId": "2", "lastUpdated": "2025-03-14T08:00:00Z", "source": "urn:omahoito:client:mittari-app"},
	  "identifier": [{"system": "urn:ietf:rfc:3986", "value": "urn:uuid:7b1cglucose"}],
	  "status": "final",
	  "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs", "display": "Vital Signs"}]}],
	  "code": {
	    "coding": [{"system": "http://loinc.org", "code": "14743-9", "display": "Glucose [Moles/volume] in Capillary blood by Glucometer"}],
	    "text": "Glucose [Moles/volume] in Capillary blood by Glucometer"
	  },
	  "subject": {"reference": "Patient/person-1"},
	  "effectiveDateTime": "2025-03-14T07:45:12.25Z",
	  "valueQuantity": {"value": 5.4, "unit": "mmol/l", "system": "http://unitsofmeasure.org", "code": "mmol/L"},
	  "note": [{"text": "aamulla, ennen kahvia ☕"}]
	}`)
}

func TestOxygenSaturationCarriesBothCodes(t *testing.T) {
	o := Observation(sample(mustSpec(t, record.OxygenSaturation)))
	var codes []string
	for _, c := range o.Code.Coding {
		codes = append(codes, *c.System+"|"+*c.Code)
	}
	if want := []string{"http://loinc.org|2708-6", "http://loinc.org|59408-5"}; !reflect.DeepEqual(codes, want) {
		t.Errorf("codes = %v, want %v", codes, want)
	}
	if g := Observation(sample(mustSpec(t, record.Glucose))); len(g.Code.Coding) != 1 {
		t.Errorf("glucose should carry only its output code, got %d codings", len(g.Code.Coding))
	}
}

func mustSpec(t testing.TB, k record.Kind) record.Spec {
	t.Helper()
	s, ok := record.SpecOf(k)
	if !ok {
		t.Fatalf("no spec for %s", k)
	}
	return s
}

// obs builds a client Observation of one glucose reading with changes
// applied to the decoded map.
func obs(t testing.TB, change func(map[string]any)) []byte {
	t.Helper()
	o := map[string]any{
		"resourceType":      "Observation",
		"status":            "final",
		"code":              map[string]any{"coding": []any{map[string]any{"system": LOINCSystem, "code": "14743-9"}}},
		"subject":           map[string]any{"reference": "Patient/person-1"},
		"effectiveDateTime": "2025-03-14T09:30:00+02:00",
		"valueQuantity":     map[string]any{"value": 6.1, "unit": "mmol/l", "system": UCUMSystem, "code": "mmol/L"},
	}
	if change != nil {
		change(o)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // clients write "<" as it is
	if err := enc.Encode(o); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSpace(b.Bytes())
}

func bp(sys, dia any) []any {
	c := func(code string, v any) map[string]any {
		return map[string]any{
			"code":          map[string]any{"coding": []any{map[string]any{"system": LOINCSystem, "code": code}}},
			"valueQuantity": map[string]any{"value": v, "system": UCUMSystem, "code": "mm[Hg]"},
		}
	}
	return []any{c(record.SystolicCode, sys), c(record.DiastolicCode, dia)}
}

func loincCode(code string) map[string]any {
	return map[string]any{"coding": []any{map[string]any{"system": LOINCSystem, "code": code}}}
}

func TestParseObservationAccepts(t *testing.T) {
	cases := []struct {
		name   string
		body   []byte
		check  func(ParsedObservation) bool
		detail string
	}{
		{"missing status is final", obs(t, func(o map[string]any) { delete(o, "status") }),
			func(p ParsedObservation) bool { return p.Input.Value == 6.1 }, "value 6.1"},
		{"offset kept as the same instant", obs(t, nil),
			func(p ParsedObservation) bool { return p.Input.At.Equal(time.Date(2025, 3, 14, 7, 30, 0, 0, time.UTC)) }, "07:30Z"},
		{"time without seconds", obs(t, func(o map[string]any) { o["effectiveDateTime"] = "2025-03-14T09:30+02:00" }),
			func(p ParsedObservation) bool { return p.Input.At.Equal(time.Date(2025, 3, 14, 7, 30, 0, 0, time.UTC)) }, "07:30Z"},
		{"effectiveInstant", obs(t, func(o map[string]any) { delete(o, "effectiveDateTime"); o["effectiveInstant"] = "2025-03-14T07:30:00Z" }),
			func(p ParsedObservation) bool { return p.Input.At.Equal(time.Date(2025, 3, 14, 7, 30, 0, 0, time.UTC)) }, "07:30Z"},
		{"mg/dL kept for conversion", obs(t, func(o map[string]any) {
			o["valueQuantity"] = map[string]any{"value": 110, "unit": "mg/dl", "system": UCUMSystem, "code": "mg/dL"}
		}), func(p ParsedObservation) bool { return p.Input.Value == 110 && p.Input.Unit == "mg/dL" }, "110 mg/dL"},
		{"display unit only", obs(t, func(o map[string]any) { o["valueQuantity"] = map[string]any{"value": 6.1, "unit": "mmol/l"} }),
			func(p ParsedObservation) bool { return p.Input.Unit == "mmol/L" }, "unit mmol/L"},
		{"accepted alternative code", obs(t, func(o map[string]any) {
			o["code"] = map[string]any{"coding": []any{
				map[string]any{"system": LOINCSystem, "code": "15074-8"},
				map[string]any{"system": LOINCSystem, "code": "14743-9", "display": "Glucose"},
			}, "text": "verensokeri"}
		}), func(p ParsedObservation) bool { return p.Input.Kind == record.Glucose }, "glucose"},
		{"meta of a read resource, vital-signs category", obs(t, func(o map[string]any) {
			o["meta"] = map[string]any{"versionId": "3", "lastUpdated": "2025-03-14T08:00:00Z", "source": "urn:x", "profile": []any{"http://hl7.org/fhir/StructureDefinition/vitalsigns"}}
			o["category"] = []any{map[string]any{"coding": []any{map[string]any{"system": CategorySystem, "code": "vital-signs", "display": "Vital Signs"}}}}
		}), func(p ParsedObservation) bool { return p.Input.Kind == record.Glucose }, "glucose"},
		{"pulse oximetry code", obs(t, func(o map[string]any) {
			o["code"] = loincCode("59408-5")
			o["valueQuantity"] = map[string]any{"value": 97, "system": UCUMSystem, "code": "%"}
		}), func(p ParsedObservation) bool { return p.Input.Kind == record.OxygenSaturation && p.Input.Value == 97 }, "SpO2 97"},
		{"notes joined, identifier without system", obs(t, func(o map[string]any) {
			o["note"] = []any{map[string]any{"text": "eka"}, map[string]any{"text": "toka"}}
			o["identifier"] = []any{map[string]any{"value": "abc"}}
		}), func(p ParsedObservation) bool { return p.Input.Note == "eka\ntoka" && p.Input.Identifier == "|abc" }, "note eka\\ntoka, identifier |abc"},
		{"no subject, id kept", obs(t, func(o map[string]any) { delete(o, "subject"); o["id"] = "client-id" }),
			func(p ParsedObservation) bool { return p.Subject == "" && p.ID == "client-id" }, "no subject, id client-id"},
		{"blood pressure, diastolic first", obs(t, func(o map[string]any) {
			o["code"] = loincCode("85354-9")
			delete(o, "valueQuantity")
			c := bp(131, 79)
			o["component"] = []any{c[1], c[0]}
		}), func(p ParsedObservation) bool {
			return p.Input.Value == 131 && p.Input.Diastolic == 79 && p.Input.Unit == "mm[Hg]"
		}, "131/79"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := ParseObservation(c.body)
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !c.check(p) {
				t.Errorf("got %+v, want %s", p, c.detail)
			}
		})
	}
}

// refusal is a body that must be refused with a FieldError on field.
type refusal struct {
	name  string
	body  []byte
	field string
	msg   string // part of the message
}

func observationRefusals(t testing.TB) []refusal {
	bpObs := func(change func(map[string]any)) []byte {
		return obs(t, func(o map[string]any) {
			o["code"] = loincCode("85354-9")
			delete(o, "valueQuantity")
			o["component"] = bp(120, 80)
			if change != nil {
				change(o)
			}
		})
	}
	return []refusal{
		{"unknown code", obs(t, func(o map[string]any) { o["code"] = loincCode("1234-5") }), "Observation.code", "unknown code"},
		{"known code in another system", obs(t, func(o map[string]any) {
			o["code"] = map[string]any{"coding": []any{map[string]any{"system": "http://snomed.info/sct", "code": "14743-9"}}}
		}), "Observation.code", "unknown code"},
		{"no code", obs(t, func(o map[string]any) { o["code"] = map[string]any{"text": "sugar"} }), "Observation.code", "no LOINC"},
		{"wrong unit", obs(t, func(o map[string]any) {
			o["valueQuantity"] = map[string]any{"value": 6.1, "system": UCUMSystem, "code": "kg"}
		}), "Observation.valueQuantity.code", `unit "kg" is not accepted`},
		{"wrong display unit", obs(t, func(o map[string]any) { o["valueQuantity"] = map[string]any{"value": 6.1, "unit": "kg"} }),
			"Observation.valueQuantity.unit", `unit "kg"`},
		{"no unit", obs(t, func(o map[string]any) { o["valueQuantity"] = map[string]any{"value": 6.1} }),
			"Observation.valueQuantity.code", "unit is missing"},
		{"unit system not UCUM", obs(t, func(o map[string]any) {
			o["valueQuantity"] = map[string]any{"value": 6.1, "system": "http://example.org/units", "code": "mmol/L"}
		}), "Observation.valueQuantity.system", "UCUM"},
		{"comparator", obs(t, func(o map[string]any) {
			o["valueQuantity"] = map[string]any{"value": 6.1, "comparator": "<", "code": "mmol/L"}
		}), "Observation.valueQuantity.comparator", "comparator"},
		{"quantity without value", obs(t, func(o map[string]any) { o["valueQuantity"] = map[string]any{"code": "mmol/L"} }),
			"Observation.valueQuantity.value", "missing"},
		{"value not a number", obs(t, func(o map[string]any) { o["valueQuantity"] = map[string]any{"value": true, "code": "mmol/L"} }),
			"Observation.valueQuantity.value", "expected a number"},
		{"valueQuantity and valueString", obs(t, func(o map[string]any) { o["valueString"] = "6,1" }),
			"Observation.value[x]", "valueQuantity and valueString"},
		{"neither valueQuantity nor valueString", obs(t, func(o map[string]any) { delete(o, "valueQuantity") }),
			"Observation.value[x]", "missing"},
		{"valueString only", obs(t, func(o map[string]any) { delete(o, "valueQuantity"); o["valueString"] = "6,1" }),
			"Observation.value[x]", "valueString is not accepted"},
		{"valueQuantity and valuePeriod", obs(t, func(o map[string]any) { o["valuePeriod"] = map[string]any{"start": "2025-01-01"} }),
			"Observation.value[x]", "valueQuantity and valuePeriod"},
		{"effectivePeriod", obs(t, func(o map[string]any) {
			delete(o, "effectiveDateTime")
			o["effectivePeriod"] = map[string]any{"start": "2025-03-14T09:00:00Z", "end": "2025-03-14T10:00:00Z"}
		}), "Observation.effectivePeriod", "period"},
		{"missing time zone", obs(t, func(o map[string]any) { o["effectiveDateTime"] = "2025-03-14T09:30:00" }),
			"Observation.effectiveDateTime", "no time zone"},
		{"date only", obs(t, func(o map[string]any) { o["effectiveDateTime"] = "2025-03-14" }),
			"Observation.effectiveDateTime", "no time of day"},
		{"not a time", obs(t, func(o map[string]any) { o["effectiveDateTime"] = "eilen" }),
			"Observation.effectiveDateTime", "not a FHIR dateTime"},
		{"no time", obs(t, func(o map[string]any) { delete(o, "effectiveDateTime") }),
			"Observation.effectiveDateTime", "missing"},
		{"two times", obs(t, func(o map[string]any) { o["effectiveInstant"] = "2025-03-14T07:30:00Z" }),
			"Observation.effective[x]", "only one"},
		{"entered in error", obs(t, func(o map[string]any) { o["status"] = "entered-in-error" }),
			"Observation.status", "not accepted"},
		{"unknown status", obs(t, func(o map[string]any) { o["status"] = "bogus" }),
			"Observation.status", "not accepted"},
		{"malformed JSON", []byte(`{"resourceType":"Observation",`), "Observation", "malformed JSON"},
		{"not JSON at all", []byte(`<Observation/>`), "Observation", "malformed JSON"},
		{"empty body", nil, "Observation", "empty"},
		{"array", []byte(`[]`), "Observation", "expected a JSON object"},
		{"trailing data", append(obs(t, nil), []byte(` {}`)...), "Observation", "after the JSON object"},
		{"wrong resourceType", obs(t, func(o map[string]any) { o["resourceType"] = "Patient" }),
			"Observation.resourceType", `got "Patient"`},
		{"another resource", []byte(`{"resourceType":"Patient","name":[{"family":"Virtanen"}]}`),
			"Observation.resourceType", `got "Patient"`},
		{"no resourceType", obs(t, func(o map[string]any) { delete(o, "resourceType") }),
			"Observation.resourceType", "expected resourceType Observation"},
		{"unknown field", obs(t, func(o map[string]any) { o["valueQuantityy"] = 1 }),
			"Observation.valueQuantityy", `unknown field "valueQuantityy"`},
		{"unknown nested field", obs(t, func(o map[string]any) {
			o["valueQuantity"] = map[string]any{"value": 6.1, "code": "mmol/L", "precision": 1}
		}), "Observation.valueQuantity.precision", `unknown field "precision"`},
		{"a second coding that cannot be kept", obs(t, func(o map[string]any) {
			o["code"] = map[string]any{"coding": []any{
				map[string]any{"system": "urn:oid:1.2.246.537.6.1", "code": "x"},
				map[string]any{"system": LOINCSystem, "code": "15074-8"},
			}}
		}), "Observation.code.coding[0]", "cannot be kept"},
		{"a LOINC coding of another kind", obs(t, func(o map[string]any) {
			o["code"] = map[string]any{"coding": []any{loincCode("14743-9")["coding"].([]any)[0], loincCode("8867-4")["coding"].([]any)[0]}}
		}), "Observation.code.coding[1]", "cannot be kept"},
		{"key in another case", obs(t, func(o map[string]any) { o["VALUEQUANTITY"] = o["valueQuantity"]; delete(o, "valueQuantity") }),
			"Observation.VALUEQUANTITY", `did you mean "valueQuantity"`},
		{"nested key in another case", obs(t, func(o map[string]any) { o["valueQuantity"] = map[string]any{"Value": 6.1, "code": "mmol/L"} }),
			"Observation.valueQuantity.Value", "case-sensitive"},
		{"primitive extension", obs(t, func(o map[string]any) { o["_status"] = map[string]any{"id": "x"} }),
			"Observation._status", "not kept"},
		{"second identifier", obs(t, func(o map[string]any) {
			o["identifier"] = []any{map[string]any{"system": "urn:x", "value": "1"}, map[string]any{"system": "urn:y", "value": "2"}}
		}), "Observation.identifier[1]", "one identifier"},
		{"identifier use", obs(t, func(o map[string]any) { o["identifier"] = []any{map[string]any{"use": "official", "value": "1"}} }),
			"Observation.identifier[0].use", `unknown field "use"`},
		{"other category", obs(t, func(o map[string]any) {
			o["category"] = []any{map[string]any{"coding": []any{map[string]any{"system": CategorySystem, "code": "laboratory"}}}}
		}), "Observation.category[0].coding[0]", "cannot be kept"},
		{"subject with identifier too", obs(t, func(o map[string]any) {
			o["subject"] = map[string]any{"reference": "Patient/person-1", "identifier": map[string]any{"value": "x"}}
		}), "Observation.subject.identifier", "reference only"},
		{"note author", obs(t, func(o map[string]any) { o["note"] = []any{map[string]any{"text": "x", "authorString": "me"}} }),
			"Observation.note[0].authorString", "unknown field"},
		{"meta security", obs(t, func(o map[string]any) { o["meta"] = map[string]any{"security": []any{map[string]any{"code": "R"}}} }),
			"Observation.meta.security", "does not keep"},
		{"member twice", []byte(`{"resourceType":"Observation","status":"final","status":"final"}`), "Observation.status", "twice"},
		{"modifier extension", obs(t, func(o map[string]any) {
			o["modifierExtension"] = []any{map[string]any{"url": "http://example.org/x", "valueBoolean": true}}
		}), "Observation.modifierExtension", "not understood"},
		{"subject by identifier only", obs(t, func(o map[string]any) {
			o["subject"] = map[string]any{"identifier": map[string]any{"system": "urn:oid:1.2.246.21", "value": "x"}}
		}), "Observation.subject.reference", "reference"},
		{"identifier without value", obs(t, func(o map[string]any) { o["identifier"] = []any{map[string]any{"system": "urn:x"}} }),
			"Observation.identifier[0].value", "no value"},
		{"components on a single value", obs(t, func(o map[string]any) { o["component"] = bp(120, 80) }),
			"Observation.component", "not in components"},
		{"blood pressure with valueQuantity", bpObs(func(o map[string]any) {
			o["valueQuantity"] = map[string]any{"value": 120, "code": "mm[Hg]"}
		}), "Observation.value[x]", "in component"},
		{"blood pressure without diastolic", bpObs(func(o map[string]any) { o["component"] = bp(120, 80)[:1] }),
			"Observation.component", "8462-4"},
		{"blood pressure systolic twice", bpObs(func(o map[string]any) {
			c := bp(120, 80)
			o["component"] = []any{c[0], c[0]}
		}), "Observation.component[1].code", "twice"},
		{"blood pressure unknown component", bpObs(func(o map[string]any) {
			c := bp(120, 80)
			c[0].(map[string]any)["code"] = loincCode("8478-0")
			o["component"] = c
		}), "Observation.component[0].code", "systolic"},
		{"blood pressure component as string", bpObs(func(o map[string]any) {
			c := bp(120, 80)
			delete(c[1].(map[string]any), "valueQuantity")
			c[1].(map[string]any)["valueString"] = "80"
			o["component"] = c
		}), "Observation.component[1].value[x]", "valueString"},
		{"blood pressure in kPa", bpObs(func(o map[string]any) {
			c := bp(16, 10.7)
			c[0].(map[string]any)["valueQuantity"].(map[string]any)["code"] = "kPa"
			o["component"] = c
		}), "Observation.component[0].valueQuantity.code", `"kPa"`},
	}
}

// TestParseObservationRefusesWhatIsNotKept: every R4 Observation element
// omahoito does not keep is refused, naming it, not dropped.
func TestParseObservationRefusesWhatIsNotKept(t *testing.T) {
	for _, el := range []string{"dataAbsentReason", "performer", "hasMember", "derivedFrom", "interpretation", "referenceRange",
		"method", "device", "bodySite", "specimen", "focus", "basedOn", "partOf", "encounter", "issued", "contained",
		"extension", "text", "language"} {
		t.Run(el, func(t *testing.T) {
			_, err := ParseObservation(obs(t, func(o map[string]any) { o[el] = []any{map[string]any{"reference": "x"}} }))
			checkFieldError(t, err, "Observation."+el, "does not keep")
		})
	}
	for _, el := range []string{"interpretation", "referenceRange", "dataAbsentReason", "extension"} {
		t.Run("component "+el, func(t *testing.T) {
			_, err := ParseObservation(obs(t, func(o map[string]any) {
				o["code"] = loincCode("85354-9")
				delete(o, "valueQuantity")
				c := bp(120, 80)
				c[1].(map[string]any)[el] = []any{}
				o["component"] = c
			}))
			checkFieldError(t, err, "Observation.component[1]."+el, "")
		})
	}
}

func TestParseObservationRefuses(t *testing.T) {
	for _, c := range observationRefusals(t) {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseObservation(c.body)
			checkFieldError(t, err, c.field, c.msg)
		})
	}
}

func checkFieldError(t *testing.T, err error, field, msg string) {
	t.Helper()
	if !errors.Is(err, record.ErrInvalid) {
		t.Fatalf("err = %v, want a record.ErrInvalid", err)
	}
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %T %v, want *FieldError", err, err)
	}
	if fe.Path != field || !strings.Contains(fe.Msg, msg) {
		t.Errorf("got %s: %s\nwant %s: …%s…", fe.Path, fe.Msg, field, msg)
	}
}
