package portal

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/fhir"
)

func (s *Server) fhirRoutes(g *gin.RouterGroup) {
	g.GET("/metadata", s.page(s.capability))
	api := g.Group("", s.bearerAuth, s.requireLogin)
	api.GET("/Patient", s.page(s.searchPatients))
	api.GET("/Patient/:id", s.page(s.readPatient))
	api.GET("/Practitioner", s.page(s.searchPractitioners))
	api.GET("/Practitioner/:id", s.page(s.readPractitioner))
	api.GET("/Organization", s.page(s.searchOrganizations))
	api.GET("/Organization/:id", s.page(s.readOrganization))
	s.observationRoutes(api)
}

// requireLogin answers 401 before any handler of the API runs.
func (s *Server) requireLogin(c *gin.Context) {
	if principal(c).IsZero() {
		s.fail(c, errUnauthorized)
		c.Abort()
		return
	}
	c.Next()
}

// apiBase is the absolute base URL of the API, from the configured public
// base URL: never from the request's Host header, which a client chooses.
func (s *Server) apiBase() string { return s.BaseURL + "/fhir/r4" }

func (s *Server) selfURL(c *gin.Context) string {
	u := s.apiBase() + strings.TrimPrefix(c.Request.URL.Path, "/fhir/r4")
	if q := c.Request.URL.RawQuery; q != "" {
		u += "?" + q
	}
	return u
}

func (s *Server) capability(c *gin.Context) error {
	s.renderFHIR(c, http.StatusOK, fhir.Capability(s.apiBase(), s.Version, s.started))
	return nil
}

func (s *Server) searchSet(c *gin.Context, entries []fhir.Entry) error {
	b, err := fhir.SearchSet(s.apiBase(), s.selfURL(c), entries)
	if err != nil {
		return err
	}
	s.renderFHIR(c, http.StatusOK, b)
	return nil
}

// searchParams refuses parameters the resource does not support, so a
// typo does not silently widen a search, and returns the allowed ones.
func searchParams(c *gin.Context, allowed ...string) (map[string]string, error) {
	out := map[string]string{}
	for name, values := range c.Request.URL.Query() {
		if !contains(allowed, name) {
			return nil, fmt.Errorf("%w: unknown search parameter %q (supported: %s)", errBadRequest, name, strings.Join(allowed, ", "))
		}
		if len(values) > 1 {
			return nil, fmt.Errorf("%w: search parameter %q given more than once", errBadRequest, name)
		}
		out[name] = values[0]
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// token splits a FHIR token search value "system|value", "|value" or "value".
func token(v string) (system, value string, hasSystem bool) {
	if i := strings.IndexByte(v, '|'); i >= 0 {
		return v[:i], v[i+1:], true
	}
	return "", v, false
}

// searchPatients: a citizen finds themself; a professional finds the
// patients whose consent covers them, of whom there are none until
// consents exist.
func (s *Server) searchPatients(c *gin.Context) error {
	params, err := searchParams(c, "identifier")
	if err != nil {
		return err
	}
	who := principal(c)
	if who.Kind != auth.KindCitizen {
		return s.searchSet(c, nil)
	}
	person, region, err := s.self(c, who)
	if err != nil {
		return err
	}
	if id, ok := params["identifier"]; ok && !matchesHetu(id, person.Hetu) {
		return s.searchSet(c, nil)
	}
	return s.searchSet(c, []fhir.Entry{{Type: "Patient", ID: person.ID, Resource: fhir.Patient(person, region)}})
}

func matchesHetu(identifier string, h auth.Hetu) bool {
	system, value, hasSystem := token(identifier)
	if hasSystem && system != "" && system != auth.HetuSystem {
		return false
	}
	return value == h.Value()
}

// readPatient answers 403 for anyone but the person themself, whether or not
// the id exists, so that the API cannot be used to probe for people.
func (s *Server) readPatient(c *gin.Context) error {
	who := principal(c)
	if who.Kind != auth.KindCitizen || who.PersonID != c.Param("id") {
		return fmt.Errorf("%w: no consent covers Patient/%s", errForbidden, c.Param("id"))
	}
	person, region, err := s.self(c, who)
	if err != nil {
		return err
	}
	s.renderFHIR(c, http.StatusOK, fhir.Patient(person, region))
	return nil
}

func (s *Server) self(c *gin.Context, who auth.Principal) (auth.Person, auth.Region, error) {
	ctx := c.Request.Context()
	person, err := s.People.Person(ctx, who.PersonID)
	if err != nil {
		return auth.Person{}, auth.Region{}, err
	}
	region, err := s.Directory.Region(ctx, person.HomeRegion)
	return person, region, err
}

func (s *Server) searchPractitioners(c *gin.Context) error {
	params, err := searchParams(c, "identifier", "name")
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
			return fmt.Errorf("%w: identifier needs a value", errBadRequest)
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

func (s *Server) readPractitioner(c *gin.Context) error {
	p, err := s.Directory.Professional(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if p.RegionID != principal(c).RegionID || p.Role != auth.RoleProfessional {
		return fmt.Errorf("resource Practitioner/%s: %w", c.Param("id"), auth.ErrNotFound)
	}
	s.renderFHIR(c, http.StatusOK, fhir.Practitioner(p))
	return nil
}

func (s *Server) searchOrganizations(c *gin.Context) error {
	params, err := searchParams(c, "identifier", "name")
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

func (s *Server) readOrganization(c *gin.Context) error {
	ctx := c.Request.Context()
	region, err := s.Directory.Region(ctx, principal(c).RegionID)
	if err != nil {
		return err
	}
	id := c.Param("id")
	if id == fhir.RegistrarID(region.ID) {
		s.renderFHIR(c, http.StatusOK, fhir.Registrar(region))
		return nil
	}
	unit, err := s.Directory.CareUnit(ctx, id)
	if errors.Is(err, auth.ErrNotFound) || (err == nil && unit.RegionID != region.ID) {
		return fmt.Errorf("resource Organization/%s: %w", id, auth.ErrNotFound)
	}
	if err != nil {
		return err
	}
	s.renderFHIR(c, http.StatusOK, fhir.CareUnit(unit, region))
	return nil
}
