package oidc

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

const (
	testAppID   = "omahoito-test-app"
	otherAppID  = "another-app"
	regionClaim = "omahoito_region"
)

func newTestBearer(t *testing.T, op *fakeOP) *BearerVerifier {
	t.Helper()
	v, err := NewBearerVerifier(BearerConfig{
		Issuer: op.issuer(), Clients: []string{testAppID, otherAppID},
		Claims: ClaimNames{Region: regionClaim},
	}, op.srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// accessClaims is a valid access token claim set for the test app, shaped
// like zitadel's: aud and client_id name the client, no nonce or hashes.
func (op *fakeOP) accessClaims() map[string]any {
	now := time.Now()
	return map[string]any{
		"iss": op.issuer(), "sub": "subject-1", "aud": []string{testAppID}, "client_id": testAppID,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(15 * time.Minute).Unix(), "jti": "token-1",
		"urn:oid:1.2.246.21": "010190-900P", "given_name": "Testi", "family_name": "Henkilö",
		regionClaim: "oulu",
	}
}

// with returns a copy of claims with the changes applied; a nil value
// deletes the claim.
func with(claims map[string]any, changes map[string]any) map[string]any {
	out := maps.Clone(claims)
	for k, v := range changes {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}

// A token typed JWT is an access token when it has a client_id claim (as
// zitadel's do); one typed at+jwt (RFC 9068) says so by its type.
func TestBearerAcceptsAccessToken(t *testing.T) {
	op := newFakeOP(t, nil)
	v := newTestBearer(t, op)
	cases := map[string]string{
		"client_id": op.signed(t, op.accessClaims()),
		"at+jwt, azp only": signTyped(t, op, "at+jwt",
			with(op.accessClaims(), map[string]any{"client_id": nil, "azp": testAppID})),
		"at+jwt, audience only": signTyped(t, op, "at+jwt",
			with(op.accessClaims(), map[string]any{"client_id": nil, "aud": testAppID})),
		"several audiences": op.signed(t, with(op.accessClaims(), map[string]any{"aud": []string{"https://api.example", testAppID}})),
		"other app":         op.signed(t, with(op.accessClaims(), map[string]any{"aud": []string{otherAppID}, "client_id": otherAppID})),
		"no typ":            signTyped(t, op, "", op.accessClaims()),
	}
	for name, raw := range cases {
		id, client, err := v.Verify(t.Context(), raw)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		want := Identity{Issuer: op.issuer(), Subject: "subject-1", Hetu: "010190-900P",
			GivenName: "Testi", FamilyName: "Henkilö", Region: "oulu"}
		if id != want {
			t.Errorf("%s: identity %+v, want %+v", name, id, want)
		}
		if wantClient := map[string]string{"other app": otherAppID}[name]; wantClient == "" && client != testAppID || wantClient != "" && client != wantClient {
			t.Errorf("%s: client %q", name, client)
		}
	}
	if n := op.discoveries.Load(); n != 1 {
		t.Errorf("%d discoveries for %d tokens, want 1", n, len(cases))
	}
}

func TestBearerAcceptsAccessTokenTypes(t *testing.T) {
	op := newFakeOP(t, nil)
	v := newTestBearer(t, op)
	for _, typ := range []string{"JWT", "at+jwt", "application/at+JWT"} {
		raw := signTyped(t, op, typ, op.accessClaims())
		if _, _, err := v.Verify(t.Context(), raw); err != nil {
			t.Errorf("typ %s: %v", typ, err)
		}
	}
}

// signTyped signs claims RS256 with the provider's key under a typ header
// (none when typ is "").
func signTyped(t *testing.T, op *fakeOP, typ string, claims map[string]any) string {
	t.Helper()
	key := jose.JSONWebKey{Key: op.signKey, KeyID: opKeyID, Algorithm: string(jose.RS256)}
	opts := &jose.SignerOptions{}
	if typ != "" {
		opts = opts.WithType(jose.ContentType(typ))
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	obj, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestBearerRefusals(t *testing.T) {
	op := newFakeOP(t, nil)
	v := newTestBearer(t, op)
	_, _, _, other := testKeys(t)
	good := op.signed(t, op.accessClaims())
	past := time.Now().Add(-time.Minute).Unix()
	cases := map[string]string{
		"empty":           "",
		"garbage":         "not-a-token",
		"wrong issuer":    op.signed(t, with(op.accessClaims(), map[string]any{"iss": "https://evil.example"})),
		"wrong audience":  op.signed(t, with(op.accessClaims(), map[string]any{"aud": []string{"someone-else"}, "client_id": nil})),
		"unknown client":  op.signed(t, with(op.accessClaims(), map[string]any{"client_id": "someone-else"})),
		"unknown azp":     op.signed(t, with(op.accessClaims(), map[string]any{"client_id": nil, "azp": "someone-else"})),
		"client and azp":  op.signed(t, with(op.accessClaims(), map[string]any{"azp": otherAppID})),
		"ambiguous":       op.signed(t, with(op.accessClaims(), map[string]any{"client_id": nil, "aud": []string{testAppID, otherAppID}})),
		"no audience":     op.signed(t, with(op.accessClaims(), map[string]any{"aud": nil})),
		"expired":         op.signed(t, with(op.accessClaims(), map[string]any{"exp": past})),
		"no expiry":       op.signed(t, with(op.accessClaims(), map[string]any{"exp": nil})),
		"not yet valid":   op.signed(t, with(op.accessClaims(), map[string]any{"nbf": time.Now().Add(time.Hour).Unix()})),
		"no subject":      op.signed(t, with(op.accessClaims(), map[string]any{"sub": nil})),
		"client_id type":  op.signed(t, with(op.accessClaims(), map[string]any{"client_id": 7})),
		"ID token nonce":  op.signed(t, with(op.accessClaims(), map[string]any{"nonce": "n"})),
		"ID token hashes": op.signed(t, with(op.accessClaims(), map[string]any{"at_hash": "x", "c_hash": "y"})),
		"ID token typ":    signTyped(t, op, "id_token+jwt", op.accessClaims()),
		// An ID token without nonce or at_hash (a broker that omits at_hash,
		// or a refresh grant's) names the app in aud and azp but has no
		// client_id: it does not say it is an access token.
		"ID token for the app": op.signed(t, with(op.accessClaims(), map[string]any{"client_id": nil, "azp": testAppID})),
		"audience only":        op.signed(t, with(op.accessClaims(), map[string]any{"client_id": nil})),
		"untyped, no client":   signTyped(t, op, "", with(op.accessClaims(), map[string]any{"client_id": nil, "azp": testAppID})),
		"at+jwt with nonce":    signTyped(t, op, "at+jwt", with(op.accessClaims(), map[string]any{"nonce": "n"})),
		"alg none":             unsigned(t, op.accessClaims()),
		"HS256":                signJWT(t, jose.HS256, []byte(testSecret), opKeyID, op.accessClaims()),
		"RS512":                signJWT(t, jose.RS512, op.signKey, opKeyID, op.accessClaims()),
		"tampered":             tamper(t, good, with(op.accessClaims(), map[string]any{"urn:oid:1.2.246.21": "150380-902U"})),
		"unknown key":          signJWT(t, jose.RS256, other, "other-key", op.accessClaims()),
		"key under our kid":    signJWT(t, jose.RS256, other, opKeyID, op.accessClaims()),
		"no kid":               signJWT(t, jose.RS256, other, "", op.accessClaims()),
		"two signatures":       twoSignatures(t, op),
	}
	for name, raw := range cases {
		_, client, err := v.Verify(t.Context(), raw)
		if !errors.Is(err, ErrBearer) {
			t.Errorf("%s: err %v, want ErrBearer", name, err)
			continue
		}
		if client != "" {
			t.Errorf("%s: client %q returned with an error", name, client)
		}
		if raw != "" && strings.Contains(err.Error(), raw) || strings.Contains(err.Error(), "010190-900P") {
			t.Errorf("%s: error quotes the token or the hetu: %v", name, err)
		}
	}
}

// unsigned is claims as an alg "none" JWT.
func unsigned(t *testing.T, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc(payload) + "."
}

// tamper replaces the payload of a signed token, keeping its signature.
func tamper(t *testing.T, raw string, claims map[string]any) string {
	t.Helper()
	parts := strings.Split(raw, ".")
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]
}

// twoSignatures is a JSON-serialized JWS with two RS256 signatures, one of
// them valid; a bearer token must be one compact JWS.
func twoSignatures(t *testing.T, op *fakeOP) string {
	t.Helper()
	_, client, _, _ := testKeys(t)
	signer, err := jose.NewMultiSigner([]jose.SigningKey{
		{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: op.signKey, KeyID: opKeyID}},
		{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: client, KeyID: "client"}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(op.accessClaims())
	obj, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	return obj.FullSerialize()
}

// Discovery failures wrap ErrUnavailable and are retried after ProviderRetry,
// and a token is checked against the header rules before any network I/O.
func TestBearerLazyDiscovery(t *testing.T) {
	op := newFakeOP(t, nil)
	op.unavailable.Store(1)
	v := newTestBearer(t, op)
	clock := newTestClock()
	v.disc.now = clock.now
	if op.discoveries.Load() != 0 {
		t.Fatal("NewBearerVerifier did network I/O")
	}
	if _, _, err := v.Verify(t.Context(), "garbage"); !errors.Is(err, ErrBearer) || op.discoveries.Load() != 0 {
		t.Fatalf("garbage: %v after %d discoveries; want ErrBearer before discovery", err, op.discoveries.Load())
	}
	raw := op.signed(t, op.accessClaims())
	if _, _, err := v.Verify(t.Context(), raw); !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrBearer) {
		t.Fatalf("unavailable provider: %v, want ErrUnavailable only", err)
	}
	clock.advance(ProviderRetry)
	if _, _, err := v.Verify(t.Context(), raw); err != nil {
		t.Fatalf("after the provider recovered: %v", err)
	}
}

func TestBearerConfigRefusals(t *testing.T) {
	cases := map[string]BearerConfig{
		"no issuer":    {Clients: []string{testAppID}},
		"relative":     {Issuer: "/idp", Clients: []string{testAppID}},
		"no clients":   {Issuer: "https://idp.example"},
		"empty client": {Issuer: "https://idp.example", Clients: []string{testAppID, ""}},
	}
	for name, cfg := range cases {
		if _, err := NewBearerVerifier(cfg, nil); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: err %v, want ErrConfig", name, err)
		}
	}
}
