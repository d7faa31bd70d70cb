package fhir

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/record"
)

// Code systems of an AuditEvent, as the IHE Basic Audit Log Patterns
// (BALP) PatientRead and PatientQuery use them.
const (
	auditEventTypeSystem   = "http://terminology.hl7.org/CodeSystem/audit-event-type"
	restfulInteraction     = "http://hl7.org/fhir/restful-interaction"
	dicomSystem            = "http://dicom.nema.org/resources/ontology/DCM"
	auditEntityTypeSystem  = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
	objectRoleSystem       = "http://terminology.hl7.org/CodeSystem/object-role"
	securitySourceSystem   = "http://terminology.hl7.org/CodeSystem/security-source-type"
	roleClassSystem        = "http://terminology.hl7.org/CodeSystem/v3-RoleClass"
	balpEntityTypeSystem   = "https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType"
	requestIDIdentifierSys = "urn:omahoito:request-id"
)

// AuditEvent is an R4 AuditEvent. It is omahoito's own struct, not the
// samply model, whose entity.detail writes both valueString and an empty
// valueBase64Binary, which R4 refuses.
type AuditEvent struct {
	ResourceType   string               `json:"resourceType"` // always "AuditEvent"
	ID             string               `json:"id"`
	Type           fm.Coding            `json:"type"`
	Subtype        []fm.Coding          `json:"subtype,omitempty"`
	Action         string               `json:"action,omitempty"` // C, R, U, D or E
	Recorded       string               `json:"recorded"`
	Outcome        string               `json:"outcome"` // 0 success, 4 minor failure
	OutcomeDesc    string               `json:"outcomeDesc,omitempty"`
	PurposeOfEvent []fm.CodeableConcept `json:"purposeOfEvent,omitempty"`
	Agent          []AuditEventAgent    `json:"agent"`
	Source         AuditEventSource     `json:"source"`
	Entity         []AuditEventEntity   `json:"entity,omitempty"`
}

// AuditEventAgent is one actor of the event.
type AuditEventAgent struct {
	Type      *fm.CodeableConcept  `json:"type,omitempty"`
	Role      []fm.CodeableConcept `json:"role,omitempty"`
	Who       *fm.Reference        `json:"who,omitempty"`
	Requestor bool                 `json:"requestor"`
}

// AuditEventSource is the system that recorded the event.
type AuditEventSource struct {
	Site     string       `json:"site,omitempty"`
	Observer fm.Reference `json:"observer"`
	Type     []fm.Coding  `json:"type,omitempty"`
}

// AuditEventEntity is data or an object the event used.
type AuditEventEntity struct {
	What        *fm.Reference      `json:"what,omitempty"`
	Type        *fm.Coding         `json:"type,omitempty"`
	Role        *fm.Coding         `json:"role,omitempty"`
	Description string             `json:"description,omitempty"`
	Detail      []AuditEventDetail `json:"detail,omitempty"`
}

// AuditEventDetail is one additional fact about an entity.
type AuditEventDetail struct {
	Type        string `json:"type"`
	ValueString string `json:"valueString"`
}

// AuditRefs are the references an AuditEvent names, which the caller
// resolves: an entry keeps ids and the names of its day.
type AuditRefs struct {
	Patient        string // Patient/{id}; "" means Patient/{the entry's PatientID}
	PatientDisplay string
	Agent          string // Practitioner/{id}, Patient/{id}, ...; "" when the actor has no resource
	Observer       string // display of the registrar that keeps the log, or omahoito
}

// AuditEventID is the id of an entry's AuditEvent: register-seq. Region
// ids are FHIR id characters, so the result is a valid id.
func AuditEventID(register string, seq int64) string {
	return register + "-" + strconv.FormatInt(seq, 10)
}

// FromEntry maps one access-log entry as BALP PatientRead (read, history,
// download) or PatientQuery (search) would record it: who (the requestor,
// their unit and the app they used), the patient, the data touched and
// the consents the permission rested on.
func FromEntry(e audit.Entry, refs AuditRefs) AuditEvent {
	ev := AuditEvent{
		ResourceType: "AuditEvent",
		ID:           AuditEventID(e.Register, e.Seq),
		Recorded:     formatTime(e.Time),
		Outcome:      "0",
		Agent:        auditAgents(e, refs),
		Source: AuditEventSource{
			Site:     e.Register,
			Observer: fm.Reference{Display: ptrOrNil(refs.Observer)},
			Type:     []fm.Coding{coding(securitySourceSystem, "4", "Application Server")},
		},
		Entity: auditEntities(e, refs),
	}
	ev.Type, ev.Subtype, ev.Action = auditAction(e.Action)
	if e.Outcome != audit.Permit {
		ev.Outcome, ev.OutcomeDesc = "4", denialText(e.Reason)
	}
	switch e.Purpose {
	case "":
	case consent.PurposeTreatment:
		ev.PurposeOfEvent = []fm.CodeableConcept{concept(actReasonSystem, treatment, "treatment")}
	default:
		ev.PurposeOfEvent = []fm.CodeableConcept{{Text: ptr(e.Purpose)}}
	}
	return ev
}

// auditAction maps an entry's action: REST reads and searches as BALP
// records them, an export or transfer as a DICOM Export.
func auditAction(action string) (fm.Coding, []fm.Coding, string) {
	rest := coding(auditEventTypeSystem, "rest", "Restful Operation")
	switch action {
	case string(record.ActionSearch):
		return rest, []fm.Coding{coding(restfulInteraction, "search-type", "search-type")}, "E"
	case string(record.ActionHistory):
		return rest, []fm.Coding{coding(restfulInteraction, "history-instance", "history-instance")}, "R"
	case "export", "transfer":
		return coding(dicomSystem, "110106", "Export"), nil, "R"
	}
	return rest, []fm.Coding{coding(restfulInteraction, "read", "read")}, "R"
}

// denialTexts say to the patient why an access was refused.
var denialTexts = map[string]string{
	string(consent.ReasonNotProfession): "not a professional",
	string(consent.ReasonOtherRegion):   "not a professional of the patient's home region",
	string(consent.ReasonNoGrant):       "no consent in force",
	string(consent.ReasonRevoked):       "the consent was revoked",
	string(consent.ReasonEnded):         "the consent had ended",
	string(consent.ReasonNotStarted):    "the consent had not started yet",
	string(consent.ReasonExpired):       "the consent had expired",
	string(consent.ReasonOutsideScope):  "outside what the consent covers",
}

func denialText(reason string) string {
	if t, ok := denialTexts[reason]; ok {
		return t
	}
	return "access denied"
}

// auditAgents: the requestor first (BALP: information recipient), then
// whom they acted for, their care unit and the app they used.
func auditAgents(e audit.Entry, refs AuditRefs) []AuditEventAgent {
	user := AuditEventAgent{
		Type:      ptr(concept(participationTypeSystem, recipientRole, "information recipient")),
		Who:       reference(refs.Agent, e.Actor.Name),
		Requestor: true,
	}
	if role := joinWith(", ", e.Actor.Title, e.Actor.UnitName); role != "" {
		user.Role = []fm.CodeableConcept{{Text: ptr(role)}}
	}
	agents := []AuditEventAgent{user}
	if e.OnBehalfOf != "" {
		agents = append(agents, AuditEventAgent{
			Type: &fm.CodeableConcept{Text: ptr("acted on behalf of")},
			Who:  &fm.Reference{Reference: ptr("Patient/" + e.OnBehalfOf)},
		})
	}
	if e.Actor.UnitID != "" {
		agents = append(agents, AuditEventAgent{
			Type: ptr(concept(roleClassSystem, "PROV", "healthcare provider")),
			Who:  reference("Organization/"+e.Actor.UnitID, e.Actor.UnitName),
		})
	}
	if e.Actor.Client != "" {
		agents = append(agents, AuditEventAgent{
			Type: ptr(concept(dicomSystem, "110150", "Application")),
			Who:  &fm.Reference{Display: ptr(e.Actor.Client)},
		})
	}
	return agents
}

// auditEntities: the patient, the data touched (one summary, and each item
// when the entry names several), the request and the consents used.
func auditEntities(e audit.Entry, refs AuditRefs) []AuditEventEntity {
	patient := refs.Patient
	if patient == "" {
		patient = "Patient/" + e.PatientID
	}
	systemObject := coding(auditEntityTypeSystem, "2", "System Object")
	domainResource := coding(objectRoleSystem, "4", "Domain Resource")
	out := []AuditEventEntity{{
		What: reference(patient, refs.PatientDisplay),
		Type: ptr(coding(auditEntityTypeSystem, "1", "Person")),
		Role: ptr(coding(objectRoleSystem, "1", "Patient")),
	}}
	typ := auditClassTypes[e.Class]
	data := AuditEventEntity{
		Type: &systemObject, Role: &domainResource,
		Description: dataDescription(e.Class, e.Kinds),
		Detail:      []AuditEventDetail{{Type: "count", ValueString: strconv.Itoa(e.Count)}},
	}
	if len(e.IDs) == 1 && typ != "" {
		data.What = &fm.Reference{Reference: ptr(typ + "/" + e.IDs[0])}
	}
	out = append(out, data)
	if len(e.IDs) > 1 && typ != "" {
		for _, id := range e.IDs {
			out = append(out, AuditEventEntity{What: &fm.Reference{Reference: ptr(typ + "/" + id)}, Type: &systemObject, Role: &domainResource})
		}
	}
	if e.RequestID != "" {
		out = append(out, AuditEventEntity{
			What: &fm.Reference{Identifier: &fm.Identifier{System: ptr(requestIDIdentifierSys), Value: ptr(e.RequestID)}},
			Type: ptr(coding(balpEntityTypeSystem, "XrequestId", "transport specific unique identifier where http X-Request-Id is used")),
		})
	}
	for _, g := range e.Grants {
		out = append(out, AuditEventEntity{What: &fm.Reference{Reference: ptr("Consent/" + g)}, Type: &systemObject})
	}
	return out
}

// auditClassTypes are the resource types of the classes an entry names.
var auditClassTypes = map[string]string{
	string(record.ClassPatient):      "Patient",
	string(record.ClassMeasurements): "Observation",
	string(record.ClassFiles):        "DocumentReference",
	string(record.ClassConsents):     "Consent",
	string(record.ClassAccessLog):    "AuditEvent",
}

// dataDescription names the class and the kinds touched, by their LOINC
// names.
func dataDescription(class string, kinds []string) string {
	names := make([]string, 0, len(kinds))
	for _, k := range kinds {
		if spec, ok := record.SpecOf(record.Kind(k)); ok {
			names = append(names, spec.Display)
		} else {
			names = append(names, k)
		}
	}
	if len(names) == 0 {
		return class
	}
	return class + ": " + strings.Join(names, "; ")
}

func joinWith(sep string, parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, sep)
}

// AuditEventSearch declares what AuditEvent can be searched by.
var AuditEventSearch = SearchDecl{Type: "AuditEvent", Params: []Param{
	{Name: "patient", Type: TypeReference, Definition: spDef + "AuditEvent-patient",
		Documentation: "Patient/{id}: whose data was accessed."},
	{Name: "date", Type: TypeDate, Definition: spDef + "AuditEvent-date",
		Documentation: "Time of the access, with prefix eq, gt, ge, lt, le, sa or eb; a date without a zone is in Finnish time."},
}}

// AuditEventQuery is a parsed AuditEvent search.
type AuditEventQuery struct {
	// Query holds the time window and page size, newest first; PatientID
	// is left for the caller, who knows whose log is searched.
	Query   audit.Query
	Patient string // the id named by patient; "" when none is
	// TotalOnly: _count=0 asks for the total alone (Query.Limit is 1).
	TotalOnly bool
	// Empty: the date criteria leave no instant, so nothing matches.
	Empty  bool
	Search *Search
}

// ParseAuditEventSearch reads an AuditEvent search: patient, date and
// _count. Errors wrap ErrInvalidParam or ErrNotAcceptable.
func ParseAuditEventSearch(values url.Values, h Handling) (AuditEventQuery, error) {
	s, err := AuditEventSearch.Parse(values, h)
	if err != nil {
		return AuditEventQuery{}, err
	}
	out := AuditEventQuery{Search: s, Query: audit.Query{Limit: DefaultPageSize}}
	if out.Patient, err = patientOf(s); err != nil {
		return AuditEventQuery{}, err
	}
	var window record.Query
	for _, c := range s.Get("date") {
		if len(c.Dates) != 1 {
			return AuditEventQuery{}, fmt.Errorf("%w: date takes one value per parameter; repeat date for a range (date=ge…&date=lt…)", ErrInvalidParam)
		}
		c.Dates[0].narrow(&window)
	}
	// narrow keeps From inclusive and To exclusive, as audit.Query is.
	out.Query.From, out.Query.To = window.From, window.To
	out.Empty = !window.From.IsZero() && !window.To.IsZero() && !window.From.Before(window.To)
	if s.Count >= 0 {
		out.Query.Limit = s.Count
	}
	if out.TotalOnly = out.Query.Limit == 0; out.TotalOnly {
		out.Query.Limit = 1
	}
	return out, nil
}
