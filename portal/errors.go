package portal

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/auth/oidc"
	"github.com/omahoito/omahoito/fhir"
	"github.com/omahoito/omahoito/record"
)

// Portal-level sentinels; domain packages have their own.
var (
	errUnauthorized = errors.New("not logged in")
	errForbidden    = errors.New("forbidden")
	errBadRequest   = errors.New("bad request")
	errNoRoute      = errors.New("no such route")
	errNoMethod     = errors.New("method not allowed")
)

// userError gives an error the status and message a person should see.
// retry, when set, is where "try again" leads (e.g. the login start).
type userError struct {
	status int
	msgID  string
	retry  string
	err    error
}

func (e *userError) Error() string { return e.err.Error() }
func (e *userError) Unwrap() error { return e.err }

// errorKinds maps sentinel errors to status and message, in one table.
var errorKinds = []struct {
	target error
	status int
	msgID  string
}{
	{errTooLarge, http.StatusRequestEntityTooLarge, "error.badrequest"},
	{errUnsupportedMedia, http.StatusUnsupportedMediaType, "error.badrequest"},
	{errPrecondition, http.StatusPreconditionFailed, "error.conflict"},
	{record.ErrDenied, http.StatusForbidden, "error.forbidden"},
	{record.ErrGone, http.StatusGone, "error.gone"},
	{record.ErrNotFound, http.StatusNotFound, "error.notfound"},
	{record.ErrConflict, http.StatusConflict, "error.conflict"},
	{record.ErrInvalid, http.StatusUnprocessableEntity, "error.badrequest"},
	{errUnauthorized, http.StatusUnauthorized, "error.unauthorized"},
	{errForbidden, http.StatusForbidden, "error.forbidden"},
	{auth.ErrNotFound, http.StatusNotFound, "error.notfound"},
	{errNoRoute, http.StatusNotFound, "error.notfound"},
	{errNoMethod, http.StatusMethodNotAllowed, "error.badrequest"},
	{errBadRequest, http.StatusBadRequest, "error.badrequest"},
	{auth.ErrInvalidHetu, http.StatusBadRequest, "error.login.hetu"},
	{oidc.ErrFlowExpired, http.StatusBadRequest, "error.login.expired"},
	{oidc.ErrState, http.StatusBadRequest, "error.login.expired"},
	{oidc.ErrProvider, http.StatusUnauthorized, "error.login.cancelled"},
	{oidc.ErrUnavailable, http.StatusServiceUnavailable, "error.unavailable"},
	{oidc.ErrExchange, http.StatusUnauthorized, "error.login.failed"},
	{oidc.ErrToken, http.StatusUnauthorized, "error.login.failed"},
}

func classify(err error) (status int, msgID, retry string) {
	var ue *userError
	if errors.As(err, &ue) {
		return ue.status, ue.msgID, ue.retry
	}
	var pe *parseError
	if errors.As(err, &pe) {
		return http.StatusBadRequest, "error.badrequest", ""
	}
	for _, k := range errorKinds {
		if errors.Is(err, k.target) {
			return k.status, k.msgID, ""
		}
	}
	return http.StatusInternalServerError, "error.internal", ""
}

// page adapts a handler that returns an error to gin; errors go to fail.
func (s *Server) page(h func(*gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			s.fail(c, err)
		}
	}
}

// fail is the one place errors become responses: an OperationOutcome under
// /fhir/, a page elsewhere.
func (s *Server) fail(c *gin.Context, err error) {
	status, msgID, retry := classify(err)
	ctx := c.Request.Context()
	attrs := []any{"status", status, "route", c.FullPath(), "err", loggable(status, err), "request_id", requestIDFrom(ctx)}
	if status >= 500 {
		s.Log.ErrorContext(ctx, "request failed", attrs...)
	} else {
		s.Log.InfoContext(ctx, "request refused", attrs...)
	}
	if isAPI(c) {
		var fe *record.FieldError
		if errors.As(err, &fe) && status < 500 {
			s.renderFHIR(c, status, fhir.FieldOutcome(status, fe))
			return
		}
		s.renderOutcome(c, status, diagnosticsFor(status, err))
		return
	}
	page := errorPage{layout: s.layout(c, "error.title"), MessageID: msgID, RetryHref: retry}
	page.RequestID = requestIDFrom(ctx)
	s.render(c, status, "error", page)
}

// loggable is what the log says of an error. A refused request's error text
// can echo what the client sent (an id that is really a hetu, a measured
// value), so for 4xx only its kind and the offending field are logged.
// Server errors keep their chain: it is ours, and needed to mend them.
func loggable(status int, err error) string {
	if status >= 500 {
		return err.Error()
	}
	var ue *userError
	if errors.As(err, &ue) {
		return err.Error() // login refusals: provider error codes, never claims
	}
	var fe *record.FieldError
	if errors.As(err, &fe) {
		return "invalid field " + fe.Field
	}
	for _, k := range errorKinds {
		if errors.Is(err, k.target) {
			return k.target.Error()
		}
	}
	return http.StatusText(status)
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
}

// diagnosticsFor says what went wrong without exposing internals: the
// validation text for bad input, a fixed text otherwise.
func diagnosticsFor(status int, err error) string {
	if errors.Is(err, oidc.ErrUnavailable) {
		return "the identity provider is unavailable; nothing was changed, try again in a moment"
	}
	if status >= 500 {
		return "internal error; nothing was changed"
	}
	if errors.Is(err, errDeletedIdentifier) {
		return errDeletedIdentifier.Error()
	}
	if errors.Is(err, errInvalidToken) {
		return "the bearer access token is invalid, expired or not meant for this API"
	}
	if fixed, ok := fixedDiagnostics[status]; ok {
		return fixed
	}
	return err.Error()
}

func isAPI(c *gin.Context) bool { return strings.HasPrefix(c.Request.URL.Path, "/fhir/") }

func (s *Server) notFound(c *gin.Context) { s.fail(c, errNoRoute) }

func (s *Server) methodNotAllowed(c *gin.Context) { s.fail(c, errNoMethod) }

func (s *Server) renderOutcome(c *gin.Context, status int, diagnostics string) {
	if status == http.StatusUnauthorized && c.Writer.Header().Get("WWW-Authenticate") == "" {
		c.Header("WWW-Authenticate", `Bearer realm="omahoito"`)
	}
	s.renderFHIR(c, status, fhir.Outcome(status, diagnostics))
}
