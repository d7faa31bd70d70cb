// Package fakebroker is an OpenID provider for tests that drive the whole
// service: a stand-in for the bank-ID broker or an organisation's login at
// the edge of the world. It serves discovery, JWKS, an authorization
// endpoint that approves at once (no login page) and a token endpoint that
// authenticates the client with client_secret_basic, checks PKCE (S256),
// the redirect URI and the client, and honours each code once. With
// Config.UserInfo it also serves a userinfo endpoint.
//
// The test decides what the ID token is, byte for byte: it queues a Mint
// before the browser reaches the authorization endpoint, and the Mint gets
// the authorization request (nonce, acr_values, ...) to build the token
// from — valid, or wrong in the way the test wants:
//
//	b := fakebroker.Start(t, fakebroker.Config{ClientID: "omahoito", ClientSecret: secret,
//		RedirectURIs: []string{base + "/auth/citizen/callback"}})
//	b.Next(func(a fakebroker.Authorization) string {
//		c := b.Claims(a)
//		c["hetu"] = "150380-902U"
//		return b.Sign(c)
//	})
//	// the browser now goes GET /login -> b's /authorize -> callback
package fakebroker

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
)

// KeyID is the kid of the broker's signing key in its JWKS.
const KeyID = "fakebroker-1"

// TokenLifetime is the validity of the ID tokens Claims describes.
const TokenLifetime = 5 * time.Minute

// Config is the one client the broker knows.
type Config struct {
	ClientID     string
	ClientSecret string
	RedirectURIs []string // the only redirect URIs the authorization endpoint accepts
	// Key signs ID tokens and is published in the JWKS; nil: a new
	// 2048-bit RSA key.
	Key *rsa.PrivateKey
	// UserInfo, when set, gives the broker a userinfo endpoint (OpenID
	// Connect Core §5.3) that answers the claims UserInfo returns for the
	// authorization an access token was issued for, as JSON. Nil: the
	// broker has no userinfo endpoint.
	UserInfo func(Authorization) map[string]any
}

// Authorization is what the relying party asked for at the authorization
// endpoint: what a Mint needs to make a token that fits (or does not).
type Authorization struct {
	ClientID, RedirectURI, State, Nonce, Scope, ACRValues string
}

// Mint makes the ID token for one authorization.
type Mint func(Authorization) string

// Broker is a running fake provider. It is safe for concurrent use.
type Broker struct {
	cfg Config
	srv *httptest.Server

	mu        sync.Mutex
	queue     []Mint
	grants    map[string]grant
	access    map[string]Authorization // access token -> what it was issued for
	exchanges int
}

type grant struct {
	clientID, redirectURI, challenge, idToken string
	auth                                      Authorization
}

// Start runs a broker on loopback until the test ends.
func Start(tb testing.TB, cfg Config) *Broker {
	tb.Helper()
	if cfg.ClientID == "" || cfg.ClientSecret == "" || len(cfg.RedirectURIs) == 0 {
		tb.Fatal("fakebroker: Config needs ClientID, ClientSecret and RedirectURIs")
	}
	if cfg.Key == nil {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			tb.Fatalf("fakebroker: signing key: %v", err)
		}
		cfg.Key = key
	}
	b := &Broker{cfg: cfg, grants: map[string]grant{}, access: map[string]Authorization{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", b.discovery)
	mux.HandleFunc("GET /jwks", b.jwks)
	mux.HandleFunc("GET /authorize", b.authorize)
	mux.HandleFunc("POST /token", b.token)
	mux.HandleFunc("GET /userinfo", b.userinfo)
	b.srv = httptest.NewServer(mux)
	tb.Cleanup(b.srv.Close)
	return b
}

// Issuer is the broker's issuer identifier, its base URL.
func (b *Broker) Issuer() string { return b.srv.URL }

// Key is the broker's signing key, the one its JWKS publishes.
func (b *Broker) Key() *rsa.PrivateKey { return b.cfg.Key }

// Next queues the mint for the next authorization request. Mints are used
// in order, each once; an authorization request with none queued is
// answered with error=access_denied, as if the person had cancelled.
func (b *Broker) Next(m Mint) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.queue = append(b.queue, m)
}

// Exchanges counts the codes the token endpoint has exchanged for tokens.
func (b *Broker) Exchanges() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.exchanges
}

// Claims returns the protocol claims of a valid ID token for a: issuer,
// a fixed subject, audience, issue and expiry times, nonce, and acr equal
// to the first requested acr value when there is one. Identity claims
// (hetu, names) are the test's to add.
func (b *Broker) Claims(a Authorization) map[string]any {
	now := time.Now()
	c := map[string]any{
		"iss": b.Issuer(), "sub": "fakebroker-subject", "aud": a.ClientID,
		"iat": now.Unix(), "exp": now.Add(TokenLifetime).Unix(), "nonce": a.Nonce,
	}
	if acr := strings.Fields(a.ACRValues); len(acr) > 0 {
		c["acr"] = acr[0]
	}
	return c
}

// Sign returns claims as a JWT signed RS256 with the broker's key.
func (b *Broker) Sign(claims map[string]any) string {
	s, err := SignJWT(jose.RS256, b.cfg.Key, KeyID, claims)
	if err != nil {
		panic(fmt.Sprintf("fakebroker: sign with the broker's own key: %v", err))
	}
	return s
}

// SignJWT returns claims as a compact JWS signed with key under alg, with
// kid in the header when not empty: for tokens the broker would not issue
// (another key, HS256 with a client secret).
func SignJWT(alg jose.SignatureAlgorithm, key any, kid string, claims map[string]any) (string, error) {
	if kid != "" {
		key = jose.JSONWebKey{Key: key, KeyID: kid, Algorithm: string(alg)}
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// Segment returns v as base64url JSON, one part of a hand-made JWT such as
// Segment(header) + "." + Segment(claims) + ".".
func Segment(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("fakebroker: marshal JWT segment: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(raw)
}

func (b *Broker) discovery(w http.ResponseWriter, _ *http.Request) {
	iss := b.Issuer()
	meta := map[string]any{
		"issuer":                                         iss,
		"authorization_endpoint":                         iss + "/authorize",
		"token_endpoint":                                 iss + "/token",
		"jwks_uri":                                       iss + "/jwks",
		"response_types_supported":                       []string{"code"},
		"subject_types_supported":                        []string{"public"},
		"id_token_signing_alg_values_supported":          []string{"RS256"},
		"token_endpoint_auth_methods_supported":          []string{"client_secret_basic"},
		"code_challenge_methods_supported":               []string{"S256"},
		"scopes_supported":                               []string{"openid", "profile"},
		"authorization_response_iss_parameter_supported": true,
	}
	if b.cfg.UserInfo != nil {
		meta["userinfo_endpoint"] = iss + "/userinfo"
	}
	writeJSON(w, http.StatusOK, meta)
}

// userinfo answers Config.UserInfo's claims for a bearer access token the
// token endpoint issued, and 401 invalid_token (RFC 6750 §3) otherwise.
func (b *Broker) userinfo(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	b.mu.Lock()
	a, issued := b.access[token]
	b.mu.Unlock()
	if !ok || !issued || b.cfg.UserInfo == nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	writeJSON(w, http.StatusOK, b.cfg.UserInfo(a))
}

func (b *Broker) jwks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key: &b.cfg.Key.PublicKey, KeyID: KeyID, Algorithm: string(jose.RS256), Use: "sig",
	}}})
}

// authorize approves at once: it checks the request, mints the queued token
// and redirects back with a code, the state and the issuer (RFC 9207). An
// unknown client or redirect URI gets a 400 page and no redirect (RFC 6749
// §4.1.2.1); other faults go back to the client as error=invalid_request.
func (b *Broker) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	a := Authorization{
		ClientID: q.Get("client_id"), RedirectURI: q.Get("redirect_uri"), State: q.Get("state"),
		Nonce: q.Get("nonce"), Scope: q.Get("scope"), ACRValues: q.Get("acr_values"),
	}
	if a.ClientID != b.cfg.ClientID || !slices.Contains(b.cfg.RedirectURIs, a.RedirectURI) {
		http.Error(w, "unknown client or redirect_uri", http.StatusBadRequest)
		return
	}
	back := url.Values{"state": {a.State}, "iss": {b.Issuer()}}
	challenge := q.Get("code_challenge")
	switch {
	case q.Get("response_type") != "code" || !slices.Contains(strings.Fields(a.Scope), "openid") ||
		q.Get("code_challenge_method") != "S256" || challenge == "":
		back.Set("error", "invalid_request")
	default:
		if mint := b.dequeue(); mint == nil {
			back.Set("error", "access_denied")
		} else {
			back.Set("code", b.grant(grant{clientID: a.ClientID, redirectURI: a.RedirectURI,
				challenge: challenge, idToken: mint(a), auth: a}))
		}
	}
	http.Redirect(w, r, a.RedirectURI+"?"+back.Encode(), http.StatusFound)
}

func (b *Broker) dequeue() Mint {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.queue) == 0 {
		return nil
	}
	m := b.queue[0]
	b.queue = b.queue[1:]
	return m
}

func (b *Broker) grant(g grant) string {
	code := oauth2.GenerateVerifier() // 256 random bits, URL-safe
	b.mu.Lock()
	defer b.mu.Unlock()
	b.grants[code] = g
	return code
}

// token exchanges a code (RFC 6749 §4.1.3) for the minted ID token.
func (b *Broker) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	if !b.authenticated(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="fakebroker"`)
		tokenError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	g, ok := b.redeem(r.PostForm.Get("code"))
	if !ok || g.clientID != b.cfg.ClientID || g.redirectURI != r.PostForm.Get("redirect_uri") ||
		g.challenge != oauth2.S256ChallengeFromVerifier(r.PostForm.Get("code_verifier")) {
		tokenError(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	access := oauth2.GenerateVerifier()
	b.mu.Lock()
	b.exchanges++
	b.access[access] = g.auth
	b.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": g.idToken,
	})
}

// authenticated checks client_secret_basic: id and secret form-encoded in
// the Authorization header (RFC 6749 §2.3.1), and no secret in the body.
func (b *Broker) authenticated(r *http.Request) bool {
	id, secret, ok := r.BasicAuth()
	if !ok || r.PostForm.Has("client_secret") {
		return false
	}
	id, err1 := url.QueryUnescape(id)
	secret, err2 := url.QueryUnescape(secret)
	return err1 == nil && err2 == nil && id == b.cfg.ClientID &&
		subtle.ConstantTimeCompare([]byte(secret), []byte(b.cfg.ClientSecret)) == 1
}

// redeem returns the grant for code and forgets it: a code works once, even
// when the exchange is refused.
func (b *Broker) redeem(code string) (grant, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	g, ok := b.grants[code]
	delete(b.grants, code)
	return g, ok
}

func tokenError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]string{"error": code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
