package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/omahoito/omahoito/auth/devidp"
	"github.com/omahoito/omahoito/fhir"
)

// invalidTokenChallenge is the WWW-Authenticate of a refused bearer token.
const invalidTokenChallenge = `Bearer realm="omahoito", error="invalid_token"`

// devAppToken logs a citizen in as the development app client would: the
// authorization code flow with PKCE S256 through the provider's login form,
// stopping at the redirect to {base}/dev-app/callback (nothing serves it),
// then the code exchange with the verifier and no client secret. It returns
// the access token.
func devAppToken(tb testing.TB, a *testApp, hetu string) string {
	tb.Helper()
	issuer := a.URL + "/dev-idp/citizen"
	var meta struct {
		Authorize string `json:"authorization_endpoint"`
		Token     string `json:"token_endpoint"`
	}
	res, body := get(tb, http.DefaultClient, issuer+"/.well-known/openid-configuration")
	if err := json.Unmarshal([]byte(body), &meta); res.StatusCode != http.StatusOK || err != nil {
		tb.Fatalf("discovery: %d %v", res.StatusCode, err)
	}
	verifier, redirect := oauth2.GenerateVerifier(), a.URL+"/dev-app/callback"
	authorize := meta.Authorize + "?" + url.Values{
		"response_type": {"code"}, "client_id": {devAppClientID}, "redirect_uri": {redirect},
		"scope": {"openid profile"}, "state": {"app-state"},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"},
	}.Encode()
	c := browser(tb)
	action, id := devLoginForm(tb, c, authorize)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, _ = postForm(tb, c, action, url.Values{"id": {id}, "hetu": {hetu}, "region": {"kainuu"}})
	loc, err := res.Location()
	if err != nil || !strings.HasPrefix(loc.String(), redirect+"?") || loc.Query().Get("state") != "app-state" {
		tb.Fatalf("login redirected to %v (%v), want %s with the state", loc, err, redirect)
	}
	res, body = postForm(tb, http.DefaultClient, meta.Token, url.Values{
		"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {redirect},
		"client_id": {devAppClientID}, "code_verifier": {verifier},
	})
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	if err := json.Unmarshal([]byte(body), &tok); res.StatusCode != http.StatusOK || err != nil || tok.AccessToken == "" {
		tb.Fatalf("token exchange: %d %s", res.StatusCode, body)
	}
	if !strings.EqualFold(tok.TokenType, "Bearer") || strings.Count(tok.AccessToken, ".") != 2 {
		tb.Fatalf("token type %q and a non-JWT access token", tok.TokenType)
	}
	return tok.AccessToken
}

// bearerDo sends an API request with "Authorization: Bearer token" (none
// when token is "-") from c, a client without cookies when nil.
func bearerDo(tb testing.TB, a *testApp, c *http.Client, method, path, token string, body []byte) (*http.Response, string) {
	tb.Helper()
	req, err := http.NewRequest(method, a.URL+"/fhir/r4"+path, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", fhirJSON)
	}
	if token != "-" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if c == nil {
		c = &http.Client{}
	}
	res, err := c.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	return res, readBody(tb, res)
}

// forgeToken signs claims with the development provider's key, under its
// key id: a token the provider did not issue but whose signature verifies.
func forgeToken(tb testing.TB, a *testApp, claims map[string]any) string {
	tb.Helper()
	jwk := jose.JSONWebKey{Key: &a.devKey.PublicKey}
	thumb, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		tb.Fatal(err)
	}
	key := jose.JSONWebKey{Key: a.devKey, KeyID: base64.RawURLEncoding.EncodeToString(thumb)}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		tb.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	obj, err := signer.Sign(payload)
	if err != nil {
		tb.Fatal(err)
	}
	raw, err := obj.CompactSerialize()
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}

// appClaims are what the development provider puts in the app's access token.
func appClaims(issuer, hetu string) map[string]any {
	now := time.Now()
	return map[string]any{
		"iss": issuer, "sub": "forged-subject", "aud": []string{devAppClientID}, "client_id": devAppClientID,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(), "jti": "forged",
		devidp.ClaimHetu: hetu, devidp.ClaimRegion: "kainuu", "given_name": "Testi", "family_name": "Laite",
	}
}

type observationOut struct {
	ID   string `json:"id"`
	Meta struct {
		Source string `json:"source"`
	} `json:"meta"`
}

func mustObservation(tb testing.TB, res *http.Response, body string, status int) observationOut {
	tb.Helper()
	var o observationOut
	if res.StatusCode != status || json.Unmarshal([]byte(body), &o) != nil || o.ID == "" {
		tb.Fatalf("status %d, want %d: %s", res.StatusCode, status, body)
	}
	return o
}

// bearerPatientID is the Patient id the token's holder acts for.
func bearerPatientID(tb testing.TB, a *testApp, c *http.Client, token string) string {
	tb.Helper()
	res, body := bearerDo(tb, a, c, http.MethodGet, "/Patient", token, nil)
	var b struct {
		Entry []struct {
			Resource struct{ ID string } `json:"resource"`
		} `json:"entry"`
	}
	if res.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &b) != nil || len(b.Entry) != 1 {
		tb.Fatalf("Patient search with a bearer token: %d %s", res.StatusCode, body)
	}
	return b.Entry[0].Resource.ID
}

// An app logs the citizen in at the provider, sends a measurement with its
// access token alone, and is recorded as its source; the citizen's own
// session sees it.
func TestBearerTokenFromDevApp(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, a *testApp) {
		token := devAppToken(t, a, testHetu)
		patientID := bearerPatientID(t, a, nil, token)
		wantSource := fhir.ClientSourcePrefix + devAppClientID

		at := time.Now().Add(-time.Hour).Truncate(time.Second)
		res, body := bearerDo(t, a, nil, http.MethodPost, "/Observation", token, bpObservation(patientID, 138, 86, at, ""))
		created := mustObservation(t, res, body, http.StatusCreated)
		if created.Meta.Source != wantSource {
			t.Errorf("meta.source %q, want %q", created.Meta.Source, wantSource)
		}
		if res.Header.Get("Set-Cookie") != "" {
			t.Error("a bearer request got a session cookie")
		}
		res, body = bearerDo(t, a, nil, http.MethodGet, "/Observation/"+created.ID, token, nil)
		if got := mustObservation(t, res, body, http.StatusOK); got.Meta.Source != wantSource {
			t.Errorf("read back: meta.source %q", got.Meta.Source)
		}
		res, body = bearerDo(t, a, nil, http.MethodPost, "", token, transactionBundle([][]byte{
			quantityObservation(patientID, "29463-7", 72.5, "kg", at, ""),
		}))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("transaction with a bearer token: %d %s", res.StatusCode, body)
		}

		session := MustAPICitizen(t, a, testHetu)
		if session.patientID != patientID {
			t.Fatalf("session Patient %s, bearer Patient %s: not the same person", session.patientID, patientID)
		}
		res, body = session.do(t, http.MethodGet, "/Observation/"+created.ID, nil)
		if got := mustObservation(t, res, body, http.StatusOK); got.Meta.Source != wantSource {
			t.Errorf("the session sees meta.source %q, want %q", got.Meta.Source, wantSource)
		}
		if n := session.count(t); n != 2 {
			t.Errorf("the session sees %d measurements, want 2", n)
		}
		assertNoPersonalData(t, a, testHetu, token)
	})
}

// A bearer token decides who acts, whatever session cookie comes with it.
func TestBearerTokenIgnoresSessionCookie(t *testing.T) {
	a := MustStartApp(t, "sqlite")
	token := devAppToken(t, a, testHetu)
	other := MustAPICitizen(t, a, "010594Y9021")
	if got := bearerPatientID(t, a, other.c, token); got == other.patientID {
		t.Error("the session cookie, not the bearer token, chose the person")
	}
	res, body := bearerDo(t, a, other.c, http.MethodGet, "/Patient", "not-a-token", nil)
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("a bad token with a good session cookie: %d %s, want 401", res.StatusCode, body)
	}
	if !hasSession(other.c, a.URL) {
		t.Error("the session did not survive")
	}
}

func TestBearerRefusals(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, a *testApp) {
		token := devAppToken(t, a, testHetu)
		sig := strings.LastIndexByte(token, '.') + 10
		flipped := byte('A')
		if token[sig] == 'A' {
			flipped = 'B'
		}
		tampered := token[:sig] + string(flipped) + token[sig+1:]
		citizenIssuer, proIssuer := a.URL+"/dev-idp/citizen", a.URL+"/dev-idp/professional"

		// The forged token with the citizen issuer passes: the refusals
		// below are for what differs, not for the forging.
		if res, body := bearerDo(t, a, nil, http.MethodGet, "/Patient", forgeToken(t, a, appClaims(citizenIssuer, testHetu)), nil); res.StatusCode != http.StatusOK {
			t.Fatalf("control token refused: %d %s", res.StatusCode, body)
		}
		expired := appClaims(citizenIssuer, testHetu)
		expired["exp"] = time.Now().Add(-time.Minute).Unix()
		otherClient := appClaims(citizenIssuer, testHetu)
		otherClient["aud"], otherClient["client_id"] = []string{"omahoito-citizen"}, "omahoito-citizen"
		badHetu := appClaims(citizenIssuer, "150380-902A")
		cases := map[string]string{
			"tampered":            tampered,
			"professional issuer": forgeToken(t, a, appClaims(proIssuer, testHetu)),
			"expired":             forgeToken(t, a, expired),
			"portal client":       forgeToken(t, a, otherClient),
			"invalid hetu":        forgeToken(t, a, badHetu),
			"empty":               "",
		}
		for name, tok := range cases {
			res, body := bearerDo(t, a, nil, http.MethodPost, "/Observation", tok, bpObservation("x", 120, 80, time.Now(), ""))
			if res.StatusCode != http.StatusUnauthorized || res.Header.Get("WWW-Authenticate") != invalidTokenChallenge ||
				!strings.HasPrefix(res.Header.Get("Content-Type"), fhirJSON) || !strings.Contains(body, `"code":"login"`) {
				t.Errorf("%s: %d %q %s", name, res.StatusCode, res.Header.Get("WWW-Authenticate"), body)
			}
		}
		res, body := bearerDo(t, a, nil, http.MethodGet, "/Patient", "-", nil)
		if res.StatusCode != http.StatusUnauthorized || res.Header.Get("WWW-Authenticate") != `Bearer realm="omahoito"` {
			t.Errorf("no token, no cookie: %d %q %s", res.StatusCode, res.Header.Get("WWW-Authenticate"), body)
		}
		assertNoPersonalData(t, a, testHetu, "150380-902A", token, tampered)
	})
}

// api_clients wires a verifier for the configured citizen issuer, and only
// the citizen issuer may list them.
func TestAPIClientsConfig(t *testing.T) {
	broker := httptest.NewServer(http.NotFoundHandler()) // discovery fails
	defer broker.Close()
	cases := map[string]struct {
		citizen, pro string // extra JSON of each issuer
		status       int    // of a bearer request; 0: newApp refuses
	}{
		"citizen api_clients":      {citizen: `, "api_clients": ["some-app"]`, status: http.StatusServiceUnavailable},
		"no api_clients":           {status: http.StatusUnauthorized},
		"professional api_clients": {pro: `, "api_clients": ["some-app"]`},
	}
	token := forgeToken(t, &testApp{devKey: mustTestKey(t)}, map[string]any{"iss": broker.URL + "/citizen"})
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a, err := configuredApp(t, broker.URL, tc.citizen, tc.pro)
			if tc.status == 0 {
				if !errors.Is(err, errConfig) || !strings.Contains(err.Error(), "citizen issuer only") {
					t.Fatalf("newApp: %v, want a configuration error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res, body := bearerDo(t, a, nil, http.MethodGet, "/Patient", token, nil); res.StatusCode != tc.status {
				t.Errorf("bearer request: %d %s, want %d", res.StatusCode, body, tc.status)
			}
		})
	}
}

func mustTestKey(tb testing.TB) *rsa.PrivateKey {
	tb.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// configuredApp starts the service with real issuers at broker.
func configuredApp(t *testing.T, broker, citizenExtra, proExtra string) (*testApp, error) {
	t.Helper()
	dir := t.TempDir()
	key := writeFile(t, dir, "hetu.key", base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3}, 32)), 0o600)
	t.Setenv("BROKER_SECRET", "s3cret")
	cfgPath := writeFile(t, dir, "omahoito.json", `{
	  "data_dir": "`+dir+`", "hetu_key_file": "`+key+`", "audit_signing_key": "`+mustAuditKey(t)+`",
	  "files_master_keys": [{"key_file": "`+writeMasterKey(t, dir, "files.key", 4)+`"}],
	  "citizen_issuer": {"issuer": "`+broker+`/citizen", "client_id": "omahoito", "client_secret_env": "BROKER_SECRET"`+citizenExtra+`},
	  "professional_issuer": {"issuer": "`+broker+`/pro", "client_id": "omahoito", "client_secret_env": "BROKER_SECRET"`+proExtra+`}
	}`, 0o600)
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg.applyDefaults()
	srv := httptest.NewServer(nil)
	t.Cleanup(srv.Close)
	cfg.BaseURL = srv.URL
	mustSeedDemoDirectory(t, cfg)
	logs := &syncBuffer{}
	a, err := newApp(context.Background(), cfg, slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		return nil, err
	}
	t.Cleanup(a.Close)
	srv.Config.Handler = a.handler
	return &testApp{URL: srv.URL, log: logs, store: a.store}, nil
}
