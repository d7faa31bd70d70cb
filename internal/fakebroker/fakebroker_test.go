package fakebroker

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

const (
	clientID    = "portal"
	secret      = "a secret with spaces & symbols"
	redirectURI = "https://portal.example/callback"
)

// client is a relying party of the broker, built from its discovery.
type client struct {
	oauth    oauth2.Config
	verifier *gooidc.IDTokenVerifier
	http     *http.Client // stops at the redirect back to the portal
}

func newClient(t *testing.T, b *Broker, secret string) client {
	t.Helper()
	p, err := gooidc.NewProvider(context.Background(), b.Issuer())
	if err != nil {
		t.Fatal(err)
	}
	ep := p.Endpoint()
	ep.AuthStyle = oauth2.AuthStyleInHeader
	return client{
		oauth: oauth2.Config{ClientID: clientID, ClientSecret: secret, Endpoint: ep,
			RedirectURL: redirectURI, Scopes: []string{"openid"}},
		verifier: p.Verifier(&gooidc.Config{ClientID: clientID}),
		http: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
	}
}

// authorize sends the browser to the broker and returns the query of the
// redirect back.
func (c client) authorize(t *testing.T, verifier string) url.Values {
	t.Helper()
	u := c.oauth.AuthCodeURL("state-1", oauth2.S256ChallengeOption(verifier), gooidc.Nonce("nonce-1"),
		oauth2.SetAuthURLParam("acr_values", "loa3 loa2"))
	res, err := c.http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := res.Location()
	if err != nil {
		t.Fatalf("authorize: %d without a redirect", res.StatusCode)
	}
	return loc.Query()
}

func start(t *testing.T) *Broker {
	return Start(t, Config{ClientID: clientID, ClientSecret: secret, RedirectURIs: []string{redirectURI}})
}

func TestCodeFlowYieldsTheMintedToken(t *testing.T) {
	b := start(t)
	c := newClient(t, b, secret)
	var seen Authorization
	b.Next(func(a Authorization) string {
		seen = a
		claims := b.Claims(a)
		claims["hetu"] = "150380-902U"
		return b.Sign(claims)
	})
	verifier := oauth2.GenerateVerifier()
	back := c.authorize(t, verifier)
	if back.Get("state") != "state-1" || back.Get("iss") != b.Issuer() || back.Get("code") == "" {
		t.Fatalf("redirect back: %v", back)
	}
	if seen.Nonce != "nonce-1" || seen.ACRValues != "loa3 loa2" || seen.RedirectURI != redirectURI {
		t.Fatalf("mint saw %+v", seen)
	}
	tok, err := c.oauth.Exchange(context.Background(), back.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	idt, err := c.verifier.Verify(context.Background(), tok.Extra("id_token").(string))
	if err != nil {
		t.Fatal(err)
	}
	var claims struct{ Hetu, ACR string }
	if err := idt.Claims(&claims); err != nil || claims.Hetu != "150380-902U" || claims.ACR != "loa3" || idt.Nonce != "nonce-1" {
		t.Fatalf("claims %+v nonce %q (%v)", claims, idt.Nonce, err)
	}
	if b.Exchanges() != 1 {
		t.Fatalf("exchanges = %d", b.Exchanges())
	}
	// The code works once.
	_, err = c.oauth.Exchange(context.Background(), back.Get("code"), oauth2.VerifierOption(verifier))
	assertTokenError(t, err, "invalid_grant")
}

func TestTokenEndpointRefusals(t *testing.T) {
	b := start(t)
	for _, tc := range []struct {
		name, secret, verifier, want string
	}{
		{"wrong client secret", "wrong", "", "invalid_client"},
		{"wrong PKCE verifier", secret, oauth2.GenerateVerifier(), "invalid_grant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, b, tc.secret)
			b.Next(func(a Authorization) string { return b.Sign(b.Claims(a)) })
			verifier := oauth2.GenerateVerifier()
			back := c.authorize(t, verifier)
			if tc.verifier != "" {
				verifier = tc.verifier
			}
			_, err := c.oauth.Exchange(context.Background(), back.Get("code"), oauth2.VerifierOption(verifier))
			assertTokenError(t, err, tc.want)
		})
	}
	if b.Exchanges() != 0 {
		t.Fatalf("refused exchanges counted: %d", b.Exchanges())
	}
}

func TestAuthorizeRefusals(t *testing.T) {
	b := start(t)
	c := newClient(t, b, secret)
	if back := c.authorize(t, oauth2.GenerateVerifier()); back.Get("error") != "access_denied" || back.Has("code") {
		t.Fatalf("no token queued: %v", back)
	}
	c.oauth.RedirectURL = "https://evil.example/callback"
	b.Next(func(a Authorization) string { return b.Sign(b.Claims(a)) })
	res, err := c.http.Get(c.oauth.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest || res.Header.Get("Location") != "" {
		t.Fatalf("unregistered redirect URI: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	c.oauth.RedirectURL = redirectURI
	res, err = c.http.Get(c.oauth.AuthCodeURL("s")) // no PKCE
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc, _ := res.Location(); loc == nil || loc.Query().Get("error") != "invalid_request" {
		t.Fatalf("authorization without PKCE: %d to %v", res.StatusCode, loc)
	}
}

func assertTokenError(t *testing.T, err error, code string) {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != code {
		t.Fatalf("err = %v, want %s", err, code)
	}
}

func TestUserInfoAnswersForTheAccessToken(t *testing.T) {
	b := Start(t, Config{ClientID: clientID, ClientSecret: secret, RedirectURIs: []string{redirectURI},
		UserInfo: func(a Authorization) map[string]any {
			return map[string]any{"sub": "fakebroker-subject", "hetu": "150380-902U", "nonce_seen": a.Nonce}
		}})
	c := newClient(t, b, secret)
	b.Next(func(a Authorization) string { return b.Sign(b.Claims(a)) })
	verifier := oauth2.GenerateVerifier()
	back := c.authorize(t, verifier)
	tok, err := c.oauth.Exchange(context.Background(), back.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	p, err := gooidc.NewProvider(context.Background(), b.Issuer())
	if err != nil {
		t.Fatal(err)
	}
	info, err := p.UserInfo(context.Background(), oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		Hetu  string
		Nonce string `json:"nonce_seen"`
	}
	if err := info.Claims(&claims); err != nil || info.Subject != "fakebroker-subject" || claims.Hetu != "150380-902U" || claims.Nonce != "nonce-1" {
		t.Fatalf("userinfo %+v %+v (%v)", info, claims, err)
	}
	tok.AccessToken = "made-up"
	if _, err := p.UserInfo(context.Background(), oauth2.StaticTokenSource(tok)); err == nil {
		t.Error("userinfo answered a made-up access token")
	}
}
