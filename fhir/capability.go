package fhir

import (
	"time"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"
)

// Canonical URLs the CapabilityStatement names.
const (
	RestfulSecurityService = "http://terminology.hl7.org/CodeSystem/restful-security-service"
	profileBase            = "http://hl7.org/fhir/StructureDefinition/"
)

// VitalSignsProfiles are the R4 vital-signs profiles omahoito's
// Observations are written to.
var VitalSignsProfiles = []string{
	profileBase + "vitalsigns", profileBase + "bp", profileBase + "heartrate", profileBase + "bodyweight",
	profileBase + "bodyheight", profileBase + "bmi", profileBase + "bodytemp", profileBase + "oxygensat",
}

// securityDescription says how a client authenticates.
const securityDescription = "Send an OAuth 2.0 bearer access token (Authorization: Bearer) issued by the configured " +
	"citizen issuer to a registered app client, or use the portal's session cookie after logging in. " +
	"Every read of a person's data is checked against that person's consents."

// Capability describes what the API at base serves. The search parameters
// come from the same declarations the parser uses (SearchDecls).
func Capability(base, version string, published time.Time) fm.CapabilityStatement {
	return fm.CapabilityStatement{
		Status:    fm.PublicationStatusActive,
		Date:      published.UTC().Format(time.RFC3339),
		Publisher: ptr("omahoito"),
		Kind:      fm.CapabilityStatementKindInstance,
		Software:  &fm.CapabilityStatementSoftware{Name: "omahoito", Version: ptr(version)},
		Implementation: &fm.CapabilityStatementImplementation{
			Description: "omahoito personal health data", Url: ptr(base),
		},
		FhirVersion: fm.FHIRVersion4_0_1,
		Format:      []string{ContentType, "json"},
		Rest: []fm.CapabilityStatementRest{{
			Mode: fm.RestfulCapabilityModeServer,
			Documentation: ptr("Searches take GET [type]?... or POST [type]/_search with a form body, _count, _format=json and " +
				"Prefer: handling=strict (the default here) or lenient, under which unknown parameters are left out of the self link " +
				"and named in an OperationOutcome entry (search mode outcome). A search parameter takes at most 50 values " +
				"(repeats and comma-separated alternatives together). Writes take Prefer: return=minimal, representation " +
				"or OperationOutcome; without it a create or update answers with the resource, and a transaction with each " +
				"entry's response alone (as return=minimal). Only JSON is served: a request for XML (Accept or _format) gets 406."),
			Security: &fm.CapabilityStatementRestSecurity{
				Cors: ptr(false),
				Service: []fm.CodeableConcept{{
					Coding: []fm.Coding{{System: ptr(RestfulSecurityService), Code: ptr("OAuth"), Display: ptr("OAuth")}},
					Text:   ptr("OAuth 2.0 bearer tokens, or the portal session"),
				}},
				Description: ptr(securityDescription),
			},
			Resource: []fm.CapabilityStatementRestResource{
				patient(),
				resource(fm.ResourceTypePractitioner, PractitionerSearch),
				resource(fm.ResourceTypeOrganization, OrganizationSearch),
				observation(),
				consentResource(),
				auditEvent(),
				documentReference(),
				binary(),
			},
			Interaction: []fm.CapabilityStatementRestInteraction{{
				Code: fm.SystemRestfulInteractionTransaction,
				Documentation: ptr("All or nothing; entries are Observation creates (POST Observation), optionally with ifNoneExist on the identifier. " +
					"A Bundle is at most 10 MB and each entry at most 256 kB."),
			}},
		}},
	}
}

func resource(t fm.ResourceType, d SearchDecl) fm.CapabilityStatementRestResource {
	return fm.CapabilityStatementRestResource{
		Type: t,
		Interaction: []fm.CapabilityStatementRestResourceInteraction{
			{Code: fm.TypeRestfulInteractionRead},
			{Code: fm.TypeRestfulInteractionSearchType, Documentation: ptr("GET [type]?... or POST [type]/_search with a form body")},
		},
		SearchParam: d.capabilityParams(),
	}
}

// PatientEverything is the canonical definition of Patient/$everything.
const PatientEverything = "http://hl7.org/fhir/OperationDefinition/Patient-everything"

func patient() fm.CapabilityStatementRestResource {
	r := resource(fm.ResourceTypePatient, PatientSearch)
	r.Documentation = ptr("A citizen sees themself. A professional reads a patient whose consent in force covers them; " +
		"a search without criteria lists those patients (named, without the personal identity code), and one by " +
		"identifier goes in the body of POST Patient/_search. Every read by a professional is in the patient's access log.")
	r.Operation = []fm.CapabilityStatementRestResourceOperation{{
		Name: "everything", Definition: PatientEverything,
		Documentation: ptr("GET or POST Patient/{id}/$everything: the Patient, then the Observations the caller may see, newest first, " +
			"in one access decision. Takes _count (default 100, at most 1000) and pages by next links; total counts the " +
			"Observations visible and the Patient. start, end and _since are not supported."),
	}}
	return r
}

// consentResource: a citizen gives, reads, lists and revokes consents.
func consentResource() fm.CapabilityStatementRestResource {
	versioned := fm.ResourceVersionPolicyVersioned
	r := resource(fm.ResourceTypeConsent, ConsentSearch)
	r.Versioning = &versioned
	r.UpdateCreate = ptr(false)
	r.ConditionalCreate = ptr(false)
	r.ConditionalUpdate = ptr(false)
	r.Interaction = append(r.Interaction,
		fm.CapabilityStatementRestResourceInteraction{Code: fm.TypeRestfulInteractionCreate,
			Documentation: ptr("A citizen gives consent to their own data: status active, one actor (Practitioner or Organization " +
				"of their home region), the classes and kinds of data; without provision.period.start it starts now, without an end " +
				"it ends after 12 months.")},
		fm.CapabilityStatementRestResourceInteraction{Code: fm.TypeRestfulInteractionUpdate,
			Documentation: ptr("Revoke only: send the Consent with status inactive, optionally with If-Match: W/\"version\". " +
				"Any other change is refused (422); give a new consent instead.")},
	)
	r.Documentation = ptr("A citizen sees all their consents; a professional, with patient, those of that patient that name " +
		"them or their care unit and are in force (logged in the patient's access log).")
	return r
}

// auditEvent: the citizen's access log, searched only.
func auditEvent() fm.CapabilityStatementRestResource {
	return fm.CapabilityStatementRestResource{
		Type: fm.ResourceTypeAuditEvent,
		Interaction: []fm.CapabilityStatementRestResourceInteraction{{
			Code:          fm.TypeRestfulInteractionSearchType,
			Documentation: ptr("GET AuditEvent?... or POST AuditEvent/_search: who has viewed or tried to view the citizen's data, newest first, paged by next links"),
		}},
		SearchParam:   AuditEventSearch.capabilityParams(),
		Documentation: ptr("Only the citizen reads their own access log; a professional is refused."),
	}
}

func observation() fm.CapabilityStatementRestResource {
	versioned := fm.ResourceVersionPolicyVersionedUpdate
	notSupported := fm.ConditionalDeleteStatusNotSupported
	r := resource(fm.ResourceTypeObservation, ObservationSearch)
	r.SupportedProfile = VitalSignsProfiles
	r.Versioning = &versioned
	r.ReadHistory = ptr(true)
	r.UpdateCreate = ptr(false)
	r.ConditionalCreate = ptr(true)
	r.ConditionalUpdate = ptr(false)
	r.ConditionalDelete = &notSupported
	r.Documentation = ptr("Conditional create: If-None-Exist: identifier=system|value, the identifier the Observation carries. " +
		"When a measurement with that identifier exists, the answer is 200 with it and the body is not stored, even if it differs. " +
		"A deleted measurement's identifier is not reused: a create that names it is refused with 409, with or without If-None-Exist. " +
		"Without If-None-Exist, a known identifier with the same content answers 200 with the stored one, and with other content 409. " +
		"Update and delete take If-Match: W/\"version\"; deleting a deleted Observation answers 204. " +
		"History takes _count: the newest versions, total counting all.")
	r.Interaction = append(r.Interaction,
		fm.CapabilityStatementRestResourceInteraction{Code: fm.TypeRestfulInteractionCreate},
		fm.CapabilityStatementRestResourceInteraction{Code: fm.TypeRestfulInteractionVread},
		fm.CapabilityStatementRestResourceInteraction{Code: fm.TypeRestfulInteractionUpdate},
		fm.CapabilityStatementRestResourceInteraction{Code: fm.TypeRestfulInteractionDelete},
		fm.CapabilityStatementRestResourceInteraction{Code: fm.TypeRestfulInteractionHistoryInstance},
	)
	return r
}

// documentReference: a citizen's own files, described.
func documentReference() fm.CapabilityStatementRestResource {
	versioned := fm.ResourceVersionPolicyVersionedUpdate
	r := resource(fm.ResourceTypeDocumentReference, DocumentReferenceSearch)
	r.Versioning = &versioned
	r.UpdateCreate = ptr(false)
	r.ConditionalCreate = ptr(false)
	r.ConditionalUpdate = ptr(false)
	r.Documentation = ptr("A citizen's own files (PDF, JPEG, PNG, HEIC or plain text, the type sniffed from the content), each of type " +
		LOINC + "|" + DocumentTypeCode + ". Create with content[0].attachment.data (base64, at most the file size limit) or " +
		"attachment.url Binary/{id} of a file uploaded by POST Binary (then only its description is set). description is the " +
		"file's title, and update (with If-Match: W/\"version\") changes only that. attachment.hash (SHA-1) is not given: the " +
		"SHA-256 of the content is in the extension " + documentSHA256URL + ". A professional reads under the patient's consent " +
		"and must give patient to search; every read by a professional is in the patient's access log.")
	r.Interaction = append(r.Interaction,
		fm.CapabilityStatementRestResourceInteraction{Code: fm.TypeRestfulInteractionVread},
		fm.CapabilityStatementRestResourceInteraction{Code: fm.TypeRestfulInteractionCreate},
		fm.CapabilityStatementRestResourceInteraction{Code: fm.TypeRestfulInteractionUpdate},
		fm.CapabilityStatementRestResourceInteraction{Code: fm.TypeRestfulInteractionDelete},
	)
	return r
}

// binary: the content of a citizen's own files, raw.
func binary() fm.CapabilityStatementRestResource {
	return fm.CapabilityStatementRestResource{
		Type: fm.ResourceTypeBinary,
		Interaction: []fm.CapabilityStatementRestResourceInteraction{
			{Code: fm.TypeRestfulInteractionCreate, Documentation: ptr("POST the raw bytes with their own Content-Type (not FHIR JSON); " +
				"the type is sniffed from the content, and a type not kept is refused with 415, a file over the limit with 413.")},
			{Code: fm.TypeRestfulInteractionRead, Documentation: ptr("GET Binary/{id} answers the raw bytes as an attachment, " +
				"with the sniffed Content-Type and X-Content-Type-Options: nosniff, whatever the Accept; with Accept " +
				"application/fhir+json (or _format) it answers the Binary resource, the content base64 in data.")},
		},
		Documentation: ptr("The id of a Binary is that of the DocumentReference describing it."),
	}
}
