package fhir

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/omahoito/omahoito/internal/fhirschema"
	"github.com/omahoito/omahoito/record"
)

const testBase = "https://omahoito.example/fhir/r4"

// versions returns a measurement created, corrected and deleted, in the
// store's newest-first order.
func versions(t testing.TB) []record.Measurement {
	v1 := sample(mustSpec(t, record.BloodPressure))
	v1.Version, v1.Updated = 1, updatedAt
	v2 := v1
	v2.Value, v2.Version, v2.Updated = 126, 2, updatedAt.Add(time.Hour)
	v3 := v2
	v3.Deleted, v3.Version, v3.Updated = true, 3, updatedAt.Add(2*time.Hour)
	return []record.Measurement{v3, v2, v1}
}

func TestHistory(t *testing.T) {
	vs := versions(t)
	b := History(testBase, []record.Measurement{vs[2], vs[0], vs[1]}) // any order in, newest first out
	if b.Type != fm.BundleTypeHistory || *b.Total != 3 || b.Link[0].Url != testBase+"/Observation/m-blood-pressure/_history" {
		t.Fatalf("bundle head: %v total %v link %+v", b.Type, *b.Total, b.Link)
	}
	want := []struct {
		method   fm.HTTPVerb
		url      string
		status   string
		version  string
		resource bool
	}{
		{fm.HTTPVerbDELETE, "Observation/m-blood-pressure", "204 No Content", "3", false},
		{fm.HTTPVerbPUT, "Observation/m-blood-pressure", "200 OK", "2", true},
		{fm.HTTPVerbPOST, "Observation", "201 Created", "1", true},
	}
	for i, w := range want {
		e := b.Entry[i]
		if *e.FullUrl != testBase+"/Observation/m-blood-pressure" || e.Request.Method != w.method || e.Request.Url != w.url {
			t.Errorf("entry %d: %s %s %s", i, *e.FullUrl, e.Request.Method, e.Request.Url)
		}
		if e.Response.Status != w.status || *e.Response.Etag != `W/"`+w.version+`"` ||
			*e.Response.Location != "Observation/m-blood-pressure/_history/"+w.version {
			t.Errorf("entry %d response: %s %s %s", i, e.Response.Status, *e.Response.Etag, *e.Response.Location)
		}
		if (e.Resource != nil) != w.resource {
			t.Errorf("entry %d: resource present %v, want %v", i, e.Resource != nil, w.resource)
			continue
		}
		if w.resource {
			var o fm.Observation
			if err := json.Unmarshal(e.Resource, &o); err != nil {
				t.Fatal(err)
			}
			if *o.Meta.VersionId != w.version {
				t.Errorf("entry %d: versionId %s", i, *o.Meta.VersionId)
			}
		}
	}
	var o fm.Observation
	_ = json.Unmarshal(b.Entry[1].Resource, &o)
	if string(*o.Component[0].ValueQuantity.Value) != "126" {
		t.Errorf("version 2 should hold the corrected value, got %s", *o.Component[0].ValueQuantity.Value)
	}
}

func TestETag(t *testing.T) {
	for _, s := range []string{`W/"7"`, `"7"`, `7`, ` W/"7" `} {
		if v, err := ParseETag(s); err != nil || v != 7 {
			t.Errorf("ParseETag(%q) = %d, %v", s, v, err)
		}
	}
	for _, s := range []string{``, `W/"x"`, `"0"`, `W/"-1"`, `*`, `W/"07"`, `W/"+7"`} {
		if _, err := ParseETag(s); !errors.Is(err, ErrInvalidHeader) {
			t.Errorf("ParseETag(%q) = %v, want ErrInvalidHeader", s, err)
		}
	}
	if ETag(7) != `W/"7"` {
		t.Errorf("ETag(7) = %s", ETag(7))
	}
}

func TestSearchPage(t *testing.T) {
	m := sample(mustSpec(t, record.HeartRate))
	self, next := testBase+"/Observation?patient=person-1&_count=1", testBase+"/Observation?patient=person-1&_count=1&_cursor=abc"
	b, err := SearchPage(testBase, self, next, 42, []Entry{{Type: "Observation", ID: m.ID, Resource: Observation(m)}})
	if err != nil {
		t.Fatal(err)
	}
	if *b.Total != 42 || len(b.Link) != 2 || b.Link[0].Relation != "self" || b.Link[0].Url != self ||
		b.Link[1].Relation != "next" || b.Link[1].Url != next {
		t.Errorf("total %d links %+v", *b.Total, b.Link)
	}
	if *b.Entry[0].FullUrl != testBase+"/Observation/m-heart-rate" {
		t.Errorf("fullUrl %s", *b.Entry[0].FullUrl)
	}
	last, _ := SearchPage(testBase, self, "", 42, nil)
	if len(last.Link) != 1 || len(last.Entry) != 0 || *last.Total != 42 {
		t.Errorf("last page: links %+v, %d entries", last.Link, len(last.Entry))
	}
}

func TestFieldOutcome(t *testing.T) {
	fe := &FieldError{Path: "Observation.valueQuantity.value", Msg: "too high"}
	for status, code := range map[int]fm.IssueType{http.StatusBadRequest: fm.IssueTypeInvalid, http.StatusUnprocessableEntity: fm.IssueTypeBusinessRule} {
		o := FieldOutcome(status, fe)
		is := o.Issue[0]
		if is.Code != code || is.Severity != fm.IssueSeverityError || *is.Diagnostics != "too high" ||
			len(is.Expression) != 1 || is.Expression[0] != fe.Path {
			t.Errorf("%d: %+v", status, is)
		}
	}
}

// TestResponsesAreValidFHIR checks every kind of document this package
// writes against the official FHIR R4 JSON schema, in one Node run.
func TestResponsesAreValidFHIR(t *testing.T) {
	var docs [][]byte
	var entries []Entry
	for _, spec := range record.Specs() {
		m := sample(spec)
		docs = append(docs, marshal(t, Observation(m)))
		entries = append(entries, Entry{Type: "Observation", ID: m.ID, Resource: Observation(m)})
	}
	page, err := SearchPage(testBase, testBase+"/Observation?patient=person-1", testBase+"/Observation?patient=person-1&_cursor=x", 99, entries)
	if err != nil {
		t.Fatal(err)
	}
	m1, m2 := sample(mustSpec(t, record.Glucose)), sample(mustSpec(t, record.Steps))
	m1.Version = 1
	fe := &FieldError{Path: "Bundle.entry[3].resource.valueQuantity.value", Msg: "outside the plausible range"}
	docs = append(docs,
		marshal(t, page),
		marshal(t, TransactionResponse([]record.Added{{Measurement: m1, Created: true}, {Measurement: m2}})),
		marshal(t, History(testBase, versions(t))),
		marshal(t, FieldOutcome(http.StatusBadRequest, fe)),
		marshal(t, FieldOutcome(http.StatusUnprocessableEntity, fe)),
	)
	fhirschema.Validate(t, docs...)
}
