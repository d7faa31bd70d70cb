package fhir

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/omahoito/omahoito/record"
)

// shape is what omahoito keeps of a JSON object: the members it reads,
// each with the shape of its value; a nil *shape takes any value (its type
// is checked when the resource is decoded). A member not in the shape is
// refused, so nothing a client sends is dropped silently, and names match
// exactly, as FHIR's do (encoding/json alone would take "VALUEQUANTITY").
type shape struct{ members map[string]*shape }

func obj(members map[string]*shape) *shape { return &shape{members: members} }

var (
	codingShape   = obj(map[string]*shape{"system": nil, "code": nil, "display": nil})
	quantityShape = obj(map[string]*shape{"value": nil, "unit": nil, "system": nil, "code": nil, "comparator": nil})
	// valueChoices are refused, when not a Quantity, with a message that
	// says to send valueQuantity.
	valueChoices = []string{"valueCodeableConcept", "valueString", "valueBoolean", "valueInteger", "valueRange",
		"valueRatio", "valueSampledData", "valueTime", "valueDateTime", "valuePeriod"}
	observationShape = obj(withValues(map[string]*shape{
		"resourceType": nil, "id": nil,
		// versionId, lastUpdated and source are the server's to set; a
		// profile is a claim about the content, which omahoito checks.
		"meta":       obj(map[string]*shape{"versionId": nil, "lastUpdated": nil, "source": nil, "profile": nil}),
		"identifier": obj(map[string]*shape{"system": nil, "value": nil}),
		"status":     nil,
		"category":   obj(map[string]*shape{"coding": codingShape}),
		"code":       obj(map[string]*shape{"coding": codingShape, "text": nil}),
		"subject":    obj(map[string]*shape{"reference": nil, "identifier": nil}), // identifier: refused with a reason
		"note":       obj(map[string]*shape{"text": nil}),
		"component": obj(withValues(map[string]*shape{
			"code": obj(map[string]*shape{"coding": codingShape}), "modifierExtension": nil,
		})),
		// Refused later, each with its own reason.
		"modifierExtension": nil, "implicitRules": nil,
		"effectiveDateTime": nil, "effectiveInstant": nil, "effectivePeriod": nil, "effectiveTiming": nil,
	}))
)

func withValues(m map[string]*shape) map[string]*shape {
	m["valueQuantity"] = quantityShape
	for _, v := range valueChoices {
		m[v] = nil
	}
	return m
}

// notKept are the Observation elements R4 defines and omahoito does not
// keep: refused with a 422 naming them.
var notKept = map[string]bool{
	"text": true, "contained": true, "extension": true, "language": true, "basedOn": true, "partOf": true,
	"focus": true, "encounter": true, "issued": true, "performer": true, "dataAbsentReason": true,
	"interpretation": true, "bodySite": true, "method": true, "specimen": true, "device": true,
	"referenceRange": true, "hasMember": true, "derivedFrom": true,
}

// checkShape walks body, which is valid JSON, and refuses the first member
// outside s, naming its path under root.
func checkShape(body []byte, root string, s *shape) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return malformed(root, "expected a JSON object")
	}
	return walkObject(dec, root, s)
}

// walkObject checks the members of the object whose brace was just read.
func walkObject(dec *json.Decoder, path string, s *shape) error {
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return malformed(path, "malformed JSON")
		}
		key, _ := tok.(string)
		if seen[key] {
			return malformed(path+"."+key, "%s is given twice", key)
		}
		seen[key] = true
		child, ok := s.members[key]
		if !ok {
			return refusedMember(path, key, s)
		}
		if err := walkValue(dec, path+"."+key, child); err != nil {
			return err
		}
	}
	_, err := dec.Token() // the closing brace
	return err
}

// walkValue checks one value: objects and arrays of objects against s.
func walkValue(dec *json.Decoder, path string, s *shape) error {
	if s == nil {
		var skip json.RawMessage
		return dec.Decode(&skip)
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		return walkObject(dec, path, s)
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			if err := walkValue(dec, path+"["+strconv.Itoa(i)+"]", s); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	}
	return nil // a scalar where an object belongs: decoding names the type
}

// refusedMember says why key, not in s, is refused.
func refusedMember(path, key string, s *shape) error {
	at := path + "." + key
	if strings.HasPrefix(key, "_") {
		return fieldErr(at, "ids and extensions of primitive values are not kept; leave %s out", key)
	}
	for name := range s.members {
		if strings.EqualFold(name, key) {
			return malformed(at, "unknown field %q: FHIR element names are case-sensitive; did you mean %q?", key, name)
		}
	}
	if path == "Observation" && notKept[key] {
		return fieldErr(at, "omahoito does not keep %s, so it refuses it rather than drop it; leave it out", key)
	}
	return fieldErr(at, "unknown field %q, or an element omahoito does not keep; leave it out", key)
}

// checkCodings refuses codings other than those allowed: each would be
// dropped from what omahoito returns.
func checkCodings(path string, codings []fm.Coding, allowed func(system, code string) bool, want string) error {
	for i, c := range codings {
		if !allowed(deref(c.System), deref(c.Code)) {
			return fieldErr(path+".coding["+strconv.Itoa(i)+"]", "%s|%s cannot be kept: omahoito keeps only %s; leave the other codings out",
				deref(c.System), deref(c.Code), want)
		}
	}
	return nil
}

// checkKept refuses what the shape lets through but omahoito would still
// not return: a second identifier, a category other than vital signs, and
// codings other than the kind's own LOINC codes.
func (in *observationIn) checkKept(spec record.Spec) error {
	if len(in.Identifier) > 1 {
		return fieldErr("Observation.identifier[1]", "omahoito keeps one identifier; send only the one that identifies the measurement")
	}
	for i, cat := range in.Category {
		err := checkCodings("Observation.category["+strconv.Itoa(i)+"]", cat.Coding, func(system, code string) bool {
			return system == CategorySystem && code == VitalSignsCode
		}, "the vital-signs category")
		if err != nil {
			return err
		}
	}
	own := "LOINC " + strings.Join(append([]string{spec.Code}, spec.AltCodes...), " or ")
	err := checkCodings("Observation.code", in.Code.Coding, func(system, code string) bool {
		s, ok := record.SpecByCode(code)
		return system == LOINCSystem && ok && s.Kind == spec.Kind
	}, own)
	if err != nil {
		return err
	}
	for i, c := range in.Component {
		if !slices.ContainsFunc(c.Code.Coding, isBPComponent) {
			continue // bloodPressure says what is expected
		}
		err := checkCodings(componentPath(i)+".code", c.Code.Coding, func(system, code string) bool {
			return system == LOINCSystem && (code == record.SystolicCode || code == record.DiastolicCode)
		}, "LOINC "+record.SystolicCode+" or "+record.DiastolicCode)
		if err != nil {
			return err
		}
	}
	return nil
}

func isBPComponent(c fm.Coding) bool {
	return deref(c.System) == LOINCSystem && (deref(c.Code) == record.SystolicCode || deref(c.Code) == record.DiastolicCode)
}
