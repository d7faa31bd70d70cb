package web

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/auth/oidc"
	"github.com/omahoito/omahoito/portal"
	"github.com/omahoito/omahoito/record"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Directory is the part of the identity store the pages read: regions,
// care units and professionals. None of it is a person's record.
type Directory interface {
	Region(ctx context.Context, id string) (auth.Region, error)
	CareUnit(ctx context.Context, id string) (auth.CareUnit, error)
	Professional(ctx context.Context, id string) (auth.Professional, error)
	ProfessionalByUsername(ctx context.Context, username string) (auth.Professional, error)
}

// Pages holds what the page handlers need. cmd/omahoito fills it in.
type Pages struct {
	Log           *slog.Logger
	People        *auth.People    // login registers citizens
	Records       *record.Service // every read of a person's data
	Directory     Directory
	Sessions      *oidc.Sessions
	Citizen       *oidc.RelyingParty // citizens' bank-ID broker
	Professional  *oidc.RelyingParty // professionals' organisation login
	DefaultRegion string             // home region of a first login that names none
	Metrics       *portal.Metrics
	Limits        portal.Limits

	i18n   *i18n.Bundle
	pages  map[string]*template.Template
	routes gin.RoutesInfo
}

// Routes lists the registered routes, once Handler has run: the gate test
// walks every one of them.
func (s *Pages) Routes() gin.RoutesInfo { return s.routes }

// pageNames are the templates, each parsed with the layout once at start:
// a missing or broken one fails the start, not a request.
var pageNames = []string{"home", "error", "measurements", "measurement_form", "measurement_kind",
	"measurement_delete", "measurement_history"}

func (s *Pages) init() error {
	if s.Log == nil {
		s.Log = slog.Default()
	}
	if s.DefaultRegion == "" {
		s.DefaultRegion = "kainuu"
	}
	var err error
	if s.i18n, err = newBundle(); err != nil {
		return fmt.Errorf("load translations: %w", err)
	}
	s.pages = map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.ParseFS(templateFiles, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return fmt.Errorf("parse templates: %w", err)
		}
		s.pages[name] = t
	}
	return nil
}

// Handler builds the pages' handler. The shell puts the session's
// principal and the language into each request's context first.
func (s *Pages) Handler() (http.Handler, error) {
	if err := s.init(); err != nil {
		return nil, err
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.Use(portal.Recoverer(s.fail), portal.Observe(s.Log, s.Metrics))
	r.GET("/", s.page(s.home))
	loginLimit := portal.LimitByAddress(s.Limits.LoginByAddress, s.fail)
	r.GET("/login", loginLimit, s.page(s.beginLogin(s.Citizen, citizenFlow)))
	r.GET("/pro/login", loginLimit, s.page(s.beginLogin(s.Professional, professionalFlow)))
	r.GET("/auth/citizen/callback", s.page(s.citizenCallback))
	r.GET("/auth/professional/callback", s.page(s.professionalCallback))
	r.POST("/logout", s.page(s.logout))
	s.measurementPages(r)
	r.NoRoute(func(c *gin.Context) { s.fail(c, portal.ErrNoRoute) })
	r.NoMethod(func(c *gin.Context) { s.fail(c, portal.ErrNoMethod) })
	s.routes = r.Routes()
	return portal.CrossOriginProtect(r, http.HandlerFunc(s.crossOriginDenied)), nil
}

// Static serves the pages' style sheet and scripts, without listings.
func Static() http.Handler {
	static, _ := fs.Sub(staticFiles, "static")
	return http.StripPrefix("/static/", http.FileServerFS(noListing{static}))
}

// noListing serves files but not directory listings.
type noListing struct{ fs.FS }

func (n noListing) Open(name string) (fs.File, error) {
	f, err := n.FS.Open(name)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err != nil || st.IsDir() {
		f.Close()
		return nil, fs.ErrNotExist
	}
	return f, nil
}

func principal(c *gin.Context) auth.Principal { return auth.PrincipalFrom(c.Request.Context()) }

// page adapts a handler that returns an error to gin; errors go to fail.
func (s *Pages) page(h func(*gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			s.fail(c, err)
		}
	}
}

type errorPage struct {
	layout
	MessageID string
	RetryHref string
}

// fail is the pages' one place where errors become responses: a page in
// the reader's language that says in its heading what happened.
func (s *Pages) fail(c *gin.Context, err error) {
	status, msgID, retry := portal.Classify(err)
	ctx := c.Request.Context()
	attrs := []any{"status", status, "route", c.FullPath(), "err", portal.Loggable(status, err), "request_id", portal.RequestID(ctx)}
	if status >= 500 {
		s.Log.ErrorContext(ctx, "request failed", attrs...)
	} else {
		s.Log.InfoContext(ctx, "request refused", attrs...)
	}
	page := errorPage{layout: s.layout(c, "error.title"), MessageID: msgID, RetryHref: retry}
	page.RequestID = portal.RequestID(ctx)
	s.render(c, status, "error", page)
}

// crossOriginDenied answers a form posted from another site.
func (s *Pages) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	s.Log.WarnContext(r.Context(), "cross-origin request refused", "method", r.Method, "request_id", portal.RequestID(r.Context()))
	t := newTranslator(s.i18n, portal.Lang(r.Context()))
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write([]byte(t.T("error.crossorigin") + "\n"))
}
