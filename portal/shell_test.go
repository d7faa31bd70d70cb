package portal_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/omahoito/omahoito/auth/oidc"
	"github.com/omahoito/omahoito/internal/portaltest"
	"github.com/omahoito/omahoito/portal"
	"github.com/omahoito/omahoito/store/sqlite"
)

// TestMetricsCannotBeGrownFromOutside sends requests with invented methods
// and paths: the metrics must not gain a series for any of them.
func TestMetricsCannotBeGrownFromOutside(t *testing.T) {
	env := portaltest.New(t, portaltest.Options{})
	for i, method := range []string{"GET", "BREW", "PROPFIND", "X-" + strings.Repeat("A", 50)} {
		for _, path := range []string{"/no/such/page", "/fhir/r4/Nope/" + strings.Repeat("x", i+1), "/measurements/k/zzz" + method} {
			r := httptest.NewRequest(http.MethodGet, path, nil)
			r.Method = method
			env.Handler.ServeHTTP(httptest.NewRecorder(), r)
		}
	}
	w := httptest.NewRecorder()
	env.Handler.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body := w.Body.String()
	for _, leak := range []string{"BREW", "PROPFIND", "X-AAAA", "no/such", "Nope", "zzz"} {
		if strings.Contains(body, leak) {
			t.Errorf("/metrics names %q, which a client chose", leak)
		}
	}
	if !strings.Contains(body, `method="other"`) || !strings.Contains(body, `route="unmatched"`) {
		t.Errorf("unknown methods and paths should fold into method=\"other\" and route=\"unmatched\":\n%s", grep(body, "omahoito_http_requests_total"))
	}
}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestStrictTransportSecurityFollowsTheBaseURL: HSTS is sent when the
// public base URL is https, even though a TLS-terminating proxy hands the
// request over plain HTTP, and never for a plain-HTTP base URL.
func TestStrictTransportSecurityFollowsTheBaseURL(t *testing.T) {
	for _, tc := range []struct {
		base string
		want bool
	}{{"https://omahoito.example.fi", true}, {"http://127.0.0.1:8080", false}} {
		h := shell(t, tc.base)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/healthz", nil))
		got := w.Header().Get("Strict-Transport-Security")
		if (got != "") != tc.want {
			t.Errorf("base %s: Strict-Transport-Security %q, want it %v", tc.base, got, tc.want)
		}
		if w.Header().Get("Content-Security-Policy") == "" || w.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("base %s: security headers missing: %v", tc.base, w.Header())
		}
	}
}

// shell is the shell alone, with empty faces, over a real session store.
func shell(t *testing.T, base string) http.Handler {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	metrics, err := portal.NewMetrics(nil)
	if err != nil {
		t.Fatal(err)
	}
	empty := http.NotFoundHandler()
	sh := &portal.Shell{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: metrics, BaseURL: base,
		Sessions: oidc.NewSessions(st.SessionStore(), strings.HasPrefix(base, "https://")),
		Pages:    empty, Static: empty, API: empty}
	return sh.Handler()
}

// TestStaticFilesHaveNoListing: the style sheet is served, a directory is not listed.
func TestStaticFilesHaveNoListing(t *testing.T) {
	env := portaltest.New(t, portaltest.Options{})
	for path, want := range map[string]int{"/static/style.css": 200, "/static/": 404} {
		w := httptest.NewRecorder()
		env.Handler.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		if w.Code != want {
			t.Errorf("GET %s = %d, want %d", path, w.Code, want)
		}
	}
	w := httptest.NewRecorder()
	env.Handler.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/static/../go.mod", nil))
	if w.Code == http.StatusOK || strings.Contains(w.Body.String(), "module ") {
		t.Errorf("GET /static/../go.mod = %d: a file outside the static files was served", w.Code)
	}
}

// TestLanguageCookieIsSecureUnderHTTPS: behind a TLS-terminating proxy the
// request is plain HTTP, yet the cookie must be Secure when the public
// base URL is https.
func TestLanguageCookieIsSecureUnderHTTPS(t *testing.T) {
	for base, want := range map[string]bool{"https://omahoito.example.fi": true, "http://127.0.0.1:8080": false} {
		w := httptest.NewRecorder()
		shell(t, base).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/?lang=sv", nil))
		var found bool
		for _, c := range w.Result().Cookies() {
			if c.Name == portal.LangCookie {
				found = true
				if c.Secure != want || !c.HttpOnly {
					t.Errorf("base %s: language cookie Secure=%v HttpOnly=%v, want Secure=%v and HttpOnly", base, c.Secure, c.HttpOnly, want)
				}
			}
		}
		if !found {
			t.Errorf("base %s: ?lang=sv set no language cookie", base)
		}
	}
}
