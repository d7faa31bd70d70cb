package fhir

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/record"
)

// Code systems and codes of a Consent (DESIGN §9).
const (
	consentScopeSystem      = "http://terminology.hl7.org/CodeSystem/consentscope"
	actCodeSystem           = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	participationTypeSystem = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
	actReasonSystem         = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
	resourceTypesSystem     = "http://hl7.org/fhir/resource-types"
	// classSystem names a record class no FHIR resource type stands for
	// yet; ParseConsent refuses it, so a client cannot give one.
	classSystem = "urn:omahoito:record-class"

	privacyScope       = "patient-privacy"
	patientConsentCode = "59284-0"
	optIn              = "OPTIN"
	recipientRole      = "IRCP"
	treatment          = "TREAT"
	meaningInstance    = "instance"
)

// classTypes are the resource types that stand for a record class in a
// Consent's provision.class.
var classTypes = map[record.Class]string{
	record.ClassMeasurements: "Observation",
	record.ClassFiles:        "DocumentReference",
}

// ConsentRefs are the references a Consent names, which the caller
// resolves from the directory: the grant itself keeps ids only.
type ConsentRefs struct {
	Patient        string // Patient/{id}
	PatientDisplay string
	Grantee        string // Practitioner/{id} or Organization/{id}
	GranteeDisplay string
	Performer      string // the citizen who gave it: Patient/{id}
}

// FromGrant maps a grant as it stands at now: status active while it is
// in force or still to start, inactive once revoked, ended or past its
// end. Revocation and ending leave no more trace than the status: who
// revoked and why a grant ended are the portal's to show, not a client's.
func FromGrant(g consent.Grant, refs ConsentRefs, now time.Time) fm.Consent {
	c := fm.Consent{
		Id:         ptr(g.ID),
		Meta:       grantMeta(g),
		Status:     consentState(g, now),
		Scope:      concept(consentScopeSystem, privacyScope, "Privacy Consent"),
		Category:   []fm.CodeableConcept{concept(LOINCSystem, patientConsentCode, "Patient Consent")},
		Patient:    reference(refs.Patient, refs.PatientDisplay),
		PolicyRule: ptr(concept(actCodeSystem, optIn, "opt-in")),
		Provision:  grantProvision(g, refs),
	}
	if !g.CreatedAt.IsZero() {
		c.DateTime = ptr(formatTime(g.CreatedAt))
	}
	if refs.Performer != "" {
		display := ""
		if refs.Performer == refs.Patient {
			display = refs.PatientDisplay
		}
		c.Performer = []fm.Reference{*reference(refs.Performer, display)}
	}
	return c
}

// consentState is active for a grant in force or yet to start.
func consentState(g consent.Grant, now time.Time) fm.ConsentState {
	if g.Status == consent.StatusActive && !g.Expired(now) {
		return fm.ConsentStateActive
	}
	return fm.ConsentStateInactive
}

// grantMeta: the version a client sends back in If-Match, and the last
// time the grant changed (given, revoked or ended).
func grantMeta(g consent.Grant) *fm.Meta {
	meta := &fm.Meta{VersionId: ptr(strconv.Itoa(g.Version))}
	last := g.CreatedAt
	for _, t := range []time.Time{g.RevokedAt, g.EndedAt} {
		if t.After(last) {
			last = t
		}
	}
	if !last.IsZero() {
		meta.LastUpdated = ptr(formatTime(last))
	}
	return meta
}

// grantProvision is the one permit: who, when, for what, and which data.
func grantProvision(g consent.Grant, refs ConsentRefs) *fm.ConsentProvision {
	p := &fm.ConsentProvision{
		Type:   ptr(fm.ConsentProvisionTypePermit),
		Period: period(g.Start, g.End),
		Actor: []fm.ConsentProvisionActor{{
			Role:      concept(participationTypeSystem, recipientRole, "information recipient"),
			Reference: fm.Reference{Reference: ptrOrNil(refs.Grantee), Display: ptrOrNil(refs.GranteeDisplay)},
		}},
		Purpose:    []fm.Coding{coding(actReasonSystem, treatment, "treatment")},
		DataPeriod: period(g.Scope.Window.From, g.Scope.Window.To),
	}
	for _, cs := range g.Scope.Classes {
		p.Class = append(p.Class, classCoding(cs.Class))
		switch cs.Class {
		case record.ClassMeasurements:
			for _, k := range cs.Items {
				p.Code = append(p.Code, kindConcept(record.Kind(k)))
			}
		case record.ClassFiles:
			for _, id := range cs.Items {
				p.Data = append(p.Data, fm.ConsentProvisionData{
					Meaning:   fm.ConsentDataMeaningInstance,
					Reference: fm.Reference{Reference: ptr("DocumentReference/" + id)},
				})
			}
		}
	}
	return p
}

func classCoding(c record.Class) fm.Coding {
	if t, ok := classTypes[c]; ok {
		return coding(resourceTypesSystem, t, t)
	}
	return coding(classSystem, string(c), "")
}

// kindConcept codes a measurement kind with its LOINC code.
func kindConcept(k record.Kind) fm.CodeableConcept {
	spec, ok := record.SpecOf(k)
	if !ok {
		return fm.CodeableConcept{Text: ptr(string(k))}
	}
	return fm.CodeableConcept{Coding: []fm.Coding{loinc(spec.Code, spec.Display)}, Text: ptr(spec.Display)}
}

// period is nil when both ends are open.
func period(start, end time.Time) *fm.Period {
	if start.IsZero() && end.IsZero() {
		return nil
	}
	p := &fm.Period{}
	if !start.IsZero() {
		p.Start = ptr(formatTime(start))
	}
	if !end.IsZero() {
		p.End = ptr(formatTime(end))
	}
	return p
}

func coding(system, code, display string) fm.Coding {
	return fm.Coding{System: ptr(system), Code: ptr(code), Display: ptrOrNil(display)}
}

func concept(system, code, display string) fm.CodeableConcept {
	return fm.CodeableConcept{Coding: []fm.Coding{coding(system, code, display)}}
}

// reference is nil when there is neither a reference nor a display.
func reference(ref, display string) *fm.Reference {
	if ref == "" && display == "" {
		return nil
	}
	return &fm.Reference{Reference: ptrOrNil(ref), Display: ptrOrNil(display)}
}

// ConsentInput is a Consent a client sent: a citizen giving a grant
// (status active) or revoking one (status inactive). What the server
// keeps for itself (id, meta, dateTime, performer) is not read from it.
type ConsentInput struct {
	ID          string // id in the body, if any
	Status      string // "active" or "inactive"
	Patient     string // the id of Consent.patient (Patient/{id}); "" when absent
	GranteeKind consent.GranteeKind
	GranteeID   string
	Scope       consent.Scope
	Start, End  time.Time // provision.period; zero when not given (the caller fills a start of now)
}

// consentIn decodes a Consent: only the elements omahoito keeps, with
// codes as strings so that a wrong one is named rather than a decoding
// failure.
type consentIn struct {
	ResourceType string               `json:"resourceType"`
	ID           *string              `json:"id"`
	Meta         *fm.Meta             `json:"meta"`
	Status       *string              `json:"status"`
	Scope        *fm.CodeableConcept  `json:"scope"`
	Category     []fm.CodeableConcept `json:"category"`
	Patient      *fm.Reference        `json:"patient"`
	DateTime     *string              `json:"dateTime"`
	Performer    []fm.Reference       `json:"performer"`
	PolicyRule   *fm.CodeableConcept  `json:"policyRule"`
	Provision    *provisionIn         `json:"provision"`
}

type provisionIn struct {
	Type       *string              `json:"type"`
	Period     *fm.Period           `json:"period"`
	Actor      []actorIn            `json:"actor"`
	Purpose    []fm.Coding          `json:"purpose"`
	Class      []fm.Coding          `json:"class"`
	Code       []fm.CodeableConcept `json:"code"`
	DataPeriod *fm.Period           `json:"dataPeriod"`
	Data       []dataIn             `json:"data"`
}

type actorIn struct {
	Role      fm.CodeableConcept `json:"role"`
	Reference fm.Reference       `json:"reference"`
}

type dataIn struct {
	Meaning   string       `json:"meaning"`
	Reference fm.Reference `json:"reference"`
}

var (
	conceptShape   = obj(map[string]*shape{"coding": codingShape, "text": nil})
	referenceShape = obj(map[string]*shape{"reference": nil, "display": nil})
	periodShape    = obj(map[string]*shape{"start": nil, "end": nil})
	consentShape   = obj(map[string]*shape{
		"resourceType": nil, "id": nil,
		"meta":   obj(map[string]*shape{"versionId": nil, "lastUpdated": nil}), // the server's to set
		"status": nil, "scope": conceptShape, "category": conceptShape, "patient": referenceShape,
		"dateTime": nil, "performer": referenceShape, "policyRule": conceptShape,
		"provision": obj(map[string]*shape{
			"type": nil, "period": periodShape, "purpose": codingShape, "class": codingShape,
			"code": conceptShape, "dataPeriod": periodShape,
			"actor": obj(map[string]*shape{"role": conceptShape, "reference": referenceShape}),
			"data":  obj(map[string]*shape{"meaning": nil, "reference": referenceShape}),
		}),
	})
)

// ParseConsent reads a client's Consent (application/fhir+json). It is
// strict: an element omahoito would not keep is refused, naming its path,
// and so is a code other than those FromGrant writes. Errors are
// *FieldError, so errors.Is(err, record.ErrInvalid), and also
// ErrMalformed when the body is not a Consent at all.
func ParseConsent(body []byte) (ConsentInput, error) {
	var raw json.RawMessage
	if err := decodeStrict(body, &raw, "Consent"); err != nil {
		return ConsentInput{}, err
	}
	if err := checkShape(body, "Consent", consentShape); err != nil {
		return ConsentInput{}, otherResource(body, "Consent", err)
	}
	var in consentIn
	if err := decodeStrict(body, &in, "Consent"); err != nil {
		return ConsentInput{}, otherResource(body, "Consent", err)
	}
	return in.parse()
}

// otherResource prefers, for a body that is some other resource, saying
// so over naming a field the wanted type does not have.
func otherResource(body []byte, want string, err error) error {
	var head struct {
		ResourceType *string `json:"resourceType"`
	}
	if json.Unmarshal(body, &head) == nil && head.ResourceType != nil && *head.ResourceType != want {
		return malformed(want+".resourceType", "expected resourceType %s, got %q", want, *head.ResourceType)
	}
	return err
}

func (in *consentIn) parse() (ConsentInput, error) {
	if in.ResourceType != "Consent" {
		return ConsentInput{}, malformed("Consent.resourceType", "expected resourceType Consent, got %q", in.ResourceType)
	}
	out := ConsentInput{ID: deref(in.ID)}
	var err error
	if out.Status, err = consentStatus(in.Status); err != nil {
		return ConsentInput{}, err
	}
	if err := in.checkFixed(); err != nil {
		return ConsentInput{}, err
	}
	if out.Patient, err = consentPatient(in.Patient, in.Performer); err != nil {
		return ConsentInput{}, err
	}
	if in.Provision == nil {
		return ConsentInput{}, fieldErr("Consent.provision", "the provision is missing: give type permit, the actor and the classes of data")
	}
	if err := in.Provision.parse(&out); err != nil {
		return ConsentInput{}, err
	}
	return out, nil
}

func consentStatus(s *string) (string, error) {
	switch {
	case s == nil:
		return "", fieldErr("Consent.status", "the status is missing: active to give a consent, inactive to revoke one")
	case *s == "active" || *s == "inactive":
		return *s, nil
	}
	return "", fieldErr("Consent.status", "status %q is not accepted: active to give a consent, inactive to revoke one", *s)
}

// checkFixed checks scope, category and policyRule, which are always the
// same: when given, they must say what omahoito's consents are.
func (in *consentIn) checkFixed() error {
	if in.Scope != nil {
		if err := fixedConcept("Consent.scope", *in.Scope, consentScopeSystem, privacyScope); err != nil {
			return err
		}
	}
	for i, c := range in.Category {
		if err := fixedConcept("Consent.category["+strconv.Itoa(i)+"]", c, LOINCSystem, patientConsentCode); err != nil {
			return err
		}
	}
	if in.PolicyRule != nil {
		return fixedConcept("Consent.policyRule", *in.PolicyRule, actCodeSystem, optIn)
	}
	return nil
}

// fixedConcept refuses a concept that is not exactly system|code.
func fixedConcept(path string, cc fm.CodeableConcept, system, code string) error {
	if len(cc.Coding) == 0 {
		return fieldErr(path+".coding", "give the coding %s|%s", system, code)
	}
	return checkCodings(path, cc.Coding, func(s, c string) bool { return s == system && c == code }, system+"|"+code)
}

// consentPatient reads the patient's id; a performer, when given, must be
// that patient: a citizen gives consent to their own data.
func consentPatient(patient *fm.Reference, performers []fm.Reference) (string, error) {
	id := ""
	if patient != nil {
		var err error
		if _, id, err = referenceTo("Consent.patient", *patient, "Patient"); err != nil {
			return "", err
		}
	}
	for i, p := range performers {
		path := "Consent.performer[" + strconv.Itoa(i) + "]"
		_, pid, err := referenceTo(path, p, "Patient")
		if err != nil {
			return "", err
		}
		if id != "" && pid != id {
			return "", fieldErr(path+".reference", "a consent is given by the patient themself: the performer must be the patient")
		}
	}
	return id, nil
}

// referenceTo reads a relative reference Type/id to one of types.
func referenceTo(path string, r fm.Reference, types ...string) (typ, id string, err error) {
	path += ".reference"
	ref := deref(r.Reference)
	if ref == "" {
		return "", "", fieldErr(path, "give a reference such as %s/{id}", types[0])
	}
	typ, id, found := strings.Cut(ref, "/")
	if !found || !validID(id) || !slices.Contains(types, typ) {
		return "", "", fieldErr(path, "expected a reference to %s/{id}", strings.Join(types, "/{id} or "))
	}
	return typ, id, nil
}

// validID reports whether s is a FHIR id: [A-Za-z0-9\-\.]{1,64}.
func validID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

const provisionPath = "Consent.provision"

func (p *provisionIn) parse(out *ConsentInput) error {
	if p.Type == nil || *p.Type != "permit" {
		return fieldErr(provisionPath+".type", "a consent permits: give type permit")
	}
	if err := p.actor(out); err != nil {
		return err
	}
	for i, c := range p.Purpose {
		if deref(c.System) != actReasonSystem || deref(c.Code) != treatment {
			return fieldErr(provisionPath+".purpose["+strconv.Itoa(i)+"]", "the only purpose is treatment (%s|%s)", actReasonSystem, treatment)
		}
	}
	if err := p.classes(out); err != nil {
		return err
	}
	var err error
	if out.Start, out.End, err = parsePeriod(provisionPath+".period", p.Period); err != nil {
		return err
	}
	out.Scope.Window.From, out.Scope.Window.To, err = parsePeriod(provisionPath+".dataPeriod", p.DataPeriod)
	return err
}

// actor reads the one grantee: a professional or a care unit.
func (p *provisionIn) actor(out *ConsentInput) error {
	if len(p.Actor) != 1 {
		return fieldErr(provisionPath+".actor", "give exactly one actor, the professional (Practitioner) or care unit (Organization) the consent lets in; got %d", len(p.Actor))
	}
	a, path := p.Actor[0], provisionPath+".actor[0]"
	if err := fixedConcept(path+".role", a.Role, participationTypeSystem, recipientRole); err != nil {
		return err
	}
	typ, id, err := referenceTo(path+".reference", a.Reference, "Practitioner", "Organization")
	if err != nil {
		return err
	}
	out.GranteeKind, out.GranteeID = consent.GranteeProfessional, id
	if typ == "Organization" {
		out.GranteeKind = consent.GranteeUnit
	}
	return nil
}

// classes reads class, code and data into the scope's classes, in the
// order the classes are given.
func (p *provisionIn) classes(out *ConsentInput) error {
	if len(p.Class) == 0 {
		return fieldErr(provisionPath+".class", "name the data the consent covers: class Observation (measurements) and/or DocumentReference (files), system %s", resourceTypesSystem)
	}
	index := map[record.Class]int{}
	for i, c := range p.Class {
		class, err := classOf(provisionPath+".class["+strconv.Itoa(i)+"]", c)
		if err != nil {
			return err
		}
		if _, dup := index[class]; dup {
			return fieldErr(provisionPath+".class["+strconv.Itoa(i)+"]", "class %s is given twice", deref(c.Code))
		}
		index[class] = len(out.Scope.Classes)
		out.Scope.Classes = append(out.Scope.Classes, consent.ClassScope{Class: class})
	}
	kinds, err := p.kinds(index)
	if err != nil {
		return err
	}
	files, err := p.files(index)
	if err != nil {
		return err
	}
	if i, ok := index[record.ClassMeasurements]; ok {
		out.Scope.Classes[i].Items = kinds
	}
	if i, ok := index[record.ClassFiles]; ok {
		out.Scope.Classes[i].Items = files
	}
	return nil
}

func classOf(path string, c fm.Coding) (record.Class, error) {
	if deref(c.System) == resourceTypesSystem {
		for class, t := range classTypes {
			if deref(c.Code) == t {
				return class, nil
			}
		}
	}
	return "", fieldErr(path, "%s|%s is not a class a consent covers: use Observation (measurements) or DocumentReference (files), system %s",
		deref(c.System), deref(c.Code), resourceTypesSystem)
}

// kinds reads code: the chosen measurement kinds, each a LOINC code of a
// kind omahoito keeps; repeats count once.
func (p *provisionIn) kinds(index map[record.Class]int) ([]string, error) {
	if _, ok := index[record.ClassMeasurements]; !ok && len(p.Code) > 0 {
		return nil, fieldErr(provisionPath+".code", "codes choose measurement kinds: add class Observation, or leave code out")
	}
	var kinds []string
	for i, cc := range p.Code {
		k, err := conceptKind(provisionPath+".code["+strconv.Itoa(i)+"]", cc)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(kinds, string(k)) {
			kinds = append(kinds, string(k))
		}
	}
	return kinds, nil
}

// conceptKind finds the one kind every coding of cc names.
func conceptKind(path string, cc fm.CodeableConcept) (record.Kind, error) {
	if len(cc.Coding) == 0 {
		return "", fieldErr(path+".coding", "give the LOINC code of a measurement kind (%s)", LOINCSystem)
	}
	var kind record.Kind
	for j, c := range cc.Coding {
		spec, ok := record.SpecByCode(deref(c.Code))
		at := path + ".coding[" + strconv.Itoa(j) + "]"
		switch {
		case deref(c.System) != LOINCSystem || !ok:
			return "", fieldErr(at, "%s|%s is not a measurement kind omahoito keeps (LOINC, %s)", deref(c.System), deref(c.Code), LOINCSystem)
		case kind != "" && spec.Kind != kind:
			return "", fieldErr(at, "one code names one kind; give each kind as its own code")
		}
		kind = spec.Kind
	}
	return kind, nil
}

// files reads data: the chosen files, each DocumentReference/{id} with
// meaning instance; repeats count once.
func (p *provisionIn) files(index map[record.Class]int) ([]string, error) {
	if _, ok := index[record.ClassFiles]; !ok && len(p.Data) > 0 {
		return nil, fieldErr(provisionPath+".data", "data chooses files: add class DocumentReference, or leave data out")
	}
	var ids []string
	for i, d := range p.Data {
		path := provisionPath + ".data[" + strconv.Itoa(i) + "]"
		if d.Meaning != meaningInstance {
			return nil, fieldErr(path+".meaning", "meaning %q is not accepted: a consent names each file itself (instance)", d.Meaning)
		}
		_, id, err := referenceTo(path+".reference", d.Reference, "DocumentReference")
		if err != nil {
			return nil, err
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// parsePeriod reads a period of instants; either end may be left out,
// and the end must come after the start.
func parsePeriod(path string, p *fm.Period) (start, end time.Time, err error) {
	if p == nil {
		return start, end, nil
	}
	if p.Start != nil {
		if start, err = parseDateTime(path+".start", *p.Start); err != nil {
			return start, end, err
		}
	}
	if p.End != nil {
		if end, err = parseDateTime(path+".end", *p.End); err != nil {
			return start, end, err
		}
	}
	if !start.IsZero() && !end.IsZero() && !end.After(start) {
		return start, end, fieldErr(path+".end", "the end must come after the start")
	}
	return start.UTC(), end.UTC(), nil
}
