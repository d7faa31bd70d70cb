package web

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/auth/oidc"
	"github.com/omahoito/omahoito/consent"
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
	// SearchProfessionals and SearchCareUnits are the region's directory
	// a citizen picks a grantee from (see auth.Store).
	SearchProfessionals(ctx context.Context, regionID, terhikki, name string) ([]auth.Professional, error)
	SearchCareUnits(ctx context.Context, regionID, oid, name string) ([]auth.CareUnit, error)
}

// Pages holds what the page handlers need. cmd/omahoito fills it in.
type Pages struct {
	Log           *slog.Logger
	People        *auth.People     // login registers citizens
	Records       *record.Service  // every read of a person's data
	Consents      *consent.Service // grants, requests for consent, the access log a citizen reads
	Files         *record.Files    // a person's own files, behind the same gate
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
var pageNames = slices.Concat([]string{"home", "error", "measurements", "measurement_form", "measurement_kind",
	"measurement_delete", "measurement_history"}, consentTemplates, accessLogTemplates, proTemplates, privacyTemplates, fileTemplates)

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
		if err := checkTemplateMessages(t); err != nil {
			return err
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
	r.Use(portal.Recoverer(s.fail), portal.Observe(s.Log, s.Metrics), s.formBodies)
	r.GET("/", s.page(s.home))
	loginLimit := portal.LimitByAddress(s.Limits.LoginByAddress, s.fail)
	r.GET("/login", loginLimit, s.page(s.beginLogin(s.Citizen, citizenFlow)))
	r.GET("/pro/login", loginLimit, s.page(s.beginLogin(s.Professional, professionalFlow)))
	r.GET("/auth/citizen/callback", s.page(s.citizenCallback))
	r.GET("/auth/professional/callback", s.page(s.professionalCallback))
	r.POST("/logout", s.page(s.logout))
	s.measurementPages(r)
	s.consentPages(r)
	s.accessLogPages(r)
	s.proPages(r)
	s.privacyPages(r)
	s.filePages(r)
	r.NoRoute(func(c *gin.Context) { s.fail(c, portal.ErrNoRoute) })
	r.NoMethod(func(c *gin.Context) { s.fail(c, portal.ErrNoMethod) })
	s.routes = r.Routes()
	return portal.Abortable(portal.CrossOriginProtect(r, http.HandlerFunc(s.crossOriginDenied))), nil
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
	Heading   string
	MessageID msgID
	RetryHref string
}

// errorHeadings say in a few words what happened, by status; the message
// below the heading says what to do.
var errorHeadings = map[int]msgID{
	http.StatusBadRequest:            msgErrorHeadingBadrequest,
	http.StatusUnauthorized:          msgErrorHeadingUnauthorized,
	http.StatusForbidden:             msgErrorHeadingForbidden,
	http.StatusNotFound:              msgErrorHeadingNotfound,
	http.StatusConflict:              msgErrorHeadingConflict,
	http.StatusGone:                  msgErrorHeadingGone,
	http.StatusRequestEntityTooLarge: msgErrorHeadingToolarge,
	http.StatusTooManyRequests:       msgErrorHeadingRatelimited,
	http.StatusServiceUnavailable:    msgErrorHeadingUnavailable,
}

// classified are the texts of the message ids portal.Classify names.
var classified = map[string]msgID{}

func init() {
	for _, id := range []msgID{msgErrorBadrequest, msgErrorUnauthorized, msgErrorForbidden, msgErrorNotfound,
		msgErrorConflict, msgErrorGone, msgErrorToolarge, msgErrorRatelimited, msgErrorInternal, msgErrorUnavailable,
		msgErrorLoginFailed, msgErrorLoginExpired, msgErrorLoginCancelled, msgErrorLoginHetu, msgErrorLoginUnknownpro,
		msgMeasErrorGone, msgMeasErrorConflict, msgErrorNotcitizen} {
		classified[string(id)] = id
	}
}

// errorHeading is the heading of an error page: a failed login says so
// whatever the status, anything unknown is the service's fault.
func errorHeading(status int, msg msgID) msgID {
	if strings.HasPrefix(string(msg), "error.login.") {
		return msgErrorHeadingLogin
	}
	if id, ok := messageHeadings[msg]; ok {
		return id
	}
	if id, ok := errorHeadings[status]; ok {
		return id
	}
	if status < 500 {
		return msgErrorHeadingBadrequest
	}
	return msgErrorHeadingInternal
}

// fail is the pages' one place where errors become responses: a page in
// the reader's language that says in its heading what happened.
func (s *Pages) fail(c *gin.Context, err error) {
	status, id, retry := portal.Classify(err)
	ctx := c.Request.Context()
	portal.LogFailure(s.Log, c.Request, c.FullPath(), status, err)
	msg, ok := classified[id]
	if !ok {
		msg = msgErrorInternal // an id portal added without a text here: still a page a person can read
	}
	heading := errorHeading(status, msg)
	page := errorPage{layout: s.layout(c, heading), MessageID: msg, RetryHref: retry}
	page.Heading, page.RequestID = page.Title, portal.RequestID(ctx)
	s.render(c, status, "error", page)
}

// crossOriginDenied answers a form posted from another site.
func (s *Pages) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	s.Log.WarnContext(r.Context(), "cross-origin request refused", "method", r.Method, "request_id", portal.RequestID(r.Context()))
	t := newTranslator(s.i18n, portal.Lang(r.Context()))
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write([]byte(t.T(msgErrorCrossorigin) + "\n"))
}
