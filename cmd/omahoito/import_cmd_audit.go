package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/exchange"
	"github.com/omahoito/omahoito/fhir"
	"github.com/omahoito/omahoito/record"
)

// auditEventOf reads back an access-log entry as fhir.FromEntry wrote it,
// with its source: the package's deployment and the entry's register, its
// sequence number there, and the SHA-256 of the line (the entry's own
// chain hash is not in the AuditEvent). What the AuditEvent does not say
// stays empty: the kind of an actor who is not a professional, and a
// denial's reason code (its text is kept instead).
func auditEventOf(line []byte, src exchange.Source) (audit.Entry, audit.Source, error) {
	var ev fhir.AuditEvent
	if err := json.Unmarshal(line, &ev); err != nil {
		return audit.Entry{}, audit.Source{}, err
	}
	cut := strings.LastIndexByte(ev.ID, '-')
	seq, err := strconv.ParseInt(ev.ID[cut+1:], 10, 64)
	if cut < 0 || err != nil || ev.Source.Site == "" || ev.ID[:cut] != ev.Source.Site {
		return audit.Entry{}, audit.Source{}, fmt.Errorf("AuditEvent id %q does not name its register and sequence", ev.ID)
	}
	sum := sha256.Sum256(line)
	source := audit.Source{Register: src.Deployment + "/" + ev.Source.Site, Seq: seq, Hash: sum[:]}
	e := audit.Entry{Action: auditActionOf(ev), Outcome: audit.Permit}
	if e.Time, err = time.Parse(time.RFC3339Nano, ev.Recorded); err != nil {
		return e, source, fmt.Errorf("AuditEvent %s recorded: %v", ev.ID, err)
	}
	if ev.Outcome != "0" {
		e.Outcome, e.Reason = audit.Deny, ev.OutcomeDesc
	}
	if len(ev.PurposeOfEvent) > 0 {
		e.Purpose = consentPurpose(ev.PurposeOfEvent[0].Text)
	}
	e.Actor, e.OnBehalfOf = auditActorOf(ev)
	if e.Action == "export" && e.Actor.Kind == "" {
		e.Actor.Kind = string(auth.KindOperator)
	}
	auditEntitiesOf(ev, &e)
	return e, source, nil
}

// consentPurpose is the purpose of an entry: treatment unless the
// AuditEvent named another in words.
func consentPurpose(text *string) string {
	if text != nil {
		return *text
	}
	return "treatment"
}

func auditActionOf(ev fhir.AuditEvent) string {
	if ev.Type.Code != nil && *ev.Type.Code == "110106" {
		return "export"
	}
	if len(ev.Subtype) > 0 && ev.Subtype[0].Code != nil {
		switch *ev.Subtype[0].Code {
		case "search-type":
			return string(record.ActionSearch)
		case "history-instance":
			return string(record.ActionHistory)
		}
	}
	return "read"
}

// auditActorOf reads the requestor and the agents beside them.
func auditActorOf(ev fhir.AuditEvent) (audit.Actor, string) {
	var a audit.Actor
	var onBehalfOf, role string
	for i, ag := range ev.Agent {
		ref, display := refParts(ag.Who)
		typ := ""
		if ag.Type != nil && len(ag.Type.Coding) > 0 && ag.Type.Coding[0].Code != nil {
			typ = *ag.Type.Coding[0].Code
		}
		switch {
		case i == 0 && ag.Requestor:
			a.Name = display
			if id, ok := strings.CutPrefix(ref, "Practitioner/"); ok {
				a.Kind, a.ID = string(auth.KindProfessional), id
			}
			if len(ag.Role) > 0 && ag.Role[0].Text != nil {
				role = *ag.Role[0].Text
			}
		case typ == "PROV":
			a.UnitID, a.UnitName = strings.TrimPrefix(ref, "Organization/"), display
		case typ == "110150":
			a.Client = display
		case strings.HasPrefix(ref, "Patient/"):
			onBehalfOf = strings.TrimPrefix(ref, "Patient/")
		}
	}
	a.Title = strings.TrimSuffix(strings.TrimSuffix(role, a.UnitName), ", ")
	return a, onBehalfOf
}

// refParts is a reference's reference and display, "" when absent.
func refParts(r *fm.Reference) (ref, display string) {
	if r == nil {
		return "", ""
	}
	if r.Reference != nil {
		ref = *r.Reference
	}
	if r.Display != nil {
		display = *r.Display
	}
	return ref, display
}

// auditEntitiesOf reads the patient, the data touched, the request and
// the consents used.
func auditEntitiesOf(ev fhir.AuditEvent, e *audit.Entry) {
	for i, en := range ev.Entity {
		ref := ""
		if en.What != nil && en.What.Reference != nil {
			ref = *en.What.Reference
		}
		switch {
		case i == 0:
			e.PatientID = strings.TrimPrefix(ref, "Patient/")
		case en.Description != "" || len(en.Detail) > 0:
			class, names, _ := strings.Cut(en.Description, ": ")
			e.Class = class
			e.Kinds = kindsNamed(names)
			for _, d := range en.Detail {
				if d.Type == "count" {
					e.Count, _ = strconv.Atoi(d.ValueString)
				}
			}
			if _, id, ok := strings.Cut(ref, "/"); ok {
				e.IDs = []string{id}
			}
		case en.What != nil && en.What.Identifier != nil && en.What.Identifier.Value != nil:
			e.RequestID = *en.What.Identifier.Value
		case strings.HasPrefix(ref, "Consent/") && en.Role == nil:
			e.Grants = append(e.Grants, strings.TrimPrefix(ref, "Consent/"))
		default: // one of several items touched
			if _, id, ok := strings.Cut(ref, "/"); ok {
				e.IDs = append(e.IDs, id)
			}
		}
	}
}

// kindsNamed turns LOINC display names back into kinds.
func kindsNamed(names string) []string {
	if names == "" {
		return nil
	}
	var kinds []string
	for _, n := range strings.Split(names, "; ") {
		k := n
		for _, spec := range record.Specs() {
			if spec.Display == n {
				k = string(spec.Kind)
			}
		}
		kinds = append(kinds, k)
	}
	return kinds
}

// copyAccessLog appends the package's access-log entries to REGION's
// chain as imported entries, each once by its source.
func (x *importer) copyAccessLog(ctx context.Context) error {
	m := x.pkg.Manifest()
	if m.Counts["AuditEvent"] == 0 {
		return nil
	}
	src := m.Source
	var es []audit.Entry
	var sources []audit.Source
	err := x.pkg.EachLine("AuditEvent", func(line []byte) error {
		e, s, err := auditEventOf(line, src)
		if err != nil {
			return fmt.Errorf("%w: %v", errPackageContent, err)
		}
		e.PatientID = x.data.person.ID
		own, err := x.ownEntry(ctx, e, s)
		if err != nil || own {
			x.sum.entries.Present++
			return err
		}
		es, sources = append(es, e), append(sources, s)
		return nil
	})
	if err != nil {
		return err
	}
	n, err := x.src.store.(audit.ImportStore).AppendImported(ctx, x.region, es, sources)
	x.sum.entries.Added = n
	x.sum.entries.Present += len(es) - n
	return err
}

// ownEntry reports whether e is an entry of REGION's own chain in this
// deployment, still there (a package imported back): it is not copied
// into the chain it came from.
func (x *importer) ownEntry(ctx context.Context, e audit.Entry, s audit.Source) (bool, error) {
	if s.Register != x.src.source.Deployment+"/"+x.region {
		return false, nil
	}
	have, err := x.src.store.Entries(ctx, x.region, s.Seq-1, 1)
	if err != nil {
		return false, err
	}
	return len(have) == 1 && have[0].Seq == s.Seq && have[0].Time.Equal(e.Time) && have[0].PatientID == e.PatientID, nil
}
