package oidc

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"
)

// Test keys are generated once per test binary: RSA generation is slow
// under the race detector.
var (
	keysOnce sync.Once
	keys     struct{ op, client, decrypt, other *rsa.PrivateKey }
)

func testKeys(tb testing.TB) (op, client, decrypt, other *rsa.PrivateKey) {
	tb.Helper()
	keysOnce.Do(func() {
		for _, k := range []**rsa.PrivateKey{&keys.op, &keys.client, &keys.decrypt, &keys.other} {
			key, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			*k = key
		}
	})
	return keys.op, keys.client, keys.decrypt, keys.other
}

const (
	opKeyID      = "op-signing-1"
	testClientID = "omahoito-test"
	// testSecret is long enough to be an HS256 key, for the alg-confusion test.
	testSecret  = "s3cret-that-is-long-enough-for-an-hs256-key"
	redirectURL = "https://portal.example/auth/citizen/callback"
)

// fakeOP is a minimal but standards-complete OpenID provider for the code
// flow: discovery, JWKS and a token endpoint that authenticates the client
// (client_secret_basic or private_key_jwt), checks PKCE and redirect_uri and
// honours each code once. Tests craft the ID token a code yields.
type fakeOP struct {
	tb      testing.TB
	srv     *httptest.Server
	signKey *rsa.PrivateKey
	// clientKey verifies private_key_jwt assertions; nil means secret auth.
	clientKey *rsa.PublicKey

	discoveries atomic.Int32 // discovery documents served
	requests    atomic.Int32 // discovery requests, served or not
	// unavailable answers this many discovery requests with 503 first.
	unavailable atomic.Int32
	// jwksDown answers key set requests with 503 while set.
	jwksDown atomic.Bool
	// userinfo is the userinfo endpoint's answer; nil: the provider has no
	// userinfo endpoint (it is not in the discovery document).
	userinfo      atomic.Pointer[userinfoReply]
	userinfoCalls atomic.Int32

	mu       sync.Mutex
	grants   map[string]grant
	jtis     map[string]bool
	lastAuth string          // "basic" or "private_key_jwt" of the last good token request
	access   map[string]bool // access tokens issued
}

// userinfoReply is what the userinfo endpoint answers to a good access token.
type userinfoReply struct {
	status      int // 0: 200
	contentType string
	body        string
}

type grant struct {
	idToken, challenge, redirectURI string
}

// newFakeOP starts a provider; clientKey selects private_key_jwt.
func newFakeOP(tb testing.TB, clientKey *rsa.PublicKey) *fakeOP {
	tb.Helper()
	op := newUnstartedFakeOP(tb, clientKey)
	op.srv.Start()
	return op
}

func newUnstartedFakeOP(tb testing.TB, clientKey *rsa.PublicKey) *fakeOP {
	tb.Helper()
	signKey, _, _, _ := testKeys(tb)
	op := &fakeOP{tb: tb, signKey: signKey, clientKey: clientKey,
		grants: map[string]grant{}, jtis: map[string]bool{}, access: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", op.discovery)
	mux.HandleFunc("GET /jwks", op.jwks)
	mux.HandleFunc("POST /token", op.token)
	mux.HandleFunc("GET /userinfo", op.userinfoEndpoint)
	op.srv = httptest.NewUnstartedServer(mux)
	tb.Cleanup(op.srv.Close)
	return op
}

// issuer is known before the server starts: the listener is already bound.
func (op *fakeOP) issuer() string { return "http://" + op.srv.Listener.Addr().String() }

func (op *fakeOP) discovery(w http.ResponseWriter, _ *http.Request) {
	op.requests.Add(1)
	if op.unavailable.Add(-1) >= 0 {
		tokenError(w, http.StatusServiceUnavailable, "temporarily_unavailable")
		return
	}
	op.discoveries.Add(1)
	iss := op.issuer()
	meta := map[string]any{
		"issuer":                                      iss,
		"authorization_endpoint":                      iss + "/authorize",
		"token_endpoint":                              iss + "/token",
		"jwks_uri":                                    iss + "/jwks",
		"response_types_supported":                    []string{"code"},
		"subject_types_supported":                     []string{"public"},
		"id_token_signing_alg_values_supported":       []string{"RS256"},
		"id_token_encryption_alg_values_supported":    []string{"RSA-OAEP", "RSA-OAEP-256"},
		"id_token_encryption_enc_values_supported":    []string{"A128CBC-HS256", "A128GCM"},
		"token_endpoint_auth_methods_supported":       []string{"client_secret_basic", "private_key_jwt"},
		"request_object_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":            []string{"S256"},
	}
	if op.userinfo.Load() != nil {
		meta["userinfo_endpoint"] = iss + "/userinfo"
	}
	writeJSON(w, http.StatusOK, meta)
}

// userinfoEndpoint answers the configured reply to an access token the
// token endpoint issued, and 401 to anything else (RFC 6750).
func (op *fakeOP) userinfoEndpoint(w http.ResponseWriter, r *http.Request) {
	op.userinfoCalls.Add(1)
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	op.mu.Lock()
	ok = ok && op.access[token]
	op.mu.Unlock()
	reply := op.userinfo.Load()
	if !ok || reply == nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", reply.contentType)
	if reply.status != 0 {
		w.WriteHeader(reply.status)
	}
	_, _ = io.WriteString(w, reply.body)
}

func (op *fakeOP) jwks(w http.ResponseWriter, _ *http.Request) {
	if op.jwksDown.Load() {
		http.Error(w, "key service down", http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key: &op.signKey.PublicKey, KeyID: opKeyID, Algorithm: "RS256", Use: "sig",
	}}})
}

// issueCode records a grant as the authorization endpoint would have, for
// the parameters the relying party sent, and returns its code.
func (op *fakeOP) issueCode(idToken string, authParams url.Values) string {
	code := randomString()
	op.mu.Lock()
	defer op.mu.Unlock()
	op.grants[code] = grant{idToken: idToken, challenge: authParams.Get("code_challenge"),
		redirectURI: authParams.Get("redirect_uri")}
	return code
}

func (op *fakeOP) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	method, ok := op.authenticate(r)
	if !ok {
		tokenError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	g, ok := op.redeem(r.PostForm.Get("code"))
	if !ok || g.redirectURI != r.PostForm.Get("redirect_uri") ||
		g.challenge != oauth2.S256ChallengeFromVerifier(r.PostForm.Get("code_verifier")) {
		tokenError(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	access := randomString()
	op.mu.Lock()
	op.lastAuth = method
	op.access[access] = true
	op.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": g.idToken,
	})
}

// redeem returns the grant for code and forgets the code: a code works once.
func (op *fakeOP) redeem(code string) (grant, bool) {
	op.mu.Lock()
	defer op.mu.Unlock()
	g, ok := op.grants[code]
	delete(op.grants, code)
	return g, ok
}

// authenticate checks the client by the one method this provider expects.
func (op *fakeOP) authenticate(r *http.Request) (string, bool) {
	if op.clientKey == nil {
		id, secret, ok := r.BasicAuth()
		if !ok || r.PostForm.Has("client_secret") {
			return "", false
		}
		id, err1 := url.QueryUnescape(id)
		secret, err2 := url.QueryUnescape(secret)
		return "basic", err1 == nil && err2 == nil && id == testClientID && secret == testSecret
	}
	if _, _, basic := r.BasicAuth(); basic || r.PostForm.Has("client_secret") {
		return "", false
	}
	if r.PostForm.Get("client_assertion_type") != clientAssertionType {
		return "", false
	}
	if id := r.PostForm.Get("client_id"); id != "" && id != testClientID {
		return "", false
	}
	return "private_key_jwt", op.verifyAssertion(r.PostForm.Get("client_assertion"))
}

// verifyAssertion checks a private_key_jwt client assertion per RFC 7523.
func (op *fakeOP) verifyAssertion(assertion string) bool {
	tok, err := jwt.ParseSigned(assertion, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return false
	}
	var c jwt.Claims
	if err := tok.Claims(op.clientKey, &c); err != nil {
		return false
	}
	err = c.ValidateWithLeeway(jwt.Expected{
		Issuer: testClientID, Subject: testClientID,
		AnyAudience: jwt.Audience{op.issuer() + "/token"}, Time: time.Now(),
	}, 0)
	if err != nil || c.Expiry == nil || c.ID == "" {
		return false
	}
	op.mu.Lock()
	defer op.mu.Unlock()
	if op.jtis[c.ID] {
		return false
	}
	op.jtis[c.ID] = true
	return true
}

func (op *fakeOP) lastClientAuth() string {
	op.mu.Lock()
	defer op.mu.Unlock()
	return op.lastAuth
}

func tokenError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": "refused by the fake provider"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// claims returns a valid ID token claim set for the flow's nonce.
func (op *fakeOP) claims(nonce string) map[string]any {
	now := time.Now()
	return map[string]any{
		"iss": op.issuer(), "sub": "subject-1", "aud": testClientID,
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "nonce": nonce,
		"urn:oid:1.2.246.21": "010190-900P", "given_name": "Testi", "family_name": "Henkilö",
		"acr": "http://ftn.ficora.fi/2017/loa2",
	}
}

// signJWT signs claims with key under kid and algorithm alg.
func signJWT(tb testing.TB, alg jose.SignatureAlgorithm, key any, kid string, claims map[string]any) string {
	tb.Helper()
	if kid != "" {
		key = jose.JSONWebKey{Key: key, KeyID: kid, Algorithm: string(alg)}
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		tb.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		tb.Fatal(err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// signed is an ID token signed RS256 by the provider's key.
func (op *fakeOP) signed(tb testing.TB, claims map[string]any) string {
	tb.Helper()
	return signJWT(tb, jose.RS256, op.signKey, opKeyID, claims)
}

// encryptJWT wraps a signed JWT in a JWE for pub (signed-then-encrypted,
// cty JWT), as Finnish Trust Network brokers send ID tokens.
func encryptJWT(tb testing.TB, signed string, pub *rsa.PublicKey, alg jose.KeyAlgorithm, enc jose.ContentEncryption) string {
	tb.Helper()
	opts := (&jose.EncrypterOptions{}).WithContentType("JWT").WithType("JWT")
	e, err := jose.NewEncrypter(enc, jose.Recipient{Algorithm: alg, Key: pub, KeyID: "rp-enc-1"}, opts)
	if err != nil {
		tb.Fatal(err)
	}
	obj, err := e.Encrypt([]byte(signed))
	if err != nil {
		tb.Fatal(err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// mustParams returns the query of an authorization URL.
func mustParams(tb testing.TB, authURL string) url.Values {
	tb.Helper()
	u, err := url.Parse(authURL)
	if err != nil {
		tb.Fatal(err)
	}
	return u.Query()
}
