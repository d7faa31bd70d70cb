package oidc

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/omahoito/omahoito/auth"
)

// Session settings.
const (
	SessionCookieName  = "omahoito_session"
	SessionIdleTimeout = 30 * time.Minute
	SessionLifetime    = 12 * time.Hour
)

// Session keys. Values are plain strings so that any scs store and codec
// round-trips them without gob registration.
const (
	keyFlowPrefix     = "oidc.flow."
	keyKind           = "principal.kind"
	keyPersonID       = "principal.person"
	keyProfessionalID = "principal.professional"
	keyCareUnitID     = "principal.care_unit"
	keyRegionID       = "principal.region"
	keySeen           = "principal.seen" // unix seconds of the last request, for the idle timeout
)

// idleRefresh is how stale the last-seen time may grow before a request
// writes it back. scs's own IdleTimeout would write the session on every
// request; this writes at most once a minute per session.
const idleRefresh = time.Minute

// Sessions keeps login flows and the signed-in principal in an scs session.
type Sessions struct {
	Manager *scs.SessionManager
	Now     func() time.Time // nil: time.Now; tests set a clock
}

// NewSessions returns sessions stored in store, with a 30-minute idle
// timeout, a 12-hour lifetime and an HttpOnly, SameSite=Lax cookie on "/"
// that is Secure when secure is true.
func NewSessions(store scs.Store, secure bool) *Sessions {
	m := scs.New()
	m.Store = store
	m.Lifetime = SessionLifetime // the idle timeout is kept by Middleware
	m.Cookie.Name = SessionCookieName
	m.Cookie.HttpOnly = true
	m.Cookie.SameSite = http.SameSiteLaxMode
	m.Cookie.Secure = secure
	m.Cookie.Path = "/"
	return &Sessions{Manager: m}
}

// Middleware loads the session for each request and saves it afterwards,
// ending a signed-in session that has been idle for SessionIdleTimeout.
func (s *Sessions) Middleware(next http.Handler) http.Handler {
	return s.Manager.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.enforceIdle(r.Context()); err != nil {
			http.Error(w, "session error", http.StatusInternalServerError)
			return
		}
		next.ServeHTTP(w, r)
	}))
}

func (s *Sessions) enforceIdle(ctx context.Context) error {
	if s.Manager.GetString(ctx, keyKind) == "" {
		return nil
	}
	now := s.now()
	seen := time.Unix(s.Manager.GetInt64(ctx, keySeen), 0)
	switch idle := now.Sub(seen); {
	case idle > SessionIdleTimeout:
		return s.SignOut(ctx)
	case idle > idleRefresh:
		s.Manager.Put(ctx, keySeen, now.Unix())
	}
	return nil
}

func (s *Sessions) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// SaveFlow keeps the login flow for provider name until TakeFlow.
func (s *Sessions) SaveFlow(ctx context.Context, name string, f Flow) {
	s.Manager.Put(ctx, keyFlowPrefix+name, encodeFlow(f))
}

// TakeFlow returns and removes the login flow for provider name: a flow is
// good for one callback only.
func (s *Sessions) TakeFlow(ctx context.Context, name string) (Flow, bool) {
	raw := s.Manager.PopString(ctx, keyFlowPrefix+name)
	if raw == "" {
		return Flow{}, false
	}
	return decodeFlow(raw)
}

// encodeFlow writes f as a query string; Started keeps nanosecond precision.
func encodeFlow(f Flow) string {
	return url.Values{
		"state":    {f.State},
		"nonce":    {f.Nonce},
		"verifier": {f.Verifier},
		"started":  {strconv.FormatInt(f.Started.UnixNano(), 10)},
	}.Encode()
}

func decodeFlow(raw string) (Flow, bool) {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return Flow{}, false
	}
	started, err := strconv.ParseInt(q.Get("started"), 10, 64)
	if err != nil {
		return Flow{}, false
	}
	return Flow{
		State:    q.Get("state"),
		Nonce:    q.Get("nonce"),
		Verifier: q.Get("verifier"),
		Started:  time.Unix(0, started),
	}, true
}

// SignIn renews the session token, against session fixation, and records p.
func (s *Sessions) SignIn(ctx context.Context, p auth.Principal) error {
	if err := s.Manager.RenewToken(ctx); err != nil {
		return fmt.Errorf("oidc: renew session: %w", err)
	}
	s.Manager.Put(ctx, keyKind, string(p.Kind))
	s.Manager.Put(ctx, keyPersonID, p.PersonID)
	s.Manager.Put(ctx, keyProfessionalID, p.ProfessionalID)
	s.Manager.Put(ctx, keyCareUnitID, p.CareUnitID)
	s.Manager.Put(ctx, keyRegionID, p.RegionID)
	s.Manager.Put(ctx, keySeen, s.now().Unix())
	return nil
}

// Principal returns the signed-in principal, or the zero Principal.
func (s *Sessions) Principal(ctx context.Context) auth.Principal {
	kind := s.Manager.GetString(ctx, keyKind)
	if kind == "" {
		return auth.Principal{}
	}
	return auth.Principal{
		Kind:           auth.Kind(kind),
		PersonID:       s.Manager.GetString(ctx, keyPersonID),
		ProfessionalID: s.Manager.GetString(ctx, keyProfessionalID),
		CareUnitID:     s.Manager.GetString(ctx, keyCareUnitID),
		RegionID:       s.Manager.GetString(ctx, keyRegionID),
	}
}

// SignOut destroys the session, in the store and in the browser.
func (s *Sessions) SignOut(ctx context.Context) error {
	if err := s.Manager.Destroy(ctx); err != nil {
		return fmt.Errorf("oidc: destroy session: %w", err)
	}
	return nil
}
