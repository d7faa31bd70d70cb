package portal

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/auth/oidc"
	"github.com/omahoito/omahoito/fhir"
	"github.com/omahoito/omahoito/record"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Directory is the part of the identity store the portal reads: regions,
// care units and professionals.
type Directory interface {
	Regions(ctx context.Context) ([]auth.Region, error)
	Region(ctx context.Context, id string) (auth.Region, error)
	CareUnit(ctx context.Context, id string) (auth.CareUnit, error)
	Professional(ctx context.Context, id string) (auth.Professional, error)
	ProfessionalByUsername(ctx context.Context, username string) (auth.Professional, error)
	SearchProfessionals(ctx context.Context, regionID, terhikki, name string) ([]auth.Professional, error)
	SearchCareUnits(ctx context.Context, regionID, oid, name string) ([]auth.CareUnit, error)
}

// Server holds what the handlers need. cmd/omahoito fills it in.
type Server struct {
	Log           *slog.Logger
	People        *auth.People
	Records       *record.Service
	Directory     Directory
	Sessions      *oidc.Sessions
	Citizen       *oidc.RelyingParty   // citizens' bank-ID broker
	Professional  *oidc.RelyingParty   // professionals' organisation login
	Bearer        *oidc.BearerVerifier // access tokens of API clients; nil: bearer tokens are refused
	DevIDP        http.Handler         // the development provider, nil when off
	DefaultRegion string               // home region of a first login that names none
	Ready         func(context.Context) error
	Version       string
	BaseURL       string               // public base URL, e.g. https://omahoito.example.fi; links are built from it
	Metrics       *prometheus.Registry // nil: a private registry

	i18n    *i18n.Bundle
	pages   map[string]*template.Template
	metrics *httpMetrics
	started time.Time
}

// Handler builds the whole HTTP handler: middleware around the gin router.
// Static files, probes and the development provider do not load the
// session: a session load with an idle timeout writes the session back, and
// those requests have no use for it.
func (s *Server) Handler() (http.Handler, error) {
	if err := s.init(); err != nil {
		return nil, err
	}
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.crossOriginDenied))
	engine := s.router()
	mux := http.NewServeMux()
	mux.Handle("/", withoutSessionForBearer(engine, s.Sessions.Middleware(withSession(engine))))
	for _, p := range []string{"/static/", "/healthz", "/readyz", "/metrics", "/dev-idp/"} {
		mux.Handle(p, engine)
	}
	return withRequestID(securityHeaders(cop.Handler(mux))), nil
}

func (s *Server) init() error {
	if s.Log == nil {
		s.Log = slog.Default()
	}
	if s.DefaultRegion == "" {
		s.DefaultRegion = "kainuu"
	}
	if s.Metrics == nil {
		s.Metrics = prometheus.NewRegistry()
	}
	s.started = time.Now().UTC()
	var err error
	if s.i18n, err = newBundle(); err != nil {
		return fmt.Errorf("load translations: %w", err)
	}
	if s.pages, err = parsePages(); err != nil {
		return fmt.Errorf("parse templates: %w", err)
	}
	if s.metrics, err = newHTTPMetrics(s.Metrics); err != nil {
		return fmt.Errorf("register metrics: %w", err)
	}
	return nil
}

// parsePages parses each page together with the layout, once, at start.
func parsePages() (map[string]*template.Template, error) {
	pages := map[string]*template.Template{}
	for _, name := range []string{"home", "error", "measurements", "measurement_form", "measurement_kind", "measurement_delete", "measurement_history"} {
		t, err := template.ParseFS(templateFiles, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		pages[name] = t
	}
	return pages, nil
}

func (s *Server) router() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.Use(s.recoverer, s.observe)

	static, _ := fs.Sub(staticFiles, "static")
	r.StaticFS("/static", noListing{http.FS(static)})
	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	r.GET("/metrics", gin.WrapH(s.metricsHandler()))
	if s.DevIDP != nil {
		r.Any("/dev-idp/*path", gin.WrapH(s.DevIDP))
	}

	// Everything below reads the session.
	r.Use(s.loadPrincipal)

	r.GET("/", s.page(s.home))
	r.GET("/login", s.page(s.beginLogin(s.Citizen, citizenFlow)))
	r.GET("/pro/login", s.page(s.beginLogin(s.Professional, professionalFlow)))
	r.GET("/auth/citizen/callback", s.page(s.citizenCallback))
	r.GET("/auth/professional/callback", s.page(s.professionalCallback))
	r.POST("/logout", s.page(s.logout))
	s.measurementPages(r)
	s.fhirRoutes(r.Group("/fhir/r4"))

	r.NoRoute(s.notFound)
	r.NoMethod(s.methodNotAllowed)
	return r
}

func (s *Server) healthz(c *gin.Context) { c.String(http.StatusOK, "ok\n") }

func (s *Server) readyz(c *gin.Context) {
	if s.Ready != nil {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		defer cancel()
		if err := s.Ready(ctx); err != nil {
			s.Log.ErrorContext(ctx, "readiness check failed", "err", err)
			c.String(http.StatusServiceUnavailable, "database unreachable\n")
			return
		}
	}
	c.String(http.StatusOK, "ready\n")
}

// withoutSessionForBearer sends API requests that carry a bearer token
// straight to the engine: the token alone authorises them, so any session
// cookie is neither read nor refreshed.
func withoutSessionForBearer(engine, withSession http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isBearerAPI(r) {
			engine.ServeHTTP(w, r)
			return
		}
		withSession.ServeHTTP(w, r)
	})
}

type sessionLoadedKey struct{}

// withSession marks requests that passed the session middleware, so that
// a 404 on a path served without one (e.g. /static/missing) does not ask
// for a session that was never loaded.
func withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionLoadedKey{}, true)))
	})
}

// loadPrincipal puts the session's principal into the request context, so
// that handlers and services read it with auth.PrincipalFrom.
func (s *Server) loadPrincipal(c *gin.Context) {
	if loaded, _ := c.Request.Context().Value(sessionLoadedKey{}).(bool); !loaded {
		c.Next()
		return
	}
	p := s.Sessions.Principal(c.Request.Context())
	if !p.IsZero() {
		c.Request = c.Request.WithContext(auth.WithPrincipal(c.Request.Context(), p))
	}
	c.Next()
}

func (s *Server) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	s.Log.WarnContext(r.Context(), "cross-origin request refused",
		"method", r.Method, "request_id", requestIDFrom(r.Context()))
	const msg = "cross-origin request refused: state-changing requests must come from the portal's own pages"
	if strings.HasPrefix(r.URL.Path, "/fhir/") {
		body, _ := json.Marshal(fhir.Outcome(http.StatusForbidden, msg))
		w.Header().Set("Content-Type", fhir.ContentType+"; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write(body)
		return
	}
	// Outside the router there is no page language yet: say it in all three.
	http.Error(w, "Pyyntö hylättiin: lomake ei tullut Omahoidon omalta sivulta.\n"+
		"Begäran avvisades: formuläret kom inte från Omahoitos egen sida.\n"+
		"Request refused: the form did not come from Omahoito's own page.", http.StatusForbidden)
}

var errPanic = errors.New("panic in handler")

// noListing serves files but not directory listings.
type noListing struct{ fs http.FileSystem }

func (n noListing) Open(name string) (http.File, error) {
	f, err := n.fs.Open(name)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err != nil || st.IsDir() {
		f.Close()
		return nil, fs.ErrNotExist
	}
	return f, nil
}
