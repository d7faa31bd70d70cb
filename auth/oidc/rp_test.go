package oidc

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"
)

const loa2 = "http://ftn.ficora.fi/2017/loa2"

func secretConfig(op *fakeOP) ProviderConfig {
	return ProviderConfig{
		Name: "citizen", Issuer: op.issuer(), ClientID: testClientID, ClientSecret: testSecret,
		RedirectURL: redirectURL, ACRValues: loa2,
	}
}

// ftnConfig is a Finnish Trust Network style client: private_key_jwt and a
// signed request object.
func ftnConfig(tb testing.TB, op *fakeOP) ProviderConfig {
	_, client, _, _ := testKeys(tb)
	return ProviderConfig{
		Name: "citizen", Issuer: op.issuer(), ClientID: testClientID,
		ClientAuth: PrivateKeyJWT, ClientKey: client, ClientKeyID: "rp-sig-1", SignedRequest: true,
		RedirectURL: redirectURL, ACRValues: loa2,
	}
}

func mustRP(tb testing.TB, cfg ProviderConfig) *RelyingParty {
	tb.Helper()
	rp, err := NewRelyingParty(cfg, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return rp
}

// begin starts a flow and returns the authorization request parameters as
// the provider would read them (from the request object when signed).
func begin(tb testing.TB, rp *RelyingParty) (Flow, url.Values) {
	tb.Helper()
	flow, authURL, err := rp.Begin(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	params := mustParams(tb, authURL)
	if req := params.Get("request"); req != "" {
		_, client, _, _ := testKeys(tb)
		params = requestObjectParams(tb, req, &client.PublicKey)
	}
	return flow, params
}

// requestObjectParams verifies a request object's RS256 signature and
// returns its claims as parameters.
func requestObjectParams(tb testing.TB, request string, pub *rsa.PublicKey) url.Values {
	tb.Helper()
	tok, err := jwt.ParseSigned(request, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		tb.Fatalf("request object: %v", err)
	}
	var claims map[string]any
	if err := tok.Claims(pub, &claims); err != nil {
		tb.Fatalf("request object signature: %v", err)
	}
	params := url.Values{}
	for k, v := range claims {
		if s, ok := v.(string); ok {
			params.Set(k, s)
		}
	}
	return params
}

// callback is what the browser brings back after the provider issued a
// code that yields idToken.
func callback(op *fakeOP, flow Flow, params url.Values, idToken string) url.Values {
	return url.Values{"code": {op.issueCode(idToken, params)}, "state": {flow.State}}
}

func TestCompleteClientSecretBasic(t *testing.T) {
	op := newFakeOP(t, nil)
	rp := mustRP(t, secretConfig(op))
	flow, params := begin(t, rp)
	if params.Get("state") != flow.State || params.Get("nonce") != flow.Nonce ||
		params.Get("code_challenge") != oauth2.S256ChallengeFromVerifier(flow.Verifier) ||
		params.Get("code_challenge_method") != "S256" || params.Get("acr_values") != loa2 ||
		params.Get("client_id") != testClientID || params.Get("redirect_uri") != redirectURL ||
		params.Get("scope") != "openid profile" || params.Get("response_type") != "code" {
		t.Fatalf("authorization request = %v", params)
	}
	claims := op.claims(flow.Nonce)
	claims["preferred_username"] = "testi"
	got, err := rp.Complete(context.Background(), flow, callback(op, flow, params, op.signed(t, claims)))
	if err != nil {
		t.Fatal(err)
	}
	want := Identity{Issuer: op.issuer(), Subject: "subject-1", Hetu: "010190-900P", GivenName: "Testi",
		FamilyName: "Henkilö", Username: "testi", ACR: loa2}
	if got != want {
		t.Errorf("identity = %+v, want %+v", got, want)
	}
	if m := op.lastClientAuth(); m != "basic" {
		t.Errorf("client authenticated by %q", m)
	}
}

func TestCompletePrivateKeyJWTSignedRequest(t *testing.T) {
	_, client, _, _ := testKeys(t)
	op := newFakeOP(t, &client.PublicKey)
	rp := mustRP(t, ftnConfig(t, op))
	flow, authURL, err := rp.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	query := mustParams(t, authURL)
	for _, leaked := range []string{"state", "nonce", "code_challenge", "redirect_uri"} {
		if query.Has(leaked) {
			t.Errorf("%s sent outside the request object", leaked)
		}
	}
	if query.Get("client_id") != testClientID || query.Get("response_type") != "code" ||
		!strings.Contains(query.Get("scope"), "openid") {
		t.Fatalf("query = %v", query)
	}
	assertRequestObject(t, query.Get("request"), &client.PublicKey, op.issuer(), flow)

	params := requestObjectParams(t, query.Get("request"), &client.PublicKey)
	got, err := rp.Complete(context.Background(), flow, callback(op, flow, params, op.signed(t, op.claims(flow.Nonce))))
	if err != nil {
		t.Fatal(err)
	}
	if got.Hetu != "010190-900P" || got.Subject != "subject-1" {
		t.Errorf("identity = %+v", got)
	}
	if m := op.lastClientAuth(); m != "private_key_jwt" {
		t.Errorf("client authenticated by %q", m)
	}
}

// assertRequestObject checks a request object's header, signature and claims.
func assertRequestObject(t *testing.T, request string, pub *rsa.PublicKey, issuer string, flow Flow) {
	t.Helper()
	tok, err := jwt.ParseSigned(request, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	if h := tok.Headers[0]; h.Algorithm != "RS256" || h.KeyID != "rp-sig-1" {
		t.Errorf("request object header = %+v", h)
	}
	var c struct {
		jwt.Claims
		ClientID            string `json:"client_id"`
		RedirectURI         string `json:"redirect_uri"`
		ResponseType        string `json:"response_type"`
		Scope               string `json:"scope"`
		State               string `json:"state"`
		Nonce               string `json:"nonce"`
		CodeChallenge       string `json:"code_challenge"`
		CodeChallengeMethod string `json:"code_challenge_method"`
		ACRValues           string `json:"acr_values"`
	}
	if err := tok.Claims(pub, &c); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(jwt.Expected{Issuer: testClientID, AnyAudience: jwt.Audience{issuer}, Time: time.Now()}); err != nil {
		t.Error(err)
	}
	if c.ClientID != testClientID || c.RedirectURI != redirectURL || c.ResponseType != "code" ||
		c.Scope != "openid profile" || c.State != flow.State || c.Nonce != flow.Nonce ||
		c.CodeChallenge != oauth2.S256ChallengeFromVerifier(flow.Verifier) ||
		c.CodeChallengeMethod != "S256" || c.ACRValues != loa2 || c.Expiry == nil {
		t.Errorf("request object claims = %+v", c)
	}
}

func TestCompleteEncryptedIDToken(t *testing.T) {
	_, client, decrypt, _ := testKeys(t)
	for _, tc := range []struct {
		alg jose.KeyAlgorithm
		enc jose.ContentEncryption
	}{
		{jose.RSA_OAEP, jose.A128GCM},
		{jose.RSA_OAEP_256, jose.A128CBC_HS256},
	} {
		t.Run(string(tc.alg)+"/"+string(tc.enc), func(t *testing.T) {
			op := newFakeOP(t, &client.PublicKey)
			cfg := ftnConfig(t, op)
			cfg.DecryptionKey = decrypt
			rp := mustRP(t, cfg)
			flow, params := begin(t, rp)
			jwe := encryptJWT(t, op.signed(t, op.claims(flow.Nonce)), &decrypt.PublicKey, tc.alg, tc.enc)
			if n := strings.Count(jwe, "."); n != 4 {
				t.Fatalf("not a compact JWE: %d dots", n)
			}
			got, err := rp.Complete(context.Background(), flow, callback(op, flow, params, jwe))
			if err != nil {
				t.Fatal(err)
			}
			if got.Hetu != "010190-900P" || got.ACR != loa2 {
				t.Errorf("identity = %+v", got)
			}
		})
	}
}

func TestCompleteEncryptedIDTokenRefused(t *testing.T) {
	_, client, decrypt, other := testKeys(t)
	for name, wrap := range map[string]func(op *fakeOP, signed string) string{
		"encrypted to another key": func(_ *fakeOP, signed string) string {
			return encryptJWT(t, signed, &other.PublicKey, jose.RSA_OAEP_256, jose.A128GCM)
		},
		"plain JWS": func(_ *fakeOP, signed string) string { return signed },
		"RSA1_5 key wrap": func(_ *fakeOP, signed string) string {
			return encryptJWT(t, signed, &decrypt.PublicKey, jose.RSA1_5, jose.A128GCM)
		},
	} {
		t.Run(name, func(t *testing.T) {
			op := newFakeOP(t, &client.PublicKey)
			cfg := ftnConfig(t, op)
			cfg.DecryptionKey = decrypt
			rp := mustRP(t, cfg)
			flow, params := begin(t, rp)
			token := wrap(op, op.signed(t, op.claims(flow.Nonce)))
			_, err := rp.Complete(context.Background(), flow, callback(op, flow, params, token))
			if !errors.Is(err, ErrToken) {
				t.Fatalf("err = %v, want ErrToken", err)
			}
		})
	}
}

func TestCompleteJWEWithoutDecryptionKeyRefused(t *testing.T) {
	_, _, decrypt, _ := testKeys(t)
	op := newFakeOP(t, nil)
	rp := mustRP(t, secretConfig(op))
	flow, params := begin(t, rp)
	jwe := encryptJWT(t, op.signed(t, op.claims(flow.Nonce)), &decrypt.PublicKey, jose.RSA_OAEP, jose.A128GCM)
	if _, err := rp.Complete(context.Background(), flow, callback(op, flow, params, jwe)); !errors.Is(err, ErrToken) {
		t.Fatalf("err = %v, want ErrToken", err)
	}
}

// refusal is one way a callback or its ID token can be wrong.
type refusal struct {
	name string
	want error
	// token makes the ID token from valid claims; nil means a valid one.
	token func(t *testing.T, op *fakeOP, claims map[string]any) string
	// tweak alters the flow and callback; nil leaves them alone.
	tweak func(flow *Flow, cb url.Values)
}

func tokenRefusals() []refusal {
	withClaim := func(k string, v any) func(*testing.T, *fakeOP, map[string]any) string {
		return func(t *testing.T, op *fakeOP, c map[string]any) string {
			c[k] = v
			return op.signed(t, c)
		}
	}
	return []refusal{
		{name: "wrong issuer", want: ErrToken, token: withClaim("iss", "https://evil.example")},
		{name: "wrong audience", want: ErrToken, token: withClaim("aud", "another-client")},
		{name: "other authorized party", want: ErrToken, token: withClaim("azp", "another-client")},
		{name: "expired", want: ErrToken, token: withClaim("exp", time.Now().Add(-time.Minute).Unix())},
		{name: "wrong nonce", want: ErrToken, token: withClaim("nonce", "another-nonce")},
		{name: "no nonce", want: ErrToken, token: withClaim("nonce", "")},
		{name: "alg none", want: ErrToken, token: unsignedToken},
		{name: "HS256 with the client secret", want: ErrToken,
			token: func(t *testing.T, _ *fakeOP, c map[string]any) string {
				return signJWT(t, jose.HS256, []byte(testSecret), opKeyID, c)
			}},
		{name: "tampered payload", want: ErrToken, token: tamperedToken},
		{name: "unknown key under the known kid", want: ErrToken,
			token: func(t *testing.T, _ *fakeOP, c map[string]any) string {
				_, _, _, other := testKeys(t)
				return signJWT(t, jose.RS256, other, opKeyID, c)
			}},
		{name: "unknown key and kid", want: ErrToken,
			token: func(t *testing.T, _ *fakeOP, c map[string]any) string {
				_, _, _, other := testKeys(t)
				return signJWT(t, jose.RS256, other, "unknown", c)
			}},
		{name: "not a JWT", want: ErrToken,
			token: func(*testing.T, *fakeOP, map[string]any) string { return "garbage" }},
	}
}

func callbackRefusals() []refusal {
	return []refusal{
		{name: "flow expired", want: ErrFlowExpired,
			tweak: func(f *Flow, _ url.Values) { f.Started = time.Now().Add(-FlowLifetime - time.Second) }},
		{name: "no flow", want: ErrFlowExpired, tweak: func(f *Flow, _ url.Values) { *f = Flow{} }},
		{name: "missing state", want: ErrState, tweak: func(_ *Flow, cb url.Values) { cb.Del("state") }},
		{name: "wrong state", want: ErrState, tweak: func(_ *Flow, cb url.Values) { cb.Set("state", randomString()) }},
		{name: "callback from another issuer", want: ErrState,
			tweak: func(_ *Flow, cb url.Values) { cb.Set("iss", "https://evil.example") }},
		{name: "access denied", want: ErrProvider, tweak: func(_ *Flow, cb url.Values) {
			cb.Del("code")
			cb.Set("error", "access_denied")
		}},
		{name: "no code", want: ErrExchange, tweak: func(_ *Flow, cb url.Values) { cb.Del("code") }},
		{name: "unknown code", want: ErrExchange, tweak: func(_ *Flow, cb url.Values) { cb.Set("code", "forged") }},
		{name: "wrong PKCE verifier", want: ErrExchange,
			tweak: func(f *Flow, _ url.Values) { f.Verifier = oauth2.GenerateVerifier() }},
	}
}

func TestCompleteRefusals(t *testing.T) {
	op := newFakeOP(t, nil)
	rp := mustRP(t, secretConfig(op))
	for _, tc := range append(callbackRefusals(), tokenRefusals()...) {
		t.Run(tc.name, func(t *testing.T) {
			flow, params := begin(t, rp)
			claims := op.claims(flow.Nonce)
			token := op.signed(t, claims)
			if tc.token != nil {
				token = tc.token(t, op, claims)
			}
			cb := callback(op, flow, params, token)
			if tc.tweak != nil {
				tc.tweak(&flow, cb)
			}
			id, err := rp.Complete(context.Background(), flow, cb)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if id != (Identity{}) {
				t.Errorf("refused login returned identity %+v", id)
			}
			t.Log(err)
		})
	}
}

func TestCompleteRefusesReusedCode(t *testing.T) {
	op := newFakeOP(t, nil)
	rp := mustRP(t, secretConfig(op))
	flow, params := begin(t, rp)
	cb := callback(op, flow, params, op.signed(t, op.claims(flow.Nonce)))
	if _, err := rp.Complete(context.Background(), flow, cb); err != nil {
		t.Fatal(err)
	}
	_, err := rp.Complete(context.Background(), flow, cb)
	if !errors.Is(err, ErrExchange) {
		t.Fatalf("err = %v, want ErrExchange", err)
	}
	if !strings.Contains(err.Error(), "invalid_grant") {
		t.Errorf("error %q does not name the OAuth error", err)
	}
}

func TestProviderErrorNamesCodeNotDescription(t *testing.T) {
	op := newFakeOP(t, nil)
	rp := mustRP(t, secretConfig(op))
	flow, _ := begin(t, rp)
	cb := url.Values{"state": {flow.State}, "error": {"access_denied"}, "error_description": {"user 010190-900P cancelled"}}
	_, err := rp.Complete(context.Background(), flow, cb)
	if !errors.Is(err, ErrProvider) || !strings.Contains(err.Error(), "access_denied") ||
		strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("err = %v", err)
	}
}

// unsignedToken is an alg "none" JWT carrying valid claims.
func unsignedToken(t *testing.T, _ *fakeOP, c map[string]any) string {
	t.Helper()
	return b64JSON(t, map[string]string{"alg": "none", "typ": "JWT"}) + "." + b64JSON(t, c) + "."
}

// tamperedToken is a validly signed token whose payload was then replaced.
func tamperedToken(t *testing.T, op *fakeOP, c map[string]any) string {
	t.Helper()
	parts := strings.Split(op.signed(t, c), ".")
	c["urn:oid:1.2.246.21"] = "150380-902U"
	parts[1] = b64JSON(t, c)
	return strings.Join(parts, ".")
}

func b64JSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestClaimMapping(t *testing.T) {
	op := newFakeOP(t, nil)
	for _, tc := range []struct {
		name   string
		names  ClaimNames
		claims map[string]any
		want   Identity
	}{
		{name: "broker sends hetu", claims: map[string]any{"hetu": "150380-902U"},
			want: Identity{Hetu: "150380-902U"}},
		{name: "broker sends nin", claims: map[string]any{"nin": "010594Y9021"},
			want: Identity{Hetu: "010594Y9021"}},
		{name: "first configured name wins", names: ClaimNames{Hetu: []string{"ftn_hetu", "hetu"}},
			claims: map[string]any{"hetu": "150380-902U", "ftn_hetu": "020516C903K"},
			want:   Identity{Hetu: "020516C903K"}},
		{name: "empty claim skipped", names: ClaimNames{Hetu: []string{"ftn_hetu", "hetu"}},
			claims: map[string]any{"ftn_hetu": "", "hetu": "150380-902U"},
			want:   Identity{Hetu: "150380-902U"}},
		{name: "professional claims", names: ClaimNames{Username: "username", Region: "region",
			GivenName: "firstName", FamilyName: "lastName"},
			claims: map[string]any{"username": "kainuu-nurse", "region": "kainuu", "firstName": "Hoitaja",
				"lastName": "Kainuu", "preferred_username": "ignored"},
			want: Identity{Username: "kainuu-nurse", Region: "kainuu", GivenName: "Hoitaja", FamilyName: "Kainuu"}},
		{name: "non-string claim is empty", claims: map[string]any{"hetu": 12345, "given_name": true},
			want: Identity{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := secretConfig(op)
			cfg.Claims = tc.names
			cfg.ACRValues = "" // mapping only; TestACRIsEnforced covers the level
			rp := mustRP(t, cfg)
			flow, params := begin(t, rp)
			claims := map[string]any{"iss": op.issuer(), "sub": "s", "aud": testClientID,
				"exp": time.Now().Add(time.Minute).Unix(), "iat": time.Now().Unix(), "nonce": flow.Nonce}
			for k, v := range tc.claims {
				claims[k] = v
			}
			got, err := rp.Complete(context.Background(), flow, callback(op, flow, params, op.signed(t, claims)))
			if err != nil {
				t.Fatal(err)
			}
			tc.want.Issuer, tc.want.Subject = op.issuer(), "s"
			if got != tc.want {
				t.Errorf("identity = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestDiscoveryIsLazyAndCached(t *testing.T) {
	op := newUnstartedFakeOP(t, nil)
	rp, err := NewRelyingParty(secretConfig(op), nil)
	if err != nil {
		t.Fatalf("NewRelyingParty touched the network: %v", err)
	}
	op.srv.Start()
	flow, params := begin(t, rp)
	begin(t, rp)
	if _, err := rp.Complete(context.Background(), flow, callback(op, flow, params, op.signed(t, op.claims(flow.Nonce)))); err != nil {
		t.Fatal(err)
	}
	if n := op.discoveries.Load(); n != 1 {
		t.Errorf("discovery fetched %d times, want once", n)
	}
}

func TestDiscoveryFailureIsRetried(t *testing.T) {
	op := newFakeOP(t, nil)
	op.unavailable.Store(1)
	rp := mustRP(t, secretConfig(op))
	clock := newTestClock()
	rp.disc.now = clock.now
	if _, _, err := rp.Begin(context.Background()); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Begin while discovery fails: err = %v, want ErrUnavailable", err)
	}
	clock.advance(ProviderRetry)
	flow, _ := begin(t, rp)
	if _, err := rp.Complete(context.Background(), flow, url.Values{"state": {"x"}}); !errors.Is(err, ErrState) {
		t.Fatalf("err = %v, want ErrState", err)
	}
	if n := op.discoveries.Load(); n != 1 {
		t.Errorf("discovery served %d times, want once", n)
	}
}

func TestBeginRandomness(t *testing.T) {
	op := newFakeOP(t, nil)
	rp := mustRP(t, secretConfig(op))
	a, _ := begin(t, rp)
	b, _ := begin(t, rp)
	for _, v := range []string{a.State, a.Nonce} {
		raw, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || len(raw) < 16 {
			t.Errorf("%q is not >= 128 random bits", v)
		}
	}
	if a.State == b.State || a.Nonce == b.Nonce || a.Verifier == b.Verifier || a.State == a.Nonce {
		t.Error("flows share secrets")
	}
	if len(a.Verifier) < 43 || time.Since(a.Started) > time.Minute {
		t.Errorf("flow = %+v", a)
	}
}

func TestNewRelyingPartyValidates(t *testing.T) {
	_, client, _, _ := testKeys(t)
	good := ProviderConfig{Name: "citizen", Issuer: "https://idp.example", ClientID: "c", ClientSecret: "s",
		RedirectURL: redirectURL}
	for name, mutate := range map[string]func(*ProviderConfig){
		"no name":                     func(c *ProviderConfig) { c.Name = "" },
		"relative issuer":             func(c *ProviderConfig) { c.Issuer = "/idp" },
		"no redirect":                 func(c *ProviderConfig) { c.RedirectURL = "" },
		"no client id":                func(c *ProviderConfig) { c.ClientID = "" },
		"no secret":                   func(c *ProviderConfig) { c.ClientSecret = "" },
		"unknown client auth":         func(c *ProviderConfig) { c.ClientAuth = "client_secret_post" },
		"private_key_jwt without key": func(c *ProviderConfig) { c.ClientAuth = PrivateKeyJWT },
		"signed request without key":  func(c *ProviderConfig) { c.SignedRequest = true },
		"scopes without openid":       func(c *ProviderConfig) { c.Scopes = []string{"profile"} },
		"1024-bit decryption key": func(c *ProviderConfig) {
			small, err := rsa.GenerateKey(rand.Reader, 1024)
			if err != nil {
				t.Fatal(err)
			}
			c.DecryptionKey = small
		},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := good
			mutate(&cfg)
			if _, err := NewRelyingParty(cfg, nil); !errors.Is(err, ErrConfig) {
				t.Fatalf("err = %v, want ErrConfig", err)
			}
		})
	}
	ftn := good
	ftn.ClientSecret, ftn.ClientAuth, ftn.ClientKey, ftn.SignedRequest = "", PrivateKeyJWT, client, true
	for _, cfg := range []ProviderConfig{good, ftn} {
		if _, err := NewRelyingParty(cfg, nil); err != nil {
			t.Errorf("valid config refused: %v", err)
		}
	}
}

func TestACRIsEnforced(t *testing.T) {
	op := newFakeOP(t, nil)
	const loa3 = "http://ftn.ficora.fi/2017/loa3"
	for _, tc := range []struct {
		name, requested string
		acr             any
		ok              bool
	}{
		{"requested level", loa2, loa2, true},
		{"higher level", loa2, loa3, true},
		{"lower level", loa3, loa2, false},
		{"missing acr", loa2, nil, false},
		{"unknown acr", loa2, "urn:weak", false},
		{"nothing requested", "", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := secretConfig(op)
			cfg.ACRValues = tc.requested
			rp := mustRP(t, cfg)
			flow, params := begin(t, rp)
			claims := map[string]any{"iss": op.issuer(), "sub": "s", "aud": testClientID,
				"exp": time.Now().Add(time.Minute).Unix(), "iat": time.Now().Unix(), "nonce": flow.Nonce}
			if tc.acr != nil {
				claims["acr"] = tc.acr
			}
			_, err := rp.Complete(context.Background(), flow, callback(op, flow, params, op.signed(t, claims)))
			if tc.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tc.ok && !errors.Is(err, ErrToken) {
				t.Fatalf("Complete = %v, want ErrToken", err)
			}
		})
	}
}
