package fhirapi

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/auth"
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

// searchParams refuses parameters the resource does not support, so a
// typo does not silently widen a search, and returns the allowed ones.
func searchParams(values url.Values, allowed ...string) (map[string]string, error) {
	out := map[string]string{}
	for name, vs := range values {
		if !slices.Contains(allowed, name) {
			return nil, fmt.Errorf("%w: unknown search parameter %q (supported: %s)", portal.ErrBadRequest, name, strings.Join(allowed, ", "))
		}
		if len(vs) > 1 {
			return nil, fmt.Errorf("%w: search parameter %q given more than once", portal.ErrBadRequest, name)
		}
		out[name] = vs[0]
	}
	return out, nil
}

// token splits a FHIR token search value "system|value", "|value" or "value".
func token(v string) (system, value string, hasSystem bool) {
	if i := strings.IndexByte(v, '|'); i >= 0 {
		return v[:i], v[i+1:], true
	}
	return "", v, false
}

// errHetuInURL refuses a personal identity code in a URL: URLs end up in
// logs, proxies and browser histories (DESIGN §2.4).
var errHetuInURL = fmt.Errorf("%w: a personal identity code must not be sent in a URL; "+
	"send the search as POST [base]/Patient/_search with identifier=urn:oid:1.2.246.21|<code> "+
	"in an application/x-www-form-urlencoded body", portal.ErrBadRequest)

// searchPatients: the caller's visible patients, optionally the one with a
// personal identity code. The service decides who may be seen; a person
// the caller may not see is left out, never named.
func (s *API) searchPatients(c *gin.Context) error {
	values, err := s.searchValues(c)
	if err != nil {
		return err
	}
	params, err := searchParams(values, "identifier")
	if err != nil {
		return err
	}
	var ps record.PatientSearch
	if id, ok := params["identifier"]; ok {
		if c.Request.Method == http.MethodGet {
			return errHetuInURL
		}
		system, value, hasSystem := token(id)
		if hasSystem && system != "" && system != auth.HetuSystem {
			return s.searchSet(c, nil)
		}
		if ps.Hetu, err = auth.ParseHetu(value); err != nil {
			return s.searchSet(c, nil) // not a valid code: no one has it
		}
	}
	people, err := s.Records.SearchPatients(c.Request.Context(), principal(c), ps)
	if err != nil {
		return err
	}
	entries := make([]fhir.Entry, 0, len(people))
	for _, p := range people {
		region, err := s.Directory.Region(c.Request.Context(), p.HomeRegion)
		if err != nil {
			return err
		}
		entries = append(entries, fhir.Entry{Type: "Patient", ID: p.ID, Resource: fhir.Patient(p, region)})
	}
	return s.searchSet(c, entries)
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

func (s *API) searchPractitioners(c *gin.Context) error {
	values, err := s.searchValues(c)
	if err != nil {
		return err
	}
	params, err := searchParams(values, "identifier", "name")
	if err != nil {
		return err
	}
	terhikki := ""
	if id, ok := params["identifier"]; ok {
		system, value, hasSystem := token(id)
		if hasSystem && system != "" && system != auth.TerhikkiSystem {
			return s.searchSet(c, nil)
		}
		if value == "" {
			return fmt.Errorf("%w: identifier needs a value", portal.ErrBadRequest)
		}
		terhikki = value
	}
	pros, err := s.Directory.SearchProfessionals(c.Request.Context(), principal(c).RegionID, terhikki, params["name"])
	if err != nil {
		return err
	}
	entries := make([]fhir.Entry, 0, len(pros))
	for _, p := range pros {
		if p.Role != auth.RoleProfessional {
			continue // operators run the region; they are not grantees
		}
		entries = append(entries, fhir.Entry{Type: "Practitioner", ID: p.ID, Resource: fhir.Practitioner(p)})
	}
	return s.searchSet(c, entries)
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

func (s *API) searchOrganizations(c *gin.Context) error {
	values, err := s.searchValues(c)
	if err != nil {
		return err
	}
	params, err := searchParams(values, "identifier", "name")
	if err != nil {
		return err
	}
	oid, ok := organizationOID(params["identifier"])
	if !ok {
		return s.searchSet(c, nil)
	}
	ctx := c.Request.Context()
	region, err := s.Directory.Region(ctx, principal(c).RegionID)
	if err != nil {
		return err
	}
	var entries []fhir.Entry
	if (oid == "" || oid == region.RegistrarOID) && containsFold(region.RegistrarName, params["name"]) {
		entries = append(entries, fhir.Entry{Type: "Organization", ID: fhir.RegistrarID(region.ID), Resource: fhir.Registrar(region)})
	}
	units, err := s.Directory.SearchCareUnits(ctx, region.ID, oid, params["name"])
	if err != nil {
		return err
	}
	for _, u := range units {
		entries = append(entries, fhir.Entry{Type: "Organization", ID: u.ID, Resource: fhir.CareUnit(u, region)})
	}
	return s.searchSet(c, entries)
}

// organizationOID reads an Organization identifier search: an OID as
// "urn:oid:X" (system urn:ietf:rfc:3986 or none) or bare. ok is false for
// another system, which matches nothing.
func organizationOID(identifier string) (oid string, ok bool) {
	if identifier == "" {
		return "", true
	}
	system, value, hasSystem := token(identifier)
	if hasSystem && system != "" && system != fhir.OrganizationOIDSystem {
		return "", false
	}
	return strings.TrimPrefix(value, "urn:oid:"), true
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
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
