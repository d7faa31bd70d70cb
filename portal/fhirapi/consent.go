package fhirapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"
	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/fhir"
	"github.com/omahoito/omahoito/portal"
)

func (s *API) consentRoutes(api *gin.RouterGroup) {
	api.POST("/Consent", s.handle(s.createConsent))
	api.GET("/Consent", s.handle(s.searchConsents))
	api.POST("/Consent/_search", s.handle(s.searchConsents))
	api.GET("/Consent/:id", s.handle(s.readConsent))
	api.PUT("/Consent/:id", s.handle(s.updateConsent))
}

// errOnlyStatus refuses an update that changes anything but the status:
// a grant is never edited, only revoked (and a new one given).
var errOnlyStatus = &fhir.FieldError{Path: "Consent", Msg: "only status can change: revoke by setting status inactive"}

// consentBody reads and parses one Consent.
func consentBody(c *gin.Context) (fhir.ConsentInput, error) {
	body, err := readBody(c, maxResourceBytes)
	if err != nil {
		return fhir.ConsentInput{}, err
	}
	return fhir.ParseConsent(body)
}

// createConsent: the citizen gives a consent to their own data, from
// the start it names (else now) to its end (else 12 months on). A
// Consent naming another patient is passed on as it is, so that the
// service refuses it and logs the attempt in that person's register.
func (s *API) createConsent(c *gin.Context) error {
	in, err := consentBody(c)
	if err != nil {
		return err
	}
	if in.Status != fm.ConsentStateActive.Code() {
		return &fhir.FieldError{Path: "Consent.status", Msg: "a new consent is active; to revoke one, update it with status inactive"}
	}
	give := consent.Give{
		Grantee: consent.Grantee{Kind: in.GranteeKind, ID: in.GranteeID},
		Scope:   in.Scope, Start: in.Start, End: in.End, // no end: the default of 12 months
	}
	g, err := s.Consents.GiveConsent(c.Request.Context(), principal(c), whose(c, in.Patient), give)
	if err != nil {
		return err
	}
	c.Header("Location", fhir.VersionURL(s.apiBase(), "Consent", g.ID, g.Version))
	return s.renderConsent(c, http.StatusCreated, g)
}

// renderConsent answers with one grant as it stands now, with its version
// as ETag, as Prefer: return= asks.
func (s *API) renderConsent(c *gin.Context, status int, g consent.Grant) error {
	res, err := s.consentResource(c.Request.Context(), g, time.Now())
	if err != nil {
		return err
	}
	c.Header("ETag", fhir.ETag(g.Version))
	s.renderPreferred(c, status, res)
	return nil
}

// consentResource maps a grant, with the grantee's name from the
// directory; a grantee no longer in it is named by reference alone.
func (s *API) consentResource(ctx context.Context, g consent.Grant, now time.Time) (fm.Consent, error) {
	refs := fhir.ConsentRefs{Patient: "Patient/" + g.PersonID, Performer: "Patient/" + g.PersonID}
	var err error
	switch g.Grantee.Kind {
	case consent.GranteeProfessional:
		refs.Grantee = "Practitioner/" + g.Grantee.ID
		var pro auth.Professional
		if pro, err = s.Directory.Professional(ctx, g.Grantee.ID); err == nil {
			refs.GranteeDisplay = joinNonEmpty(", ", joinNonEmpty(" ", pro.GivenName, pro.FamilyName), pro.Title)
		}
	case consent.GranteeUnit:
		refs.Grantee = "Organization/" + g.Grantee.ID
		var unit auth.CareUnit
		if unit, err = s.Directory.CareUnit(ctx, g.Grantee.ID); err == nil {
			refs.GranteeDisplay = unit.Name
		}
	}
	if err != nil && !errors.Is(err, auth.ErrNotFound) {
		return fm.Consent{}, err
	}
	return fhir.FromGrant(g, refs, now), nil
}

// joinNonEmpty joins the parts that are not empty.
func joinNonEmpty(sep string, parts ...string) string {
	out := ""
	for _, p := range parts {
		switch {
		case p == "":
		case out == "":
			out = p
		default:
			out += sep + p
		}
	}
	return out
}

func (s *API) readConsent(c *gin.Context) error {
	g, err := s.Consents.Consent(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return s.renderConsent(c, http.StatusOK, g)
}

// updateConsent revokes a consent: the body is the Consent as read, with
// status inactive. Sending it back active changes nothing; any other
// change is refused, since a grant is never edited.
func (s *API) updateConsent(c *gin.Context) error {
	version, err := fhir.IfMatch(c.GetHeader("If-Match"))
	if err != nil {
		return err
	}
	in, err := consentBody(c)
	if err != nil {
		return err
	}
	if in.ID != c.Param("id") {
		return &fhir.FieldError{Path: "Consent.id", Msg: "the id in the body must equal the id in the URL", Malformed: true}
	}
	ctx, who := c.Request.Context(), principal(c)
	g, err := s.Consents.Consent(ctx, who, in.ID)
	if err != nil {
		return err
	}
	if version != 0 && version != g.Version {
		return fmt.Errorf("consent %s is at version %d: %w", g.ID, g.Version, portal.ErrPrecondition)
	}
	if !onlyStatusDiffers(in, g) {
		return errOnlyStatus
	}
	current, err := s.consentResource(ctx, g, time.Now())
	if err != nil {
		return err
	}
	switch {
	case in.Status == current.Status.Code():
		return s.renderConsent(c, http.StatusOK, g) // nothing to change
	case in.Status == fm.ConsentStateActive.Code():
		return &fhir.FieldError{Path: "Consent.status", Msg: "a revoked, ended or expired consent cannot be made active again; give a new consent"}
	}
	revoked, err := s.Consents.Revoke(ctx, who, g.ID)
	if errors.Is(err, consent.ErrConflict) && version != 0 {
		return fmt.Errorf("%w: %w", portal.ErrPrecondition, err)
	}
	if err != nil {
		return err
	}
	return s.renderConsent(c, http.StatusOK, revoked)
}

// onlyStatusDiffers reports whether the Consent a client sent says what
// the grant says, but for its status. A period left out is no change.
func onlyStatusDiffers(in fhir.ConsentInput, g consent.Grant) bool {
	periodSame := (in.Start.IsZero() && in.End.IsZero()) || (in.Start.Equal(g.Start) && in.End.Equal(g.End))
	return (in.Patient == "" || in.Patient == g.PersonID) &&
		in.GranteeKind == g.Grantee.Kind && in.GranteeID == g.Grantee.ID &&
		periodSame && sameScope(in.Scope, g.Scope)
}

func sameScope(a, b consent.Scope) bool {
	if !a.Window.From.Equal(b.Window.From) || !a.Window.To.Equal(b.Window.To) || len(a.Classes) != len(b.Classes) {
		return false
	}
	for _, ca := range a.Classes {
		i := slices.IndexFunc(b.Classes, func(cb consent.ClassScope) bool { return cb.Class == ca.Class })
		if i < 0 || !sameItems(ca.Items, b.Classes[i].Items) {
			return false
		}
	}
	return true
}

// sameItems compares as sets: the order of kinds or files is no change.
func sameItems(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// errPatientRequired: a professional has no consents of their own; they
// look at one patient's.
var errPatientRequired = fmt.Errorf("%w: patient is required: a professional searches the consents of one patient (patient=Patient/{id})", fhir.ErrInvalidParam)

// searchConsents: the citizen's own consents, or those of one patient
// that name the professional asking (the service decides and logs). A
// person has few grants, so status and actor filter in memory.
func (s *API) searchConsents(c *gin.Context) error {
	values, err := s.searchValues(c)
	if err != nil {
		return err
	}
	q, err := fhir.ParseConsentSearch(values, handling(c))
	if err != nil {
		return err
	}
	who := principal(c)
	if q.Patient == "" && who.Kind != auth.KindCitizen {
		return errPatientRequired
	}
	grants, err := s.Consents.Consents(c.Request.Context(), who, whose(c, q.Patient))
	if err != nil {
		return err
	}
	now := time.Now()
	var entries []fhir.Entry
	for _, g := range grants {
		res, err := s.consentResource(c.Request.Context(), g, now)
		if err != nil {
			return err
		}
		if q.Empty || !consentMatches(q, g, res) {
			continue
		}
		entries = append(entries, fhir.Entry{Type: "Consent", ID: g.ID, Resource: res})
	}
	page := searchPage{entries: entries, total: len(entries)}
	switch {
	case q.TotalOnly:
		page.entries = nil
	case q.Limit < len(entries):
		page.entries = entries[:q.Limit]
	}
	return s.renderSearch(c, q.Search, "Consent", page)
}

func consentMatches(q fhir.ConsentQuery, g consent.Grant, res fm.Consent) bool {
	if len(q.Statuses) > 0 && !slices.Contains(q.Statuses, res.Status.Code()) {
		return false
	}
	return q.Grantee.ID == "" || q.Grantee == g.Grantee
}
