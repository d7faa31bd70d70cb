package fhir

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/omahoito/omahoito/record"
)

func TestTokenMatch(t *testing.T) {
	const loinc, other = "http://loinc.org", "http://snomed.info/sct"
	cases := []struct {
		value        string
		system, code string
		want         bool
	}{
		{"http://loinc.org|8867-4", loinc, "8867-4", true},
		{"http://loinc.org|8867-4", other, "8867-4", false},
		{"http://loinc.org|8867-4", loinc, "8480-6", false},
		{"|8867-4", "", "8867-4", true},
		{"|8867-4", loinc, "8867-4", false},
		{"8867-4", loinc, "8867-4", true},
		{"8867-4", "", "8867-4", true},
		{"8867-4", other, "8480-6", false},
		{"http://loinc.org|", loinc, "anything", true},
		{"http://loinc.org|", other, "anything", false},
		{`urn:x\|y|a\,b`, "urn:x|y", "a,b", true},
	}
	for _, c := range cases {
		tok, err := ParseToken(c.value)
		if err != nil {
			t.Fatalf("ParseToken(%q): %v", c.value, err)
		}
		if got := tok.Match(c.system, c.code); got != c.want {
			t.Errorf("%q matches (%q, %q) = %v, want %v", c.value, c.system, c.code, got, c.want)
		}
	}
	for _, bad := range []string{"", "|", "a|b|c"} {
		if _, err := ParseToken(bad); err == nil {
			t.Errorf("ParseToken(%q) accepted", bad)
		}
	}
}

func TestStringMatch(t *testing.T) {
	cases := []struct {
		value, modifier, s string
		want               bool
	}{
		{"Kor", "", "Körkkö", true},
		{"kör", "", "Körkkö", true},
		{"KÖRKKÖ", "", "Körkkö", true},
		{"orkk", "", "Körkkö", false}, // starts-with by default
		{"orkk", "contains", "Körkkö", true},
		{"ÅSA", "contains", "Terveysasema Åsa", true},
		{"Körkkö", "exact", "Körkkö", true},
		{"körkkö", "exact", "Körkkö", false},
		{"Korkko", "exact", "Körkkö", false},
		{"Kainuun", "", "Kainuun hyvinvointialue", true},
		{"e\u0301", "", "école", true}, // decomposed input
		{"Straße", "", "STRASSE", true},
		{"x", "", "", false},
	}
	for _, c := range cases {
		if got := NewStringMatch(c.value, c.modifier).Match(c.s); got != c.want {
			t.Errorf("%q:%s matches %q = %v, want %v", c.value, c.modifier, c.s, got, c.want)
		}
	}
}

func TestSearchParseStrictAndLenient(t *testing.T) {
	q := url.Values{"name": {"kor"}, "nmae": {"x"}, "_elements": {"id"}}
	_, err := PractitionerSearch.Parse(q, HandlingStrict)
	if !errors.Is(err, ErrInvalidParam) || !strings.Contains(err.Error(), `"_elements"`) {
		t.Errorf("strict: %v, want ErrInvalidParam naming _elements", err)
	}
	s, err := PractitionerSearch.Parse(q, HandlingLenient)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.Ignored, []string{"_elements", "nmae"}) {
		t.Errorf("ignored = %v", s.Ignored)
	}
	if got := SelfLink("https://x/fhir/r4", s, "Practitioner"); got != "https://x/fhir/r4/Practitioner?name=kor" {
		t.Errorf("self link = %s", got)
	}
	if len(s.Get("name")) != 1 || !s.Get("name")[0].MatchString("Körkkö") {
		t.Errorf("name criterion = %+v", s.Get("name"))
	}
}

func TestSearchParseRefuses(t *testing.T) {
	cases := []struct {
		name string
		decl SearchDecl
		q    url.Values
		want error
		msg  string
	}{
		{"unknown", PatientSearch, url.Values{"family": {"x"}}, ErrInvalidParam, `"family"`},
		{"unknown modifier", PractitionerSearch, url.Values{"name:phonetic": {"x"}}, ErrInvalidParam, ":phonetic"},
		{"modifier on token", PatientSearch, url.Values{"identifier:text": {"x"}}, ErrInvalidParam, "no modifiers"},
		{"empty value", PatientSearch, url.Values{"identifier": {""}}, ErrInvalidParam, "no value"},
		{"bad token", PatientSearch, url.Values{"identifier": {"a|b|c"}}, ErrInvalidParam, "at most one |"},
		{"count twice", PatientSearch, url.Values{"_count": {"1", "2"}}, ErrInvalidParam, "2 times"},
		{"negative count", PatientSearch, url.Values{"_count": {"-1"}}, ErrInvalidParam, "_count"},
		{"sort where none", PatientSearch, url.Values{"_sort": {"name"}}, ErrInvalidParam, `"_sort"`},
		{"unsupported sort", ObservationSearch, url.Values{"_sort": {"code"}}, ErrInvalidParam, "date, -date"},
		{"xml", PatientSearch, url.Values{"_format": {"xml"}}, ErrNotAcceptable, "_format"},
		{"fhir+xml", ObservationSearch, url.Values{"_format": {"application/fhir+xml"}}, ErrNotAcceptable, "use json"},
		{"cursor where no paging", PatientSearch, url.Values{"_cursor": {"x"}}, ErrInvalidParam, `"_cursor"`},
		{"bad date", ObservationSearch, url.Values{"date": {"ge2025-13-01"}}, ErrInvalidParam, "not a FHIR date"},
		{"ne prefix", ObservationSearch, url.Values{"date": {"ne2025-01-01"}}, ErrInvalidParam, "prefix is not supported"},
		{"absolute reference", ObservationSearch, url.Values{"patient": {"https://evil/Patient/x"}}, ErrInvalidParam, "relative"},
		{"subject of another type", ObservationSearch, url.Values{"subject:Patient": {"Group/x"}}, ErrInvalidParam, "subject"},
		{"patient search by two codes", PatientSearch, url.Values{"identifier": {"urn:oid:1.2.246.21|010190-900P,urn:oid:1.2.246.21|020290-9027"}},
			ErrInvalidParam, "identifier takes one value per Patient search, got 2"},
		{"patient search by repeated codes", PatientSearch, url.Values{"identifier": {"010190-900P", "020290-9027"}},
			ErrInvalidParam, "identifier takes one value per Patient search, got 2"},
		{"OR list over the cap", OrganizationSearch, url.Values{"name": {strings.Repeat("a,", MaxValues) + "a"}},
			ErrInvalidParam, "name is given 51 values; at most 50"},
		{"AND and OR over the cap", ObservationSearch, url.Values{"code": {strings.Repeat("8867-4,", 30) + "8867-4", strings.Repeat("8867-4,", 19) + "8867-4"}},
			ErrInvalidParam, "code is given 51 values"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, h := range []Handling{HandlingStrict, HandlingLenient} {
				_, err := c.decl.Parse(c.q, h)
				if c.name == "unknown" || strings.HasSuffix(c.name, "where none") || strings.HasSuffix(c.name, "no paging") {
					if h == HandlingLenient {
						if err != nil {
							t.Errorf("lenient: %v", err)
						}
						continue
					}
				}
				if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg) {
					t.Errorf("handling %d: %v, want %v containing %q", h, err, c.want, c.msg)
				}
			}
		})
	}
}

// TestSearchErrorsEchoNoValue: a refused search names the parameter and
// what is wrong, never a value: a personal identity code sent by mistake
// (or as a parameter name) must not come back in the error text.
func TestSearchErrorsEchoNoValue(t *testing.T) {
	const hetu = "010190-900P"
	cases := []struct {
		decl SearchDecl
		q    url.Values
	}{
		{PatientSearch, url.Values{"identifier": {"urn:oid:1.2.246.21|" + hetu + "|x"}}},
		{PatientSearch, url.Values{"identifier": {hetu + "," + hetu}}},
		{PatientSearch, url.Values{hetu: {"x"}}},
		{PatientSearch, url.Values{"_count": {hetu}}},
		{PatientSearch, url.Values{"_format": {hetu}}},
		{ObservationSearch, url.Values{"_sort": {hetu}}},
		{ObservationSearch, url.Values{"code": {hetu}}},
		{ObservationSearch, url.Values{"date": {hetu}}},
		{ObservationSearch, url.Values{"date": {"ap" + hetu}}},
		{ObservationSearch, url.Values{"patient": {"https://x/" + hetu}}},
		{ObservationSearch, url.Values{"patient": {hetu + "/x"}}},
		{ObservationSearch, url.Values{"subject:Patient": {hetu + "/" + hetu}}},
	}
	for _, c := range cases {
		_, err := c.decl.Parse(c.q, HandlingStrict)
		if c.decl.Type == "Observation" && err == nil {
			_, err = ParseObservationSearch(c.q, HandlingStrict)
		}
		if err == nil {
			t.Errorf("%s %v: accepted", c.decl.Type, c.q)
			continue
		}
		if strings.Contains(err.Error(), hetu) || strings.Contains(err.Error(), "010190") {
			t.Errorf("%s %v: the error echoes the value: %v", c.decl.Type, c.q, err)
		}
	}
	if _, err := ParseIfNoneExist("identifier=urn:oid:1.2.246.21|" + hetu + "|x"); err == nil || strings.Contains(err.Error(), hetu) {
		t.Errorf("If-None-Exist: %v", err)
	}
}

func TestSearchRepeatsAreAndCommasAreOr(t *testing.T) {
	s, err := OrganizationSearch.Parse(url.Values{"name": {"kai,oulu", "kainuun"}, "_format": {"json"}}, HandlingStrict)
	if err != nil {
		t.Fatal(err)
	}
	cs := s.Get("name")
	if len(cs) != 2 || len(cs[0].Strings) != 2 || len(cs[1].Strings) != 1 {
		t.Fatalf("criteria = %+v", cs)
	}
	matchAll := func(name string) bool {
		for _, c := range cs {
			if !c.MatchString(name) {
				return false
			}
		}
		return true
	}
	if !matchAll("Kainuun hyvinvointialue") || matchAll("Oulun kaupunki") {
		t.Error("repeated name should AND, commas OR")
	}
	if _, ok := s.Query()["_format"]; ok {
		t.Error("_format belongs not in the self link")
	}
}

func TestParseObservationSearch(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, finnishTime).UTC() }
	all := func(k ...record.Kind) []record.Kind { return k }
	cases := []struct {
		name string
		q    url.Values
		want ObservationQuery
	}{
		{"defaults", url.Values{}, ObservationQuery{Query: record.Query{Limit: DefaultPageSize, Desc: true}}},
		{"patient forms", url.Values{"patient": {"p1"}, "subject": {"Patient/p1"}, "subject:Patient": {"p1"}},
			ObservationQuery{Patient: "p1", Query: record.Query{Limit: DefaultPageSize, Desc: true}}},
		{"code system|code", url.Values{"code": {"http://loinc.org|8867-4"}},
			ObservationQuery{Query: record.Query{Kinds: all(record.HeartRate), Limit: DefaultPageSize, Desc: true}}},
		{"code alternative and OR", url.Values{"code": {"15074-8,8867-4"}},
			ObservationQuery{Query: record.Query{Kinds: all(record.HeartRate, record.Glucose), Limit: DefaultPageSize, Desc: true}}},
		// Contradicting codes still make a query (for the gate): of the kinds
		// they name, in a window no instant is in.
		{"code AND empty", url.Values{"code": {"8867-4", "29463-7"}, "date": {"ge2025"}},
			ObservationQuery{Empty: true, Query: record.Query{Kinds: all(record.HeartRate, record.BodyWeight),
				From: time.Unix(0, 0).UTC(), FromOpen: true, To: time.Unix(0, 0).UTC(), ToOpen: true, Limit: DefaultPageSize, Desc: true}}},
		{"code AND narrows", url.Values{"code": {"8867-4,29463-7", "http://loinc.org|"}},
			ObservationQuery{Query: record.Query{Kinds: all(record.HeartRate, record.BodyWeight), Limit: DefaultPageSize, Desc: true}}},
		{"date eq day", url.Values{"date": {"2025-03-14"}},
			ObservationQuery{Query: record.Query{From: day(2025, 3, 14), To: day(2025, 3, 15), ToOpen: true, Limit: DefaultPageSize, Desc: true}}},
		{"date range tightens", url.Values{"date": {"ge2025-01", "lt2025-03-01", "ge2025-02-10", "le2025-12"}},
			ObservationQuery{Query: record.Query{From: day(2025, 2, 10), To: day(2025, 3, 1), ToOpen: true, Limit: DefaultPageSize, Desc: true}}},
		{"gt and sa", url.Values{"date": {"gt2025-03-14T08:00:00Z", "sa2025"}},
			ObservationQuery{Query: record.Query{From: day(2026, 1, 1), Limit: DefaultPageSize, Desc: true}}},
		{"count, sort, total only", url.Values{"_count": {"0"}, "_sort": {"date"}},
			ObservationQuery{TotalOnly: true, Query: record.Query{Limit: 1}}},
		{"count capped", url.Values{"_count": {"1000000"}},
			ObservationQuery{Query: record.Query{Limit: record.MaxPageSize, Desc: true}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseObservationSearch(c.q, HandlingStrict)
			if err != nil {
				t.Fatal(err)
			}
			got.Search = nil
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestParseObservationSearchRefuses(t *testing.T) {
	for _, q := range []url.Values{
		{"code": {"1234-5"}},
		{"code": {"|8867-4"}}, // no system: a LOINC code does not match
		{"code": {"http://snomed.info/sct|8867-4"}},
		{"patient": {"p1", "p2"}},
		{"patient": {"Practitioner/p1"}},
		{"date": {"ge2025,le2026"}},
		{"_cursor": {"!!"}},
		{"_cursor": {EncodeCursor(&record.Cursor{At: time.Now(), ID: "x"})[:5]}},
	} {
		if _, err := ParseObservationSearch(q, HandlingLenient); !errors.Is(err, ErrInvalidParam) {
			t.Errorf("%v: %v, want ErrInvalidParam", q, err)
		}
	}
}

func TestCursorRoundTripAndNextLink(t *testing.T) {
	cur := &record.Cursor{At: time.Date(2025, 3, 14, 7, 45, 12, 250_000_000, time.UTC), ID: "m1"}
	back, err := DecodeCursor(EncodeCursor(cur))
	if err != nil || !back.At.Equal(cur.At) || back.ID != cur.ID {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	oq, err := ParseObservationSearch(url.Values{"code": {"8867-4"}, "bogus": {"1"}}, HandlingLenient)
	if err != nil {
		t.Fatal(err)
	}
	next, err := url.Parse(NextLink("https://x/fhir/r4", oq.Search, "Observation", cur))
	if err != nil {
		t.Fatal(err)
	}
	if got := next.Query(); got.Get("code") != "8867-4" || got.Has("bogus") || got.Get("_cursor") != EncodeCursor(cur) {
		t.Errorf("next link %s", next)
	}
}
