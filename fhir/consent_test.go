package fhir

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/internal/fhirschema"
	"github.com/omahoito/omahoito/record"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares v, as indented JSON, with testdata/name.golden; with
// -update it writes the file instead.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to write it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from %s (run with -update and review the diff):\n%s", name, path, got)
	}
}

var (
	grantCreated = time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
	grantNow     = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
)

// sampleGrant is a grant in force at grantNow to a professional, of two
// kinds and two files, for data from 2024 on.
func sampleGrant() consent.Grant {
	return consent.Grant{
		ID: "grant-1", PersonID: "person-1", Region: "pirha",
		Grantee: consent.Grantee{Kind: consent.GranteeProfessional, ID: "pro-7"},
		Scope: consent.Scope{
			Classes: []consent.ClassScope{
				{Class: record.ClassMeasurements, Items: []string{string(record.BloodPressure), string(record.HeartRate)}},
				{Class: record.ClassFiles, Items: []string{"file-1", "file-2"}},
			},
			Window: record.Window{From: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		},
		Start: grantCreated, End: grantCreated.AddDate(1, 0, 0),
		Purpose: consent.PurposeTreatment, CreatedAt: grantCreated,
		Status: consent.StatusActive, Version: 3,
	}
}

func sampleRefs(g consent.Grant) ConsentRefs {
	r := ConsentRefs{Patient: "Patient/" + g.PersonID, PatientDisplay: "Maija Meikäläinen", Performer: "Patient/" + g.PersonID}
	if g.Grantee.Kind == consent.GranteeUnit {
		r.Grantee, r.GranteeDisplay = "Organization/"+g.Grantee.ID, "Kardiologian poliklinikka"
	} else {
		r.Grantee, r.GranteeDisplay = "Practitioner/"+g.Grantee.ID, "Liisa Lääkäri"
	}
	return r
}

// grantVariants are grants that exercise each part of the mapping.
func grantVariants() map[string]consent.Grant {
	unit := sampleGrant()
	unit.Grantee = consent.Grantee{Kind: consent.GranteeUnit, ID: "unit-3"}
	unit.Scope = consent.Scope{Classes: []consent.ClassScope{{Class: record.ClassMeasurements}}}
	unit.End = time.Time{}
	files := sampleGrant()
	files.Scope = consent.Scope{
		Classes: []consent.ClassScope{{Class: record.ClassFiles}},
		Window:  record.Window{From: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	revoked := sampleGrant()
	revoked.Status, revoked.RevokedAt, revoked.Version = consent.StatusRevoked, grantCreated.AddDate(0, 1, 0), 4
	return map[string]consent.Grant{"professional": sampleGrant(), "unit-all-measurements": unit, "files-window": files, "revoked": revoked}
}

func TestFromGrantRoundTripsThroughParseConsent(t *testing.T) {
	for name, g := range grantVariants() {
		t.Run(name, func(t *testing.T) {
			c := FromGrant(g, sampleRefs(g), grantNow)
			in, err := ParseConsent(marshal(t, c))
			if err != nil {
				t.Fatalf("parse own output: %v", err)
			}
			status := "active"
			if g.Status != consent.StatusActive {
				status = "inactive"
			}
			want := ConsentInput{ID: g.ID, Status: status, Patient: g.PersonID, GranteeKind: g.Grantee.Kind, GranteeID: g.Grantee.ID,
				Scope: g.Scope, Start: g.Start, End: g.End}
			if !reflect.DeepEqual(in, want) {
				t.Errorf("parsed %+v\nwant   %+v", in, want)
			}
		})
	}
}

func TestFromGrantStatus(t *testing.T) {
	later := sampleGrant()
	later.Start = grantNow.AddDate(0, 0, 1)
	revoked := sampleGrant()
	revoked.Status, revoked.RevokedAt = consent.StatusRevoked, grantNow.AddDate(0, 0, -1)
	ended := sampleGrant()
	ended.Status, ended.EndedAt, ended.EndReason = consent.StatusEnded, grantNow.AddDate(0, 0, -1), consent.EndMoved
	expired := sampleGrant()
	expired.End = grantNow
	for name, tc := range map[string]struct {
		g    consent.Grant
		want string
	}{
		"in force": {sampleGrant(), "active"}, "starts later": {later, "active"},
		"revoked": {revoked, "inactive"}, "ended": {ended, "inactive"}, "expired at its end": {expired, "inactive"},
	} {
		c := FromGrant(tc.g, sampleRefs(tc.g), grantNow)
		if got := c.Status.Code(); got != tc.want {
			t.Errorf("%s: status %s, want %s", name, got, tc.want)
		}
	}
	c := FromGrant(revoked, sampleRefs(revoked), grantNow)
	if *c.Meta.LastUpdated != formatTime(revoked.RevokedAt) || *c.Meta.VersionId != "3" {
		t.Errorf("meta of a revoked grant = %s, %s; want the revocation time and version 3", *c.Meta.LastUpdated, *c.Meta.VersionId)
	}
}

func TestConsentIsValidR4(t *testing.T) {
	var docs [][]byte
	for _, g := range grantVariants() {
		docs = append(docs, marshal(t, FromGrant(g, sampleRefs(g), grantNow)))
	}
	fhirschema.Validate(t, docs...)
}

func TestConsentGolden(t *testing.T) {
	g := sampleGrant()
	golden(t, "consent", FromGrant(g, sampleRefs(g), grantNow))
}

// consentBody is sampleGrant's Consent as a JSON object to change.
func consentBody(t *testing.T) map[string]any {
	t.Helper()
	g := sampleGrant()
	var m map[string]any
	if err := json.Unmarshal(marshal(t, FromGrant(g, sampleRefs(g), grantNow)), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func provision(m map[string]any) map[string]any { return m["provision"].(map[string]any) }

func TestParseConsentRefuses(t *testing.T) {
	cases := []struct {
		name, path string
		malformed  bool
		change     func(m map[string]any)
	}{
		{"another resource", "Consent.resourceType", true, func(m map[string]any) { m["resourceType"] = "Observation" }},
		{"unknown element", "Consent.organization", false, func(m map[string]any) { m["organization"] = []any{map[string]any{"reference": "Organization/x"}} }},
		{"wrong case", "Consent.Status", true, func(m map[string]any) { m["Status"] = m["status"]; delete(m, "status") }},
		{"no status", "Consent.status", false, func(m map[string]any) { delete(m, "status") }},
		{"draft", "Consent.status", false, func(m map[string]any) { m["status"] = "draft" }},
		{"other scope", "Consent.scope.coding[0]", false, func(m map[string]any) {
			m["scope"] = map[string]any{"coding": []any{map[string]any{"system": consentScopeSystem, "code": "research"}}}
		}},
		{"other category", "Consent.category[0].coding[0]", false, func(m map[string]any) {
			m["category"] = []any{map[string]any{"coding": []any{map[string]any{"system": LOINCSystem, "code": "64292-6"}}}}
		}},
		{"opt-out", "Consent.policyRule.coding[0]", false, func(m map[string]any) {
			m["policyRule"] = map[string]any{"coding": []any{map[string]any{"system": actCodeSystem, "code": "OPTOUT"}}}
		}},
		{"patient not a Patient", "Consent.patient.reference", false, func(m map[string]any) { m["patient"] = map[string]any{"reference": "Group/1"} }},
		{"performer another person", "Consent.performer[0].reference", false, func(m map[string]any) {
			m["performer"] = []any{map[string]any{"reference": "Patient/someone-else"}}
		}},
		{"no provision", "Consent.provision", false, func(m map[string]any) { delete(m, "provision") }},
		{"deny", "Consent.provision.type", false, func(m map[string]any) { provision(m)["type"] = "deny" }},
		{"no type", "Consent.provision.type", false, func(m map[string]any) { delete(provision(m), "type") }},
		{"two actors", "Consent.provision.actor", false, func(m map[string]any) {
			p := provision(m)
			p["actor"] = append(p["actor"].([]any), p["actor"].([]any)[0])
		}},
		{"no actor", "Consent.provision.actor", false, func(m map[string]any) { delete(provision(m), "actor") }},
		{"actor role", "Consent.provision.actor[0].role.coding[0]", false, func(m map[string]any) {
			actor(m)["role"] = map[string]any{"coding": []any{map[string]any{"system": participationTypeSystem, "code": "PRCP"}}}
		}},
		{"actor a patient", "Consent.provision.actor[0].reference.reference", false, func(m map[string]any) {
			actor(m)["reference"] = map[string]any{"reference": "Patient/person-2"}
		}},
		{"actor an absolute url", "Consent.provision.actor[0].reference.reference", false, func(m map[string]any) {
			actor(m)["reference"] = map[string]any{"reference": "https://elsewhere.example/Practitioner/1"}
		}},
		{"actor by identifier", "Consent.provision.actor[0].reference.identifier", false, func(m map[string]any) {
			actor(m)["reference"] = map[string]any{"identifier": map[string]any{"value": "x"}}
		}},
		{"other purpose", "Consent.provision.purpose[0]", false, func(m map[string]any) {
			provision(m)["purpose"] = []any{map[string]any{"system": actReasonSystem, "code": "HRESCH"}}
		}},
		{"no class", "Consent.provision.class", false, func(m map[string]any) { delete(provision(m), "class") }},
		{"other class", "Consent.provision.class[1]", false, func(m map[string]any) {
			provision(m)["class"].([]any)[1] = map[string]any{"system": resourceTypesSystem, "code": "Condition"}
		}},
		{"class twice", "Consent.provision.class[1]", false, func(m map[string]any) {
			p := provision(m)
			p["class"].([]any)[1] = p["class"].([]any)[0]
		}},
		{"unknown kind", "Consent.provision.code[1].coding[0]", false, func(m map[string]any) {
			provision(m)["code"].([]any)[1] = map[string]any{"coding": []any{map[string]any{"system": LOINCSystem, "code": "2339-0"}}}
		}},
		{"kind not LOINC", "Consent.provision.code[0].coding[0]", false, func(m map[string]any) {
			provision(m)["code"].([]any)[0] = map[string]any{"coding": []any{map[string]any{"system": "http://snomed.info/sct", "code": "75367002"}}}
		}},
		{"two kinds in one code", "Consent.provision.code[0].coding[1]", false, func(m map[string]any) {
			provision(m)["code"].([]any)[0] = map[string]any{"coding": []any{
				map[string]any{"system": LOINCSystem, "code": "8867-4"}, map[string]any{"system": LOINCSystem, "code": "29463-7"}}}
		}},
		{"codes without Observation", "Consent.provision.code", false, func(m map[string]any) {
			provision(m)["class"] = []any{map[string]any{"system": resourceTypesSystem, "code": "DocumentReference"}}
		}},
		{"data without DocumentReference", "Consent.provision.data", false, func(m map[string]any) {
			provision(m)["class"] = []any{map[string]any{"system": resourceTypesSystem, "code": "Observation"}}
		}},
		{"data related", "Consent.provision.data[0].meaning", false, func(m map[string]any) {
			provision(m)["data"].([]any)[0].(map[string]any)["meaning"] = "related"
		}},
		{"data an Observation", "Consent.provision.data[1].reference.reference", false, func(m map[string]any) {
			provision(m)["data"].([]any)[1].(map[string]any)["reference"] = map[string]any{"reference": "Observation/o-1"}
		}},
		{"end before start", "Consent.provision.period.end", false, func(m map[string]any) {
			provision(m)["period"] = map[string]any{"start": "2025-03-01T00:00:00Z", "end": "2025-02-01T00:00:00Z"}
		}},
		{"start without zone", "Consent.provision.period.start", false, func(m map[string]any) {
			provision(m)["period"] = map[string]any{"start": "2025-03-01T08:00:00"}
		}},
		{"data period not a time", "Consent.provision.dataPeriod.end", false, func(m map[string]any) {
			provision(m)["dataPeriod"] = map[string]any{"end": "soon"}
		}},
		{"nested provision", "Consent.provision.provision", false, func(m map[string]any) { provision(m)["provision"] = []any{} }},
		{"period is a string", "Consent.provision.period", true, func(m map[string]any) { provision(m)["period"] = "2025" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := consentBody(t)
			tc.change(m)
			_, err := ParseConsent(marshal(t, m))
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a *FieldError", err)
			}
			if fe.Path != tc.path || !errors.Is(err, record.ErrInvalid) || errors.Is(err, ErrMalformed) != tc.malformed {
				t.Errorf("err = %v (path %q, malformed %v), want path %q, malformed %v", err, fe.Path, errors.Is(err, ErrMalformed), tc.path, tc.malformed)
			}
		})
	}
}

func actor(m map[string]any) map[string]any {
	return provision(m)["actor"].([]any)[0].(map[string]any)
}

func TestParseConsentTakesAMinimalConsent(t *testing.T) {
	body := `{"resourceType":"Consent","status":"active","provision":{"type":"permit",
		"actor":[{"role":{"coding":[{"system":"` + participationTypeSystem + `","code":"IRCP"}]},"reference":{"reference":"Organization/unit-3"}}],
		"class":[{"system":"` + resourceTypesSystem + `","code":"Observation"}],
		"code":[{"coding":[{"system":"http://loinc.org","code":"59408-5"}]},{"coding":[{"system":"http://loinc.org","code":"2708-6"}]}]}}`
	in, err := ParseConsent([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := ConsentInput{Status: "active", GranteeKind: consent.GranteeUnit, GranteeID: "unit-3",
		Scope: consent.Scope{Classes: []consent.ClassScope{{Class: record.ClassMeasurements, Items: []string{string(record.OxygenSaturation)}}}}}
	if !reflect.DeepEqual(in, want) {
		t.Errorf("parsed %+v\nwant   %+v", in, want)
	}
}

func TestParseConsentRefusesBrokenJSON(t *testing.T) {
	for _, body := range []string{``, `{`, `[]`, `{"resourceType":"Consent"} {}`} {
		if _, err := ParseConsent([]byte(body)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: err = %v, want ErrMalformed", body, err)
		}
	}
}
