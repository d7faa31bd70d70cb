package fhir

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/omahoito/omahoito/consent"
)

// consentStateSystem is the system of Consent.status codes.
const consentStateSystem = "http://hl7.org/fhir/consent-state-codes"

// ConsentSearch declares what Consent can be searched by; the
// CapabilityStatement lists it from here.
var ConsentSearch = SearchDecl{Type: "Consent", Params: []Param{
	{Name: "patient", Type: TypeReference, Definition: spDef + "clinical-patient",
		Documentation: "Patient/{id}: whose consents."},
	{Name: "status", Type: TypeToken, Definition: spDef + "Consent-status",
		Documentation: "active (in force or yet to start) or inactive (revoked, ended or expired)."},
	{Name: "actor", Type: TypeReference, Definition: spDef + "Consent-actor",
		Documentation: "Practitioner/{id} or Organization/{id}: the professional or care unit a consent lets in."},
}}

// ConsentQuery is a parsed Consent search.
type ConsentQuery struct {
	Patient string // the id named by patient; "" when none is
	// Statuses are the statuses asked for ("active", "inactive"); empty:
	// any.
	Statuses []string
	Grantee  consent.Grantee // the actor named; zero when none is
	Limit    int             // _count, DefaultPageSize when absent
	// TotalOnly: _count=0 asks for the total alone (Limit is 1).
	TotalOnly bool
	// Empty: the criteria contradict each other (status=active&
	// status=inactive), so nothing matches; the search is still asked, so
	// that the gate decides and logs it like any other.
	Empty  bool
	Search *Search
}

// ParseConsentSearch reads a Consent search: patient, status, actor and
// _count. Errors wrap ErrInvalidParam or ErrNotAcceptable; unknown
// parameters are refused under HandlingStrict, as for every search.
func ParseConsentSearch(values url.Values, h Handling) (ConsentQuery, error) {
	s, err := ConsentSearch.Parse(values, h)
	if err != nil {
		return ConsentQuery{}, err
	}
	out := ConsentQuery{Search: s, Limit: DefaultPageSize}
	if out.Patient, err = patientOf(s); err != nil {
		return ConsentQuery{}, err
	}
	if out.Statuses, out.Empty, err = statusesOf(s.Get("status")); err != nil {
		return ConsentQuery{}, err
	}
	if out.Grantee, err = granteeOf(s.Get("actor")); err != nil {
		return ConsentQuery{}, err
	}
	if s.Count >= 0 {
		out.Limit = s.Count
	}
	if out.TotalOnly = out.Limit == 0; out.TotalOnly {
		out.Limit = 1
	}
	return out, nil
}

// consentStates are the statuses a consent of omahoito can have.
var consentStates = []string{"active", "inactive"}

// statusesOf reads status criteria: values of one are ORed, criteria
// ANDed; empty reports criteria no status meets.
func statusesOf(criteria []Criterion) (statuses []string, empty bool, err error) {
	selected := slices.Clone(consentStates)
	for _, c := range criteria {
		var these []string
		for _, t := range c.Tokens {
			if (t.HasSystem && t.System != consentStateSystem) || !slices.Contains(consentStates, t.Code) {
				return nil, false, fmt.Errorf("%w: status takes active or inactive (system %s)", ErrInvalidParam, consentStateSystem)
			}
			these = append(these, t.Code)
		}
		selected = slices.DeleteFunc(selected, func(s string) bool { return !slices.Contains(these, s) })
	}
	if len(criteria) == 0 || len(selected) == len(consentStates) {
		return nil, false, nil
	}
	return selected, len(selected) == 0, nil
}

// granteeOf reads the one professional or care unit actor names.
func granteeOf(criteria []Criterion) (consent.Grantee, error) {
	var g consent.Grantee
	for _, c := range criteria {
		for _, r := range c.References {
			typ, id, _ := strings.Cut(r, "/")
			next := consent.Grantee{Kind: consent.GranteeProfessional, ID: id}
			switch {
			case typ == "Organization":
				next.Kind = consent.GranteeUnit
			case typ != "Practitioner" || id == "":
				return consent.Grantee{}, fmt.Errorf("%w: actor must name a Practitioner/{id} or Organization/{id}", ErrInvalidParam)
			}
			if g.ID != "" && g != next {
				return consent.Grantee{}, fmt.Errorf("%w: actor names one professional or care unit per search", ErrInvalidParam)
			}
			g = next
		}
	}
	return g, nil
}
