// Package portaltest builds the portal for handler tests: the real shell,
// pages and FHIR API over a real SQLite database in a temporary directory,
// with the demo directory seeded and a principal injected instead of a
// login. It also holds guards that prove a request reached no store.
package portaltest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/auth/oidc"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/portal"
	"github.com/omahoito/omahoito/portal/fhirapi"
	"github.com/omahoito/omahoito/portal/web"
	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/blob"
	"github.com/omahoito/omahoito/store/sqlite"
)

// BaseURL is the public base URL the test portal builds links from.
const BaseURL = "http://127.0.0.1:8080"

// Env is one test portal and what it stands on.
type Env struct {
	Store    *sqlite.Store
	People   *auth.People
	Records  *record.Service
	Files    *record.Files    // a person's own files, in an encrypted fileblob bucket
	Consents *consent.Service // the gate, unless Options.Access replaced it
	Audit    *audit.Log       // the access log
	Handler  http.Handler     // the whole portal, without a principal
	Log      *Log
	Routes   gin.RoutesInfo // every page and API route
}

// Options change the portal a test gets.
type Options struct {
	// Access is the gate; nil: the consent service (Env.Consents).
	Access record.Access
	// RecordStore and AuthStore replace what the services read, e.g. by a
	// Guard; nil: the SQLite store.
	RecordStore record.Store
	AuthStore   auth.Store
	// Limits are the rate limits; zero: none.
	Limits portal.Limits
	// FileLimits are the limits of a person's files; zero: the defaults.
	FileLimits record.Limits
}

// testMasterKey is the fixed master key of the test portal's file bucket.
var testMasterKey = []byte("omahoito-test-master-key-32bytes")

// New builds a test portal on a fresh SQLite database.
func New(tb testing.TB, opts Options) *Env {
	tb.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "omahoito.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = st.Close() })
	if err := auth.SeedDirectory(ctx, st, auth.DemoDirectory()); err != nil {
		tb.Fatal(err)
	}
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	keys, err := auth.NewKeys(master)
	if err != nil {
		tb.Fatal(err)
	}
	var authStore auth.Store = st
	if opts.AuthStore != nil {
		authStore = opts.AuthStore
	}
	var recordStore record.Store = st
	if opts.RecordStore != nil {
		recordStore = opts.RecordStore
	}
	env := &Env{Store: st, Log: &Log{}}
	env.People = &auth.People{Store: authStore, Keys: keys}
	_, signing, _ := ed25519.GenerateKey(rand.Reader)
	env.Audit = audit.NewLog(st, signing, audit.Options{})
	tb.Cleanup(func() { _ = env.Audit.Close() })
	env.Consents = &consent.Service{Store: st, Directory: st, People: authStore, Finder: env.People, Log: env.Audit, History: env.Audit,
		RequestID: portal.RequestID}
	access := opts.Access
	if access == nil {
		access = env.Consents
	}
	env.Records = &record.Service{Store: recordStore, People: env.People, Access: access}
	env.Files = newFiles(tb, st, access, opts.FileLimits)
	env.Handler = env.build(tb, st, opts.Limits)
	return env
}

func (e *Env) build(tb testing.TB, st *sqlite.Store, limits portal.Limits) http.Handler {
	tb.Helper()
	log := slog.New(slog.NewTextHandler(e.Log, nil))
	metrics, err := portal.NewMetrics(nil)
	if err != nil {
		tb.Fatal(err)
	}
	sessions := oidc.NewSessions(st.SessionStore(), false)
	pages := &web.Pages{Log: log, People: e.People, Records: e.Records, Consents: e.Consents, Files: e.Files, Directory: st, Sessions: sessions, Metrics: metrics, Limits: limits}
	pagesHandler, err := pages.Handler()
	if err != nil {
		tb.Fatal(err)
	}
	api := &fhirapi.API{Log: log, People: e.People, Records: e.Records, Consents: e.Consents, Files: e.Files, Directory: st, BaseURL: BaseURL, Version: "test", Metrics: metrics, Limits: limits}
	apiHandler := api.Handler()
	e.Routes = append(pages.Routes(), api.Routes()...)
	shell := &portal.Shell{Log: log, Sessions: sessions, Pages: pagesHandler, Static: web.Static(), API: apiHandler,
		Ready: st.Ping, BaseURL: BaseURL, Metrics: metrics}
	return shell.Handler()
}

// newFiles is the files service over st and a fileblob bucket in a
// temporary directory, encrypted with the fixed test master key.
func newFiles(tb testing.TB, st *sqlite.Store, access record.Access, limits record.Limits) *record.Files {
	tb.Helper()
	keys, err := blob.NewMasterKeys("test", map[string][]byte{"test": testMasterKey})
	if err != nil {
		tb.Fatal(err)
	}
	bucket, err := blob.Open(context.Background(), "file://"+tb.TempDir()+"?create_dir=1&dir_file_mode=0700", keys)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = bucket.Close() })
	return &record.Files{Store: st, Content: blob.RecordContent{Store: bucket}, Access: access, Limits: limits}
}

// As serves requests as who, as if a session held them.
func (e *Env) As(who auth.Principal) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !who.IsZero() {
			r = r.WithContext(auth.WithPrincipal(r.Context(), who))
		}
		e.Handler.ServeHTTP(w, r)
	})
}

// Do sends one request as who and returns the recorded answer. A body
// starting with "{" is sent as FHIR JSON, any other as a form.
func (e *Env) Do(tb testing.TB, who auth.Principal, method, target, body string) *httptest.ResponseRecorder {
	tb.Helper()
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, target, nil)
	} else {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
		if strings.HasPrefix(body, "{") {
			r.Header.Set("Content-Type", "application/fhir+json")
		} else {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	r.Header.Set("Origin", BaseURL) // same origin, as the portal's own pages
	r.Host = strings.TrimPrefix(BaseURL, "http://")
	w := httptest.NewRecorder()
	e.As(who).ServeHTTP(w, r)
	return w
}

// MustCitizen registers a citizen with hetu in region and returns them as
// a principal.
func (e *Env) MustCitizen(tb testing.TB, hetu, region string) auth.Principal {
	tb.Helper()
	p, _, err := e.People.FindOrRegister(context.Background(), auth.Registration{
		Hetu: auth.MustParseHetu(hetu), GivenName: "Testi", FamilyName: "Henkilö", Region: region,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return auth.Principal{Kind: auth.KindCitizen, PersonID: p.ID, RegionID: p.HomeRegion}
}

// Professional is the seeded professional with id as a principal.
func Professional(id, unit, region string) auth.Principal {
	return auth.Principal{Kind: auth.KindProfessional, ProfessionalID: id, CareUnitID: unit, RegionID: region}
}

// Log collects what the portal logged, for tests that look for leaks.
type Log struct {
	mu  sync.Mutex
	buf strings.Builder
}

var _ io.Writer = (*Log)(nil)

func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String is everything logged so far.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
