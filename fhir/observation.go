package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/omahoito/omahoito/record"
)

// Code systems of an Observation.
const (
	LOINCSystem        = "http://loinc.org"
	UCUMSystem         = "http://unitsofmeasure.org"
	CategorySystem     = "http://terminology.hl7.org/CodeSystem/observation-category"
	VitalSignsCode     = "vital-signs"
	ClientSourcePrefix = "urn:omahoito:client:" // meta.source of what an API client sent
)

// altDisplays names the alternative LOINC codes written as extra codings.
var altDisplays = map[string]string{
	"59408-5": "Oxygen saturation in Arterial blood by Pulse oximetry",
}

// componentDisplays names the blood-pressure panel's components.
var componentDisplays = map[string]string{
	record.SystolicCode:  "Systolic blood pressure",
	record.DiastolicCode: "Diastolic blood pressure",
}

// Observation maps one stored version of a measurement. Callers render
// deleted versions only through History.
func Observation(m record.Measurement) fm.Observation {
	spec, _ := record.SpecOf(m.Kind)
	o := fm.Observation{
		Id:                ptr(m.ID),
		Meta:              observationMeta(m),
		Status:            fm.ObservationStatusFinal,
		Category:          []fm.CodeableConcept{vitalSigns()},
		Code:              observationCode(spec),
		Subject:           &fm.Reference{Reference: ptr("Patient/" + m.PersonID)},
		EffectiveDateTime: ptr(formatTime(m.At)),
		Identifier:        identifier(m.Identifier),
	}
	if m.Note != "" {
		o.Note = []fm.Annotation{{Text: m.Note}}
	}
	if spec.Diastolic != nil {
		o.Component = []fm.ObservationComponent{
			component(record.SystolicCode, m.Value, spec),
			component(record.DiastolicCode, m.Diastolic, spec),
		}
		return o
	}
	o.ValueQuantity = quantity(m.Value, spec)
	return o
}

func observationMeta(m record.Measurement) *fm.Meta {
	meta := &fm.Meta{VersionId: ptr(strconv.Itoa(m.Version))}
	if !m.Updated.IsZero() {
		meta.LastUpdated = ptr(formatTime(m.Updated))
	}
	if m.Source.Kind == record.SourceDevice && m.Source.Client != "" {
		meta.Source = ptr(ClientSourcePrefix + m.Source.Client)
	}
	return meta
}

func vitalSigns() fm.CodeableConcept {
	return fm.CodeableConcept{Coding: []fm.Coding{{
		System: ptr(CategorySystem), Code: ptr(VitalSignsCode), Display: ptr("Vital Signs"),
	}}}
}

func observationCode(spec record.Spec) fm.CodeableConcept {
	cc := fm.CodeableConcept{
		Coding: []fm.Coding{loinc(spec.Code, spec.Display)},
		Text:   ptr(spec.Display),
	}
	if spec.Kind == record.OxygenSaturation {
		for _, c := range spec.AltCodes {
			cc.Coding = append(cc.Coding, loinc(c, altDisplays[c]))
		}
	}
	return cc
}

func loinc(code, display string) fm.Coding {
	return fm.Coding{System: ptr(LOINCSystem), Code: ptr(code), Display: ptrOrNil(display)}
}

func component(code string, v float64, spec record.Spec) fm.ObservationComponent {
	return fm.ObservationComponent{
		Code:          fm.CodeableConcept{Coding: []fm.Coding{loinc(code, componentDisplays[code])}},
		ValueQuantity: quantity(v, spec),
	}
}

func quantity(v float64, spec record.Spec) *fm.Quantity {
	return &fm.Quantity{
		Value:  ptr(decimal(v)),
		Unit:   ptr(spec.UnitDisplay),
		System: ptr(UCUMSystem),
		Code:   ptr(spec.Unit),
	}
}

// identifier splits a stored "system|value" identifier.
func identifier(id string) []fm.Identifier {
	if id == "" {
		return nil
	}
	system, value, found := strings.Cut(id, "|")
	if !found {
		system, value = "", id
	}
	return []fm.Identifier{{System: ptrOrNil(system), Value: ptr(value)}}
}

// formatTime writes an instant as FHIR instant/dateTime, in UTC, keeping
// sub-second precision only when there is some.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// decimal writes v as a FHIR decimal, as short as it can be written exactly.
func decimal(v float64) json.Number { return json.Number(strconv.FormatFloat(v, 'f', -1, 64)) }

// ParsedObservation is an Observation a client sent, read into an Input.
type ParsedObservation struct {
	Input   record.Input
	Subject string // subject.reference as given, e.g. "Patient/abc"; "" when absent
	ID      string // id in the body, if any
}

// observationIn decodes an Observation: the samply model, with
// resourceType checked and status told apart from absent.
type observationIn struct {
	fm.OtherObservation
	ResourceType string  `json:"resourceType"`
	Status       *string `json:"status"`
}

// acceptedStatuses are the statuses of a usable measurement; an absent
// status counts as final.
var acceptedStatuses = map[string]bool{"final": true, "amended": true, "corrected": true, "preliminary": true}

// ParseObservation reads a client's Observation (application/fhir+json)
// into a record.Input. It checks the shape (one quantity, LOINC code, time
// with a zone, unit accepted for the kind); record.Normalize checks ranges.
// Errors are *FieldError, so errors.Is(err, record.ErrInvalid).
//
// Every member is checked by its exact name against what omahoito keeps:
// an element it would not return is refused, naming its path, rather than
// dropped.
func ParseObservation(body []byte) (ParsedObservation, error) {
	var raw json.RawMessage
	if err := decodeStrict(body, &raw, "Observation"); err != nil {
		return ParsedObservation{}, err
	}
	if err := checkShape(body, "Observation", observationShape); err != nil {
		return ParsedObservation{}, betterDecodeError(body, err)
	}
	var in observationIn
	if err := decodeStrict(body, &in, "Observation"); err != nil {
		return ParsedObservation{}, betterDecodeError(body, err)
	}
	return in.parse()
}

// betterDecodeError prefers, for a body that is some other resource, saying
// so over naming a field an Observation does not have.
func betterDecodeError(body []byte, err error) error {
	var head struct {
		ResourceType *string `json:"resourceType"`
	}
	if json.Unmarshal(body, &head) == nil && head.ResourceType != nil && *head.ResourceType != "Observation" {
		return malformed("Observation.resourceType", "expected resourceType Observation, got %q", *head.ResourceType)
	}
	return err
}

func (in *observationIn) parse() (ParsedObservation, error) {
	if err := in.checkEnvelope(); err != nil {
		return ParsedObservation{}, err
	}
	spec, err := observationSpec(in.Code)
	if err != nil {
		return ParsedObservation{}, err
	}
	if err := in.checkKept(spec); err != nil {
		return ParsedObservation{}, err
	}
	p := ParsedObservation{Input: record.Input{Kind: spec.Kind, Note: notes(in.Note)}, ID: deref(in.Id)}
	if p.Input.At, err = effective(&in.OtherObservation); err != nil {
		return ParsedObservation{}, err
	}
	if err := in.values(spec, &p.Input); err != nil {
		return ParsedObservation{}, err
	}
	if p.Input.Identifier, err = firstIdentifier(in.Identifier); err != nil {
		return ParsedObservation{}, err
	}
	if p.Subject, err = subject(in.Subject); err != nil {
		return ParsedObservation{}, err
	}
	return p, nil
}

// checkEnvelope checks resourceType, status and what must be understood.
func (in *observationIn) checkEnvelope() error {
	if in.ResourceType != "Observation" {
		return malformed("Observation.resourceType", "expected resourceType Observation, got %q", in.ResourceType)
	}
	if in.Status != nil && !acceptedStatuses[*in.Status] {
		return fieldErr("Observation.status", "status %q is not accepted; use final (or preliminary, amended, corrected)", *in.Status)
	}
	if len(in.ModifierExtension) > 0 {
		return fieldErr("Observation.modifierExtension", "modifier extensions are not understood")
	}
	if in.ImplicitRules != nil {
		return fieldErr("Observation.implicitRules", "implicit rules are not understood")
	}
	return nil
}

// observationSpec finds the kind from the first LOINC coding it knows.
func observationSpec(cc fm.CodeableConcept) (record.Spec, error) {
	var given []string
	for _, c := range cc.Coding {
		if c.Code == nil {
			continue
		}
		given = append(given, deref(c.System)+"|"+*c.Code)
		if deref(c.System) != LOINCSystem {
			continue
		}
		if spec, ok := record.SpecByCode(*c.Code); ok {
			return spec, nil
		}
	}
	if len(given) == 0 {
		return record.Spec{}, fieldErr("Observation.code", "unknown code: no LOINC coding given")
	}
	return record.Spec{}, fieldErr("Observation.code", "unknown code: %s is not a supported measurement (LOINC, %s)",
		strings.Join(given, ", "), LOINCSystem)
}

// effective reads the one effectiveDateTime or effectiveInstant.
func effective(o *fm.OtherObservation) (time.Time, error) {
	switch {
	case o.EffectivePeriod != nil:
		return time.Time{}, fieldErr("Observation.effectivePeriod", "a period is not accepted; give effectiveDateTime, the time of the measurement")
	case o.EffectiveTiming != nil:
		return time.Time{}, fieldErr("Observation.effectiveTiming", "a timing is not accepted; give effectiveDateTime, the time of the measurement")
	case o.EffectiveDateTime != nil && o.EffectiveInstant != nil:
		return time.Time{}, fieldErr("Observation.effective[x]", "give only one of effectiveDateTime and effectiveInstant")
	case o.EffectiveInstant != nil:
		return parseDateTime("Observation.effectiveInstant", *o.EffectiveInstant)
	case o.EffectiveDateTime != nil:
		return parseDateTime("Observation.effectiveDateTime", *o.EffectiveDateTime)
	}
	return time.Time{}, fieldErr("Observation.effectiveDateTime", "the time of the measurement is missing")
}

// parseDateTime reads a FHIR dateTime that names a moment: a date, a time
// and a time zone (seconds may be left out).
func parseDateTime(field, s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04"} {
		if _, err := time.Parse(layout, s); err == nil {
			return time.Time{}, fieldErr(field, "%q has no time zone, so the moment is ambiguous; add Z or an offset such as +03:00", s)
		}
	}
	for _, layout := range []string{"2006", "2006-01", time.DateOnly} {
		if _, err := time.Parse(layout, s); err == nil {
			return time.Time{}, fieldErr(field, "%q has no time of day and time zone; give e.g. 2024-05-01T08:30:00+03:00", s)
		}
	}
	return time.Time{}, fieldErr(field, "%q is not a FHIR dateTime such as 2024-05-01T08:30:00+03:00", s)
}

// values reads the quantity, or for blood pressure the two components.
func (in *observationIn) values(spec record.Spec, out *record.Input) error {
	o := &in.OtherObservation
	if spec.Diastolic != nil {
		return bloodPressure(o, spec, out)
	}
	if len(o.Component) > 0 {
		return fieldErr("Observation.component", "%s takes its value in valueQuantity, not in components", spec.Display)
	}
	q, err := singleQuantity("Observation", observationValues(o), o.ValueQuantity)
	if err != nil {
		return err
	}
	out.Value, out.Unit, err = quantityValue("Observation.valueQuantity", q, spec)
	return err
}

// bloodPressure reads the systolic and diastolic components of the panel.
func bloodPressure(o *fm.OtherObservation, spec record.Spec, out *record.Input) error {
	if names := observationValues(o); len(names) > 0 {
		return fieldErr("Observation.value[x]", "a blood pressure panel carries its values in component, not in %s", names[0])
	}
	var got [2]*bpValue
	for i := range o.Component {
		v, err := bpComponent(i, &o.Component[i], spec)
		if err != nil {
			return err
		}
		if got[v.slot] != nil {
			return fieldErr(v.path+".code", "the %s component is given twice", v.code)
		}
		got[v.slot] = &v
	}
	for slot, code := range []string{record.SystolicCode, record.DiastolicCode} {
		if got[slot] == nil {
			return fieldErr("Observation.component", "the %s component (%s) is missing", componentDisplays[code], code)
		}
	}
	if got[0].unit != got[1].unit {
		return fieldErr(got[1].path+".valueQuantity.code", "systolic and diastolic pressure must have the same unit")
	}
	out.Value, out.Diastolic, out.Unit = got[0].value, got[1].value, got[0].unit
	return nil
}

// bpValue is one component of a blood pressure panel.
type bpValue struct {
	slot  int // 0 systolic, 1 diastolic
	code  string
	path  string
	value float64
	unit  string
}

func bpComponent(i int, c *fm.ObservationComponent, spec record.Spec) (bpValue, error) {
	path := "Observation.component[" + strconv.Itoa(i) + "]"
	if len(c.ModifierExtension) > 0 {
		return bpValue{}, fieldErr(path+".modifierExtension", "modifier extensions are not understood")
	}
	v := bpValue{path: path, slot: -1}
	for _, cd := range c.Code.Coding {
		if deref(cd.System) == LOINCSystem && (deref(cd.Code) == record.SystolicCode || deref(cd.Code) == record.DiastolicCode) {
			v.code, v.slot = *cd.Code, 1
			if v.code == record.SystolicCode {
				v.slot = 0
			}
			break
		}
	}
	if v.slot < 0 {
		return bpValue{}, fieldErr(path+".code", "expected systolic (%s) or diastolic (%s) blood pressure, as LOINC codes",
			record.SystolicCode, record.DiastolicCode)
	}
	q, err := singleQuantity(path, componentValues(c), c.ValueQuantity)
	if err != nil {
		return bpValue{}, err
	}
	v.value, v.unit, err = quantityValue(path+".valueQuantity", q, spec)
	return v, err
}

// singleQuantity checks that exactly one value[x] is given and that it is
// a Quantity; names lists the value[x] elements present.
func singleQuantity(path string, names []string, q *fm.Quantity) (*fm.Quantity, error) {
	switch {
	case len(names) == 0:
		return nil, fieldErr(path+".value[x]", "the value is missing; give valueQuantity")
	case len(names) > 1:
		return nil, malformed(path+".value[x]", "only one value[x] is allowed; got %s", strings.Join(names, " and "))
	case q == nil:
		return nil, fieldErr(path+".value[x]", "%s is not accepted; give valueQuantity", names[0])
	}
	return q, nil
}

// quantityValue reads a Quantity's number and UCUM unit; the unit must be
// one the kind accepts.
func quantityValue(path string, q *fm.Quantity, spec record.Spec) (float64, string, error) {
	if q.Comparator != nil {
		return 0, "", fieldErr(path+".comparator", "a comparator (%s) is not accepted for a measurement", q.Comparator.Code())
	}
	if q.Value == nil {
		return 0, "", fieldErr(path+".value", "the value is missing")
	}
	v, err := q.Value.Float64()
	if err != nil {
		return 0, "", malformed(path+".value", "%q is not a number", q.Value.String())
	}
	if q.System != nil && *q.System != UCUMSystem {
		return 0, "", fieldErr(path+".system", "units must be UCUM (%s), got %q", UCUMSystem, *q.System)
	}
	unit, field := unitOf(q, spec)
	if unit == "" {
		return 0, "", fieldErr(path+".code", "the unit is missing; use %s", strings.Join(spec.Units(), ", "))
	}
	if !acceptsUnit(spec, unit) {
		return 0, "", fieldErr(path+"."+field, "unit %q is not accepted for %s; use %s", unit, spec.Display, strings.Join(spec.Units(), ", "))
	}
	return v, unit, nil
}

// unitOf returns the UCUM unit from code, or else from the human-readable
// unit (where "mmHg" means mm[Hg]), and which of the two it came from.
func unitOf(q *fm.Quantity, spec record.Spec) (unit, field string) {
	if c := deref(q.Code); c != "" {
		return c, "code"
	}
	u := deref(q.Unit)
	if acceptsUnit(spec, u) {
		return u, "unit"
	}
	if u == spec.UnitDisplay {
		return spec.Unit, "unit"
	}
	for _, c := range spec.Conversions {
		if u == c.Display {
			return c.Unit, "unit"
		}
	}
	return u, "unit"
}

func acceptsUnit(spec record.Spec, unit string) bool {
	for _, u := range spec.Units() {
		if u == unit {
			return true
		}
	}
	return false
}

// choice is one value[x] element: its name and whether it is present.
type choice struct {
	name string
	set  bool
}

func present(choices ...choice) []string {
	var names []string
	for _, c := range choices {
		if c.set {
			names = append(names, c.name)
		}
	}
	return names
}

// observationValues names every value[x] the Observation carries; the
// samply model does not stop a client from sending several.
func observationValues(o *fm.OtherObservation) []string {
	return present(
		choice{"valueQuantity", o.ValueQuantity != nil}, choice{"valueCodeableConcept", o.ValueCodeableConcept != nil},
		choice{"valueString", o.ValueString != nil}, choice{"valueBoolean", o.ValueBoolean != nil},
		choice{"valueInteger", o.ValueInteger != nil}, choice{"valueRange", o.ValueRange != nil},
		choice{"valueRatio", o.ValueRatio != nil}, choice{"valueSampledData", o.ValueSampledData != nil},
		choice{"valueTime", o.ValueTime != nil}, choice{"valueDateTime", o.ValueDateTime != nil},
		choice{"valuePeriod", o.ValuePeriod != nil},
	)
}

// componentValues names every value[x] of a component.
func componentValues(c *fm.ObservationComponent) []string {
	return present(
		choice{"valueQuantity", c.ValueQuantity != nil}, choice{"valueCodeableConcept", c.ValueCodeableConcept != nil},
		choice{"valueString", c.ValueString != nil}, choice{"valueBoolean", c.ValueBoolean != nil},
		choice{"valueInteger", c.ValueInteger != nil}, choice{"valueRange", c.ValueRange != nil},
		choice{"valueRatio", c.ValueRatio != nil}, choice{"valueSampledData", c.ValueSampledData != nil},
		choice{"valueTime", c.ValueTime != nil}, choice{"valueDateTime", c.ValueDateTime != nil},
		choice{"valuePeriod", c.ValuePeriod != nil},
	)
}

// notes joins the texts of every note.
func notes(ns []fm.Annotation) string {
	texts := make([]string, 0, len(ns))
	for _, n := range ns {
		if n.Text != "" {
			texts = append(texts, n.Text)
		}
	}
	return strings.Join(texts, "\n")
}

// firstIdentifier returns identifier[0] as "system|value".
func firstIdentifier(ids []fm.Identifier) (string, error) {
	if len(ids) == 0 {
		return "", nil
	}
	if deref(ids[0].Value) == "" {
		return "", fieldErr("Observation.identifier[0].value", "the identifier has no value")
	}
	return deref(ids[0].System) + "|" + *ids[0].Value, nil
}

// subject returns the literal subject reference; a logical reference (by
// identifier only) cannot be checked against the caller and is refused.
func subject(r *fm.Reference) (string, error) {
	if r == nil {
		return "", nil
	}
	if deref(r.Reference) == "" {
		return "", fieldErr("Observation.subject.reference", "give the subject as a reference such as Patient/{id}")
	}
	if r.Identifier != nil {
		return "", fieldErr("Observation.subject.identifier", "omahoito keeps the subject as a reference only; leave the identifier out")
	}
	return *r.Reference, nil
}

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Path: field, Msg: fmt.Sprintf(format, args...)}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// decodeStrict decodes one JSON value into v, refusing unknown fields and
// trailing data. Errors are *FieldError with paths under root
// (e.g. "Observation" or "Bundle.entry[3]").
func decodeStrict(body []byte, v any, root string) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(body, err, root)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return malformed(root, "unexpected data after the JSON object")
	}
	return nil
}

// decodeError turns an encoding/json error into a FieldError.
func decodeError(body []byte, err error, root string) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return malformed(root, "the body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return malformed(root, "malformed JSON: the body ends early")
	case errors.As(err, &syntax):
		return malformed(root, "malformed JSON at byte %d: %s", syntax.Offset, strings.TrimPrefix(syntax.Error(), "json: "))
	case errors.As(err, &typ):
		if typ.Field == "" {
			return malformed(root, "expected a JSON object, got %s", typ.Value)
		}
		field := strings.ReplaceAll(typ.Field, "OtherObservation.", "") // the embedded model is not a JSON level
		return malformed(root+"."+field, "expected %s, got JSON %s", jsonKind(typ.Type), typ.Value)
	}
	if name, ok := strings.CutPrefix(err.Error(), `json: unknown field "`); ok {
		return unknownField(body, strings.TrimSuffix(name, `"`), root)
	}
	return malformed(root, "%s", strings.TrimPrefix(err.Error(), "json: "))
}

// unknownField names the path of an unknown field when it is a top-level
// one; encoding/json does not say where a nested one was.
func unknownField(body []byte, name, root string) error {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) == nil {
		if _, ok := top[name]; ok {
			return malformed(root+"."+name, "unknown field %q", name)
		}
	}
	return malformed(root, "unknown field %q", name)
}

// jsonKind names what a Go type wants the way a JSON author would.
func jsonKind(t reflect.Type) string {
	if t == reflect.TypeFor[json.Number]() {
		return "a number"
	}
	kind := t.Kind().String()
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return "an integer"
	case strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "string":
		return "a string"
	case kind == "bool":
		return "true or false"
	case kind == "slice" || kind == "array":
		return "an array"
	}
	return "an object"
}
