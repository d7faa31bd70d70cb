package oidc

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
)

// clientAssertionType is the RFC 7523 client assertion type for private_key_jwt.
const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// jwtLifetime bounds client assertions; request objects live as long as a flow.
const jwtLifetime = 5 * time.Minute

// signRequestObject returns the authorization request as a JWT signed RS256
// with the client key (OpenID Connect Core §6.1, RFC 9101).
func (rp *RelyingParty) signRequestObject(flow Flow) (string, error) {
	now := time.Now()
	claims := map[string]any{
		"iss":                   rp.cfg.ClientID,
		"aud":                   rp.cfg.Issuer,
		"iat":                   now.Unix(),
		"nbf":                   now.Unix(),
		"exp":                   now.Add(FlowLifetime).Unix(),
		"jti":                   randomString(),
		"response_type":         "code",
		"client_id":             rp.cfg.ClientID,
		"redirect_uri":          rp.cfg.RedirectURL,
		"scope":                 strings.Join(rp.cfg.Scopes, " "),
		"state":                 flow.State,
		"nonce":                 flow.Nonce,
		"code_challenge":        oauth2.S256ChallengeFromVerifier(flow.Verifier),
		"code_challenge_method": "S256",
	}
	if rp.cfg.ACRValues != "" {
		claims["acr_values"] = rp.cfg.ACRValues
	}
	jws, err := rp.sign(claims)
	if err != nil {
		return "", fmt.Errorf("%w: %s: request object: %v", ErrConfig, rp.cfg.Name, err)
	}
	return jws, nil
}

// clientAssertion returns the private_key_jwt assertion for one token
// request (RFC 7523 §3, OpenID Connect Core §9): iss = sub = client ID,
// aud = the token endpoint, a fresh jti and a short expiry.
func (rp *RelyingParty) clientAssertion(tokenURL string) (string, error) {
	now := time.Now()
	return rp.sign(map[string]any{
		"iss": rp.cfg.ClientID,
		"sub": rp.cfg.ClientID,
		"aud": tokenURL,
		"jti": randomString(),
		"iat": now.Unix(),
		"exp": now.Add(jwtLifetime).Unix(),
	})
}

// sign serializes claims as a compact JWS signed RS256 with the client key.
func (rp *RelyingParty) sign(claims map[string]any) (string, error) {
	key := jose.JSONWebKey{Key: rp.cfg.ClientKey, KeyID: rp.cfg.ClientKeyID, Algorithm: string(jose.RS256)}
	opts := (&jose.SignerOptions{}).WithType("JWT")
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, opts)
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
