package oidc

import (
	"context"
	"crypto"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// fetchJWKS serves the relying parties' key set over loopback, as the
// portal does, and fetches it as a broker would: the raw body and the set.
func fetchJWKS(t *testing.T, rps ...*RelyingParty) (*http.Response, []byte, jose.JSONWebKeySet) {
	t.Helper()
	h, err := JWKSHandler(rps...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/auth/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		t.Fatalf("key set %s: %v", body, err)
	}
	return resp, body, set
}

// ftnEncConfig is an FTN client that also decrypts ID tokens, with kids
// left to their defaults.
func ftnEncConfig(t *testing.T, op *fakeOP) ProviderConfig {
	_, _, decrypt, _ := testKeys(t)
	cfg := ftnConfig(t, op)
	cfg.ClientKeyID = ""
	cfg.DecryptionKey = decrypt
	return cfg
}

func keyByUse(t *testing.T, set jose.JSONWebKeySet, use string) jose.JSONWebKey {
	t.Helper()
	for _, k := range set.Keys {
		if k.Use == use {
			return k
		}
	}
	t.Fatalf("no %q key in the published set", use)
	return jose.JSONWebKey{}
}

func TestJWKSPublishesPublicKeysOnly(t *testing.T) {
	_, client, decrypt, _ := testKeys(t)
	op := newFakeOP(t, &client.PublicKey)
	resp, body, set := fetchJWKS(t, mustRP(t, ftnEncConfig(t, op)))
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=300") {
		t.Errorf("Cache-Control %q", cc)
	}
	var raw struct{ Keys []map[string]any }
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range raw.Keys {
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "oth"} {
			if _, ok := k[private]; ok {
				t.Errorf("published key %v carries the private member %q", k["kid"], private)
			}
		}
	}
	if len(set.Keys) != 2 {
		t.Fatalf("%d keys published, want the signing and the decryption key", len(set.Keys))
	}
	sig, enc := keyByUse(t, set, "sig"), keyByUse(t, set, "enc")
	if sig.Algorithm != "RS256" || enc.Algorithm != "RSA-OAEP-256" {
		t.Errorf("alg: sig %q, enc %q", sig.Algorithm, enc.Algorithm)
	}
	if !sig.Key.(interface{ Equal(crypto.PublicKey) bool }).Equal(&client.PublicKey) ||
		!enc.Key.(interface{ Equal(crypto.PublicKey) bool }).Equal(&decrypt.PublicKey) {
		t.Error("the published keys are not the relying party's keys")
	}
	// The kid is the RFC 7638 thumbprint: the same after a restart.
	tp, _ := enc.Thumbprint(crypto.SHA256)
	if enc.KeyID != base64.RawURLEncoding.EncodeToString(tp) {
		t.Errorf("enc kid %q is not the key's thumbprint", enc.KeyID)
	}
	_, again, _ := fetchJWKS(t, mustRP(t, ftnEncConfig(t, op)))
	if string(again) != string(body) {
		t.Errorf("a new relying party with the same keys publishes another set:\n%s\n%s", body, again)
	}
}

func TestJWKSDeduplicatesAndRefusesKidClash(t *testing.T) {
	_, client, _, other := testKeys(t)
	op := newFakeOP(t, &client.PublicKey)
	citizen := mustRP(t, ftnEncConfig(t, op))
	proCfg := ftnConfig(t, op)
	proCfg.Name, proCfg.ClientKeyID = "professional", ""
	_, _, set := fetchJWKS(t, citizen, mustRP(t, proCfg), nil)
	if len(set.Keys) != 2 {
		t.Errorf("two relying parties sharing a client key publish %d keys, want 2", len(set.Keys))
	}

	clash := ftnConfig(t, op) // kid "rp-sig-1" for the client key
	clash.ClientKey, clash.Name = other, "professional"
	_, err := PublicKeySet(mustRP(t, ftnConfig(t, op)), mustRP(t, clash))
	if !errors.Is(err, ErrConfig) {
		t.Errorf("two keys under one kid: %v, want ErrConfig", err)
	}
}

func TestKeyForTwoUsesRefused(t *testing.T) {
	_, client, _, _ := testKeys(t)
	op := newFakeOP(t, &client.PublicKey)
	cfg := ftnConfig(t, op)
	cfg.DecryptionKey = client
	if _, err := NewRelyingParty(cfg, nil); !errors.Is(err, ErrConfig) {
		t.Errorf("one key to sign and decrypt: %v, want ErrConfig", err)
	}
}

// A broker given our key set encrypts the ID token to the published
// encryption key, and we accept it; it verifies our request object with the
// published signing key, found by the kid in the request's header.
func TestBrokerUsesPublishedKeys(t *testing.T) {
	_, client, _, _ := testKeys(t)
	op := newFakeOP(t, &client.PublicKey)
	rp := mustRP(t, ftnEncConfig(t, op))
	_, _, set := fetchJWKS(t, rp)

	flow, authURL, err := rp.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	request := mustParams(t, authURL).Get("request")
	tok, err := jwt.ParseSigned(request, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	matches := set.Key(tok.Headers[0].KeyID)
	if len(matches) != 1 || matches[0].Use != "sig" {
		t.Fatalf("the request object's kid %q names %d published signing keys", tok.Headers[0].KeyID, len(matches))
	}
	var params map[string]any
	if err := tok.Claims(matches[0].Key, &params); err != nil {
		t.Fatalf("request object does not verify against the published key: %v", err)
	}
	authParams := requestObjectParams(t, request, matches[0].Key.(*rsa.PublicKey))

	enc := keyByUse(t, set, "enc")
	idToken := encryptJWT(t, op.signed(t, op.claims(flow.Nonce)), enc.Key.(*rsa.PublicKey),
		jose.KeyAlgorithm(enc.Algorithm), jose.A128CBC_HS256)
	got, err := rp.Complete(context.Background(), flow, callback(op, flow, authParams, idToken))
	if err != nil {
		t.Fatalf("ID token encrypted to the published key refused: %v", err)
	}
	if got.Hetu != "010190-900P" {
		t.Errorf("identity = %+v", got)
	}
}
