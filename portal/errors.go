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
// /fhir/, a page elsewhere. The log line carries the error chain, which by
// construction holds no hetu or names.
func (s *Server) fail(c *gin.Context, err error) {
	status, msgID, retry := classify(err)
	ctx := c.Request.Context()
	attrs := []any{"status", status, "route", c.FullPath(), "err", err.Error(), "request_id", requestIDFrom(ctx)}
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

// diagnosticsFor says what went wrong without exposing internals: the
// error text for client errors, a generic text for server errors.
func diagnosticsFor(status int, err error) string {
	if status >= 500 {
		return "internal error; nothing was changed"
	}
	return err.Error()
}

func isAPI(c *gin.Context) bool { return strings.HasPrefix(c.Request.URL.Path, "/fhir/") }

func (s *Server) notFound(c *gin.Context) { s.fail(c, errNoRoute) }

func (s *Server) methodNotAllowed(c *gin.Context) { s.fail(c, errNoMethod) }

func (s *Server) renderOutcome(c *gin.Context, status int, diagnostics string) {
	if status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="omahoito"`)
	}
	s.renderFHIR(c, status, fhir.Outcome(status, diagnostics))
}
