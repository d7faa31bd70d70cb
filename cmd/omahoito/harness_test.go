package main

import (
	"bytes"
	"context"
	"crypto/rsa"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/store/postgres/pgtest"
)

// testApp is the whole service over httptest: real database, real
// development identity provider, real relying parties and sessions.
type testApp struct {
	URL   string
	log   *syncBuffer
	store storage // the app's own database
	// devKey is the development provider's signing key, to forge tokens it
	// did not issue.
	devKey *rsa.PrivateKey
	audit  *audit.Log     // the access log
	routes gin.RoutesInfo // every page and API route, for the authorisation matrix
}

// syncBuffer collects log output from concurrent requests.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// databases lists the stores every end-to-end test runs on: SQLite always,
// PostgreSQL when OMAHOITO_TEST_DATABASE_URL is set (required in CI).
var databases = []string{"sqlite", "postgres"}

// MustStartApp starts the service on the named database; opts change the
// configuration first.
func MustStartApp(tb testing.TB, database string, opts ...func(*Config)) *testApp {
	tb.Helper()
	cfg := Config{DataDir: tb.TempDir()}
	for _, o := range opts {
		o(&cfg)
	}
	if database == "postgres" {
		cfg.DatabaseURL = pgtest.SchemaURL(tb)
	}
	cfg.applyDefaults()
	srv := httptest.NewUnstartedServer(nil)
	srv.Start()
	tb.Cleanup(srv.Close)
	cfg.BaseURL = srv.URL
	logs := &syncBuffer{}
	a, err := newApp(context.Background(), cfg, slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		tb.Fatalf("start app on %s: %v", database, err)
	}
	tb.Cleanup(a.Close)
	srv.Config.Handler = a.handler
	return &testApp{URL: srv.URL, log: logs, store: a.store, devKey: a.devKey, audit: a.audit, routes: a.routes}
}

// withoutRateLimits is for load tests: every client shares 127.0.0.1.
func withoutRateLimits(c *Config) { c.RateLimits = "off" }

// browser is an HTTP client with a cookie jar, like a person's browser.
func browser(tb testing.TB) *http.Client {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &http.Client{Jar: jar}
}

var (
	formAction = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	hiddenID   = regexp.MustCompile(`name="id" value="([^"]+)"`)
)

// devLoginForm follows start (e.g. /login) to the development provider's
// form and returns where it posts and the auth request id it carries.
func devLoginForm(tb testing.TB, c *http.Client, start string) (action, id string) {
	tb.Helper()
	res, body := get(tb, c, start)
	if res.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: status %d, want the provider's login page: %s", start, res.StatusCode, body)
	}
	m, n := formAction.FindStringSubmatch(body), hiddenID.FindStringSubmatch(body)
	if m == nil || n == nil {
		tb.Fatalf("no login form at %s: %s", res.Request.URL, body)
	}
	action = m[1]
	if !strings.HasPrefix(action, "http") {
		action = res.Request.URL.Scheme + "://" + res.Request.URL.Host + action
	}
	return strings.ReplaceAll(action, "&amp;", "&"), n[1]
}

// citizenLogin logs a citizen in through /login and the provider's form and
// returns the page the browser lands on.
func (a *testApp) citizenLogin(tb testing.TB, c *http.Client, hetu, region string) (*http.Response, string) {
	tb.Helper()
	action, id := devLoginForm(tb, c, a.URL+"/login")
	return postForm(tb, c, action, url.Values{"id": {id}, "hetu": {hetu}, "region": {region}})
}

func (a *testApp) professionalLogin(tb testing.TB, c *http.Client, username string) (*http.Response, string) {
	tb.Helper()
	action, id := devLoginForm(tb, c, a.URL+"/pro/login")
	return postForm(tb, c, action, url.Values{"id": {id}, "username": {username}})
}

func get(tb testing.TB, c *http.Client, u string) (*http.Response, string) {
	tb.Helper()
	res, err := c.Get(u)
	if err != nil {
		tb.Fatalf("GET %s: %v", u, err)
	}
	return res, readBody(tb, res)
}

func postForm(tb testing.TB, c *http.Client, u string, form url.Values) (*http.Response, string) {
	tb.Helper()
	res, err := c.PostForm(u, form)
	if err != nil {
		tb.Fatalf("POST %s: %v", u, err)
	}
	return res, readBody(tb, res)
}

func readBody(tb testing.TB, res *http.Response) string {
	tb.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
