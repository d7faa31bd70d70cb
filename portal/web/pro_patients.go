package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/record"
)

type proPatientItem struct {
	Name, Href string
	Consents   []string
}

type proPatientsPage struct {
	layout
	Patients []proPatientItem
	// More says the list is cut: those whose consent is newest are shown,
	// the others are found by looking them up.
	More string
}

// proPatientsShown bounds the list of patients; a variable so that a test
// can cut the list short.
var proPatientsShown = consent.MaxPatients

// proPatients lists the people whose consent in force covers the
// professional, by name or through their current unit, and what each
// consent covers: at most proPatientsShown of them. The consent service
// decides and logs each one.
func (s *Pages) proPatients(c *gin.Context, who auth.Principal) error {
	ctx := c.Request.Context()
	patients, more, err := s.Consents.MyPatients(ctx, who, proPatientsShown)
	if err != nil {
		return err
	}
	page := proPatientsPage{layout: s.layout(c, msgProPatientsTitle)}
	if more {
		page.More = page.translator.Count(msgProPatientsMore, len(patients))
	}
	for _, p := range patients {
		views, err := s.proGrantViews(ctx, p.Grants, page.translator)
		if err != nil {
			return err
		}
		item := proPatientItem{Name: fullName(p.GivenName, p.FamilyName), Href: proPatientHref(p.PersonID)}
		for _, v := range views {
			item.Consents = append(item.Consents, v.line(page.translator))
		}
		page.Patients = append(page.Patients, item)
	}
	s.render(c, http.StatusOK, "pro_patients", page)
	return nil
}

type proPatientPage struct {
	layout
	Consents []string
	Rows     []overviewRow
	// Measurements is whether any consent covers home measurements.
	Measurements bool
	Files        proFilesSection
}

// proPatient shows one patient under the consents in force: which
// consents, the latest measurement of each kind they cover, and the
// files they cover. The measurements are one service call, so one
// decision and one access-log entry; the gate answers first, so a
// professional without consent learns nothing, not even whether the id
// is anyone's. The consents' details are those the decision named
// (GrantsUsed, which that entry already names). When they cover files,
// the list of files is a second read, decided and logged by the files
// service.
func (s *Pages) proPatient(c *gin.Context, who auth.Principal) error {
	ctx := c.Request.Context()
	id := c.Param("id")
	ov, err := s.Records.Overview(ctx, who, id)
	if err != nil {
		return err
	}
	grants, err := s.Consents.GrantsUsed(ctx, who, id, ov.Grants)
	if err != nil {
		return err
	}
	page := proPatientPage{layout: s.layout(c, msgProPatientTitle)}
	page.Title = fullName(ov.Patient.GivenName, ov.Patient.FamilyName)
	views, err := s.proGrantViews(ctx, grants, page.translator)
	if err != nil {
		return err
	}
	for _, v := range views {
		page.Consents = append(page.Consents, v.sentence(page.translator))
	}
	if kinds := proCoveredKinds(grants); len(kinds) > 0 {
		page.Measurements, page.Rows = true, proLatestRows(id, kinds, ov.Latest, page.translator)
	}
	if page.Files, err = s.proFiles(ctx, who, id, grants, page.translator); err != nil {
		return err
	}
	s.render(c, http.StatusOK, "pro_patient", page)
	return nil
}

// proLatestRows are the covered kinds with their newest measurement, if any.
func proLatestRows(personID string, kinds []record.Kind, latest []record.Measurement, t translator) []overviewRow {
	byKind := map[record.Kind]record.Measurement{}
	for _, m := range latest {
		byKind[m.Kind] = m
	}
	rows := make([]overviewRow, 0, len(kinds))
	for _, k := range kinds {
		spec, ok := record.SpecOf(k)
		if !ok {
			continue
		}
		row := overviewRow{Name: kindName(k, t), Href: proKindHref(personID, k), Latest: t.T(msgMeasOverviewNone)}
		if m, ok := byKind[k]; ok {
			at := t.moment(m.At)
			row.Latest, row.At = valueWithUnit(m, spec, t), &at
		}
		rows = append(rows, row)
	}
	return rows
}
