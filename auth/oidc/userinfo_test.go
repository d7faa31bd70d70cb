package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

// bareClaims is an ID token claim set with no identity attributes, as some
// brokers send it: only who issued it, about whom, for whom and when.
func (op *fakeOP) bareClaims(nonce string) map[string]any {
	c := op.claims(nonce)
	for _, k := range []string{"urn:oid:1.2.246.21", "given_name", "family_name"} {
		delete(c, k)
	}
	return c
}

// userinfoClaims is what the provider knows of subject-1.
func (op *fakeOP) userinfoClaims() map[string]any {
	return map[string]any{"sub": "subject-1", "iss": op.issuer(), "aud": testClientID,
		"urn:oid:1.2.246.21": "010190-900P", "given_name": "Testi", "family_name": "Henkilö"}
}

func jsonReply(t *testing.T, claims map[string]any) *userinfoReply {
	t.Helper()
	b, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return &userinfoReply{contentType: "application/json; charset=utf-8", body: string(b)}
}

// login runs a whole login whose ID token has claims; the provider answers
// userinfo with reply (nil: it has no userinfo endpoint).
func login(t *testing.T, op *fakeOP, cfg ProviderConfig, reply *userinfoReply, idToken func(Flow) string) (Identity, error) {
	t.Helper()
	op.userinfo.Store(reply)
	rp := mustRP(t, cfg)
	flow, params := begin(t, rp)
	return rp.Complete(context.Background(), flow, callback(op, flow, params, idToken(flow)))
}

var wantCitizen = Identity{Subject: "subject-1", Hetu: "010190-900P", GivenName: "Testi", FamilyName: "Henkilö", ACR: loa2}

func TestUserInfoSuppliesMissingClaims(t *testing.T) {
	op := newFakeOP(t, nil)
	signedBare := func(f Flow) string { return op.signed(t, op.bareClaims(f.Nonce)) }
	want := wantCitizen
	want.Issuer = op.issuer()

	got, err := login(t, op, secretConfig(op), jsonReply(t, op.userinfoClaims()), signedBare)
	if err != nil || got != want {
		t.Fatalf("JSON userinfo: identity %+v, %v; want %+v", got, err, want)
	}

	signed := &userinfoReply{contentType: "application/jwt", body: op.signed(t, op.userinfoClaims())}
	got, err = login(t, op, secretConfig(op), signed, signedBare)
	if err != nil || got != want {
		t.Fatalf("signed userinfo: identity %+v, %v; want %+v", got, err, want)
	}
}

// The Finnish Trust Network way: the ID token and the userinfo answer are
// both signed, then encrypted to our published key.
func TestUserInfoNestedJWE(t *testing.T) {
	_, client, decrypt, _ := testKeys(t)
	op := newFakeOP(t, &client.PublicKey)
	cfg := ftnConfig(t, op)
	cfg.DecryptionKey = decrypt
	seal := func(claims map[string]any) string {
		return encryptJWT(t, op.signed(t, claims), &decrypt.PublicKey, jose.RSA_OAEP_256, jose.A256GCM)
	}
	reply := &userinfoReply{contentType: "application/jwt", body: seal(op.userinfoClaims())}
	got, err := login(t, op, cfg, reply, func(f Flow) string { return seal(op.bareClaims(f.Nonce)) })
	want := wantCitizen
	want.Issuer = op.issuer()
	if err != nil || got != want {
		t.Fatalf("identity %+v, %v; want %+v", got, err, want)
	}
}

// What the ID token says stands; userinfo only fills gaps, and is not
// asked at all when nothing is missing.
func TestIDTokenClaimsWinOverUserInfo(t *testing.T) {
	op := newFakeOP(t, nil)
	other := op.userinfoClaims()
	other["given_name"], other["urn:oid:1.2.246.21"] = "Toinen", "150380-902U"
	got, err := login(t, op, secretConfig(op), jsonReply(t, other), func(f Flow) string {
		c := op.bareClaims(f.Nonce)
		c["given_name"], c["urn:oid:1.2.246.21"] = "Testi", "010190-900P"
		return op.signed(t, c)
	})
	if err != nil || got.GivenName != "Testi" || got.Hetu != "010190-900P" || got.FamilyName != "Henkilö" {
		t.Fatalf("identity %+v, %v", got, err)
	}

	calls := op.userinfoCalls.Load()
	got, err = login(t, op, secretConfig(op), jsonReply(t, other), func(f Flow) string { return op.signed(t, op.claims(f.Nonce)) })
	if err != nil || got.Hetu != "010190-900P" {
		t.Fatalf("identity %+v, %v", got, err)
	}
	if op.userinfoCalls.Load() != calls {
		t.Error("userinfo was asked although the ID token had every claim")
	}
}

func TestUserInfoRefusals(t *testing.T) {
	_, _, decrypt, other := testKeys(t)
	op := newFakeOP(t, nil)
	claims := func(change func(map[string]any)) map[string]any {
		c := op.userinfoClaims()
		change(c)
		return c
	}
	signedBy := func(key any, c map[string]any) *userinfoReply {
		return &userinfoReply{contentType: "application/jwt", body: signJWT(t, jose.RS256, key, opKeyID, c)}
	}
	for _, tc := range []struct {
		name  string
		reply *userinfoReply
		want  error
	}{
		{"another subject", jsonReply(t, claims(func(c map[string]any) { c["sub"] = "subject-2" })), ErrToken},
		{"no subject", jsonReply(t, claims(func(c map[string]any) { delete(c, "sub") })), ErrToken},
		{"signed, another subject", signedBy(op.signKey, claims(func(c map[string]any) { c["sub"] = "subject-2" })), ErrToken},
		{"signed by another key", signedBy(other, op.userinfoClaims()), ErrToken},
		{"signed for another client", signedBy(op.signKey, claims(func(c map[string]any) { c["aud"] = "someone-else" })), ErrToken},
		{"signed by another issuer", signedBy(op.signKey, claims(func(c map[string]any) { c["iss"] = "https://evil.example" })), ErrToken},
		{"encrypted, no decryption key", &userinfoReply{contentType: "application/jwt",
			body: encryptJWT(t, op.signed(t, op.userinfoClaims()), &decrypt.PublicKey, jose.RSA_OAEP, jose.A128GCM)}, ErrToken},
		{"not JSON", &userinfoReply{contentType: "application/json", body: "<html>"}, ErrToken},
		{"HTML", &userinfoReply{contentType: "text/html", body: "<html>"}, ErrToken},
		{"refused", &userinfoReply{status: http.StatusForbidden, contentType: "application/json", body: "{}"}, ErrToken},
		{"down", &userinfoReply{status: http.StatusBadGateway, contentType: "text/plain", body: "down"}, ErrUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := login(t, op, secretConfig(op), tc.reply, func(f Flow) string { return op.signed(t, op.bareClaims(f.Nonce)) })
			if !errors.Is(err, tc.want) {
				t.Fatalf("identity %+v, error %v; want %v", got, err, tc.want)
			}
			if got != (Identity{}) {
				t.Errorf("a refused login yields identity %+v", got)
			}
			if strings.Contains(err.Error(), "010190-900P") || strings.Contains(err.Error(), "Testi") {
				t.Errorf("error quotes the person: %v", err)
			}
		})
	}
}

// A professional's login needs a username, not a hetu: a token that has
// one does not send the relying party to userinfo.
func TestProfessionalNeedsOnlyUsername(t *testing.T) {
	op := newFakeOP(t, nil)
	cfg := secretConfig(op)
	cfg.Name = "professional"
	_, err := login(t, op, cfg, &userinfoReply{status: http.StatusBadGateway}, func(f Flow) string {
		c := op.bareClaims(f.Nonce)
		c["preferred_username"] = "kainuu-nurse"
		return op.signed(t, c)
	})
	if err != nil {
		t.Fatalf("a professional with a username was sent to userinfo: %v", err)
	}
}
