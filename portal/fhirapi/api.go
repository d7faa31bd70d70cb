// Package fhirapi is omahoito's FHIR R4 REST API: a file per resource, the
// bearer-token authorisation of apps and devices, and the one adapter that
// renders errors as OperationOutcome. Handlers parse the request with fhir/,
// pass who acts and whose record it is to a service, and render; access is
// decided in the services, never here.
package fhirapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/auth/oidc"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/fhir"
	"github.com/omahoito/omahoito/portal"
	"github.com/omahoito/omahoito/record"
)

// Directory is the region's directory of care units and professionals,
// from which a citizen picks a grantee. None of it is a person's record.
type Directory interface {
	Region(ctx context.Context, id string) (auth.Region, error)
	CareUnit(ctx context.Context, id string) (auth.CareUnit, error)
	Professional(ctx context.Context, id string) (auth.Professional, error)
	SearchProfessionals(ctx context.Context, regionID, terhikki, name string) ([]auth.Professional, error)
	SearchCareUnits(ctx context.Context, regionID, oid, name string) ([]auth.CareUnit, error)
}

// API holds what the FHIR handlers need. cmd/omahoito fills it in.
type API struct {
	Log           *slog.Logger
	People        *auth.People         // bearer tokens register a citizen on first use
	Records       *record.Service      // every read and write of a person's data
	Consents      *consent.Service     // Consent, AuditEvent: grants and the access log
	Files         *record.Files        // DocumentReference, Binary: a citizen's own files
	Directory     Directory            //
	Bearer        *oidc.BearerVerifier // access tokens of API clients; nil: bearer tokens are refused
	DefaultRegion string               // home region of a first use that names none
	BaseURL       string               // public base URL; links are built from it, never from Host
	Version       string
	Metrics       *portal.Metrics
	Limits        portal.Limits

	started time.Time
	routes  gin.RoutesInfo
	inline  chan struct{} // a place for each DocumentReference held whole at once
}

// Routes lists the registered routes, once Handler has run: the gate test
// walks every one of them.
func (s *API) Routes() gin.RoutesInfo { return s.routes }

// Handler builds the API's handler, to be mounted at portal.APIPrefix.
func (s *API) Handler() http.Handler {
	if s.Log == nil {
		s.Log = slog.Default()
	}
	if s.DefaultRegion == "" {
		s.DefaultRegion = "kainuu"
	}
	s.started = time.Now().UTC()
	s.inline = make(chan struct{}, maxInlineDocuments)
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.Use(portal.Recoverer(s.fail), portal.Observe(s.Log, s.Metrics), s.negotiate)
	g := r.Group(portal.APIPrefix)
	g.GET("/metadata", s.handle(s.capability))
	api := g.Group("", portal.WritesOnly(portal.LimitByAddress(s.Limits.WriteByAddress, s.fail)),
		s.bearerAuth, s.requireLogin, portal.WritesOnly(portal.LimitByPerson(s.Limits.WriteByPerson, s.fail)))
	s.patientRoutes(api)
	s.directoryRoutes(api)
	s.observationRoutes(api)
	s.consentRoutes(api)
	s.auditEventRoutes(api)
	s.everythingRoutes(api)
	s.documentRoutes(api)
	s.binaryRoutes(api)
	r.NoRoute(func(c *gin.Context) { s.fail(c, portal.ErrNoRoute) })
	r.NoMethod(func(c *gin.Context) { s.fail(c, portal.ErrNoMethod) })
	s.routes = r.Routes()
	return portal.Abortable(exceptBearer(portal.CrossOriginProtect(r, http.HandlerFunc(s.crossOriginDenied)), r))
}

// exceptBearer sends a request that carries a bearer token to direct,
// around the cross-origin check of protected. Cross-origin protection
// guards against a browser sending the session cookie on a page's behalf;
// a browser never adds an Authorization header by itself, and a request
// with one is authorised by the token alone (bearerAuth), never by the
// cookie, so it is no forgery risk, whatever its Origin.
func exceptBearer(protected, direct http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, bearer := portal.BearerToken(r); bearer {
			direct.ServeHTTP(w, r)
			return
		}
		protected.ServeHTTP(w, r)
	})
}

func principal(c *gin.Context) auth.Principal { return auth.PrincipalFrom(c.Request.Context()) }

// handle adapts a handler that returns an error to gin; errors go to fail.
func (s *API) handle(h func(*gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			s.fail(c, err)
		}
	}
}

// requireLogin answers 401 before any handler of the API runs.
func (s *API) requireLogin(c *gin.Context) {
	if principal(c).IsZero() {
		s.fail(c, portal.ErrUnauthorized)
		c.Abort()
		return
	}
	c.Next()
}

// fail is the API's one place where errors become responses: an
// OperationOutcome with the status of the shared table.
func (s *API) fail(c *gin.Context, err error) {
	status, _, _ := portal.Classify(err)
	portal.LogFailure(s.Log, c.Request, c.FullPath(), status, err)
	if status == http.StatusUnauthorized && c.Writer.Header().Get("WWW-Authenticate") == "" {
		c.Header("WWW-Authenticate", `Bearer realm="omahoito"`)
	}
	var fe *record.FieldError
	var pe *fhir.FieldError
	if (errors.As(err, &fe) || errors.As(err, &pe)) && status < 500 {
		s.render(c, status, fhir.FieldOutcome(status, err))
		return
	}
	s.render(c, status, fhir.Outcome(status, diagnosticsFor(status, err)))
}

// fixedDiagnostics replace error texts that could carry a store's or a
// driver's words, or echo an id, by a plain statement per status.
var fixedDiagnostics = map[int]string{
	http.StatusUnauthorized:       "log in first: the API is authorised by the portal session or a bearer access token",
	http.StatusForbidden:          "not allowed: no consent covers this for the logged-in user",
	http.StatusNotFound:           "not found",
	http.StatusGone:               "deleted: the resource existed and was deleted; its history remains",
	http.StatusPreconditionFailed: "If-Match does not name the current version; read the resource again",
	http.StatusConflict:           "conflict: the resource was changed meanwhile, or its identifier is already in use",
	http.StatusTooManyRequests:    "too many requests; wait a moment and try again",
}

// diagnosticsFor says what went wrong without exposing internals: the
// validation text for bad input, a fixed text otherwise.
func diagnosticsFor(status int, err error) string {
	switch {
	case errors.Is(err, oidc.ErrUnavailable):
		return "the identity provider is unavailable; nothing was changed, try again in a moment"
	case status >= 500:
		return "internal error; nothing was changed"
	case errors.Is(err, errDeletedIdentifier):
		return errDeletedIdentifier.Error()
	case errors.Is(err, record.ErrIdentifierReused):
		return "the identifier is already used by a measurement with other content; nothing was stored. Send it with a new identifier, or update the stored one"
	case errors.Is(err, record.ErrMoving):
		return "the person's data is being moved to another region: it can be read but not changed until the move is done, usually in a few minutes; nothing was changed"
	case errors.Is(err, errInvalidToken):
		return "the bearer access token is invalid, expired or not meant for this API"
	}
	if fixed, ok := fixedDiagnostics[status]; ok {
		return fixed
	}
	return err.Error()
}

// render writes a FHIR resource as application/fhir+json.
func (s *API) render(c *gin.Context, status int, resource any) {
	body, err := marshalFHIR(resource)
	if err != nil {
		s.Log.ErrorContext(c.Request.Context(), "marshal FHIR", "err", err)
		status, body = http.StatusInternalServerError, []byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"exception"}]}`)
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, fhir.ContentType+"; charset=utf-8", body)
}

// marshalFHIR calls a model's own MarshalJSON directly: json.Marshal would
// validate and compact its output once more, which for a search page of
// hundreds of embedded resources is most of the encoding time.
func marshalFHIR(resource any) ([]byte, error) {
	if m, ok := resource.(json.Marshaler); ok {
		return m.MarshalJSON()
	}
	return json.Marshal(resource)
}

// crossOriginDenied answers a state-changing request from another origin.
func (s *API) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	s.Log.WarnContext(r.Context(), "cross-origin request refused", "method", r.Method, "request_id", portal.RequestID(r.Context()))
	body, _ := json.Marshal(fhir.Outcome(http.StatusForbidden,
		"cross-origin request refused: state-changing requests must come from the portal's own pages"))
	w.Header().Set("Content-Type", fhir.ContentType+"; charset=utf-8")
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write(body)
}

// apiBase is the absolute base URL of the API, from the configured public
// base URL: never from the request's Host header, which a client chooses.
func (s *API) apiBase() string { return s.BaseURL + portal.APIPrefix }
