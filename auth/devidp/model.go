package devidp

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Lifetimes of the provider's artefacts.
const (
	loginLifetime    = 10 * time.Minute // from /authorize to the login POST
	codeLifetime     = time.Minute      // from the redirect to the token exchange
	tokenLifetime    = 5 * time.Minute  // access token, for userinfo
	appTokenLifetime = 15 * time.Minute // JWT access token of an app client, for the API
	idTokenLifetime  = 5 * time.Minute
)

// identity is who logged in, as the login page established it.
type identity struct {
	Subject    string
	Hetu       string // citizens only
	Region     string // citizens only
	Username   string // professionals only
	GivenName  string
	FamilyName string
}

// fill sets the claims of id on u: standard profile claims plus, for a
// citizen, the hetu and home region.
func (id identity) fill(u *oidc.UserInfo) {
	u.Subject = id.Subject
	u.GivenName = id.GivenName
	u.FamilyName = id.FamilyName
	u.Name = id.GivenName + " " + id.FamilyName
	u.PreferredUsername = id.Username
	if id.Hetu != "" {
		u.AppendClaims(ClaimHetu, id.Hetu)
	}
	if id.Region != "" {
		u.AppendClaims(ClaimRegion, id.Region)
	}
}

// privateClaims are the claims an app client's JWT access token carries
// besides the registered ones: the same identity claims as the ID token.
func (id identity) privateClaims() map[string]any {
	claims := map[string]any{
		"given_name":  id.GivenName,
		"family_name": id.FamilyName,
		"name":        id.GivenName + " " + id.FamilyName,
	}
	if id.Username != "" {
		claims["preferred_username"] = id.Username
	}
	if id.Hetu != "" {
		claims[ClaimHetu] = id.Hetu
	}
	if id.Region != "" {
		claims[ClaimRegion] = id.Region
	}
	return claims
}

// authRequest implements op.AuthRequest. The storage hands out copies, so a
// value is never mutated while op reads it.
type authRequest struct {
	ID            string
	CreatedAt     time.Time
	ClientID      string
	RedirectURI   string
	State         string
	Nonce         string
	Scopes        []string
	ResponseMode  oidc.ResponseMode
	CodeChallenge string
	ACRValues     []string

	Identity *identity // nil until the login page completes the request
	ACR      string
	AuthTime time.Time
}

func newAuthRequest(id string, now time.Time, r *oidc.AuthRequest) *authRequest {
	return &authRequest{
		ID:            id,
		CreatedAt:     now,
		ClientID:      r.ClientID,
		RedirectURI:   r.RedirectURI,
		State:         r.State,
		Nonce:         r.Nonce,
		Scopes:        slices.Clone(r.Scopes),
		ResponseMode:  r.ResponseMode,
		CodeChallenge: r.CodeChallenge,
		ACRValues:     slices.Clone(r.ACRValues),
	}
}

func (a *authRequest) clone() *authRequest {
	c := *a
	c.Scopes = slices.Clone(a.Scopes)
	c.ACRValues = slices.Clone(a.ACRValues)
	if a.Identity != nil {
		id := *a.Identity
		c.Identity = &id
	}
	return &c
}

func (a *authRequest) GetID() string          { return a.ID }
func (a *authRequest) GetACR() string         { return a.ACR }
func (a *authRequest) GetAMR() []string       { return nil }
func (a *authRequest) GetAudience() []string  { return []string{a.ClientID} }
func (a *authRequest) GetAuthTime() time.Time { return a.AuthTime }
func (a *authRequest) GetClientID() string    { return a.ClientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	return &oidc.CodeChallenge{Challenge: a.CodeChallenge, Method: oidc.CodeChallengeMethodS256}
}
func (a *authRequest) GetNonce() string                   { return a.Nonce }
func (a *authRequest) GetRedirectURI() string             { return a.RedirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType { return oidc.ResponseTypeCode }
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return a.ResponseMode }
func (a *authRequest) GetScopes() []string                { return a.Scopes }
func (a *authRequest) GetState() string                   { return a.State }
func (a *authRequest) Done() bool                         { return a.Identity != nil }
func (a *authRequest) GetSubject() string {
	if a.Identity == nil {
		return ""
	}
	return a.Identity.Subject
}

// acrFor picks the first requested FTN level the provider supports, loa2
// when none was asked for.
func acrFor(requested []string) string {
	for _, v := range requested {
		if v == ACRLoa2 || v == ACRLoa3 {
			return v
		}
	}
	return ACRLoa2
}

// client implements op.Client: either the portal's confidential web client
// (code flow, client_secret_basic, opaque access tokens for userinfo) or a
// public app client (code flow with PKCE, no secret, JWT access tokens).
type client struct {
	id           string
	secret       string // "" for a public client
	redirectURIs []string
	loginURL     string
	public       bool
}

func newClient(c Client, loginURL string) *client {
	return &client{id: c.ID, secret: c.Secret, redirectURIs: slices.Clone(c.RedirectURIs), loginURL: loginURL}
}

func newAppClient(a AppClient, loginURL string) *client {
	return &client{id: a.ID, redirectURIs: slices.Clone(a.RedirectURIs), loginURL: loginURL, public: true}
}

// tokenLifetime is how long the client's access tokens live.
func (c *client) tokenLifetime() time.Duration {
	if c.public {
		return appTokenLifetime
	}
	return tokenLifetime
}

func (c *client) GetID() string                    { return c.id }
func (c *client) RedirectURIs() []string           { return c.redirectURIs }
func (c *client) PostLogoutRedirectURIs() []string { return nil }

// ApplicationType: a public app follows the native-app redirect rules
// (https, custom scheme or loopback http).
func (c *client) ApplicationType() op.ApplicationType {
	if c.public {
		return op.ApplicationTypeNative
	}
	return op.ApplicationTypeWeb
}

// AuthMethod: a public client has no secret, so op insists on PKCE.
func (c *client) AuthMethod() oidc.AuthMethod {
	if c.public {
		return oidc.AuthMethodNone
	}
	return oidc.AuthMethodBasic
}
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType         { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c *client) LoginURL(id string) string            { return c.loginURL + "?id=" + url.QueryEscape(id) }
func (c *client) IDTokenLifetime() time.Duration       { return idTokenLifetime }
func (c *client) DevMode() bool                        { return false }
func (c *client) IsScopeAllowed(string) bool           { return false }
func (c *client) ClockSkew() time.Duration             { return 0 }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// AccessTokenType: app clients get JWTs the API verifies on its own; the
// portal's client gets opaque tokens, good only for userinfo.
func (c *client) AccessTokenType() op.AccessTokenType {
	if c.public {
		return op.AccessTokenTypeJWT
	}
	return op.AccessTokenTypeBearer
}

// signingKey is the RSA key both issuers sign ID tokens (and app clients'
// JWT access tokens) with. It serves as op.SigningKey and, through public,
// as op.Key in the JWKS.
type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func signingKeyFrom(k *rsa.PrivateKey) (*signingKey, error) {
	if k == nil {
		var err error
		if k, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, fmt.Errorf("devidp: generate signing key: %w", err)
		}
	}
	if k.N.BitLen() < 2048 {
		return nil, fmt.Errorf("%w: signing key shorter than 2048 bits", ErrConfig)
	}
	jwk := jose.JSONWebKey{Key: &k.PublicKey}
	thumb, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("devidp: key id: %w", err)
	}
	return &signingKey{id: base64.RawURLEncoding.EncodeToString(thumb), key: k}, nil
}

func (s *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (s *signingKey) Key() any                                    { return s.key }
func (s *signingKey) ID() string                                  { return s.id }

// publicKey is the JWKS entry of a signingKey.
type publicKey struct{ s *signingKey }

func (p publicKey) ID() string                         { return p.s.id }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return &p.s.key.PublicKey }
