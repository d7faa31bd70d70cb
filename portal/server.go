package portal

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/auth/oidc"
)

// APIPrefix is where the FHIR API is mounted.
const APIPrefix = "/fhir/r4"

// Shell is the outermost handler. cmd/omahoito fills it in with the two
// faces (Pages, API) and what every request shares.
type Shell struct {
	Log      *slog.Logger
	Sessions *oidc.Sessions
	Pages    http.Handler // portal/web: everything that is not the API
	Static   http.Handler // portal/web's static files: served without a session
	API      http.Handler // portal/fhirapi, mounted at APIPrefix
	DevIDP   http.Handler // the development provider, nil when off
	JWKS     http.Handler // the relying party's public keys, for the brokers
	Ready    func(context.Context) error
	BaseURL  string // public base URL; https turns on Strict-Transport-Security
	Metrics  *Metrics
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client; empty: the connection's own address is the client's.
	TrustedProxies []netip.Prefix
}

// Handler builds the whole HTTP handler. Static files, probes, metrics and
// the development provider do not load the session; an API request with a
// bearer token is authorised by the token alone and skips it too.
func (s *Shell) Handler() http.Handler {
	if s.Log == nil {
		s.Log = slog.Default()
	}
	mux := http.NewServeMux()
	https := strings.HasPrefix(s.BaseURL, "https://")
	withSession := func(h http.Handler) http.Handler {
		return s.Sessions.Middleware(loadPrincipal(s.Sessions, withLanguage(https, h)))
	}
	mux.Handle("/", withSession(s.Pages))
	api := skipSessionForBearer(s.API, withSession(s.API))
	mux.Handle(APIPrefix+"/", api)
	mux.Handle(APIPrefix, api) // POST [base] is a transaction
	mux.Handle("/static/", s.Static)
	mux.Handle("GET /healthz", s.probe("/healthz", http.HandlerFunc(healthz)))
	mux.Handle("GET /readyz", s.probe("/readyz", http.HandlerFunc(s.readyz)))
	mux.Handle("GET /metrics", s.probe("/metrics", s.Metrics.handler()))
	if s.JWKS != nil {
		mux.Handle("GET /auth/jwks.json", s.probe("/auth/jwks.json", s.JWKS))
	}
	if s.DevIDP != nil {
		mux.Handle("/dev-idp/", s.probe("/dev-idp", s.DevIDP))
	}
	return withRequestID(securityHeaders(https, clientAddress(s.TrustedProxies, mux)))
}

// probe counts a request to a route served outside the two faces.
func (s *Shell) probe(route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		s.Metrics.Observe(r.Method, route, rec.status, time.Since(start))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

func (s *Shell) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if s.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.Ready(ctx); err != nil {
			s.Log.ErrorContext(ctx, "readiness check failed", "err", err, "request_id", RequestID(ctx))
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("database unreachable\n"))
			return
		}
	}
	_, _ = w.Write([]byte("ready\n"))
}

// skipSessionForBearer sends requests that carry a bearer token straight
// to api: the token alone authorises them, so any session cookie is
// neither read nor refreshed.
func skipSessionForBearer(api, withSession http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, present := BearerToken(r); present {
			api.ServeHTTP(w, r)
			return
		}
		withSession.ServeHTTP(w, r)
	})
}

// BearerToken returns the token of an "Authorization: Bearer ..." header;
// present is true whenever the Bearer scheme is used, even with no token.
func BearerToken(r *http.Request) (token string, present bool) {
	h := r.Header.Get("Authorization")
	const scheme = "Bearer"
	if len(h) < len(scheme) || !strings.EqualFold(h[:len(scheme)], scheme) {
		return "", false
	}
	rest := h[len(scheme):]
	if rest != "" && rest[0] != ' ' {
		return "", false // another scheme that begins with "Bearer"
	}
	return strings.TrimSpace(rest), true
}

// loadPrincipal puts the session's principal into the request context, so
// that handlers and services read it with auth.PrincipalFrom.
func loadPrincipal(sessions *oidc.Sessions, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := sessions.Principal(r.Context()); !p.IsZero() {
			r = r.WithContext(auth.WithPrincipal(r.Context(), p))
		}
		next.ServeHTTP(w, r)
	})
}

// CrossOriginProtect refuses state-changing requests from other origins
// (net/http's CrossOriginProtection), answering with denied.
func CrossOriginProtect(next, denied http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(denied)
	return cop.Handler(next)
}

// Metrics counts requests by method, route pattern and status.
type Metrics struct {
	Registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func (m *Metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}
