package main

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/omahoito/omahoito/internal/fhirschema"
)

// noRedirect returns a browser that stops at the first redirect, to look at
// the callback URL before it is used.
func noRedirect(tb testing.TB) *http.Client {
	c := browser(tb)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

func hasSession(c *http.Client, base string) bool {
	res, err := c.Get(base + "/fhir/r4/Patient")
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

// callbackURL logs in at the provider and returns the callback URL it
// redirects to, unused.
func callbackURL(tb testing.TB, a *testApp, c *http.Client) *url.URL {
	tb.Helper()
	action, id := devLoginForm(tb, c, a.URL+"/login")
	stop := *c
	stop.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, _ := postForm(tb, &stop, action, url.Values{"id": {id}, "hetu": {testHetu}, "region": {"kainuu"}})
	loc, err := res.Location()
	if err != nil || !strings.HasPrefix(loc.String(), a.URL+"/auth/citizen/callback") {
		tb.Fatalf("provider redirected to %v (%v), want the callback", loc, err)
	}
	return loc
}

func TestCallbackRefusals(t *testing.T) {
	a := MustStartApp(t, "sqlite")
	cases := []struct {
		name   string
		mangle func(q url.Values)
		status int
	}{
		{"missing state", func(q url.Values) { q.Del("state") }, http.StatusBadRequest},
		{"wrong state", func(q url.Values) { q.Set("state", "x"+q.Get("state")) }, http.StatusBadRequest},
		{"error parameter", func(q url.Values) { q.Del("code"); q.Set("error", "access_denied") }, http.StatusUnauthorized},
		{"forged code", func(q url.Values) { q.Set("code", "forged") }, http.StatusUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := browser(t)
			cb := callbackURL(t, a, c)
			q := cb.Query()
			tc.mangle(q)
			cb.RawQuery = q.Encode()
			res, body := get(t, c, cb.String())
			if res.StatusCode != tc.status || !strings.Contains(body, `role="alert"`) {
				t.Fatalf("status %d, want %d with an error page: %s", res.StatusCode, tc.status, body)
			}
			if hasSession(c, a.URL) {
				t.Fatal("a refused callback left a logged-in session")
			}
		})
	}
	t.Run("callback without a login under way", func(t *testing.T) {
		c := browser(t)
		res, _ := get(t, c, a.URL+"/auth/citizen/callback?code=x&state=y")
		if res.StatusCode != http.StatusBadRequest || hasSession(c, a.URL) {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("reused callback", func(t *testing.T) {
		c := browser(t)
		cb := callbackURL(t, a, c)
		if res, _ := get(t, c, cb.String()); res.StatusCode != http.StatusOK || !hasSession(c, a.URL) {
			t.Fatalf("first use of the callback failed: %d", res.StatusCode)
		}
		attacker := browser(t)
		if res, _ := get(t, attacker, cb.String()); res.StatusCode != http.StatusBadRequest || hasSession(attacker, a.URL) {
			t.Fatalf("replayed callback in another browser: %d", res.StatusCode)
		}
	})
	assertNoPersonalData(t, a, testHetu)
}

func TestInvalidHetuAtProvider(t *testing.T) {
	a := MustStartApp(t, "sqlite")
	c := noRedirect(t)
	c.CheckRedirect = nil
	action, id := devLoginForm(t, c, a.URL+"/login")
	res, body := postForm(t, c, action, url.Values{"id": {id}, "hetu": {"150380-902A"}, "region": {"kainuu"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `aria-invalid="true"`) ||
		!strings.Contains(body, "invalid") {
		t.Fatalf("invalid hetu: %d %s", res.StatusCode, body)
	}
	if hasSession(c, a.URL) {
		t.Fatal("invalid hetu produced a session")
	}
}

func TestAnonymousAPIIsRefused(t *testing.T) {
	a := MustStartApp(t, "sqlite")
	c := browser(t)
	for _, p := range []string{"Patient", "Patient/x", "Practitioner", "Organization", "Organization/region-kainuu"} {
		res, body := get(t, c, a.URL+"/fhir/r4/"+p)
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `"code":"login"`) ||
			!strings.HasPrefix(res.Header.Get("Content-Type"), "application/fhir+json") {
			t.Errorf("anonymous %s: %d %s", p, res.StatusCode, body)
		}
	}
	res, body := get(t, c, a.URL+"/fhir/r4/metadata")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `"resourceType":"CapabilityStatement"`) ||
		!strings.Contains(body, `"fhirVersion":"4.0.1"`) {
		t.Errorf("metadata: %d %s", res.StatusCode, body)
	}
	// The validator ships the schema of the R4 4.0.0 build, whose list of
	// versions ends before the 4.0.1 technical correction that R4 servers
	// announce; everything else is checked as sent.
	fhirschema.Validate(t, []byte(strings.Replace(body, `"fhirVersion":"4.0.1"`, `"fhirVersion":"4.0.0"`, 1)))
	res, body = get(t, c, a.URL+"/fhir/r4/Nothing")
	if res.StatusCode != http.StatusNotFound || !strings.Contains(body, "OperationOutcome") {
		t.Errorf("unknown API path: %d %s", res.StatusCode, body)
	}
}

func TestSecurityHeadersAndCrossOrigin(t *testing.T) {
	a := MustStartApp(t, "sqlite")
	c := browser(t)
	a.citizenLogin(t, c, testHetu, "kainuu")
	res, _ := get(t, c, a.URL+"/")
	want := map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
		"X-Frame-Options":        "DENY",
	}
	for k, v := range want {
		if got := res.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	csp := res.Header.Get("Content-Security-Policy")
	for _, d := range []string{"frame-ancestors 'none'", "script-src 'self'", "default-src 'self'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("CSP %q lacks %q", csp, d)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	// A cross-site POST to /logout is refused and the session survives.
	req, _ := http.NewRequest(http.MethodPost, a.URL+"/logout", nil)
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden || !hasSession(c, a.URL) {
		t.Fatalf("cross-site logout: %d, session kept %v", res.StatusCode, hasSession(c, a.URL))
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	a := MustStartApp(t, "sqlite")
	c := browser(t)
	cb := callbackURL(t, a, c)
	res, err := noRedirectWithJar(c).Get(cb.String())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var found bool
	for _, ck := range res.Cookies() {
		if ck.Name != "omahoito_session" {
			continue
		}
		found = true
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" {
			t.Errorf("session cookie %+v: want HttpOnly, SameSite=Lax, Path=/", ck)
		}
		if ck.Secure {
			t.Error("Secure set over plain http; the browser would drop it")
		}
	}
	if !found {
		t.Fatal("callback set no session cookie")
	}
}

func noRedirectWithJar(c *http.Client) *http.Client {
	cp := *c
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}

func TestProbes(t *testing.T) {
	a := MustStartApp(t, "sqlite")
	c := browser(t)
	for path, status := range map[string]int{"/static/style.css": 200, "/static/missing.css": 404, "/healthzz": 404} {
		if res, _ := get(t, c, a.URL+path); res.StatusCode != status {
			t.Errorf("%s: %d, want %d", path, res.StatusCode, status)
		}
	}
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready", "/metrics": "omahoito_http_requests_total"} {
		get(t, c, a.URL+"/") // so the request counter has a sample
		res, body := get(t, c, a.URL+path)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("%s: %d %q", path, res.StatusCode, body)
		}
	}
}

func TestUnreachableDatabaseAtStart(t *testing.T) {
	t.Setenv("OMAHOITO_DATABASE_URL", "postgres://omahoito:secretpw@127.0.0.1:1/none?connect_timeout=2")
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, &out, &errOut)
	msg := errOut.String()
	if code == 0 {
		t.Fatal("serve exited 0 with an unreachable database")
	}
	if strings.Count(strings.TrimSpace(msg), "\n") != 0 || !strings.Contains(msg, "OMAHOITO_DATABASE_URL") {
		t.Errorf("want one line naming the setting, got %q", msg)
	}
	if strings.Contains(msg, "secretpw") {
		t.Errorf("error message shows the password: %q", msg)
	}
}
