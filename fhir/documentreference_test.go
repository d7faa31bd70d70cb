package fhir

import (
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/omahoito/omahoito/record"
)

// TestDocumentReferenceMapping: a file is a current Patient Note of its
// owner whose attachment names its Binary; the SHA-256 is an extension,
// never R4's SHA-1 hash.
func TestDocumentReferenceMapping(t *testing.T) {
	at := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	d := DocumentReference(record.File{ID: "f1", PersonID: "p1", Version: 2, Name: "a.pdf", Title: "Lab", Type: record.MediaPDF,
		Size: 10, SHA256: []byte{1, 2, 3}, CreatedAt: at, UpdatedAt: at})
	a := d.Content[0].Attachment
	if *d.Subject.Reference != "Patient/p1" || *d.Description != "Lab" || *a.Url != "Binary/f1" || *a.Title != "a.pdf" ||
		*a.ContentType != "application/pdf" || *a.Size != 10 || a.Hash != nil || *a.Extension[0].ValueBase64Binary != "AQID" ||
		*d.Type.Coding[0].Code != DocumentTypeCode || *d.Meta.VersionId != "2" {
		t.Errorf("mapped %+v / %+v", d, a)
	}
}

func TestParseDocumentReference(t *testing.T) {
	p, err := ParseDocumentReference([]byte(`{"resourceType":"DocumentReference","status":"current","subject":{"reference":"Patient/p1"},` +
		`"description":"Lab","content":[{"attachment":{"title":"a.txt","data":"aGk="}}]}`))
	if err != nil || p.Subject != "p1" || p.Title != "Lab" || p.Name != "a.txt" || string(p.Data) != "hi" {
		t.Errorf("parsed %+v, %v", p, err)
	}
	p, err = ParseDocumentReference([]byte(`{"resourceType":"DocumentReference","content":[{"attachment":{"url":"Binary/f9"}}]}`))
	if err != nil || p.BinaryID != "f9" || p.Data != nil {
		t.Errorf("by url: %+v, %v", p, err)
	}
	for name, body := range map[string]string{
		"another resource": `{"resourceType":"Observation"}`,
		"no content":       `{"resourceType":"DocumentReference","content":[]}`,
		"bad base64":       `{"resourceType":"DocumentReference","content":[{"attachment":{"data":"!!"}}]}`,
		"data and url":     `{"resourceType":"DocumentReference","content":[{"attachment":{"data":"aGk=","url":"Binary/x"}}]}`,
		"a url elsewhere":  `{"resourceType":"DocumentReference","content":[{"attachment":{"url":"https://evil.example/x"}}]}`,
		"subject a group":  `{"resourceType":"DocumentReference","subject":{"reference":"Group/g"},"content":[{"attachment":{"data":"aGk="}}]}`,
	} {
		var fe *FieldError
		if _, err := ParseDocumentReference([]byte(body)); !errors.As(err, &fe) {
			t.Errorf("%s: %v, want a FieldError", name, err)
		}
	}
}

func TestParseDocumentSearch(t *testing.T) {
	q, err := ParseDocumentSearch(url.Values{"patient": {"Patient/p1"}, "date": {"ge2026-11-01", "lt2026-12-01"}}, HandlingStrict)
	if err != nil || q.Patient != "p1" {
		t.Fatalf("%+v, %v", q, err)
	}
	in, out := time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	if !q.Covers(in) || q.Covers(out) {
		t.Errorf("window [%v, %v) covers %v: %v, %v: %v", q.From, q.To, in, q.Covers(in), out, q.Covers(out))
	}
	q, err = ParseDocumentSearch(url.Values{"type": {"http://loinc.org|11506-3"}}, HandlingStrict)
	if err != nil || !q.Empty || q.Covers(in) {
		t.Errorf("another type matched: %+v, %v", q, err)
	}
	if _, err := ParseDocumentSearch(url.Values{"code": {"x"}}, HandlingStrict); !errors.Is(err, ErrInvalidParam) {
		t.Errorf("unknown parameter: %v", err)
	}
}
