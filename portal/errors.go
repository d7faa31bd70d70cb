package portal

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/auth/oidc"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/fhir"
	"github.com/omahoito/omahoito/record"
)

// Sentinels of the HTTP faces; domain packages have their own.
var (
	ErrUnauthorized     = errors.New("not logged in")
	ErrForbidden        = errors.New("forbidden")
	ErrBadRequest       = errors.New("bad request")
	ErrNoRoute          = errors.New("no such route")
	ErrNoMethod         = errors.New("method not allowed")
	ErrTooLarge         = errors.New("request body too large")
	ErrUnsupportedMedia = errors.New("unsupported content type")
	ErrNotAcceptable    = errors.New("not acceptable: only JSON is served")
	ErrPrecondition     = errors.New("If-Match does not name the current version")
	ErrRateLimited      = errors.New("too many requests")
)

// UserError gives an error the status and message a person should see.
// Retry, when set, is where "try again" leads (e.g. the login start).
type UserError struct {
	Status int
	MsgID  string
	Retry  string
	Err    error
}

func (e *UserError) Error() string { return e.Err.Error() }
func (e *UserError) Unwrap() error { return e.Err }

// errorKinds maps sentinel errors to status and message id, in one table:
// both faces classify through it.
var errorKinds = []struct {
	target error
	status int
	msgID  string
}{
	{ErrTooLarge, http.StatusRequestEntityTooLarge, "error.toolarge"},
	{fhir.ErrNotAcceptable, http.StatusNotAcceptable, "error.badrequest"},
	{fhir.ErrUnsupportedMedia, http.StatusUnsupportedMediaType, "error.badrequest"},
	{fhir.ErrInvalidParam, http.StatusBadRequest, "error.badrequest"},
	{fhir.ErrInvalidHeader, http.StatusBadRequest, "error.badrequest"},
	{ErrUnsupportedMedia, http.StatusUnsupportedMediaType, "error.badrequest"},
	{ErrNotAcceptable, http.StatusNotAcceptable, "error.badrequest"},
	{ErrPrecondition, http.StatusPreconditionFailed, "error.conflict"},
	{ErrRateLimited, http.StatusTooManyRequests, "error.ratelimited"},
	{record.ErrMoving, http.StatusConflict, "error.moving"},
	{record.ErrDenied, http.StatusForbidden, "error.forbidden"},
	{record.ErrGone, http.StatusGone, "error.gone"},
	{record.ErrNotFound, http.StatusNotFound, "error.notfound"},
	{record.ErrConflict, http.StatusConflict, "error.conflict"},
	{fhir.ErrMalformed, http.StatusBadRequest, "error.badrequest"}, // before ErrInvalid: a malformed body is both
	{record.ErrFileType, http.StatusUnsupportedMediaType, "error.badrequest"},
	{record.ErrFileTooLarge, http.StatusRequestEntityTooLarge, "error.toolarge"},
	{record.ErrQuota, http.StatusUnprocessableEntity, "error.badrequest"},
	{record.ErrInvalid, http.StatusUnprocessableEntity, "error.badrequest"},
	{consent.ErrDenied, http.StatusForbidden, "error.forbidden"},
	{consent.ErrNotFound, http.StatusNotFound, "error.notfound"},
	{consent.ErrConflict, http.StatusConflict, "error.conflict"},
	{consent.ErrInvalid, http.StatusUnprocessableEntity, "error.badrequest"},
	{audit.ErrUnavailable, http.StatusServiceUnavailable, "error.unavailable"},
	{record.ErrStorageUnavailable, http.StatusServiceUnavailable, "error.unavailable"},
	{ErrUnauthorized, http.StatusUnauthorized, "error.unauthorized"},
	{ErrForbidden, http.StatusForbidden, "error.forbidden"},
	{auth.ErrNotFound, http.StatusNotFound, "error.notfound"},
	{ErrNoRoute, http.StatusNotFound, "error.notfound"},
	{ErrNoMethod, http.StatusMethodNotAllowed, "error.badrequest"},
	{ErrBadRequest, http.StatusBadRequest, "error.badrequest"},
	{auth.ErrInvalidHetu, http.StatusBadRequest, "error.login.hetu"},
	{oidc.ErrFlowExpired, http.StatusBadRequest, "error.login.expired"},
	{oidc.ErrState, http.StatusBadRequest, "error.login.expired"},
	{oidc.ErrProvider, http.StatusUnauthorized, "error.login.cancelled"},
	{oidc.ErrUnavailable, http.StatusServiceUnavailable, "error.unavailable"},
	{oidc.ErrSession, http.StatusServiceUnavailable, "error.unavailable"},
	{oidc.ErrExchange, http.StatusUnauthorized, "error.login.failed"},
	{oidc.ErrToken, http.StatusUnauthorized, "error.login.failed"},
}

// Classify is the one table from error to status, message id and retry
// link. Anything it does not know is a 500.
func Classify(err error) (status int, msgID, retry string) {
	var ue *UserError
	if errors.As(err, &ue) {
		return ue.Status, ue.MsgID, ue.Retry
	}
	for _, k := range errorKinds {
		if errors.Is(err, k.target) {
			return k.status, k.msgID, ""
		}
	}
	return http.StatusInternalServerError, "error.internal", ""
}

// Loggable is what the log says of an error. A refused request's error text
// can echo what the client sent (an id that is really a hetu, a measured
// value), so for 4xx only its kind and the offending field are logged.
// Server errors keep their chain: it is ours, and needed to mend them.
func Loggable(status int, err error) string {
	if status >= 500 {
		return err.Error()
	}
	var ue *UserError
	if errors.As(err, &ue) {
		return err.Error() // login refusals: provider error codes, never claims
	}
	var fe *record.FieldError
	if errors.As(err, &fe) {
		return "invalid field " + string(fe.Field)
	}
	var pe *fhir.FieldError
	if errors.As(err, &pe) {
		return "invalid element " + pe.Path
	}
	var ce *consent.RuleError
	if errors.As(err, &ce) {
		return "invalid consent field " + ce.Field
	}
	for _, k := range errorKinds {
		if errors.Is(err, k.target) {
			return k.target.Error()
		}
	}
	return http.StatusText(status)
}

// LogFailure writes the one log line of a refused or failed request: its
// status, route pattern and what Loggable lets through of the error.
func LogFailure(log *slog.Logger, r *http.Request, route string, status int, err error) {
	ctx := r.Context()
	attrs := []any{"status", status, "route", route, "err", Loggable(status, err), "request_id", RequestID(ctx)}
	if status >= 500 {
		log.ErrorContext(ctx, "request failed", attrs...)
		return
	}
	log.InfoContext(ctx, "request refused", attrs...)
}
