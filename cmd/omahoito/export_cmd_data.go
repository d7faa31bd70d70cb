package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/exchange"
	"github.com/omahoito/omahoito/fhir"
	"github.com/omahoito/omahoito/record"
)

// exportTypes are the package's resource types in the order written.
var exportTypes = []string{"Patient", "Observation", "Consent", "AuditEvent", "DocumentReference"}

// auditPage is how many access-log entries one query reads.
const auditPage = 1000

// exportSummary is what a package holds, for the one-line report and
// the access log. It names no one: counts, sizes and ids only.
type exportSummary struct {
	id          string
	source      exchange.Source
	counts      map[string]int64
	files       int
	fileBytes   int64
	packageSize int64
}

func (s exportSummary) resources() int {
	n := int64(0)
	for _, c := range s.counts {
		n += c
	}
	return int(n)
}

// line is the summary printed at the end: where it came from, the count
// of each type, the files and the size of the package.
func (s exportSummary) line(out string) string {
	var parts []string
	for _, t := range exportTypes {
		parts = append(parts, fmt.Sprintf("%s %d", t, s.counts[t]))
	}
	return fmt.Sprintf("exported package %s from %s/%s to %s: %s, files %d (%d bytes), package %d bytes",
		s.id, s.source.Deployment, s.source.Region, out, strings.Join(parts, ", "), s.files, s.fileBytes, s.packageSize)
}

// countingWriter counts the bytes of the package as written.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// writePackage writes the person's package to w. An error leaves w to be
// thrown away.
func writePackage(ctx context.Context, w io.Writer, src exportSources, person auth.Person) (exportSummary, error) {
	cw := &countingWriter{w: w}
	// The id is ours, so that the summary and the access log can name it.
	h := exchange.Header{ID: "export-" + rand.Text(), Source: src.source, Person: person.ID}
	pw, err := exchange.NewWriter(cw, h, src.key)
	if err != nil {
		return exportSummary{}, err
	}
	x := &exporter{src: src, person: person, pw: pw, counts: map[string]int64{}}
	steps := []func(context.Context) error{x.patient, x.observations, x.consents, x.accessLog, x.files}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			_ = pw.Close()
			return exportSummary{}, err
		}
	}
	if err := pw.Close(); err != nil {
		return exportSummary{}, err
	}
	sum := exportSummary{id: h.ID, source: h.Source, counts: x.counts, files: len(x.fileList), packageSize: cw.n}
	for _, f := range x.fileList {
		sum.fileBytes += f.Size
	}
	return sum, nil
}

// exporter writes one person's package, step by step.
type exporter struct {
	src      exportSources
	person   auth.Person
	pw       *exchange.Writer
	fileList []record.File // the files described, whose content goes last
	counts   map[string]int64
}

// ndjson writes one type's resources, each marshalled on its own line.
func (x *exporter) ndjson(typ string, resources []any) error {
	x.counts[typ] = int64(len(resources))
	return x.pw.AddNDJSON(typ, func(emit func([]byte) error) error {
		for _, r := range resources {
			b, err := json.Marshal(r)
			if err != nil {
				return fmt.Errorf("%s: %w", typ, err)
			}
			if err := emit(b); err != nil {
				return err
			}
		}
		return nil
	})
}

// patient is the Patient as the API renders it, with the personal
// identity code: the package is for the person's next register.
func (x *exporter) patient(ctx context.Context) error {
	region, err := x.src.store.Region(ctx, x.person.HomeRegion)
	if err != nil {
		return fmt.Errorf("home region %s: %w", x.person.HomeRegion, err)
	}
	return x.ndjson("Patient", []any{fhir.Patient(x.person, region)})
}

// observations is every version of every measurement, deleted ones
// included, oldest version first; a deleted version is the measurement
// as it stood, with status entered-in-error.
func (x *exporter) observations(ctx context.Context) error {
	ids, err := personMeasurementIDs(ctx, x.src.store, x.person.ID)
	if err != nil {
		return err
	}
	var out []any
	for _, id := range ids {
		versions, err := x.src.store.MeasurementHistory(ctx, x.person.ID, id)
		if err != nil {
			return fmt.Errorf("measurement %s: %w", id, err)
		}
		slices.SortFunc(versions, func(a, b record.Measurement) int { return a.Version - b.Version })
		for _, m := range versions {
			o := fhir.Observation(m)
			if m.Deleted {
				o.Status = fm.ObservationStatusEnteredInError
			}
			out = append(out, o)
		}
	}
	return x.ndjson("Observation", out)
}

// personMeasurementIDs lists the ids of every measurement of the person,
// deleted ones too, which no search of record.Store returns.
func personMeasurementIDs(ctx context.Context, st storage, personID string) ([]string, error) {
	s, ok := st.(interface {
		MeasurementIDs(ctx context.Context, personID string) ([]string, error)
	})
	if !ok {
		return nil, errors.New("this database cannot list a person's measurements")
	}
	return s.MeasurementIDs(ctx, personID)
}

// consents is every grant of the person, whatever its status, oldest
// first, with the grantee named from the directory as the API does.
func (x *exporter) consents(ctx context.Context) error {
	grants, err := x.src.store.Grants(ctx, x.person.ID)
	if err != nil {
		return fmt.Errorf("consents: %w", err)
	}
	slices.Reverse(grants)
	now := time.Now()
	out := make([]any, 0, len(grants))
	for _, g := range grants {
		refs, err := x.consentRefs(ctx, g)
		if err != nil {
			return err
		}
		out = append(out, fhir.FromGrant(g, refs, now))
	}
	return x.ndjson("Consent", out)
}

func (x *exporter) consentRefs(ctx context.Context, g consent.Grant) (fhir.ConsentRefs, error) {
	refs := fhir.ConsentRefs{Patient: "Patient/" + g.PersonID, Performer: "Patient/" + g.PersonID}
	var err error
	switch g.Grantee.Kind {
	case consent.GranteeProfessional:
		refs.Grantee = "Practitioner/" + g.Grantee.ID
		var pro auth.Professional
		if pro, err = x.src.store.Professional(ctx, g.Grantee.ID); err == nil {
			refs.GranteeDisplay = joinNonEmpty(", ", joinNonEmpty(" ", pro.GivenName, pro.FamilyName), pro.Title)
		}
	case consent.GranteeUnit:
		refs.Grantee = "Organization/" + g.Grantee.ID
		var unit auth.CareUnit
		if unit, err = x.src.store.CareUnit(ctx, g.Grantee.ID); err == nil {
			refs.GranteeDisplay = unit.Name
		}
	}
	if err != nil && !errors.Is(err, auth.ErrNotFound) {
		return refs, fmt.Errorf("grantee of consent %s: %w", g.ID, err)
	}
	return refs, nil
}

// accessLog is the person's access-log entries, oldest first, with each
// register's controller as the observer, as the API renders them.
func (x *exporter) accessLog(ctx context.Context) error {
	var entries []audit.Entry
	q := audit.Query{PatientID: x.person.ID, Limit: auditPage}
	for {
		page, err := x.src.store.PatientEntries(ctx, q)
		if err != nil {
			return err
		}
		entries = append(entries, page...)
		if len(page) < auditPage {
			break
		}
		last := page[len(page)-1]
		q.After = &audit.Cursor{Time: last.Time, Seq: last.Seq, Register: last.Register}
	}
	slices.Reverse(entries)
	observers := map[string]string{}
	out := make([]any, 0, len(entries))
	for _, e := range entries {
		observer, ok := observers[e.Register]
		if !ok {
			region, err := x.src.store.Region(ctx, e.Register)
			if err != nil && !errors.Is(err, auth.ErrNotFound) {
				return err
			}
			if observer = region.RegistrarName; observer == "" {
				observer = "omahoito"
			}
			observers[e.Register] = observer
		}
		refs := fhir.AuditRefs{Observer: observer}
		if e.Actor.ID != "" && e.Actor.Kind == string(auth.KindProfessional) {
			refs.Agent = "Practitioner/" + e.Actor.ID
		}
		out = append(out, fhir.FromEntry(e, refs))
	}
	return x.ndjson("AuditEvent", out)
}

// files describes every current file (deleted ones are left out: their
// content is swept from the bucket) and then writes each one's content,
// decrypted and checked against its size and SHA-256 as it streams.
func (x *exporter) files(ctx context.Context) error {
	fs, err := x.src.store.Files(ctx, x.person.ID, nil)
	if err != nil {
		return fmt.Errorf("files: %w", err)
	}
	slices.Reverse(fs)
	x.fileList = fs
	out := make([]any, 0, len(fs))
	for _, f := range fs {
		out = append(out, fhir.DocumentReference(f))
	}
	if err := x.ndjson("DocumentReference", out); err != nil {
		return err
	}
	for _, f := range fs {
		if err := x.fileContent(ctx, f); err != nil {
			return fmt.Errorf("file %s: %w", f.ID, err)
		}
	}
	return nil
}

func (x *exporter) fileContent(ctx context.Context, f record.File) error {
	rc, err := x.src.content.Get(ctx, f.ContentKey, f.DataKey, f.MasterKeyID, f.Size, f.SHA256)
	if err != nil {
		return err
	}
	defer rc.Close()
	return x.pw.AddFile(f.ID, rc)
}
