package fhir

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/omahoito/omahoito/record"
)

// A citizen's own file is a DocumentReference of one fixed type: LOINC
// 51855-5 "Patient Note", the closest LOINC document type to "something
// the patient kept themself", since omahoito knows nothing of what a file
// is beyond its sniffed media type.
const (
	LOINC                 = "http://loinc.org"
	DocumentTypeCode      = "51855-5"
	DocumentTypeDisplay   = "Patient Note"
	documentSHA256URL     = "https://omahoito.fi/fhir/StructureDefinition/attachment-sha256"
	binaryReferencePrefix = "Binary/"
)

// DocumentReferenceSearch declares what DocumentReference can be searched
// by; the CapabilityStatement lists it from here.
var DocumentReferenceSearch = SearchDecl{Type: "DocumentReference", Params: []Param{
	{Name: "patient", Type: TypeReference, Definition: spDef + "clinical-patient",
		Documentation: "Patient/{id}: whose files; a professional must give it."},
	{Name: "date", Type: TypeDate, Definition: spDef + "DocumentReference-date",
		Documentation: "When the file was added; repeat for a range (date=ge…&date=lt…)."},
	{Name: "type", Type: TypeToken, Definition: spDef + "clinical-type",
		Documentation: "Every file is " + LOINC + "|" + DocumentTypeCode + " (" + DocumentTypeDisplay + ")."},
}}

// DocumentReference maps a person's file. The description is the file's
// title; the attachment names the Binary that serves the content. R4's
// attachment.hash is a SHA-1, which omahoito does not keep: the SHA-256 of
// the content goes in an extension instead, and hash is left out.
func DocumentReference(f record.File) fm.DocumentReference {
	created := f.CreatedAt.UTC().Format(time.RFC3339)
	size := int(f.Size)
	att := fm.Attachment{
		ContentType: ptr(string(f.Type)), Size: &size, Url: ptr(binaryReferencePrefix + f.ID), Creation: &created,
		Extension: []fm.Extension{{Url: documentSHA256URL, ValueBase64Binary: ptr(base64.StdEncoding.EncodeToString(f.SHA256))}},
	}
	if f.Name != "" {
		att.Title = ptr(f.Name)
	}
	d := fm.DocumentReference{
		Id:     ptr(f.ID),
		Meta:   &fm.Meta{VersionId: ptr(strconv.Itoa(f.Version)), LastUpdated: ptr(f.UpdatedAt.UTC().Format(time.RFC3339))},
		Status: fm.DocumentReferenceStatusCurrent,
		Type: &fm.CodeableConcept{Coding: []fm.Coding{{System: ptr(LOINC), Code: ptr(DocumentTypeCode),
			Display: ptr(DocumentTypeDisplay)}}},
		Subject: &fm.Reference{Reference: ptr("Patient/" + f.PersonID)},
		Date:    &created,
		Content: []fm.DocumentReferenceContent{{Attachment: att}},
	}
	if f.Title != "" {
		d.Description = ptr(f.Title)
	}
	return d
}

// ParsedDocumentReference is what a client's DocumentReference asks for.
type ParsedDocumentReference struct {
	ID, Subject string // Subject: the patient id named, "" when none
	Title       string // description
	Name        string // content[0].attachment.title
	Data        []byte // inline content; nil when BinaryID is set
	BinaryID    string // attachment.url Binary/{id}: an existing file
}

type documentReferenceIn struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
	Status       string `json:"status"`
	Subject      *struct {
		Reference string `json:"reference"`
	} `json:"subject"`
	Description string `json:"description"`
	Content     []struct {
		Attachment struct {
			ContentType string  `json:"contentType"`
			Data        *string `json:"data"`
			URL         string  `json:"url"`
			Title       string  `json:"title"`
		} `json:"attachment"`
	} `json:"content"`
}

// ParseDocumentReference reads a client's DocumentReference: one content
// whose attachment carries the data inline or names a Binary by url.
func ParseDocumentReference(body []byte) (ParsedDocumentReference, error) {
	var in documentReferenceIn
	if err := json.Unmarshal(body, &in); err != nil {
		return ParsedDocumentReference{}, &FieldError{Path: "DocumentReference", Msg: "not a JSON DocumentReference", Malformed: true}
	}
	if in.ResourceType != "DocumentReference" {
		return ParsedDocumentReference{}, &FieldError{Path: "resourceType", Msg: "must be DocumentReference", Malformed: true}
	}
	if in.Status != "" && in.Status != "current" {
		return ParsedDocumentReference{}, &FieldError{Path: "DocumentReference.status", Msg: "must be current"}
	}
	out := ParsedDocumentReference{ID: in.ID, Title: in.Description}
	if in.Subject != nil {
		typ, id, ok := strings.Cut(in.Subject.Reference, "/")
		if !ok || typ != "Patient" || id == "" {
			return ParsedDocumentReference{}, &FieldError{Path: "DocumentReference.subject", Msg: "must be a reference Patient/{id}"}
		}
		out.Subject = id
	}
	if len(in.Content) != 1 {
		return ParsedDocumentReference{}, &FieldError{Path: "DocumentReference.content", Msg: "give exactly one content"}
	}
	a := in.Content[0].Attachment
	out.Name = a.Title
	switch {
	case a.Data != nil && a.URL != "":
		return ParsedDocumentReference{}, &FieldError{Path: "DocumentReference.content[0].attachment", Msg: "give data or url, not both"}
	case a.Data != nil:
		data, err := base64.StdEncoding.DecodeString(*a.Data)
		if err != nil {
			return ParsedDocumentReference{}, &FieldError{Path: "DocumentReference.content[0].attachment.data", Msg: "not base64"}
		}
		out.Data = data
	case strings.HasPrefix(a.URL, binaryReferencePrefix) && len(a.URL) > len(binaryReferencePrefix):
		out.BinaryID = strings.TrimPrefix(a.URL, binaryReferencePrefix)
	default:
		return ParsedDocumentReference{}, &FieldError{Path: "DocumentReference.content[0].attachment",
			Msg: "give the content inline (data) or name an uploaded Binary (url Binary/{id})"}
	}
	return out, nil
}

// DocumentQuery is a parsed DocumentReference search.
type DocumentQuery struct {
	Patient  string    // the id named by patient; "" when none is
	From, To time.Time // the half-open window [From, To) of creation; zero: open
	// Empty: the type asked for is none of omahoito's, so nothing matches;
	// the search is still asked, so that the gate decides and logs it.
	Empty  bool
	Search *Search
}

// Covers reports whether a file created at t is in the window.
func (q DocumentQuery) Covers(t time.Time) bool {
	return !q.Empty && (q.From.IsZero() || !t.Before(q.From)) && (q.To.IsZero() || t.Before(q.To))
}

// ParseDocumentSearch reads a DocumentReference search: patient, date and
// type. Errors wrap ErrInvalidParam or ErrNotAcceptable.
func ParseDocumentSearch(values url.Values, h Handling) (DocumentQuery, error) {
	s, err := DocumentReferenceSearch.Parse(values, h)
	if err != nil {
		return DocumentQuery{}, err
	}
	out := DocumentQuery{Search: s}
	if out.Patient, err = patientOf(s); err != nil {
		return DocumentQuery{}, err
	}
	var q record.Query
	for _, c := range s.Get("date") {
		if len(c.Dates) != 1 {
			return DocumentQuery{}, fmt.Errorf("%w: date takes one value per parameter; repeat date for a range (date=ge…&date=lt…)", ErrInvalidParam)
		}
		c.Dates[0].narrow(&q)
	}
	out.From, out.To = q.From, q.To
	if q.FromOpen { // gt: strictly after, at the second precision of the values
		out.From = out.From.Add(time.Nanosecond)
	}
	if !q.ToOpen && !q.To.IsZero() { // le: up to and including
		out.To = out.To.Add(time.Nanosecond)
	}
	for _, c := range s.Get("type") {
		if !c.MatchToken(LOINC, DocumentTypeCode) {
			out.Empty = true
		}
	}
	return out, nil
}
