package fhir

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"
)

// Entry is one resource of a search result with its type and id, so that
// the bundle can give each a fullUrl.
type Entry struct {
	Type     string // e.g. "Patient"
	ID       string
	Resource any // a samply model value
}

// SearchSet builds a searchset Bundle; base is the API base URL
// (e.g. https://host/fhir/r4) and self the URL of the search itself.
// total counts only what the caller may see: the entries given.
func SearchSet(base, self string, entries []Entry) (fm.Bundle, error) {
	match := fm.SearchEntryModeMatch
	b := fm.Bundle{
		Type:      fm.BundleTypeSearchset,
		Timestamp: ptr(time.Now().UTC().Format(time.RFC3339)),
		Total:     ptr(len(entries)),
		Link:      []fm.BundleLink{{Relation: "self", Url: self}},
		Entry:     make([]fm.BundleEntry, 0, len(entries)),
	}
	for _, e := range entries {
		raw, err := json.Marshal(e.Resource)
		if err != nil {
			return fm.Bundle{}, fmt.Errorf("marshal %s/%s: %w", e.Type, e.ID, err)
		}
		b.Entry = append(b.Entry, fm.BundleEntry{
			FullUrl:  ptr(base + "/" + e.Type + "/" + e.ID),
			Resource: raw,
			Search:   &fm.BundleEntrySearch{Mode: &match},
		})
	}
	return b, nil
}

// Outcome builds an OperationOutcome with one error issue whose code
// follows from the HTTP status.
func Outcome(status int, diagnostics string) fm.OperationOutcome {
	return fm.OperationOutcome{Issue: []fm.OperationOutcomeIssue{{
		Severity:    fm.IssueSeverityError,
		Code:        issueTypeFor(status),
		Diagnostics: ptr(diagnostics),
	}}}
}

func issueTypeFor(status int) fm.IssueType {
	switch status {
	case http.StatusUnauthorized:
		return fm.IssueTypeLogin
	case http.StatusForbidden:
		return fm.IssueTypeForbidden
	case http.StatusNotFound:
		return fm.IssueTypeNotFound
	case http.StatusConflict, http.StatusPreconditionFailed:
		return fm.IssueTypeConflict
	case http.StatusRequestEntityTooLarge:
		return fm.IssueTypeTooLong
	case http.StatusUnprocessableEntity:
		return fm.IssueTypeBusinessRule
	case http.StatusMethodNotAllowed, http.StatusNotImplemented:
		return fm.IssueTypeNotSupported
	case http.StatusTooManyRequests:
		return fm.IssueTypeThrottled
	}
	if status >= 500 {
		return fm.IssueTypeException
	}
	return fm.IssueTypeInvalid
}

// SearchPage builds one page of a search: a searchset with total counting
// every match (not only this page), a self link, and a next link when next
// is not empty.
func SearchPage(base, self, next string, total int, entries []Entry) (fm.Bundle, error) {
	b, err := SearchSet(base, self, entries)
	if err != nil {
		return fm.Bundle{}, err
	}
	b.Total = ptr(total)
	if next != "" {
		b.Link = append(b.Link, fm.BundleLink{Relation: "next", Url: next})
	}
	return b, nil
}

// FieldOutcome reports a broken rule with the path of the field that broke
// it in issue.expression: code invalid for 400, business-rule for 422. err
// is a *FieldError or a *record.FieldError (mapped with FromRecord).
func FieldOutcome(status int, err error) fm.OperationOutcome {
	var fe *FieldError
	if !errors.As(FromRecord(err), &fe) {
		return Outcome(status, "invalid input")
	}
	o := Outcome(status, fe.Msg)
	o.Issue[0].Expression = []string{fe.Path}
	return o
}
