package portal_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/auth/oidc"
	"github.com/omahoito/omahoito/portal"
	"github.com/omahoito/omahoito/store/sqlite"
)

// ratioChunk is how many requests each side serves in turn when a
// benchmark times the bare handler alongside the wrapped one.
const ratioChunk = 1024

// BenchmarkSessionMiddleware measures what the session middleware, and the
// whole portal stack, add to a request, without the network: requests go
// straight to ServeHTTP with an httptest.ResponseRecorder, the sessions
// live in a real SQLite database in a temporary directory.
//
//	bare                    a handler that writes 200 "ok"
//	session-anonymous       bare inside Sessions.Middleware, no cookie
//	session-loggedin        a signed-in citizen's cookie; the handler reads Principal
//	stack-healthz           GET /healthz through portal.Server.Handler, no cookie
//	stack-healthz-loggedin  the same with a signed-in citizen's cookie
//	store-find              the session store's Find alone (what a request with a cookie reads)
//	store-commit            the session store's Commit alone (what it writes back: the idle
//	                        timeout marks every loaded session modified)
//
// Every sub-benchmark but bare also serves the bare handler, in
// alternating chunks, and reports bare-ns/op and x-bare, its own time per
// request as a multiple of bare's under the same machine load.
func BenchmarkSessionMiddleware(b *testing.B) {
	sessions := benchSessions(b)
	cookie := signedInCookie(b, sessions)
	stack := benchStack(b, sessions)
	bare := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { writeOK(w) })
	readsPrincipal := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sessions.Principal(r.Context()).IsZero() {
			http.Error(w, "not signed in", http.StatusUnauthorized)
			return
		}
		writeOK(w)
	})
	anonymous := httptest.NewRequest(http.MethodGet, "/", nil)
	loggedIn := withCookie(httptest.NewRequest(http.MethodGet, "/", nil), cookie)
	healthz := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	healthzLoggedIn := withCookie(httptest.NewRequest(http.MethodGet, "/healthz", nil), cookie)
	base := request{bare, anonymous}

	b.Run("bare", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			base.serve(b)
		}
	})
	b.Run("session-anonymous", func(b *testing.B) {
		versusBare(b, base, request{sessions.Middleware(bare), anonymous})
	})
	b.Run("session-loggedin", func(b *testing.B) {
		versusBare(b, base, request{sessions.Middleware(readsPrincipal), loggedIn})
	})
	b.Run("stack-healthz", func(b *testing.B) {
		versusBare(b, base, request{stack, healthz})
	})
	b.Run("stack-healthz-loggedin", func(b *testing.B) {
		versusBare(b, base, request{stack, healthzLoggedIn})
	})
	b.Run("store-find", func(b *testing.B) {
		for b.Loop() {
			findSession(b, sessions, cookie.Value)
		}
	})
	b.Run("store-commit", func(b *testing.B) {
		data := findSession(b, sessions, cookie.Value)
		for b.Loop() {
			if err := sessions.Manager.Store.Commit(cookie.Value, data, time.Now().Add(time.Hour)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// findSession reads the encoded session under token straight from the store.
func findSession(b *testing.B, sessions *oidc.Sessions, token string) []byte {
	data, found, err := sessions.Manager.Store.Find(token)
	if err != nil || !found {
		b.Fatalf("find session: found %v, %v", found, err)
	}
	return data
}

// request is a handler and the request it serves in a benchmark.
type request struct {
	h http.Handler
	r *http.Request
}

// serve serves the request once and fails b unless the answer is 200.
func (q request) serve(b *testing.B) {
	w := httptest.NewRecorder()
	q.h.ServeHTTP(w, q.r)
	if w.Code != http.StatusOK {
		b.Fatalf("%s %s: status %d: %s", q.r.Method, q.r.URL.Path, w.Code, w.Body)
	}
}

// versusBare runs wrapped b.N times under the benchmark timer and bare
// b.N times timed by hand, in alternating chunks so that both see the same
// load, and reports bare's time per request and the ratio.
func versusBare(b *testing.B, bare, wrapped request) {
	b.ReportAllocs()
	var bareTime time.Duration
	b.ResetTimer()
	for done := 0; done < b.N; {
		n := min(ratioChunk, b.N-done)
		b.StopTimer()
		start := time.Now()
		for range n {
			bare.serve(b)
		}
		bareTime += time.Since(start)
		b.StartTimer()
		for range n {
			wrapped.serve(b)
		}
		done += n
	}
	b.StopTimer()
	b.ReportMetric(float64(bareTime.Nanoseconds())/float64(b.N), "bare-ns/op")
	b.ReportMetric(float64(b.Elapsed())/float64(bareTime), "x-bare")
}

func writeOK(w http.ResponseWriter) {
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "ok")
}

// benchSessions returns sessions as cmd/omahoito configures them, in a new
// SQLite database.
func benchSessions(b *testing.B) *oidc.Sessions {
	store, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "sessions.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = store.Close() })
	return oidc.NewSessions(store.SessionStore(), false)
}

// signedInCookie signs a citizen in through the middleware and returns
// the session cookie the browser would keep.
func signedInCookie(b *testing.B, sessions *oidc.Sessions) *http.Cookie {
	p := auth.Principal{Kind: auth.KindCitizen, PersonID: "bench-person", RegionID: "kainuu"}
	h := sessions.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := sessions.SignIn(r.Context(), p); err != nil {
			b.Fatal(err)
		}
		writeOK(w)
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	for _, c := range w.Result().Cookies() {
		if c.Name == oidc.SessionCookieName {
			return c
		}
	}
	b.Fatalf("sign-in set no %s cookie", oidc.SessionCookieName)
	return nil
}

// benchStack is the portal's shell: request id, security headers, metrics,
// and the session, principal and language for the two faces (here empty).
func benchStack(b *testing.B, sessions *oidc.Sessions) http.Handler {
	metrics, err := portal.NewMetrics(nil)
	if err != nil {
		b.Fatal(err)
	}
	notFound := http.NotFoundHandler()
	shell := &portal.Shell{Log: slog.New(slog.DiscardHandler), Sessions: sessions, Metrics: metrics,
		Pages: notFound, Static: notFound, API: notFound}
	return shell.Handler()
}

func withCookie(r *http.Request, c *http.Cookie) *http.Request {
	r.AddCookie(c)
	return r
}
