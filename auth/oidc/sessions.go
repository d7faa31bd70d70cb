package oidc

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/omahoito/omahoito/auth"
)

// Session settings. The cookie has no Expires or Max-Age: it ends with the
// browser session, while the server ends the session after
// SessionIdleTimeout idle or SessionLifetime in all.
const (
	SessionCookieName = "omahoito_session"
	// SecureSessionCookieName is the cookie's name under https: the
	// __Host- prefix makes the browser refuse it unless it is Secure, on
	// Path=/ and without Domain, so a sibling host cannot plant or shadow it.
	SecureSessionCookieName = "__Host-" + SessionCookieName
	SessionIdleTimeout      = 30 * time.Minute
	SessionLifetime         = 12 * time.Hour
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
//
// Its Middleware replaces scs's LoadAndSave so that a session write can
// never corrupt an answer. Writes that matter — SaveFlow, SignIn, SignOut —
// reach the store inside the call and return its error, before the handler
// answers. Everything else (the idle timestamp, a taken flow) is saved just
// before the answer's header goes out; if that fails it is logged and the
// answer goes out unchanged, without a session cookie. Change session data
// only through these methods: a write made on Manager directly after one of
// the saving methods is not stored.
type Sessions struct {
	Manager *scs.SessionManager
	Now     func() time.Time // nil: time.Now; tests set a clock
	Log     *slog.Logger     // where a deferred save that failed is reported; nil: slog.Default()
	// LoadFailed answers a request whose session could not be read from
	// the store (err wraps ErrSession); nil: a plain 500.
	LoadFailed func(w http.ResponseWriter, r *http.Request, err error)
}

// NewSessions returns sessions stored in store, with a 30-minute idle
// timeout, a 12-hour lifetime and an HttpOnly, SameSite=Lax browser-session
// cookie on "/" with no Domain. When secure is true (https) the cookie is
// Secure and named SecureSessionCookieName, else SessionCookieName.
func NewSessions(store scs.Store, secure bool) *Sessions {
	m := scs.New()
	m.Store = store
	m.Lifetime = SessionLifetime // the idle timeout is kept by Middleware
	m.Cookie.Name = SessionCookieName
	if secure {
		m.Cookie.Name = SecureSessionCookieName
	}
	m.Cookie.HttpOnly = true
	m.Cookie.SameSite = http.SameSiteLaxMode
	m.Cookie.Secure = secure
	m.Cookie.Path = "/"
	m.Cookie.Domain = ""
	m.Cookie.Persist = false
	return &Sessions{Manager: m}
}

// CookieName is the name of the session cookie.
func (s *Sessions) CookieName() string { return s.Manager.Cookie.Name }

// requestState is what Middleware knows of one request's session writes.
type requestState struct {
	mu      sync.Mutex
	saved   bool // committed by a saving method and not changed since
	discard bool // a saving method failed: store nothing more for this request
	token   string
	expiry  time.Time
}

type stateKey struct{}

func stateFrom(ctx context.Context) *requestState {
	st, _ := ctx.Value(stateKey{}).(*requestState)
	if st == nil { // outside Middleware: nothing to track, nothing deferred
		st = &requestState{}
	}
	return st
}

// Middleware loads the session for each request and saves what is left
// unsaved just before the answer's header, ending a signed-in session that
// has been idle for SessionIdleTimeout. A request that never signs in and
// starts no login stores nothing.
func (s *Sessions) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Cookie")
		var token string
		if c, err := r.Cookie(s.CookieName()); err == nil {
			token = c.Value
		}
		ctx, err := s.Manager.Load(r.Context(), token)
		if err != nil {
			s.loadFailed(w, r, fmt.Errorf("%w: load: %w", ErrSession, err))
			return
		}
		ctx = context.WithValue(ctx, stateKey{}, &requestState{})
		r = r.WithContext(ctx)
		s.enforceIdle(ctx)
		sw := &sessionWriter{ResponseWriter: w, sessions: s, request: r}
		next.ServeHTTP(sw, r)
		sw.settle()
	})
}

func (s *Sessions) loadFailed(w http.ResponseWriter, r *http.Request, err error) {
	if s.LoadFailed != nil {
		s.LoadFailed(w, r, err)
		return
	}
	s.log().ErrorContext(r.Context(), "session could not be loaded", "error", err)
	http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
}

func (s *Sessions) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// enforceIdle ends a signed-in session idle for longer than
// SessionIdleTimeout and otherwise notes the request's time, at most once
// per idleRefresh. If the store cannot delete an idle session, the request
// still goes on signed out.
func (s *Sessions) enforceIdle(ctx context.Context) {
	if s.Manager.GetString(ctx, keyKind) == "" {
		return
	}
	now := s.now()
	seen := time.Unix(s.Manager.GetInt64(ctx, keySeen), 0)
	switch idle := now.Sub(seen); {
	case idle > SessionIdleTimeout:
		if err := s.Manager.Destroy(ctx); err != nil {
			s.log().WarnContext(ctx, "idle session could not be deleted; it is cleared instead", "error", err)
			_ = s.Manager.Clear(ctx) // never fails
			s.changed(ctx)
		}
	case idle > idleRefresh:
		s.Manager.Put(ctx, keySeen, now.Unix())
		s.changed(ctx)
	}
}

func (s *Sessions) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// save commits the session now, for a write the answer depends on. On
// failure nothing more is stored for this request, so the client is never
// told of a failure for something that was stored after all.
func (s *Sessions) save(ctx context.Context, what string) error {
	st := stateFrom(ctx)
	token, expiry, err := s.Manager.Commit(ctx)
	st.mu.Lock()
	defer st.mu.Unlock()
	if err != nil {
		st.discard = true
		return fmt.Errorf("%w: %s: %w", ErrSession, what, err)
	}
	st.saved, st.token, st.expiry = true, token, expiry
	return nil
}

// changed notes a write that is to be saved when the answer goes out.
func (s *Sessions) changed(ctx context.Context) {
	st := stateFrom(ctx)
	st.mu.Lock()
	st.saved = false
	st.mu.Unlock()
}

// settle saves what is unsaved and sets the cookie, just before the
// answer's header is written. A failed save is logged and leaves the answer
// as it is: no error is written into it.
func (s *Sessions) settle(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st := stateFrom(ctx)
	st.mu.Lock()
	saved, discard, token, expiry := st.saved, st.discard, st.token, st.expiry
	st.mu.Unlock()
	switch s.Manager.Status(ctx) {
	case scs.Destroyed:
		s.Manager.WriteSessionCookie(ctx, w, "", time.Time{})
	case scs.Modified:
		if discard {
			return
		}
		if !saved {
			var err error
			if token, expiry, err = s.Manager.Commit(ctx); err != nil {
				s.log().WarnContext(ctx, "session not saved; the answer goes out unchanged", "error", err)
				return
			}
		}
		s.Manager.WriteSessionCookie(ctx, w, token, expiry)
	}
}

// sessionWriter settles the session when the handler first writes.
type sessionWriter struct {
	http.ResponseWriter
	sessions *Sessions
	request  *http.Request
	settled  bool
}

func (w *sessionWriter) settle() {
	if !w.settled {
		w.settled = true
		w.sessions.settle(w.ResponseWriter, w.request)
	}
}

func (w *sessionWriter) WriteHeader(code int) {
	w.settle()
	w.ResponseWriter.WriteHeader(code)
}

func (w *sessionWriter) Write(b []byte) (int, error) {
	w.settle()
	return w.ResponseWriter.Write(b)
}

// Flush and Hijack keep what the server's writer offers (gin calls them
// without asking); Unwrap serves http.ResponseController.
func (w *sessionWriter) Flush() {
	w.settle()
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *sessionWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

func (w *sessionWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// SaveFlow keeps the login flow for provider name until TakeFlow. It is
// stored before SaveFlow returns: send the browser to the provider only if
// the error is nil (it wraps ErrSession), or the callback would find no flow.
//
// A session in which no one is signed in ends with the flow, FlowLifetime
// from now, not SessionLifetime: every login start stores a row, and the
// rate limit per address does not stop a client that rotates addresses, so
// abandoned starts must leave the store as soon as they are useless.
func (s *Sessions) SaveFlow(ctx context.Context, name string, f Flow) error {
	s.Manager.Put(ctx, keyFlowPrefix+name, encodeFlow(f))
	if s.Manager.GetString(ctx, keyKind) == "" {
		// Wall-clock time, as scs's own deadlines: the store expires rows by it.
		s.Manager.SetDeadline(ctx, time.Now().Add(FlowLifetime))
	}
	return s.save(ctx, "save login flow")
}

// TakeFlow returns and removes the login flow for provider name: a flow is
// good for one callback only.
func (s *Sessions) TakeFlow(ctx context.Context, name string) (Flow, bool) {
	raw := s.Manager.PopString(ctx, keyFlowPrefix+name)
	if raw == "" {
		return Flow{}, false
	}
	s.changed(ctx)
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

// SignIn renews the session token, against session fixation, and records
// p; the session then lives SessionLifetime from now (the login flow's
// short deadline is gone). The session is stored before SignIn returns; on
// an error (wrapping ErrSession) nothing of it is, and the handler should
// answer with the error.
func (s *Sessions) SignIn(ctx context.Context, p auth.Principal) error {
	if err := s.Manager.RenewToken(ctx); err != nil {
		s.discard(ctx)
		return fmt.Errorf("%w: renew session: %w", ErrSession, err)
	}
	s.Manager.SetDeadline(ctx, time.Now().Add(s.Manager.Lifetime))
	s.Manager.Put(ctx, keyKind, string(p.Kind))
	s.Manager.Put(ctx, keyPersonID, p.PersonID)
	s.Manager.Put(ctx, keyProfessionalID, p.ProfessionalID)
	s.Manager.Put(ctx, keyCareUnitID, p.CareUnitID)
	s.Manager.Put(ctx, keyRegionID, p.RegionID)
	s.Manager.Put(ctx, keySeen, s.now().Unix())
	return s.save(ctx, "save signed-in session")
}

// discard stores nothing more for this request.
func (s *Sessions) discard(ctx context.Context) {
	st := stateFrom(ctx)
	st.mu.Lock()
	st.discard = true
	st.mu.Unlock()
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

// SignOut destroys the session, in the store before it returns and in the
// browser with the answer. On an error (wrapping ErrSession) the session
// is still stored and nothing else of this request is.
func (s *Sessions) SignOut(ctx context.Context) error {
	if err := s.Manager.Destroy(ctx); err != nil {
		s.discard(ctx)
		return fmt.Errorf("%w: destroy session: %w", ErrSession, err)
	}
	return nil
}
