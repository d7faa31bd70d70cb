package fhir

import (
	"errors"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/internal/fhirschema"
)

var accessAt = time.Date(2025, 5, 20, 10, 15, 30, 0, time.UTC)

// sampleEntry is a nurse's permitted search of two kinds through an app,
// which returned three measurements under one grant.
func sampleEntry() audit.Entry {
	return audit.Entry{
		Register: "pirha", Seq: 42, Time: accessAt, RequestID: "req-9f2c",
		Actor: audit.Actor{Kind: "professional", ID: "pro-7", Name: "Liisa Lääkäri", Title: "sairaanhoitaja",
			UnitID: "unit-3", UnitName: "Kardiologian poliklinikka", Client: "mittari-app"},
		PatientID: "person-1", Action: "search", Class: "measurements", Kinds: []string{"blood-pressure", "heart-rate"},
		IDs: []string{"m-1", "m-2", "m-3"}, Count: 3, Grants: []string{"grant-1"}, Purpose: consent.PurposeTreatment,
		Outcome: audit.Permit,
	}
}

var sampleAuditRefs = AuditRefs{Patient: "Patient/person-1", PatientDisplay: "Maija Meikäläinen", Agent: "Practitioner/pro-7", Observer: "Pirkanmaan hyvinvointialue"}

func auditVariants() map[string]audit.Entry {
	read := sampleEntry()
	read.Action, read.IDs, read.Count, read.Kinds, read.Actor.Client = "read", []string{"m-1"}, 1, []string{"heart-rate"}, ""
	denied := sampleEntry()
	denied.Outcome, denied.Reason, denied.IDs, denied.Count, denied.Grants = audit.Deny, string(consent.ReasonNoGrant), nil, 0, nil
	history := read
	history.Action, history.Seq = "history", 43
	export := sampleEntry()
	export.Action, export.Class, export.Kinds, export.IDs, export.OnBehalfOf, export.Purpose = "export", "files", nil, []string{"file-1"}, "person-2", ""
	return map[string]audit.Entry{"search": sampleEntry(), "read": read, "denied": denied, "history": history, "export": export}
}

func TestFromEntryFollowsBALP(t *testing.T) {
	for name, tc := range map[string]struct {
		subtype, action, outcome, desc string
	}{
		"search":  {"search-type", "E", "0", ""},
		"read":    {"read", "R", "0", ""},
		"history": {"history-instance", "R", "0", ""},
		"denied":  {"search-type", "E", "4", "no consent in force"},
		"export":  {"", "R", "0", ""},
	} {
		e := auditVariants()[name]
		ev := FromEntry(e, sampleAuditRefs)
		subtype := ""
		if len(ev.Subtype) > 0 {
			subtype = *ev.Subtype[0].Code
		}
		if subtype != tc.subtype || ev.Action != tc.action || ev.Outcome != tc.outcome || ev.OutcomeDesc != tc.desc {
			t.Errorf("%s: subtype %q action %q outcome %q %q, want %q %q %q %q", name, subtype, ev.Action, ev.Outcome, ev.OutcomeDesc,
				tc.subtype, tc.action, tc.outcome, tc.desc)
		}
		if ev.ID != AuditEventID(e.Register, e.Seq) || !validID(ev.ID) {
			t.Errorf("%s: id %q", name, ev.ID)
		}
		who := ev.Agent[0]
		if !who.Requestor || *who.Who.Reference != "Practitioner/pro-7" || *who.Who.Display != "Liisa Lääkäri" {
			t.Errorf("%s: first agent %+v, want the requestor by name", name, who)
		}
		p := ev.Entity[0]
		if *p.What.Reference != "Patient/person-1" || *p.Type.Code != "1" || *p.Role.Code != "1" {
			t.Errorf("%s: first entity %+v, want the patient", name, p)
		}
	}
}

func TestFromEntryNamesTheDataAndTheConsents(t *testing.T) {
	ev := FromEntry(sampleEntry(), sampleAuditRefs)
	var whats []string
	for _, en := range ev.Entity {
		if en.What != nil && en.What.Reference != nil {
			whats = append(whats, *en.What.Reference)
		}
	}
	want := []string{"Patient/person-1", "Observation/m-1", "Observation/m-2", "Observation/m-3", "Consent/grant-1"}
	if !slices.Equal(whats, want) {
		t.Errorf("entities %v, want %v", whats, want)
	}
	data := ev.Entity[1]
	if data.Description != "measurements: Blood pressure panel with all children optional; Heart rate" ||
		len(data.Detail) != 1 || data.Detail[0] != (AuditEventDetail{Type: "count", ValueString: "3"}) {
		t.Errorf("data entity %+v", data)
	}
	if ev.Agent[0].Role[0].Text == nil || *ev.Agent[0].Role[0].Text != "sairaanhoitaja, Kardiologian poliklinikka" {
		t.Errorf("role %+v, want title and unit", ev.Agent[0].Role)
	}
}

func TestAuditEventIsValidR4(t *testing.T) {
	var docs [][]byte
	for _, e := range auditVariants() {
		docs = append(docs, marshal(t, FromEntry(e, sampleAuditRefs)))
	}
	fhirschema.Validate(t, docs...)
}

func TestAuditEventGolden(t *testing.T) {
	golden(t, "auditevent", FromEntry(sampleEntry(), sampleAuditRefs))
}

func TestParseAuditEventSearch(t *testing.T) {
	q, err := ParseAuditEventSearch(url.Values{"patient": {"Patient/person-1"}, "date": {"ge2025-05-01", "lt2025-06-01T00:00:00Z"}, "_count": {"20"}}, HandlingStrict)
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2025, 4, 30, 21, 0, 0, 0, time.UTC) // midnight in Finland
	if q.Patient != "person-1" || !q.Query.From.Equal(from) || !q.Query.To.Equal(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)) ||
		q.Query.Limit != 20 || q.Empty || q.Query.PatientID != "" {
		t.Errorf("query %+v", q)
	}
	q, err = ParseAuditEventSearch(url.Values{"date": {"gt2025-06-01", "lt2025-05-01"}}, HandlingStrict)
	if err != nil || !q.Empty || q.Query.Limit != DefaultPageSize {
		t.Errorf("contradicting dates: %+v, %v; want Empty", q, err)
	}
	for _, v := range []url.Values{
		{"code": {"x"}}, {"date": {"ne2025-01-01"}}, {"date": {"ge2025-01-01,le2025-02-01"}},
		{"patient": {"Practitioner/pro-7"}}, {"_sort": {"date"}}, {"_cursor": {"abc"}},
	} {
		if _, err := ParseAuditEventSearch(v, HandlingStrict); !errors.Is(err, ErrInvalidParam) {
			t.Errorf("%v: err = %v, want ErrInvalidParam", v, err)
		}
	}
}
