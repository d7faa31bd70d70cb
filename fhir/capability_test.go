package fhir

import (
	"bytes"
	"errors"
	"slices"
	"testing"
	"time"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/omahoito/omahoito/internal/fhirschema"
)

// TestCapabilityDeclaresWhatIsParsed checks the statement against the
// parser's declarations, and that it is valid FHIR R4.
func TestCapabilityDeclaresWhatIsParsed(t *testing.T) {
	cs := Capability(testBase, "test", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	rest := cs.Rest[0]
	if svc := rest.Security.Service; len(svc) != 1 || *svc[0].Coding[0].System != RestfulSecurityService || *svc[0].Coding[0].Code != "OAuth" {
		t.Errorf("security service = %+v", svc)
	}
	byType := map[string]fm.CapabilityStatementRestResource{}
	for _, r := range rest.Resource {
		byType[r.Type.Code()] = r
	}
	for _, d := range SearchDecls() {
		r, ok := byType[d.Type]
		if !ok {
			t.Fatalf("%s not declared", d.Type)
		}
		if len(r.SearchParam) != len(d.Params) {
			t.Errorf("%s: %d search params, parser knows %d", d.Type, len(r.SearchParam), len(d.Params))
		}
		for _, sp := range r.SearchParam {
			p, ok := d.Param(sp.Name)
			if !ok || string(p.Type) != sp.Type.Code() || sp.Definition == nil || *sp.Definition != p.Definition {
				t.Errorf("%s.%s declared as %+v", d.Type, sp.Name, sp)
			}
		}
		if !slices.ContainsFunc(r.Interaction, func(i fm.CapabilityStatementRestResourceInteraction) bool {
			return i.Code == fm.TypeRestfulInteractionSearchType
		}) {
			t.Errorf("%s lacks search-type", d.Type)
		}
	}
	obs := byType["Observation"]
	if !slices.Contains(obs.SupportedProfile, "http://hl7.org/fhir/StructureDefinition/bp") || len(obs.SupportedProfile) != 8 {
		t.Errorf("supportedProfile = %v", obs.SupportedProfile)
	}
	if obs.ConditionalCreate == nil || !*obs.ConditionalCreate {
		t.Error("conditional create not declared")
	}
	if ops := byType["Patient"].Operation; len(ops) != 1 || ops[0].Name != "everything" || ops[0].Definition != PatientEverything {
		t.Errorf("Patient operations = %+v, want $everything", ops)
	}
	for typ, codes := range map[string][]fm.TypeRestfulInteraction{
		"Consent":    {fm.TypeRestfulInteractionCreate, fm.TypeRestfulInteractionRead, fm.TypeRestfulInteractionSearchType, fm.TypeRestfulInteractionUpdate},
		"AuditEvent": {fm.TypeRestfulInteractionSearchType},
		"DocumentReference": {fm.TypeRestfulInteractionCreate, fm.TypeRestfulInteractionRead, fm.TypeRestfulInteractionSearchType,
			fm.TypeRestfulInteractionUpdate, fm.TypeRestfulInteractionDelete, fm.TypeRestfulInteractionVread},
		"Binary": {fm.TypeRestfulInteractionCreate, fm.TypeRestfulInteractionRead},
	} {
		var got []fm.TypeRestfulInteraction
		for _, i := range byType[typ].Interaction {
			got = append(got, i.Code)
		}
		slices.Sort(got)
		slices.Sort(codes)
		if !slices.Equal(got, codes) {
			t.Errorf("%s interactions = %v, want exactly %v", typ, got, codes)
		}
	}
	if !slices.Contains(cs.Format, ContentType) || slices.ContainsFunc(cs.Format, func(f string) bool { return errors.Is(CheckFormat(f), ErrNotAcceptable) }) {
		t.Errorf("format = %v; each must be one CheckFormat serves", cs.Format)
	}
	// The validator's schema predates 4.0.1's enum entry (see cmd/omahoito's refusal test).
	fhirschema.Validate(t, bytes.Replace(marshal(t, cs), []byte(`"fhirVersion":"4.0.1"`), []byte(`"fhirVersion":"4.0.0"`), 1))
}

func TestParseIfNoneExist(t *testing.T) {
	cases := []struct {
		header, want string
	}{
		{"identifier=urn:ietf:rfc:3986|urn:uuid:1", "urn:ietf:rfc:3986|urn:uuid:1"},
		{"?identifier=http%3A%2F%2Fx%7Cabc", "http://x|abc"},
		{"Observation?identifier=urn:x|1", "urn:x|1"},
		{"identifier=|abc", "|abc"},
	}
	for _, c := range cases {
		if got, err := ParseIfNoneExist(c.header); err != nil || got != c.want {
			t.Errorf("ParseIfNoneExist(%q) = %q, %v; want %q", c.header, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "identifier=abc", "identifier=urn:x|", "code=8867-4", "identifier=a|1&code=x",
		"identifier=a|1&identifier=a|2", "identifier=a|1,a|2", "identifier=%zz", "_id=x"} {
		if _, err := ParseIfNoneExist(bad); !errors.Is(err, ErrInvalidHeader) {
			t.Errorf("ParseIfNoneExist(%q) = %v, want ErrInvalidHeader", bad, err)
		}
	}
	p := ParsedObservation{}
	p.Input.Identifier = "urn:x|1"
	if CheckIfNoneExist("urn:x|1", p) != nil || CheckIfNoneExist("urn:x|2", p) == nil {
		t.Error("CheckIfNoneExist should accept only the Observation's own identifier")
	}
}
