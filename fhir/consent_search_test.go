package fhir

import (
	"errors"
	"net/url"
	"slices"
	"testing"

	"github.com/omahoito/omahoito/consent"
)

func TestParseConsentSearch(t *testing.T) {
	q, err := ParseConsentSearch(url.Values{"patient": {"Patient/person-1"}, "status": {"active"}, "actor": {"Organization/unit-3"}, "_count": {"0"}}, HandlingStrict)
	if err != nil {
		t.Fatal(err)
	}
	if q.Patient != "person-1" || !slices.Equal(q.Statuses, []string{"active"}) || q.Grantee != (consent.Grantee{Kind: consent.GranteeUnit, ID: "unit-3"}) ||
		!q.TotalOnly || q.Limit != 1 {
		t.Errorf("query %+v", q)
	}
	q, err = ParseConsentSearch(url.Values{"status": {"http://hl7.org/fhir/consent-state-codes|active,inactive"}, "actor": {"Practitioner/pro-7"}}, HandlingStrict)
	if err != nil || q.Statuses != nil || q.Grantee != (consent.Grantee{Kind: consent.GranteeProfessional, ID: "pro-7"}) || q.Limit != DefaultPageSize {
		t.Errorf("either status: %+v, %v; want no status filter", q, err)
	}
	q, err = ParseConsentSearch(url.Values{"status": {"active", "inactive"}}, HandlingStrict)
	if err != nil || !q.Empty {
		t.Errorf("status=active&status=inactive: %+v, %v; want Empty", q, err)
	}
	q, err = ParseConsentSearch(url.Values{"category": {"x"}}, HandlingLenient)
	if err != nil || !slices.Equal(q.Search.Ignored, []string{"category"}) {
		t.Errorf("lenient: %+v, %v; want category ignored", q, err)
	}
}

func TestParseConsentSearchRefuses(t *testing.T) {
	for _, v := range []url.Values{
		{"category": {"x"}}, {"status": {"draft"}}, {"status": {"other|active"}},
		{"actor": {"Patient/person-1"}}, {"actor": {"pro-7"}}, {"actor": {"Practitioner/a,Practitioner/b"}},
		{"patient": {"Patient/a", "Patient/b"}}, {"_cursor": {"x"}}, {"_sort": {"date"}}, {"_count": {"-1"}},
	} {
		if _, err := ParseConsentSearch(v, HandlingStrict); !errors.Is(err, ErrInvalidParam) {
			t.Errorf("%v: err = %v, want ErrInvalidParam", v, err)
		}
	}
}
