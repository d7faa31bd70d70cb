package fhirapi

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/fhir"
	"github.com/omahoito/omahoito/portal"
	"github.com/omahoito/omahoito/record"
)

func (s *API) patientRoutes(api *gin.RouterGroup) {
	api.GET("/Patient", s.handle(s.searchPatients))
	api.POST("/Patient/_search", s.handle(s.searchPatients))
	api.GET("/Patient/:id", s.handle(s.readPatient))
}

func (s *API) directoryRoutes(api *gin.RouterGroup) {
	api.GET("/Practitioner", s.handle(s.searchPractitioners))
	api.POST("/Practitioner/_search", s.handle(s.searchPractitioners))
	api.GET("/Practitioner/:id", s.handle(s.readPractitioner))
	api.GET("/Organization", s.handle(s.searchOrganizations))
	api.POST("/Organization/_search", s.handle(s.searchOrganizations))
	api.GET("/Organization/:id", s.handle(s.readOrganization))
}

func (s *API) capability(c *gin.Context) error {
	s.render(c, http.StatusOK, fhir.Capability(s.apiBase(), s.Version, s.started))
	return nil
}

// errHetuInURL refuses a personal identity code in a URL: URLs end up in
// logs, proxies and browser histories (DESIGN §2.4).
var errHetuInURL = fmt.Errorf("%w: a personal identity code must not be sent in a URL; "+
	"send the search as POST [base]/Patient/_search with identifier=urn:oid:1.2.246.21|<code> "+
	"in an application/x-www-form-urlencoded body", portal.ErrBadRequest)

// identifierInURL reports whether the URL's query carries identifier, with
// or without a modifier.
func identifierInURL(c *gin.Context) bool {
	for k := range c.Request.URL.Query() {
		if name, _, _ := strings.Cut(k, ":"); name == "identifier" {
			return true
		}
	}
	return false
}

// searchPatients: the caller's visible patients, narrowed by identifier
// (the personal identity code, by POST _search only). The service decides
// who may be seen; a person the caller may not see is left out, never
// named.
func (s *API) searchPatients(c *gin.Context) error {
	if identifierInURL(c) {
		return errHetuInURL // before parsing: an error message must not echo it
	}
	q, err := s.parseSearch(c, fhir.PatientSearch)
	if err != nil {
		return err
	}
	if len(q.Get("identifier")) == 0 && principal(c).Kind == auth.KindProfessional {
		return s.myPatients(c, q)
	}
	people, err := s.patientCandidates(c, q)
	if err != nil {
		return err
	}
	entries := make([]fhir.Entry, 0, len(people))
	for _, p := range people {
		if !matchAll(q.Get("identifier"), func(cr fhir.Criterion) bool { return cr.MatchToken(auth.HetuSystem, p.Hetu.Value()) }) {
			continue
		}
		region, err := s.Directory.Region(c.Request.Context(), p.HomeRegion)
		if err != nil {
			return err
		}
		entries = append(entries, fhir.Entry{Type: "Patient", ID: p.ID, Resource: fhir.Patient(p, region)})
	}
	return s.renderSearch(c, q, "Patient", pageOf(q, entries), "identifier")
}

// patientCandidates asks the service for the people the search can match:
// the one with the code its identifier names (one at most: the
// declaration takes a single value), or else everyone the caller may see
// (e.g. for "urn:oid:1.2.246.21|", or a code no one can have), which the
// criteria then filter.
func (s *API) patientCandidates(c *gin.Context, q *fhir.Search) ([]auth.Person, error) {
	return s.Records.SearchPatients(c.Request.Context(), principal(c), record.PatientSearch{Hetu: hetuOf(q.Get("identifier"))})
}

// hetuOf is the code the identifier criterion names, when it names one;
// else the zero Hetu.
func hetuOf(ids []fhir.Criterion) auth.Hetu {
	if len(ids) != 1 || len(ids[0].Tokens) != 1 {
		return auth.Hetu{}
	}
	t := ids[0].Tokens[0]
	hetu, err := auth.ParseHetu(t.Code)
	if err != nil || (t.HasSystem && t.System != auth.HetuSystem) {
		return auth.Hetu{}
	}
	return hetu
}

// matchAll reports whether every criterion matches: criteria are ANDed.
func matchAll(criteria []fhir.Criterion, match func(fhir.Criterion) bool) bool {
	for _, cr := range criteria {
		if !match(cr) {
			return false
		}
	}
	return true
}

// readPatient: the service answers 403 for anyone the caller may not see,
// whether or not the id exists, so that the API cannot be used to probe
// for people.
func (s *API) readPatient(c *gin.Context) error {
	person, err := s.Records.Patient(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	region, err := s.Directory.Region(c.Request.Context(), person.HomeRegion)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, fhir.Patient(person, region))
	return nil
}

// searchPractitioners: the region's professionals (not its operators),
// by Terhikki number and by name: starts-with by default, ignoring case
// and accents, or :exact and :contains, over given, family and full name.
func (s *API) searchPractitioners(c *gin.Context) error {
	q, err := s.parseSearch(c, fhir.PractitionerSearch)
	if err != nil {
		return err
	}
	pros, err := s.Directory.SearchProfessionals(c.Request.Context(), principal(c).RegionID, "", "")
	if err != nil {
		return err
	}
	var entries []fhir.Entry
	for _, p := range pros {
		if p.Role != auth.RoleProfessional || !matchPractitioner(q, p) {
			continue // operators run the region; they are not grantees
		}
		entries = append(entries, fhir.Entry{Type: "Practitioner", ID: p.ID, Resource: fhir.Practitioner(p)})
	}
	return s.renderSearch(c, q, "Practitioner", pageOf(q, entries))
}

func matchPractitioner(q *fhir.Search, p auth.Professional) bool {
	return matchAll(q.Get("identifier"), func(cr fhir.Criterion) bool {
		return p.Terhikki != "" && cr.MatchToken(auth.TerhikkiSystem, p.Terhikki)
	}) && matchAll(q.Get("name"), func(cr fhir.Criterion) bool {
		return matchName(cr, p.GivenName, p.FamilyName, strings.TrimSpace(p.GivenName+" "+p.FamilyName))
	})
}

// matchName reports whether the criterion matches any part of a name.
func matchName(cr fhir.Criterion, parts ...string) bool {
	return slices.ContainsFunc(parts, func(part string) bool { return part != "" && cr.MatchString(part) })
}

func (s *API) readPractitioner(c *gin.Context) error {
	p, err := s.Directory.Professional(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if p.RegionID != principal(c).RegionID || p.Role != auth.RoleProfessional {
		return fmt.Errorf("resource Practitioner/%s: %w", c.Param("id"), auth.ErrNotFound)
	}
	s.render(c, http.StatusOK, fhir.Practitioner(p))
	return nil
}

// searchOrganizations: the region's registrar and care units, by OID
// (urn:ietf:rfc:3986|urn:oid:...) and by name, as searchPractitioners.
func (s *API) searchOrganizations(c *gin.Context) error {
	q, err := s.parseSearch(c, fhir.OrganizationSearch)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	region, err := s.Directory.Region(ctx, principal(c).RegionID)
	if err != nil {
		return err
	}
	var entries []fhir.Entry
	if matchOrganization(q, region.RegistrarOID, region.RegistrarName) {
		entries = append(entries, fhir.Entry{Type: "Organization", ID: fhir.RegistrarID(region.ID), Resource: fhir.Registrar(region)})
	}
	units, err := s.Directory.SearchCareUnits(ctx, region.ID, "", "")
	if err != nil {
		return err
	}
	for _, u := range units {
		if matchOrganization(q, u.OID, u.Name) {
			entries = append(entries, fhir.Entry{Type: "Organization", ID: u.ID, Resource: fhir.CareUnit(u, region)})
		}
	}
	return s.renderSearch(c, q, "Organization", pageOf(q, entries))
}

// matchOrganization matches the identifier as published
// (urn:ietf:rfc:3986|urn:oid:X) and, as the directory is searched by it,
// the bare OID X as a code.
func matchOrganization(q *fhir.Search, oid, name string) bool {
	return matchAll(q.Get("identifier"), func(cr fhir.Criterion) bool {
		return cr.MatchToken(fhir.OrganizationOIDSystem, "urn:oid:"+oid) || slices.ContainsFunc(cr.Tokens, func(t fhir.Token) bool {
			return !t.HasSystem && t.Code == oid
		})
	}) && matchAll(q.Get("name"), func(cr fhir.Criterion) bool { return matchName(cr, name) })
}

func (s *API) readOrganization(c *gin.Context) error {
	ctx := c.Request.Context()
	region, err := s.Directory.Region(ctx, principal(c).RegionID)
	if err != nil {
		return err
	}
	id := c.Param("id")
	if id == fhir.RegistrarID(region.ID) {
		s.render(c, http.StatusOK, fhir.Registrar(region))
		return nil
	}
	unit, err := s.Directory.CareUnit(ctx, id)
	if errors.Is(err, auth.ErrNotFound) || (err == nil && unit.RegionID != region.ID) {
		return fmt.Errorf("resource Organization/%s: %w", id, auth.ErrNotFound)
	}
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, fhir.CareUnit(unit, region))
	return nil
}

// myPatients answers a professional's Patient search without criteria:
// the people whose consent in force covers them, each listing logged by
// the service. Each is named without the personal identity code or birth
// date: a list needs no more, and reading Patient/{id} is its own logged
// read.
//
// The list is bounded by _count (at most consent.MaxPatients), and only
// the people returned are listed and logged. It has no next page: when
// more people are covered than fit, the Bundle leaves total out, and the
// client finds the others by identifier. _count=0 asks for the total
// alone, which would mean listing (and logging) everyone unseen: the
// answer is an empty Bundle without total.
func (s *API) myPatients(c *gin.Context, q *fhir.Search) error {
	limit := consent.MaxPatients
	if q.Count >= 0 {
		limit = min(q.Count, consent.MaxPatients)
	}
	if limit == 0 {
		return s.renderSearch(c, q, "Patient", searchPage{total: -1})
	}
	patients, more, err := s.Consents.MyPatients(c.Request.Context(), principal(c), limit)
	if err != nil {
		return err
	}
	region, err := s.Directory.Region(c.Request.Context(), principal(c).RegionID)
	if err != nil {
		return err
	}
	page := searchPage{entries: make([]fhir.Entry, 0, len(patients)), total: len(patients)}
	if more {
		page.total = -1 // not counted: counting everyone would list them all
	}
	for _, p := range patients {
		res := fhir.Patient(auth.Person{ID: p.PersonID, GivenName: p.GivenName, FamilyName: p.FamilyName, HomeRegion: region.ID}, region)
		res.Identifier, res.BirthDate = nil, nil
		page.entries = append(page.entries, fhir.Entry{Type: "Patient", ID: p.PersonID, Resource: res})
	}
	return s.renderSearch(c, q, "Patient", page)
}
