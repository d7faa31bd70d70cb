package devidp

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/net/html"
	"golang.org/x/oauth2"

	"github.com/omahoito/omahoito/auth"
)

// Test codes from DESIGN.md, checked in TestTestHetus.
const (
	hetuA = "150380-902U"
	hetuB = "010594Y9021"
	hetuC = "020516C903K"
)

// demoDir is the in-test Directory over auth.DemoDirectory.
type demoDir struct{ demo auth.Demo }

func (d demoDir) Regions(context.Context) ([]auth.Region, error) { return d.demo.Regions, nil }

func (d demoDir) ProfessionalByUsername(_ context.Context, username string) (auth.Professional, error) {
	for _, p := range d.demo.Professionals {
		if p.Username == username {
			return p, nil
		}
	}
	return auth.Professional{}, fmt.Errorf("professional %q: %w", username, auth.ErrNotFound)
}

// env is a provider served over a real HTTP server at its BaseURL.
type env struct {
	srv   *httptest.Server
	idp   *Provider
	base  string
	clock atomic.Int64 // offset added to the storages' clock, in ns
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	e := &env{srv: srv, base: "http://" + srv.Listener.Addr().String()}
	idp, err := New(Config{
		BaseURL:      e.base,
		Directory:    demoDir{auth.DemoDirectory()},
		Citizen:      Client{ID: "portal-citizen", Secret: "citizen-secret", RedirectURIs: []string{e.base + "/auth/callback/citizen"}},
		Professional: Client{ID: "portal-pro", Secret: "pro-secret", RedirectURIs: []string{e.base + "/auth/callback/professional"}},
		Apps:         []AppClient{{ID: testAppID, RedirectURIs: []string{e.base + "/auth/callback/app"}}},
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	now := func() time.Time { return time.Now().Add(time.Duration(e.clock.Load())) }
	idp.citizen.store.now = now
	idp.professional.store.now = now
	e.idp = idp
	srv.Config.Handler = idp.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return e
}

// flow is one relying-party login attempt with its browser.
type flow struct {
	t        *testing.T
	e        *env
	ctx      context.Context
	issuer   string
	provider *oidc.Provider
	oauth    oauth2.Config
	browser  *http.Client
	verifier string
	state    string
	nonce    string
}

func (e *env) flow(t *testing.T, k kind) *flow {
	t.Helper()
	is, client := e.idp.citizen, Client{ID: "portal-citizen", Secret: "citizen-secret"}
	if k == kindProfessional {
		is, client = e.idp.professional, Client{ID: "portal-pro", Secret: "pro-secret"}
	}
	ctx := oidc.ClientContext(t.Context(), e.srv.Client())
	ctx = context.WithValue(ctx, oauth2.HTTPClient, e.srv.Client())
	provider, err := oidc.NewProvider(ctx, is.issuer)
	if err != nil {
		t.Fatalf("discovery of %s: %v", is.issuer, err)
	}
	endpoint := provider.Endpoint()
	endpoint.AuthStyle = oauth2.AuthStyleInHeader // client_secret_basic
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &flow{
		t: t, e: e, ctx: ctx, issuer: is.issuer, provider: provider,
		oauth: oauth2.Config{
			ClientID: client.ID, ClientSecret: client.Secret,
			Endpoint:    endpoint,
			RedirectURL: e.base + "/auth/callback/" + k.slug(),
			Scopes:      []string{oidc.ScopeOpenID, "profile"},
		},
		browser: &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
			if strings.HasPrefix(req.URL.Path, "/auth/callback/") {
				return http.ErrUseLastResponse
			}
			return nil
		}},
		verifier: oauth2.GenerateVerifier(),
		state:    "state-" + rand.Text(),
		nonce:    "nonce-" + rand.Text(),
	}
}

// authURL is the authorization URL with PKCE S256, state and nonce.
func (f *flow) authURL(opts ...oauth2.AuthCodeOption) string {
	opts = append(opts, oauth2.S256ChallengeOption(f.verifier), oidc.Nonce(f.nonce))
	return f.oauth.AuthCodeURL(f.state, opts...)
}

// openLogin follows the authorization URL to the login page.
func (f *flow) openLogin(opts ...oauth2.AuthCodeOption) (*html.Node, string) {
	f.t.Helper()
	resp, body := f.get(f.authURL(opts...))
	if resp.StatusCode != http.StatusOK {
		f.t.Fatalf("login page: status %d: %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		f.t.Errorf("login page Content-Type %q", ct)
	}
	doc := mustParse(f.t, body)
	id := attr(find(doc, byAttr("name", "id")), "value")
	if id == "" {
		f.t.Fatal("login form has no auth request id")
	}
	return doc, id
}

func (f *flow) get(u string) (*http.Response, string) {
	f.t.Helper()
	resp, err := f.browser.Get(u)
	if err != nil {
		f.t.Fatalf("GET %s: %v", u, err)
	}
	return resp, readBody(f.t, resp)
}

// submit posts the login form of the flow's issuer.
func (f *flow) submit(form url.Values) (*http.Response, string) {
	f.t.Helper()
	resp, err := f.browser.PostForm(f.issuer+"/login", form)
	if err != nil {
		f.t.Fatalf("POST login: %v", err)
	}
	return resp, readBody(f.t, resp)
}

// code checks the redirect to the client and returns the code.
func (f *flow) code(resp *http.Response) string {
	f.t.Helper()
	if resp.StatusCode != http.StatusFound {
		f.t.Fatalf("login POST: status %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		f.t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != f.oauth.RedirectURL {
		f.t.Fatalf("redirected to %s, want %s", got, f.oauth.RedirectURL)
	}
	if got := loc.Query().Get("state"); got != f.state {
		f.t.Fatalf("state %q, want %q", got, f.state)
	}
	code := loc.Query().Get("code")
	if code == "" {
		f.t.Fatalf("no code in %s", loc)
	}
	return code
}

func (f *flow) exchange(code string) (*oauth2.Token, error) {
	return f.oauth.Exchange(f.ctx, code, oauth2.VerifierOption(f.verifier))
}

// verify checks the ID token with go-oidc and returns its claims.
func (f *flow) verify(tok *oauth2.Token) (*oidc.IDToken, map[string]any) {
	f.t.Helper()
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		f.t.Fatal("no id_token in token response")
	}
	idt, err := f.provider.Verifier(&oidc.Config{ClientID: f.oauth.ClientID}).Verify(f.ctx, raw)
	if err != nil {
		f.t.Fatalf("verify ID token: %v", err)
	}
	if idt.Issuer != f.issuer {
		f.t.Errorf("iss %q, want %q", idt.Issuer, f.issuer)
	}
	if idt.Nonce != f.nonce {
		f.t.Errorf("nonce %q, want %q", idt.Nonce, f.nonce)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		f.t.Fatal(err)
	}
	return idt, claims
}

// login runs the flow up to a verified ID token.
func (f *flow) login(form url.Values, opts ...oauth2.AuthCodeOption) (*oauth2.Token, map[string]any) {
	f.t.Helper()
	_, id := f.openLogin(opts...)
	form.Set("id", id)
	resp, _ := f.submit(form)
	tok, err := f.exchange(f.code(resp))
	if err != nil {
		f.t.Fatalf("exchange: %v", err)
	}
	_, claims := f.verify(tok)
	return tok, claims
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func wantClaims(t *testing.T, claims map[string]any, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got, _ := claims[k].(string); got != v {
			t.Errorf("claim %s = %q, want %q", k, got, v)
		}
	}
}

func wantOAuthError(t *testing.T, err error, code string) {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want an oauth2 error %s", err, code)
	}
	if re.ErrorCode != code {
		t.Fatalf("error code %q (%s), want %q", re.ErrorCode, re.ErrorDescription, code)
	}
}

func TestTestHetus(t *testing.T) {
	for _, h := range []string{hetuA, hetuB, hetuC, "010190-900P"} {
		if _, err := auth.ParseHetu(h); err != nil {
			t.Errorf("ParseHetu(%s): %v", h, err)
		}
	}
	if _, err := auth.ParseHetu("150380-902V"); err == nil {
		t.Error("150380-902V should have a wrong check character")
	}
}

func TestDiscoveryAndJWKS(t *testing.T) {
	e := newEnv(t)
	if got, want := e.idp.CitizenIssuer(), e.base+"/dev-idp/citizen"; got != want {
		t.Errorf("CitizenIssuer %q, want %q", got, want)
	}
	if got, want := e.idp.ProfessionalIssuer(), e.base+"/dev-idp/professional"; got != want {
		t.Errorf("ProfessionalIssuer %q, want %q", got, want)
	}
	for _, k := range []kind{kindCitizen, kindProfessional} {
		f := e.flow(t, k)
		var meta struct {
			JWKS       string   `json:"jwks_uri"`
			Userinfo   string   `json:"userinfo_endpoint"`
			PKCE       []string `json:"code_challenge_methods_supported"`
			SigAlgs    []string `json:"id_token_signing_alg_values_supported"`
			AuthMethod []string `json:"token_endpoint_auth_methods_supported"`
		}
		if err := f.provider.Claims(&meta); err != nil {
			t.Fatal(err)
		}
		if strings.Join(meta.PKCE, ",") != "S256" || strings.Join(meta.SigAlgs, ",") != "RS256" {
			t.Errorf("%s: PKCE %v, algs %v; want S256, RS256", k.slug(), meta.PKCE, meta.SigAlgs)
		}
		if !strings.HasPrefix(meta.JWKS, f.issuer+"/") || !strings.HasPrefix(meta.Userinfo, f.issuer+"/") {
			t.Errorf("%s: endpoints outside the issuer: %s %s", k.slug(), meta.JWKS, meta.Userinfo)
		}
		resp, body := f.get(meta.JWKS)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"kid":"`+e.idp.citizen.store.key.id+`"`) || !strings.Contains(body, `"alg":"RS256"`) {
			t.Errorf("%s JWKS: %d %s", k.slug(), resp.StatusCode, body)
		}
	}
}

func TestCitizenCodeFlow(t *testing.T) {
	e := newEnv(t)
	f := e.flow(t, kindCitizen)

	doc, id := f.openLogin()
	if find(doc, byTagAttr("input", "name", "hetu")) == nil {
		t.Error("login page has no input name=hetu")
	}
	sel := find(doc, byTagAttr("select", "name", "region"))
	if sel == nil {
		t.Fatal("login page has no select name=region")
	}
	if got := attr(find(sel, byAttr("selected", "")), "value"); got != "kainuu" {
		t.Errorf("preselected region %q, want kainuu", got)
	}
	if n := len(findAll(sel, byTag("option"))); n != 2 {
		t.Errorf("%d region options, want 2", n)
	}

	resp, _ := f.submit(url.Values{"id": {id}, "hetu": {hetuA}, "region": {"oulu"}})
	code := f.code(resp)
	tok, err := f.exchange(code)
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	idt, claims := f.verify(tok)
	given, family := derivedName(auth.MustParseHetu(hetuA))
	wantClaims(t, claims, map[string]string{
		ClaimHetu: hetuA, ClaimRegion: "oulu",
		"given_name": given, "family_name": family, "name": given + " " + family,
		"acr": ACRLoa2,
	})
	if idt.Subject == hetuA || len(idt.Subject) != 64 || strings.Contains(idt.Subject, "902U") {
		t.Errorf("sub %q should be an opaque 64-hex id, not the hetu", idt.Subject)
	}

	info, err := f.provider.UserInfo(f.ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	var ui map[string]any
	if err := info.Claims(&ui); err != nil {
		t.Fatal(err)
	}
	if info.Subject != idt.Subject {
		t.Errorf("userinfo sub %q, ID token sub %q", info.Subject, idt.Subject)
	}
	wantClaims(t, ui, map[string]string{ClaimHetu: hetuA, ClaimRegion: "oulu", "given_name": given, "family_name": family})

	_, err = f.exchange(code)
	wantOAuthError(t, err, "invalid_grant")
}

func TestCitizenNamesSubjectAndACR(t *testing.T) {
	e := newEnv(t)
	_, first := e.flow(t, kindCitizen).login(url.Values{"hetu": {hetuB}, "given_name": {"Maija"}, "family_name": {"Meikäläinen"}})
	wantClaims(t, first, map[string]string{"given_name": "Maija", "family_name": "Meikäläinen", "name": "Maija Meikäläinen", ClaimRegion: "kainuu"})

	_, again := e.flow(t, kindCitizen).login(url.Values{"hetu": {hetuB}}, oauth2.SetAuthURLParam("acr_values", ACRLoa3))
	if again["sub"] != first["sub"] {
		t.Errorf("sub changed between logins: %v, %v", first["sub"], again["sub"])
	}
	wantClaims(t, again, map[string]string{"acr": ACRLoa3})

	_, other := e.flow(t, kindCitizen).login(url.Values{"hetu": {hetuC}})
	if other["sub"] == first["sub"] {
		t.Error("two people share a sub")
	}
}

func TestCitizenInvalidHetu(t *testing.T) {
	e := newEnv(t)
	f := e.flow(t, kindCitizen)
	_, id := f.openLogin()

	resp, body := f.submit(url.Values{"id": {id}, "hetu": {"150380-902V"}, "region": {"kainuu"}})
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
		t.Fatalf("invalid hetu: status %d, Location %q; want 400 and no redirect", resp.StatusCode, resp.Header.Get("Location"))
	}
	doc := mustParse(t, body)
	wantInvalid(t, doc, "hetu", "invalid")
	if in := find(doc, byTagAttr("select", "name", "region")); attr(in, "aria-invalid") != "" {
		t.Error("region marked invalid though it is fine")
	}
	checkPage(t, body)

	// The request is still usable: correct the code and log in.
	resp, _ = f.submit(url.Values{"id": {id}, "hetu": {hetuA}, "region": {"kainuu"}})
	if _, err := f.exchange(f.code(resp)); err != nil {
		t.Fatalf("exchange after correction: %v", err)
	}
}

func TestCitizenUnknownRegion(t *testing.T) {
	e := newEnv(t)
	f := e.flow(t, kindCitizen)
	_, id := f.openLogin()
	resp, body := f.submit(url.Values{"id": {id}, "hetu": {hetuA}, "region": {"lappi"}})
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
		t.Fatalf("unknown region: status %d; want 400 and no redirect", resp.StatusCode)
	}
	doc := mustParse(t, body)
	wantInvalid(t, doc, "region", "unknown")
	if attr(find(doc, byTagAttr("input", "name", "hetu")), "value") != hetuA {
		t.Error("hetu not kept in the re-rendered form")
	}
}

func TestProfessionalCodeFlow(t *testing.T) {
	e := newEnv(t)
	f := e.flow(t, kindProfessional)
	doc, _ := f.openLogin()
	if find(doc, byTagAttr("input", "name", "username")) == nil {
		t.Fatal("login page has no input name=username")
	}
	tok, claims := f.login(url.Values{"username": {"kainuu-nurse"}})
	wantClaims(t, claims, map[string]string{
		"sub": "pro-kainuu-nurse", "preferred_username": "kainuu-nurse",
		"given_name": "Aino", "family_name": "Heikkinen", "name": "Aino Heikkinen",
	})
	if _, ok := claims[ClaimHetu]; ok {
		t.Error("professional ID token carries a hetu claim")
	}
	info, err := f.provider.UserInfo(f.ctx, oauth2.StaticTokenSource(tok))
	if err != nil || info.Subject != "pro-kainuu-nurse" {
		t.Fatalf("userinfo: %v, sub %q", err, info.Subject)
	}
}

func TestProfessionalUnknownUsername(t *testing.T) {
	e := newEnv(t)
	f := e.flow(t, kindProfessional)
	_, id := f.openLogin()
	for _, name := range []string{"nobody", ""} {
		resp, body := f.submit(url.Values{"id": {id}, "username": {name}})
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
			t.Fatalf("username %q: status %d; want 400 and no redirect", name, resp.StatusCode)
		}
		wantInvalid(t, mustParse(t, body), "username", "unknown")
	}
}

func TestPKCERequired(t *testing.T) {
	e := newEnv(t)
	f := e.flow(t, kindCitizen)
	cases := map[string][]oauth2.AuthCodeOption{
		"missing": nil,
		"plain": {oauth2.SetAuthURLParam("code_challenge", f.verifier),
			oauth2.SetAuthURLParam("code_challenge_method", "plain")},
	}
	for name, opts := range cases {
		u := f.oauth.AuthCodeURL(f.state, append(opts, oidc.Nonce(f.nonce))...)
		resp, _ := f.get(u)
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || loc.Query().Get("error") != "invalid_request" || loc.Query().Get("code") != "" {
			t.Errorf("%s PKCE: status %d, Location %s; want an invalid_request redirect", name, resp.StatusCode, loc)
		}
		if loc.Query().Get("state") != f.state {
			t.Errorf("%s PKCE: error redirect lost the state", name)
		}
	}
}

func TestExchangeRefusals(t *testing.T) {
	e := newEnv(t)

	t.Run("wrong verifier", func(t *testing.T) {
		f := e.flow(t, kindCitizen)
		_, id := f.openLogin()
		resp, _ := f.submit(url.Values{"id": {id}, "hetu": {hetuA}})
		code := f.code(resp)
		_, err := f.oauth.Exchange(f.ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
		wantOAuthError(t, err, "invalid_grant")
		// The code was burnt by the failed attempt.
		_, err = f.exchange(code)
		wantOAuthError(t, err, "invalid_grant")
	})

	t.Run("wrong secret", func(t *testing.T) {
		f := e.flow(t, kindCitizen)
		_, id := f.openLogin()
		resp, _ := f.submit(url.Values{"id": {id}, "hetu": {hetuA}})
		f.oauth.ClientSecret = "guess"
		_, err := f.exchange(f.code(resp))
		wantOAuthError(t, err, "invalid_client")
	})

	t.Run("other issuer's code", func(t *testing.T) {
		f := e.flow(t, kindCitizen)
		_, id := f.openLogin()
		resp, _ := f.submit(url.Values{"id": {id}, "hetu": {hetuA}})
		pro := e.flow(t, kindProfessional)
		pro.verifier = f.verifier
		_, err := pro.exchange(f.code(resp))
		wantOAuthError(t, err, "invalid_grant")
	})
}

func TestCodeExpires(t *testing.T) {
	e := newEnv(t)
	f := e.flow(t, kindCitizen)
	_, id := f.openLogin()
	resp, _ := f.submit(url.Values{"id": {id}, "hetu": {hetuA}})
	code := f.code(resp)
	e.clock.Add(int64(codeLifetime + time.Second))
	_, err := f.exchange(code)
	wantOAuthError(t, err, "invalid_grant")
}

func TestLoginRequestChecks(t *testing.T) {
	e := newEnv(t)
	f := e.flow(t, kindCitizen)

	resp, body := f.get(f.issuer + "/login?id=bogus")
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("GET unknown id: status %d, want 400", resp.StatusCode)
	}
	checkPage(t, body)
	resp, _ = f.submit(url.Values{"id": {"bogus"}, "hetu": {hetuA}})
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
		t.Errorf("POST unknown id: status %d, want 400 and no redirect", resp.StatusCode)
	}

	_, id := f.openLogin()
	resp, _ = f.submit(url.Values{"id": {id}, "hetu": {hetuA}})
	f.code(resp)
	resp, _ = f.submit(url.Values{"id": {id}, "hetu": {hetuB}})
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
		t.Errorf("second POST of a completed request: status %d, want 400", resp.StatusCode)
	}

	_, id = f.openLogin()
	e.clock.Add(int64(loginLifetime + time.Second))
	resp, _ = f.submit(url.Values{"id": {id}, "hetu": {hetuA}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("POST of an expired request: status %d, want 400", resp.StatusCode)
	}

	req, _ := http.NewRequest(http.MethodDelete, f.issuer+"/login", nil)
	resp, err := f.browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("DELETE: status %d, want 405", resp.StatusCode)
	}
}

func TestUnknownPathsUnderPrefix(t *testing.T) {
	e := newEnv(t)
	resp, err := e.srv.Client().Get(e.base + "/dev-idp/nobody/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("status %d, want 404", resp.StatusCode)
	}
}
