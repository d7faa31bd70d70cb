package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/exchange"
	"github.com/omahoito/omahoito/fhir"
	"github.com/omahoito/omahoito/record"
)

// attachmentSHA256URL is the extension in which fhir.DocumentReference
// gives the SHA-256 of a file's content (unexported there; the round trip
// in the import's tests holds the two equal).
const attachmentSHA256URL = "https://omahoito.fi/fhir/StructureDefinition/attachment-sha256"

// errPackageContent is a signed package whose resources cannot be read
// back into a register: the signature vouches for who made it, not that
// it makes sense.
var errPackageContent = errors.New("package content")

// importData is what a package carries, read back into domain types.
type importData struct {
	person       auth.Person // ID, Hetu and names from the Patient
	measurements []record.Measurement
	files        []record.File   // metadata; the content is in the package
	grants       []consent.Grant // ended, reason moved; Region set by the copy
	counts       map[string]int64
}

// readPackage reads the Patient, every Observation version and every
// DocumentReference of pkg, each of which must name the manifest's person.
func readPackage(pkg *exchange.Package) (importData, error) {
	m := pkg.Manifest()
	d := importData{counts: m.Counts}
	if m.Counts["Patient"] != 1 {
		return d, fmt.Errorf("%w: %d Patients, want 1", errPackageContent, m.Counts["Patient"])
	}
	steps := []struct {
		typ  string
		read func([]byte) error
	}{
		{"Patient", d.readPatient},
		{"Observation", d.readObservation},
		{"DocumentReference", d.readDocument},
		{"Consent", d.readConsent},
	}
	for _, s := range steps {
		if m.Counts[s.typ] == 0 {
			continue
		}
		if err := pkg.EachLine(s.typ, s.read); err != nil {
			return d, fmt.Errorf("%s: %w", s.typ, err)
		}
	}
	if d.person.ID != m.Person {
		return d, fmt.Errorf("%w: the Patient is %q, the manifest names %q", errPackageContent, d.person.ID, m.Person)
	}
	for _, x := range d.measurements {
		if x.PersonID != m.Person {
			return d, fmt.Errorf("%w: Observation %s is of another person", errPackageContent, x.ID)
		}
	}
	for _, g := range d.grants {
		if g.PersonID != m.Person {
			return d, fmt.Errorf("%w: Consent %s is of another person", errPackageContent, g.ID)
		}
	}
	for _, f := range d.files {
		if f.PersonID != m.Person {
			return d, fmt.Errorf("%w: DocumentReference %s is of another person", errPackageContent, f.ID)
		}
	}
	return d, nil
}

type patientIn struct {
	ID         string `json:"id"`
	Identifier []struct {
		System string `json:"system"`
		Value  string `json:"value"`
	} `json:"identifier"`
	Name []struct {
		Family string   `json:"family"`
		Given  []string `json:"given"`
	} `json:"name"`
}

func (d *importData) readPatient(line []byte) error {
	var in patientIn
	if err := json.Unmarshal(line, &in); err != nil {
		return fmt.Errorf("%w: %v", errPackageContent, err)
	}
	d.person.ID = in.ID
	for _, id := range in.Identifier {
		if id.System == auth.HetuSystem {
			h, err := auth.ParseHetu(id.Value)
			if err != nil {
				return fmt.Errorf("%w: the Patient's identity code is not valid", errPackageContent)
			}
			d.person.Hetu = h
		}
	}
	if d.person.Hetu.Value() == "" {
		return fmt.Errorf("%w: the Patient has no personal identity code", errPackageContent)
	}
	if len(in.Name) > 0 {
		d.person.FamilyName = in.Name[0].Family
		d.person.GivenName = strings.Join(in.Name[0].Given, " ")
	}
	return nil
}

type quantityIn struct {
	Value *json.Number `json:"value"`
}

type codingsIn struct {
	Coding []struct {
		System string `json:"system"`
		Code   string `json:"code"`
	} `json:"coding"`
}

type observationIn struct {
	ID   string `json:"id"`
	Meta struct {
		VersionID   string `json:"versionId"`
		LastUpdated string `json:"lastUpdated"`
		Source      string `json:"source"`
	} `json:"meta"`
	Status     string    `json:"status"`
	Code       codingsIn `json:"code"`
	Subject    struct{ Reference string }
	Effective  string `json:"effectiveDateTime"`
	Identifier []struct {
		System string `json:"system"`
		Value  string `json:"value"`
	} `json:"identifier"`
	Note      []struct{ Text string }
	Value     *quantityIn `json:"valueQuantity"`
	Component []struct {
		Code  codingsIn   `json:"code"`
		Value *quantityIn `json:"valueQuantity"`
	} `json:"component"`
}

// readObservation reads one version of a measurement as fhir.Observation
// wrote it: the value in the kind's canonical unit. Who entered it is not
// in the resource; the copy names the person (or the device's client).
func (d *importData) readObservation(line []byte) error {
	var in observationIn
	if err := json.Unmarshal(line, &in); err != nil {
		return fmt.Errorf("%w: %v", errPackageContent, err)
	}
	m, err := in.measurement()
	if err != nil {
		return fmt.Errorf("%w: Observation %s: %v", errPackageContent, in.ID, err)
	}
	d.measurements = append(d.measurements, m)
	return nil
}

func (in observationIn) measurement() (record.Measurement, error) {
	m := record.Measurement{ID: in.ID, PersonID: strings.TrimPrefix(in.Subject.Reference, "Patient/"),
		Deleted: in.Status == "entered-in-error"}
	var err error
	if m.Version, err = strconv.Atoi(in.Meta.VersionID); err != nil || m.Version < 1 {
		return m, fmt.Errorf("version %q", in.Meta.VersionID)
	}
	if m.At, err = time.Parse(time.RFC3339Nano, in.Effective); err != nil {
		return m, fmt.Errorf("effectiveDateTime: %v", err)
	}
	if m.Updated, err = time.Parse(time.RFC3339Nano, in.Meta.LastUpdated); err != nil {
		return m, fmt.Errorf("lastUpdated: %v", err)
	}
	spec, ok := specOf(in.Code)
	if !ok {
		return m, errors.New("no kind omahoito knows")
	}
	m.Kind = spec.Kind
	if len(in.Note) > 0 {
		m.Note = in.Note[0].Text
	}
	if len(in.Identifier) > 0 {
		id := in.Identifier[0]
		m.Identifier = id.Value
		if id.System != "" {
			m.Identifier = id.System + "|" + id.Value
		}
	}
	m.EnteredBy = record.Actor{Kind: record.ActorPerson, ID: m.PersonID}
	m.Source = record.Source{Kind: record.SourceManual}
	if client, ok := strings.CutPrefix(in.Meta.Source, fhir.ClientSourcePrefix); ok {
		m.Source = record.Source{Kind: record.SourceDevice, Client: client}
	}
	return m, in.values(&m)
}

// values sets the value, and the diastolic of a blood pressure, from the
// quantity or the components.
func (in observationIn) values(m *record.Measurement) error {
	if in.Value != nil {
		v, err := number(in.Value)
		m.Value = v
		return err
	}
	for _, c := range in.Component {
		if c.Value == nil || len(c.Code.Coding) == 0 {
			return errors.New("a component without a value")
		}
		v, err := number(c.Value)
		if err != nil {
			return err
		}
		switch c.Code.Coding[0].Code {
		case record.SystolicCode:
			m.Value = v
		case record.DiastolicCode:
			m.Diastolic = v
		}
	}
	return nil
}

func number(q *quantityIn) (float64, error) {
	if q.Value == nil {
		return 0, errors.New("a quantity without a value")
	}
	return strconv.ParseFloat(q.Value.String(), 64)
}

func specOf(cc codingsIn) (record.Spec, bool) {
	for _, c := range cc.Coding {
		if spec, ok := record.SpecByCode(c.Code); ok && c.System == fhir.LOINCSystem {
			return spec, true
		}
	}
	return record.Spec{}, false
}

type documentIn struct {
	ID   string `json:"id"`
	Meta struct {
		VersionID   string `json:"versionId"`
		LastUpdated string `json:"lastUpdated"`
	} `json:"meta"`
	Subject     struct{ Reference string }
	Description string `json:"description"`
	Content     []struct {
		Attachment struct {
			ContentType string `json:"contentType"`
			Size        *int64 `json:"size"`
			Title       string `json:"title"`
			Creation    string `json:"creation"`
			Extension   []struct {
				URL   string `json:"url"`
				Value string `json:"valueBase64Binary"`
			} `json:"extension"`
		} `json:"attachment"`
	} `json:"content"`
}

// readDocument reads a file's description as fhir.DocumentReference wrote
// it: its current version, size and SHA-256.
func (d *importData) readDocument(line []byte) error {
	var in documentIn
	if err := json.Unmarshal(line, &in); err != nil {
		return fmt.Errorf("%w: %v", errPackageContent, err)
	}
	f, err := in.file()
	if err != nil {
		return fmt.Errorf("%w: DocumentReference %s: %v", errPackageContent, in.ID, err)
	}
	d.files = append(d.files, f)
	return nil
}

func (in documentIn) file() (record.File, error) {
	f := record.File{ID: in.ID, PersonID: strings.TrimPrefix(in.Subject.Reference, "Patient/"), Title: in.Description}
	var err error
	if f.Version, err = strconv.Atoi(in.Meta.VersionID); err != nil || f.Version < 1 {
		return f, fmt.Errorf("version %q", in.Meta.VersionID)
	}
	if f.UpdatedAt, err = time.Parse(time.RFC3339Nano, in.Meta.LastUpdated); err != nil {
		return f, fmt.Errorf("lastUpdated: %v", err)
	}
	if len(in.Content) != 1 {
		return f, errors.New("not one content")
	}
	att := in.Content[0].Attachment
	if att.Size == nil || *att.Size < 0 {
		return f, errors.New("no size")
	}
	f.Size, f.Name, f.Type = *att.Size, att.Title, record.MediaType(att.ContentType)
	if f.CreatedAt, err = time.Parse(time.RFC3339Nano, att.Creation); err != nil {
		return f, fmt.Errorf("creation: %v", err)
	}
	for _, x := range att.Extension {
		if x.URL == attachmentSHA256URL {
			f.SHA256, err = base64.StdEncoding.DecodeString(x.Value)
		}
	}
	if err != nil || len(f.SHA256) != 32 {
		return f, errors.New("no SHA-256 of the content")
	}
	f.EnteredBy = record.Actor{Kind: record.ActorPerson, ID: f.PersonID}
	return f, nil
}

// readConsent reads a grant as fhir.FromGrant wrote it, into a grant that
// has ended with reason moved: it was given in another register, to its
// professionals.
func (d *importData) readConsent(line []byte) error {
	in, err := fhir.ParseConsent(line)
	if err != nil {
		return fmt.Errorf("%w: Consent: %v", errPackageContent, err)
	}
	var extra struct {
		Meta struct {
			VersionID string `json:"versionId"`
		} `json:"meta"`
		DateTime string `json:"dateTime"`
	}
	if err := json.Unmarshal(line, &extra); err != nil {
		return fmt.Errorf("%w: Consent %s: %v", errPackageContent, in.ID, err)
	}
	g := consent.Grant{ID: in.ID, PersonID: in.Patient, Grantee: consent.Grantee{Kind: in.GranteeKind, ID: in.GranteeID},
		Scope: in.Scope, Start: in.Start, End: in.End, Purpose: consent.PurposeTreatment,
		GivenBy: record.Actor{Kind: record.ActorPerson, ID: in.Patient}, Status: consent.StatusEnded,
		EndedAt: time.Now(), EndReason: consent.EndMoved}
	if g.Version, err = strconv.Atoi(extra.Meta.VersionID); err != nil || g.Version < 1 {
		return fmt.Errorf("%w: Consent %s: version %q", errPackageContent, in.ID, extra.Meta.VersionID)
	}
	if g.CreatedAt, err = time.Parse(time.RFC3339Nano, extra.DateTime); err != nil {
		return fmt.Errorf("%w: Consent %s: dateTime: %v", errPackageContent, in.ID, err)
	}
	if g.ID == "" || g.Start.IsZero() {
		return fmt.Errorf("%w: Consent without id or start", errPackageContent)
	}
	d.grants = append(d.grants, g)
	return nil
}
