package oidc

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
)

// Algorithms accepted for encrypted ID tokens (Finnish Trust Network profile).
var (
	jweKeyAlgs = []jose.KeyAlgorithm{jose.RSA_OAEP, jose.RSA_OAEP_256}
	jweEncs    = []jose.ContentEncryption{jose.A128CBC_HS256, jose.A128GCM, jose.A256CBC_HS512, jose.A256GCM}
)

// maxErrorCodeLen bounds the provider's error code quoted in ErrProvider.
const maxErrorCodeLen = 64

// Complete finishes a login from the callback's query parameters and the Flow
// that Begin returned. The checks run in this order, each with its sentinel:
// flow age (ErrFlowExpired), state (ErrState), the provider's `error`
// parameter (ErrProvider), the code exchange (ErrExchange), then ID token
// decryption and verification — signature RS256 only, issuer, audience,
// expiry — and nonce (ErrToken). Only then are the claims mapped; identity
// attributes the ID token lacks are read from the provider's userinfo
// endpoint when it has one (see userinfo: a refusal there is ErrToken, an
// outage ErrUnavailable). A provider that cannot be discovered, or whose
// signing keys cannot be fetched, is ErrUnavailable: not the user's fault.
func (rp *RelyingParty) Complete(ctx context.Context, flow Flow, callback url.Values) (Identity, error) {
	if err := rp.checkCallback(flow, callback); err != nil {
		return Identity{}, err
	}
	d, err := rp.discover(ctx)
	if err != nil {
		return Identity{}, err
	}
	tokens, raw, err := rp.exchange(ctx, d, flow, callback.Get("code"))
	if err != nil {
		return Identity{}, err
	}
	token, err := rp.verify(ctx, d, raw, flow.Nonce)
	if err != nil {
		return Identity{}, err
	}
	id, err := rp.identity(token)
	if err != nil {
		return Identity{}, err
	}
	return rp.completeFromUserInfo(ctx, d, tokens.AccessToken, id)
}

// checkCallback does the checks that need no network: flow age, state, the
// issuer parameter (RFC 9207) when present, and the provider's error.
func (rp *RelyingParty) checkCallback(flow Flow, callback url.Values) error {
	if flow.Started.IsZero() || time.Since(flow.Started) > FlowLifetime {
		return fmt.Errorf("%w: %s", ErrFlowExpired, rp.cfg.Name)
	}
	if !equalSecret(callback.Get("state"), flow.State) {
		return fmt.Errorf("%w: %s", ErrState, rp.cfg.Name)
	}
	if iss := callback.Get("iss"); iss != "" && iss != rp.cfg.Issuer {
		return fmt.Errorf("%w: %s: callback from another issuer", ErrState, rp.cfg.Name)
	}
	if code := callback.Get("error"); code != "" {
		return fmt.Errorf("%w: %s: %q", ErrProvider, rp.cfg.Name, truncate(code, maxErrorCodeLen))
	}
	return nil
}

// exchange trades the code for tokens and returns them and the raw ID token.
func (rp *RelyingParty) exchange(ctx context.Context, d *discovered, flow Flow, code string) (*oauth2.Token, string, error) {
	if code == "" {
		return nil, "", fmt.Errorf("%w: %s: no code in callback", ErrExchange, rp.cfg.Name)
	}
	opts := []oauth2.AuthCodeOption{oauth2.VerifierOption(flow.Verifier)}
	if rp.cfg.ClientAuth == PrivateKeyJWT {
		assertion, err := rp.clientAssertion(d.tokenURL)
		if err != nil {
			return nil, "", fmt.Errorf("%w: %s: client assertion: %v", ErrExchange, rp.cfg.Name, err)
		}
		opts = append(opts,
			oauth2.SetAuthURLParam("client_assertion_type", clientAssertionType),
			oauth2.SetAuthURLParam("client_assertion", assertion))
	}
	token, err := d.oauth.Exchange(rp.clientContext(ctx), code, opts...)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %s: %s", ErrExchange, rp.cfg.Name, exchangeReason(err))
	}
	raw, _ := token.Extra("id_token").(string)
	if raw == "" {
		return nil, "", fmt.Errorf("%w: %s: token response has no id_token", ErrToken, rp.cfg.Name)
	}
	return token, raw, nil
}

// exchangeReason describes a failed exchange by the OAuth error code alone
// when there is one, never by the response body.
func exchangeReason(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.ErrorCode != "" {
			return fmt.Sprintf("token endpoint: %q", truncate(re.ErrorCode, maxErrorCodeLen))
		}
		if re.Response != nil {
			return "token endpoint: " + re.Response.Status
		}
	}
	return err.Error()
}

// verify decrypts the ID token when a decryption key is configured, verifies
// it with go-oidc and checks its nonce and authorized party. Keys that could
// not be fetched are ErrUnavailable, every other failure ErrToken.
func (rp *RelyingParty) verify(ctx context.Context, d *discovered, raw, nonce string) (*gooidc.IDToken, error) {
	signed, err := rp.decrypt(raw)
	if err != nil {
		return nil, err
	}
	token, err := d.verifier.Verify(ctx, signed)
	if err != nil && keysUnavailable(err) {
		return nil, keysError(rp.cfg.Name, err)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrToken, rp.cfg.Name, err)
	}
	if !equalSecret(token.Nonce, nonce) {
		return nil, fmt.Errorf("%w: %s: nonce mismatch", ErrToken, rp.cfg.Name)
	}
	var azp struct {
		AZP string `json:"azp"`
	}
	if err := token.Claims(&azp); err != nil || (azp.AZP != "" && azp.AZP != rp.cfg.ClientID) {
		return nil, fmt.Errorf("%w: %s: authorized party is not this client", ErrToken, rp.cfg.Name)
	}
	return token, nil
}

// decrypt returns the signed JWT inside a JWE. Without a decryption key the
// token is returned as is; with one, only a JWE is accepted.
func (rp *RelyingParty) decrypt(raw string) (string, error) {
	if rp.cfg.DecryptionKey == nil {
		return raw, nil
	}
	jwe, err := jose.ParseEncryptedCompact(raw, jweKeyAlgs, jweEncs)
	if err != nil {
		return "", fmt.Errorf("%w: %s: not an acceptable JWE: %v", ErrToken, rp.cfg.Name, err)
	}
	inner, err := jwe.Decrypt(rp.cfg.DecryptionKey)
	if err != nil {
		return "", fmt.Errorf("%w: %s: decrypt: %v", ErrToken, rp.cfg.Name, err)
	}
	return string(inner), nil
}

// identity maps the verified token's claims by the configured names.
func (rp *RelyingParty) identity(token *gooidc.IDToken) (Identity, error) {
	var claims map[string]any
	if err := token.Claims(&claims); err != nil {
		return Identity{}, fmt.Errorf("%w: %s: claims: %v", ErrToken, rp.cfg.Name, err)
	}
	id := identityFrom(claims, rp.cfg.Claims, token.Issuer, token.Subject)
	if !acrSatisfies(id.ACR, rp.cfg.ACRValues) {
		return Identity{}, fmt.Errorf("%w: %s: authentication level %q is below the requested %q", ErrToken, rp.cfg.Name, id.ACR, rp.cfg.ACRValues)
	}
	return id, nil
}

// identityFrom maps verified claims by the configured names.
func identityFrom(claims map[string]any, names ClaimNames, issuer, subject string) Identity {
	id := Identity{
		Issuer:     issuer,
		Subject:    subject,
		GivenName:  stringClaim(claims, names.GivenName),
		FamilyName: stringClaim(claims, names.FamilyName),
		Username:   stringClaim(claims, names.Username),
		Region:     stringClaim(claims, names.Region),
		ACR:        stringClaim(claims, "acr"),
	}
	for _, name := range names.Hetu {
		if id.Hetu = stringClaim(claims, name); id.Hetu != "" {
			break
		}
	}
	return id
}

// stringClaim returns claim name if it is a string, else "".
func stringClaim(claims map[string]any, name string) string {
	if name == "" {
		return ""
	}
	s, _ := claims[name].(string)
	return s
}

// equalSecret compares two secrets in constant time; empty never matches.
func equalSecret(got, want string) bool {
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// acrRank orders the Finnish Trust Network levels of assurance, so that a
// login at a higher level satisfies a request for a lower one.
var acrRank = map[string]int{
	"http://ftn.ficora.fi/2017/loa2": 2, // substantial
	"http://ftn.ficora.fi/2017/loa3": 3, // high
}

// acrSatisfies reports whether the token's acr meets one of the requested
// values (space-separated). The user's browser carries acr_values to the
// provider and can strip or lower them, so the answer must be checked: an
// empty or weaker acr is refused. Nothing requested accepts anything.
func acrSatisfies(got, requested string) bool {
	if requested == "" {
		return true
	}
	for _, want := range strings.Fields(requested) {
		if got == want {
			return true
		}
		if g, w := acrRank[got], acrRank[want]; g != 0 && w != 0 && g >= w {
			return true
		}
	}
	return false
}
