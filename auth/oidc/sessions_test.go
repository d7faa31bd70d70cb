package oidc

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"

	"github.com/omahoito/omahoito/auth"
)

// sessionServer serves small handlers that drive Sessions through its
// middleware, over a real scs store (values are gob-encoded on the way).
func sessionServer(t *testing.T, secure bool) *httptest.Server {
	t.Helper()
	srv, _ := sessionServerWith(t, memstore.NewWithCleanupInterval(0), secure)
	return srv
}

func sessionServerWith(t *testing.T, store scs.Store, secure bool) (*httptest.Server, *Sessions) {
	t.Helper()
	s := NewSessions(store, secure)
	flow := Flow{State: "st", Nonce: "no", Verifier: "ve", Started: time.Unix(1700000000, 123456789)}
	principal := auth.Principal{Kind: auth.KindProfessional, ProfessionalID: "pro-1", CareUnitID: "cu-1", RegionID: "kainuu"}
	mux := http.NewServeMux()
	mux.HandleFunc("/flow/save", func(w http.ResponseWriter, r *http.Request) {
		if err := s.SaveFlow(r.Context(), "citizen", flow); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
		}
	})
	mux.HandleFunc("/flow/take", func(w http.ResponseWriter, r *http.Request) {
		got, ok := s.TakeFlow(r.Context(), "citizen")
		_, other := s.TakeFlow(r.Context(), "professional")
		fmt.Fprint(w, ok && got.State == flow.State && got.Nonce == flow.Nonce &&
			got.Verifier == flow.Verifier && got.Started.Equal(flow.Started) && !other)
	})
	mux.HandleFunc("/signin", func(w http.ResponseWriter, r *http.Request) {
		if err := s.SignIn(r.Context(), principal); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("/whoami", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%+v", s.Principal(r.Context()))
	})
	mux.HandleFunc("/signout", func(w http.ResponseWriter, r *http.Request) {
		if err := s.SignOut(r.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	srv := httptest.NewServer(s.Middleware(mux))
	t.Cleanup(srv.Close)
	return srv, s
}

// get requests path with the session cookie value token ("" for none) and
// returns the body and the session cookie set in the response, if any. The
// server's sessions are not secure (the cookie has its plain name).
func get(t *testing.T, srv *httptest.Server, path, token string) (string, *http.Cookie) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.AddCookie(&http.Cookie{Name: SessionCookieName, Value: token})
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %s %s", path, resp.Status, body)
	}
	return string(body), sessionCookie(resp, SessionCookieName)
}

func sessionCookie(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestSessionsLifecycle(t *testing.T) {
	srv := sessionServer(t, false)
	_, c := get(t, srv, "/flow/save", "")
	if c == nil {
		t.Fatal("no session cookie after saving a flow")
	}
	anonymous := c.Value
	if who, _ := get(t, srv, "/whoami", anonymous); who != fmt.Sprintf("%+v", auth.Principal{}) {
		t.Errorf("principal before sign-in = %s", who)
	}

	_, c = get(t, srv, "/signin", anonymous)
	if c == nil || c.Value == anonymous || c.Value == "" {
		t.Fatalf("sign-in did not renew the session token: %v", c)
	}
	signedIn := c.Value
	want := fmt.Sprintf("%+v", auth.Principal{Kind: auth.KindProfessional, ProfessionalID: "pro-1", CareUnitID: "cu-1", RegionID: "kainuu"})
	if who, _ := get(t, srv, "/whoami", signedIn); who != want {
		t.Errorf("principal = %s, want %s", who, want)
	}
	if who, _ := get(t, srv, "/whoami", anonymous); who != fmt.Sprintf("%+v", auth.Principal{}) {
		t.Errorf("the pre-login token still works: %s", who)
	}

	if ok, _ := get(t, srv, "/flow/take", signedIn); ok != "true" {
		t.Error("the flow saved before sign-in did not survive it intact")
	}
	if ok, _ := get(t, srv, "/flow/take", signedIn); ok != "false" {
		t.Error("a flow could be taken twice")
	}

	_, c = get(t, srv, "/signout", signedIn)
	if c == nil || c.MaxAge >= 0 || c.Value != "" {
		t.Errorf("sign-out did not clear the cookie: %v", c)
	}
	if who, _ := get(t, srv, "/whoami", signedIn); who != fmt.Sprintf("%+v", auth.Principal{}) {
		t.Errorf("principal after sign-out = %s", who)
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	for _, secure := range []bool{false, true} {
		t.Run(fmt.Sprint("secure=", secure), func(t *testing.T) {
			srv, s := sessionServerWith(t, memstore.NewWithCleanupInterval(0), secure)
			resp, err := srv.Client().Get(srv.URL + "/signin")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			want := SessionCookieName
			if secure {
				want = SecureSessionCookieName
			}
			if s.CookieName() != want {
				t.Errorf("cookie name %q, want %q", s.CookieName(), want)
			}
			raw := resp.Header.Get("Set-Cookie")
			c := sessionCookie(resp, want)
			if c == nil {
				t.Fatalf("no %s cookie in %q", want, raw)
			}
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure != secure || c.Domain != "" {
				t.Errorf("cookie = %q", raw)
			}
			// A browser-session cookie: gone when the browser closes.
			if lower := strings.ToLower(raw); strings.Contains(lower, "expires=") || strings.Contains(lower, "max-age=") {
				t.Errorf("cookie outlives the browser session: %q", raw)
			}
		})
	}
}

func TestNewSessionsSettings(t *testing.T) {
	m := NewSessions(memstore.NewWithCleanupInterval(0), true).Manager
	if SessionIdleTimeout != 30*time.Minute || m.Lifetime != 12*time.Hour || m.Cookie.Name != "__Host-omahoito_session" {
		t.Errorf("manager = idle %v, lifetime %v, cookie %q", SessionIdleTimeout, m.Lifetime, m.Cookie.Name)
	}
}

// The idle timeout ends a session unused for 30 minutes; activity keeps it,
// and the last-seen time is written back at most once a minute.
func TestSessionIdleTimeout(t *testing.T) {
	store := memstore.NewWithCleanupInterval(0)
	s := NewSessions(store, false)
	now := time.Unix(1_800_000_000, 0)
	s.Now = func() time.Time { return now }
	mux := http.NewServeMux()
	mux.HandleFunc("/signin", func(_ http.ResponseWriter, r *http.Request) {
		_ = s.SignIn(r.Context(), auth.Principal{Kind: auth.KindCitizen, PersonID: "p1"})
	})
	mux.HandleFunc("/whoami", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, s.Principal(r.Context()).PersonID)
	})
	srv := httptest.NewServer(s.Middleware(mux))
	defer srv.Close()
	_, cookie := get(t, srv, "/signin", "")
	token := cookie.Value
	stored := func() []byte { b, _, _ := store.Find(token); return b }

	now = now.Add(30 * time.Second)
	before := stored()
	if who, _ := get(t, srv, "/whoami", token); who != "p1" {
		t.Fatalf("signed-in session lost: %q", who)
	}
	if !bytes.Equal(before, stored()) {
		t.Error("a request within a minute of the last wrote the session back")
	}
	for range 5 { // active every 20 minutes for 100 minutes: still signed in
		now = now.Add(20 * time.Minute)
		if who, _ := get(t, srv, "/whoami", token); who != "p1" {
			t.Fatalf("an active session ended after %v", now.Sub(time.Unix(1_800_000_000, 0)))
		}
	}
	now = now.Add(31 * time.Minute)
	if who, _ := get(t, srv, "/whoami", token); who != "" {
		t.Fatalf("a session idle for 31 minutes still signed in as %q", who)
	}
}
