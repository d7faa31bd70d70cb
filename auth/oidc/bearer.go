package oidc

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
)

// notBeforeLeeway tolerates an issuer's clock running ahead of ours.
const notBeforeLeeway = time.Minute

// Token types ("typ" JWS header), lowercased. RFC 9068's says "access
// token" by itself; the generic JWT (or none) does not, and such a token
// must carry a client_id claim, which RFC 9068 requires in access tokens and
// OpenID Connect ID tokens do not define. zitadel v3 signs its JWT access
// tokens with typ JWT and a client_id claim.
var (
	accessTokenTypes  = []string{"at+jwt", "application/at+jwt"}
	genericTokenTypes = []string{"", "jwt"}
)

// idTokenOnlyClaims appear in ID tokens and never in access tokens; a token
// carrying one is an ID token presented as an access token, whatever its
// type. (zitadel's ID tokens carry client_id too, and always at_hash.)
var idTokenOnlyClaims = []string{"nonce", "at_hash", "c_hash"}

// BearerConfig says whose access tokens the API accepts: one issuer's, for
// the listed clients (apps and devices acting for a citizen).
type BearerConfig struct {
	Issuer  string     // discovery at Issuer+"/.well-known/openid-configuration"
	Clients []string   // client ids allowed to call the API
	Claims  ClaimNames // which claims carry the identity; defaults as for ProviderConfig
}

// BearerVerifier verifies JWT access tokens (RS256) from one issuer. Like a
// RelyingParty it discovers the issuer lazily (one fetch for concurrent
// callers), keeps the result once discovery succeeds and, after a failure,
// does not try again for 30 seconds; the issuer's keys are fetched and
// refreshed as tokens name them. It is safe for concurrent use.
type BearerVerifier struct {
	cfg  BearerConfig
	disc *discovery[*gooidc.IDTokenVerifier]
}

// NewBearerVerifier validates cfg. It does no network I/O. A nil client
// means a default one with a timeout.
func NewBearerVerifier(cfg BearerConfig, client *http.Client) (*BearerVerifier, error) {
	if !isAbsoluteURL(cfg.Issuer) {
		return nil, fmt.Errorf("%w: bearer: issuer must be an absolute http(s) URL", ErrConfig)
	}
	if len(cfg.Clients) == 0 || slices.Contains(cfg.Clients, "") {
		return nil, fmt.Errorf("%w: bearer: list at least one client id, none empty", ErrConfig)
	}
	cfg.Clients = slices.Clone(cfg.Clients)
	cfg.Claims = cfg.Claims.withDefaults()
	if client == nil {
		client = &http.Client{Timeout: defaultHTTPTimeout}
	}
	return &BearerVerifier{cfg: cfg, disc: newDiscovery("bearer", cfg.Issuer, client, signatureVerifier)}, nil
}

// signatureVerifier checks signatures against the issuer's keys. Issuer,
// expiry and audience are checked by Verify itself, so that each refusal has
// a message of ours that quotes nothing from the token.
func signatureVerifier(provider *gooidc.Provider) *gooidc.IDTokenVerifier {
	return provider.Verifier(&gooidc.Config{
		SupportedSigningAlgs: []string{gooidc.RS256},
		SkipClientIDCheck:    true,
		SkipExpiryCheck:      true,
		SkipIssuerCheck:      true,
	})
}

// tokenClaims are the claims Verify checks besides go-oidc's.
type tokenClaims struct {
	NotBefore json.Number `json:"nbf"`
	ClientID  string      `json:"client_id"`
	AZP       string      `json:"azp"`
}

// Verify checks a bearer access token and returns who it is for and the
// client that holds it. In order: the JWS header (RS256 only; typ absent,
// JWT or at+jwt), the signature against the issuer's keys, the issuer,
// expiry and not-before, that it is an access token — no nonce, at_hash or
// c_hash, and either typ at+jwt or a client_id claim — and the client: the
// audience must contain an allowed client id, and a client_id or azp claim
// must name an allowed client, which is the one returned. Token failures
// wrap ErrBearer. An issuer that cannot be discovered, or whose keys cannot
// be fetched, wraps ErrUnavailable: the token may be good, try again later. No
// message quotes the token.
func (v *BearerVerifier) Verify(ctx context.Context, raw string) (Identity, string, error) {
	typed, err := checkHeader(raw)
	if err != nil {
		return Identity{}, "", err
	}
	verifier, err := v.disc.get(ctx)
	if err != nil {
		return Identity{}, "", err
	}
	token, err := verifier.Verify(ctx, raw)
	if err != nil && keysUnavailable(err) {
		return Identity{}, "", keysError("bearer", err)
	}
	if err != nil {
		return Identity{}, "", fmt.Errorf("%w: signature or format: %v", ErrBearer, err)
	}
	var claims map[string]any
	var reg tokenClaims
	if err := token.Claims(&claims); err != nil {
		return Identity{}, "", fmt.Errorf("%w: claims are not a JSON object", ErrBearer)
	}
	if err := token.Claims(&reg); err != nil {
		return Identity{}, "", fmt.Errorf("%w: client_id, azp or nbf has the wrong type", ErrBearer)
	}
	if err := v.checkClaims(token, reg); err != nil {
		return Identity{}, "", err
	}
	if err := checkAccessToken(typed, reg, claims); err != nil {
		return Identity{}, "", err
	}
	client, err := v.clientOf(reg, token.Audience)
	if err != nil {
		return Identity{}, "", err
	}
	return identityFrom(claims, v.cfg.Claims, token.Issuer, token.Subject), client, nil
}

// checkHeader refuses, before any network I/O, what is not a compact JWS
// signed RS256 with an access token's or a generic type. typed is true for
// RFC 9068's at+jwt.
func checkHeader(raw string) (typed bool, err error) {
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return false, fmt.Errorf("%w: not a compact JWS signed RS256", ErrBearer)
	}
	typ, _ := jws.Signatures[0].Protected.ExtraHeaders[jose.HeaderType].(string)
	typ = strings.ToLower(typ)
	switch {
	case slices.Contains(accessTokenTypes, typ):
		return true, nil
	case slices.Contains(genericTokenTypes, typ):
		return false, nil
	}
	return false, fmt.Errorf("%w: the token type is not an access token's", ErrBearer)
}

// checkClaims checks issuer, subject, expiry and not-before.
func (v *BearerVerifier) checkClaims(token *gooidc.IDToken, reg tokenClaims) error {
	now := time.Now()
	switch {
	case token.Issuer != v.cfg.Issuer:
		return fmt.Errorf("%w: issued by another issuer", ErrBearer)
	case token.Subject == "":
		return fmt.Errorf("%w: no subject", ErrBearer)
	case token.Expiry.IsZero():
		return fmt.Errorf("%w: no expiry", ErrBearer)
	case !now.Before(token.Expiry):
		return fmt.Errorf("%w: expired", ErrBearer)
	}
	if reg.NotBefore != "" {
		nbf, err := reg.NotBefore.Float64()
		if err != nil || now.Add(notBeforeLeeway).Before(time.Unix(int64(nbf), 0)) {
			return fmt.Errorf("%w: not valid yet", ErrBearer)
		}
	}
	return nil
}

// checkAccessToken refuses a token that does not say it is an access token:
// an ID token, or anything else the issuer signed for the client, must not
// pass for one. It must carry no ID-token-only claim, and either be typed
// at+jwt or carry a client_id claim.
func checkAccessToken(typed bool, reg tokenClaims, claims map[string]any) error {
	for _, name := range idTokenOnlyClaims {
		if _, ok := claims[name]; ok {
			return fmt.Errorf("%w: an ID token (claim %s) is not an access token", ErrBearer, name)
		}
	}
	if !typed && reg.ClientID == "" {
		return fmt.Errorf("%w: neither typ at+jwt nor a client_id claim: not recognisably an access token", ErrBearer)
	}
	return nil
}

// clientOf returns the client the token was issued to. The audience must
// contain an allowed client id. A client_id or azp claim names the client
// and must be allowed (and agree, when both are present); without one the
// audience must contain exactly one allowed client.
func (v *BearerVerifier) clientOf(reg tokenClaims, audience []string) (string, error) {
	var allowed []string
	for _, aud := range audience {
		if slices.Contains(v.cfg.Clients, aud) && !slices.Contains(allowed, aud) {
			allowed = append(allowed, aud)
		}
	}
	if len(allowed) == 0 {
		return "", fmt.Errorf("%w: the audience names no client allowed to call the API", ErrBearer)
	}
	if reg.ClientID != "" && reg.AZP != "" && reg.ClientID != reg.AZP {
		return "", fmt.Errorf("%w: client_id and azp disagree", ErrBearer)
	}
	named := reg.ClientID
	if named == "" {
		named = reg.AZP
	}
	switch {
	case named != "" && !slices.Contains(v.cfg.Clients, named):
		return "", fmt.Errorf("%w: the client is not allowed to call the API", ErrBearer)
	case named != "":
		return named, nil
	case len(allowed) > 1:
		return "", fmt.Errorf("%w: the audience names several clients and the token none", ErrBearer)
	}
	return allowed[0], nil
}
