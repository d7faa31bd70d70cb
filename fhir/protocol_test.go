package fhir

import (
	"errors"
	"testing"
	"time"

	"github.com/omahoito/omahoito/record"
)

func TestCheckFormat(t *testing.T) {
	for _, f := range []string{"", "json", "JSON", "application/json", "application/fhir+json", "application/fhir+json; charset=utf-8"} {
		if err := CheckFormat(f); err != nil {
			t.Errorf("CheckFormat(%q) = %v, want served", f, err)
		}
	}
	for _, f := range []string{"xml", "application/fhir+xml", "text/xml", "ttl", "html", "text/html", "application/json+xml"} {
		if err := CheckFormat(f); !errors.Is(err, ErrNotAcceptable) {
			t.Errorf("CheckFormat(%q) = %v, want ErrNotAcceptable", f, err)
		}
	}
}

func TestCheckAccept(t *testing.T) {
	cases := []struct {
		accept string
		ok     bool
	}{
		{"", true},
		{"application/fhir+json", true},
		{"application/json", true},
		{"*/*", true},
		{"application/*", true},
		{"json", true},
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", true}, // a browser
		{"application/fhir+xml, application/fhir+json;q=0.5", true},
		{"application/fhir+xml", false},
		{"application/xml, text/xml", false},
		{"application/fhir+json;q=0, application/fhir+xml", false},
		{"text/turtle", false},
	}
	for _, c := range cases {
		err := CheckAccept(c.accept)
		if c.ok != (err == nil) || (err != nil && !errors.Is(err, ErrNotAcceptable)) {
			t.Errorf("CheckAccept(%q) = %v, want ok=%v", c.accept, err, c.ok)
		}
	}
}

func TestCheckContentType(t *testing.T) {
	for _, ct := range []string{"", "application/fhir+json", "application/json; charset=utf-8"} {
		if err := CheckContentType(ct); err != nil {
			t.Errorf("%q: %v", ct, err)
		}
	}
	for _, ct := range []string{"application/fhir+xml", "multipart/form-data; boundary=x", "text/plain", "application/x-www-form-urlencoded", ";;"} {
		if err := CheckContentType(ct); !errors.Is(err, ErrUnsupportedMedia) {
			t.Errorf("%q: %v, want ErrUnsupportedMedia", ct, err)
		}
	}
}

func TestParsePrefer(t *testing.T) {
	cases := []struct {
		headers []string
		want    Prefer
	}{
		{nil, Prefer{}},
		{[]string{"return=minimal"}, Prefer{Return: ReturnMinimal}},
		{[]string{"return=representation"}, Prefer{Return: ReturnRepresentation}},
		{[]string{"return=OperationOutcome"}, Prefer{Return: ReturnOperationOutcome}},
		{[]string{`Return="Minimal"`}, Prefer{Return: ReturnMinimal}},
		{[]string{"handling=lenient"}, Prefer{Handling: HandlingLenient}},
		{[]string{"handling=strict"}, Prefer{Handling: HandlingStrict}},
		{[]string{"HANDLING=Lenient, return=minimal"}, Prefer{Return: ReturnMinimal, Handling: HandlingLenient}},
		{[]string{"respond-async, wait=10", "return=representation; foo=bar", "handling=lenient"}, Prefer{Return: ReturnRepresentation, Handling: HandlingLenient}},
		{[]string{"return=minimal, return=representation"}, Prefer{Return: ReturnMinimal}}, // the first counts
		{[]string{"return=bogus, handling=sloppy"}, Prefer{}},                              // unknown values are ignored
		{[]string{" , ;, ="}, Prefer{}},
	}
	for _, c := range cases {
		if got := ParsePrefer(c.headers); got != c.want {
			t.Errorf("ParsePrefer(%q) = %+v, want %+v", c.headers, got, c.want)
		}
	}
}

// TestReturnAnswer: without a preference, a single write answers with
// the resource and a transaction with each entry's response alone; a
// stated preference is honoured in both.
func TestReturnAnswer(t *testing.T) {
	for _, c := range []struct {
		r           Return
		transaction bool
		want        Return
	}{
		{ReturnDefault, false, ReturnRepresentation},
		{ReturnDefault, true, ReturnMinimal},
		{ReturnMinimal, false, ReturnMinimal},
		{ReturnRepresentation, true, ReturnRepresentation},
		{ReturnOperationOutcome, true, ReturnOperationOutcome},
	} {
		if got := c.r.Answer(c.transaction); got != c.want {
			t.Errorf("%v.Answer(transaction %v) = %v, want %v", c.r, c.transaction, got, c.want)
		}
	}
}

func TestIfMatch(t *testing.T) {
	cases := []struct {
		header string
		want   int
		ok     bool
	}{
		{"", 0, true}, {"  ", 0, true}, {`W/"3"`, 3, true}, {`"3"`, 3, true}, {"3", 3, true},
		{`W/"0"`, 0, false}, {"*", 0, false}, {`W/"3", W/"4"`, 0, false}, {`W/"x"`, 0, false},
	}
	for _, c := range cases {
		got, err := IfMatch(c.header)
		if got != c.want || c.ok != (err == nil) || (err != nil && !errors.Is(err, ErrInvalidHeader)) {
			t.Errorf("IfMatch(%q) = %d, %v; want %d ok=%v", c.header, got, err, c.want, c.ok)
		}
	}
}

func TestObservationHeaders(t *testing.T) {
	m := record.Measurement{ID: "abc", Version: 3, Updated: time.Date(2025, 3, 14, 8, 0, 0, 0, time.FixedZone("EET", 7200))}
	h := ObservationHeaders("https://x/fhir/r4", m, true)
	want := Headers{ETag: `W/"3"`, LastModified: "Fri, 14 Mar 2025 06:00:00 GMT", Location: "https://x/fhir/r4/Observation/abc/_history/3"}
	if h != want {
		t.Errorf("got %+v\nwant %+v", h, want)
	}
	if h := ObservationHeaders("https://x/fhir/r4", record.Measurement{ID: "abc", Version: 1}, false); h != (Headers{ETag: `W/"1"`}) {
		t.Errorf("read without time: %+v", h)
	}
	if got := ResourceURL("https://x/fhir/r4", "Patient", "p1"); got != "https://x/fhir/r4/Patient/p1" {
		t.Errorf("ResourceURL = %s", got)
	}
}

func TestWantsResource(t *testing.T) {
	for accept, want := range map[string]bool{
		"":                                       false,
		"*/*":                                    false,
		"application/pdf":                        false,
		"image/avif,image/webp,*/*;q=0.8":        false,
		"application/json":                       false, // plain JSON is not asking for a FHIR resource
		"application/fhir+json":                  true,
		"application/fhir+json; charset=utf-8":   true,
		"application/json+fhir":                  true,
		"text/html, application/fhir+json;q=0.5": true,
		"application/fhir+json;q=0":              false,
	} {
		if got := WantsResource(accept, nil); got != want {
			t.Errorf("Accept %q: %v, want %v", accept, got, want)
		}
	}
	if !WantsResource("*/*", []string{"json"}) {
		t.Error("_format=json does not ask for the resource")
	}
}
