package devidp

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Errors of the in-memory storage.
var (
	errUnknownRequest = errors.New("devidp: unknown or expired auth request")
	errAlreadyDone    = errors.New("devidp: auth request already completed")
	errUnknownCode    = errors.New("devidp: unknown, used or expired code")
	errUnknownClient  = errors.New("devidp: unknown client")
	errUnknownToken   = errors.New("devidp: unknown or expired token")
	errUnsupported    = errors.New("devidp: not supported")
)

// codeEntry is an issued authorization code.
type codeEntry struct {
	requestID string
	issuedAt  time.Time
}

// accessToken is an issued access token (opaque, or the jti of a JWT),
// kept for userinfo.
type accessToken struct {
	identity  identity
	clientID  string
	expiresAt time.Time
}

// storage is the in-memory op.Storage of one issuer and its clients.
type storage struct {
	key     *signingKey
	clients map[string]*client
	now     func() time.Time

	mu       sync.Mutex
	requests map[string]*authRequest
	codes    map[string]codeEntry
	tokens   map[string]accessToken
}

var _ op.Storage = (*storage)(nil)
var _ op.CanSetUserinfoFromRequest = (*storage)(nil)
var _ op.CanGetPrivateClaimsFromRequest = (*storage)(nil)

func newStorage(key *signingKey, clients []*client) *storage {
	byID := make(map[string]*client, len(clients))
	for _, c := range clients {
		byID[c.id] = c
	}
	return &storage{
		key:      key,
		clients:  byID,
		now:      time.Now,
		requests: map[string]*authRequest{},
		codes:    map[string]codeEntry{},
		tokens:   map[string]accessToken{},
	}
}

// CreateAuthRequest stores a validated authorize request. PKCE with S256 is
// required and responses go in the query only.
func (s *storage) CreateAuthRequest(_ context.Context, r *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	if r.CodeChallenge == "" || r.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE with code_challenge_method=S256 is required")
	}
	if r.ResponseMode != "" && r.ResponseMode != oidc.ResponseModeQuery {
		return nil, oidc.ErrInvalidRequest().WithDescription("only response_mode=query is supported")
	}
	id := rand.Text()
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.sweep(now)
	req := newAuthRequest(id, now, r)
	s.requests[id] = req
	return req.clone(), nil
}

// sweep drops expired requests, codes and tokens. Callers hold mu.
func (s *storage) sweep(now time.Time) {
	for id, r := range s.requests {
		if now.Sub(r.CreatedAt) > loginLifetime+codeLifetime {
			delete(s.requests, id)
		}
	}
	for c, e := range s.codes {
		if now.Sub(e.issuedAt) > codeLifetime {
			delete(s.codes, c)
		}
	}
	for t, tok := range s.tokens {
		if now.After(tok.expiresAt) {
			delete(s.tokens, t)
		}
	}
}

// AuthRequestByID returns a copy of a live request.
func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requests[id]
	if !ok || s.now().Sub(r.CreatedAt) > loginLifetime+codeLifetime {
		return nil, errUnknownRequest
	}
	return r.clone(), nil
}

// pending returns a copy of a request still waiting for its login.
func (s *storage) pending(id string) (*authRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requests[id]
	if !ok || s.now().Sub(r.CreatedAt) > loginLifetime {
		return nil, errUnknownRequest
	}
	if r.Done() {
		return nil, errAlreadyDone
	}
	return r.clone(), nil
}

// complete records who logged in; a request completes once.
func (s *storage) complete(id string, who identity) (*authRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requests[id]
	now := s.now()
	if !ok || now.Sub(r.CreatedAt) > loginLifetime {
		return nil, errUnknownRequest
	}
	if r.Done() {
		return nil, errAlreadyDone
	}
	r.Identity = &who
	r.AuthTime = now
	if who.Hetu != "" {
		r.ACR = acrFor(r.ACRValues)
	}
	return r.clone(), nil
}

// SaveAuthCode binds a code to a completed request.
func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requests[id]
	if !ok || !r.Done() {
		return errUnknownRequest
	}
	s.codes[code] = codeEntry{requestID: id, issuedAt: s.now()}
	return nil
}

// AuthRequestByCode consumes the code: whatever happens next, it cannot be
// presented again.
func (s *storage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.codes[code]
	delete(s.codes, code)
	if !ok || s.now().Sub(e.issuedAt) > codeLifetime {
		return nil, errUnknownCode
	}
	r, ok := s.requests[e.requestID]
	if !ok || !r.Done() {
		return nil, errUnknownCode
	}
	return r.clone(), nil
}

// DeleteAuthRequest forgets a request and any code still pointing at it.
func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.requests, id)
	for c, e := range s.codes {
		if e.requestID == id {
			delete(s.codes, c)
		}
	}
	return nil
}

// CreateAccessToken records an access token for a completed request and
// returns its id: op makes it an opaque token, or the jti of a JWT for an
// app client, which lives longer.
func (s *storage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	r, ok := req.(*authRequest)
	if !ok || r.Identity == nil {
		return "", time.Time{}, fmt.Errorf("%w: token request %T", errUnsupported, req)
	}
	c, ok := s.clients[r.ClientID]
	if !ok {
		return "", time.Time{}, errUnknownClient
	}
	id := rand.Text()
	s.mu.Lock()
	defer s.mu.Unlock()
	exp := s.now().Add(c.tokenLifetime())
	s.tokens[id] = accessToken{identity: *r.Identity, clientID: r.ClientID, expiresAt: exp}
	return id, exp, nil
}

// CreateAccessAndRefreshTokens is unsupported: no refresh tokens.
func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, oidc.ErrUnsupportedGrantType().WithDescription("refresh tokens are not supported")
}

// TokenRequestByRefreshToken is unsupported: no refresh tokens.
func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

// TerminateSession has nothing to do: the provider keeps no sessions.
func (s *storage) TerminateSession(context.Context, string, string) error { return nil }

// RevokeToken forgets an access token.
func (s *storage) RevokeToken(_ context.Context, tokenID, _, clientID string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tokens[tokenID]; ok && t.clientID == clientID {
		delete(s.tokens, tokenID)
	}
	return nil
}

// GetRefreshTokenInfo: there are no refresh tokens.
func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

// SigningKey is the shared RS256 key.
func (s *storage) SigningKey(context.Context) (op.SigningKey, error) { return s.key, nil }

// SignatureAlgorithms is RS256 only.
func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

// KeySet is the public half of the signing key.
func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{publicKey{s.key}}, nil
}

// GetClientByClientID knows the issuer's clients.
func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	c, ok := s.clients[id]
	if !ok {
		return nil, errUnknownClient
	}
	return c, nil
}

// AuthorizeClientIDSecret checks a confidential client's secret in
// constant time. A public client has no secret to present.
func (s *storage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	c, ok := s.clients[id]
	if !ok || c.public || subtle.ConstantTimeCompare([]byte(secret), []byte(c.secret)) != 1 {
		return oidc.ErrInvalidClient().WithDescription("invalid client credentials")
	}
	return nil
}

// SetUserinfoFromScopes is deprecated in op; SetUserinfoFromRequest does the work.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest puts the identity's claims in the ID token. All
// claims are emitted whatever the scopes: this is a development provider
// and the portal always wants them.
func (s *storage) SetUserinfoFromRequest(_ context.Context, u *oidc.UserInfo, req op.IDTokenRequest, _ []string) error {
	r, ok := req.(*authRequest)
	if !ok || r.Identity == nil {
		return fmt.Errorf("%w: ID token request %T", errUnsupported, req)
	}
	r.Identity.fill(u)
	return nil
}

// SetUserinfoFromToken answers the userinfo endpoint.
func (s *storage) SetUserinfoFromToken(_ context.Context, u *oidc.UserInfo, tokenID, subject, _ string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	expired := ok && s.now().After(t.expiresAt)
	s.mu.Unlock()
	if !ok || expired || t.identity.Subject != subject {
		return errUnknownToken
	}
	t.identity.fill(u)
	return nil
}

// SetIntrospectionFromToken is unsupported.
func (s *storage) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return errUnsupported
}

// GetPrivateClaimsFromScopes is not used: op prefers GetPrivateClaimsFromRequest.
func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

// GetPrivateClaimsFromRequest gives an app client's JWT access token the
// identity claims of the ID token (hetu, names, home region), whatever the
// scopes, so the API needs no userinfo call.
func (s *storage) GetPrivateClaimsFromRequest(_ context.Context, req op.TokenRequest, _ []string) (map[string]any, error) {
	r, ok := req.(*authRequest)
	if !ok || r.Identity == nil {
		return nil, fmt.Errorf("%w: token request %T", errUnsupported, req)
	}
	return r.Identity.privateClaims(), nil
}

// GetKeyByIDAndClientID is unsupported: no private_key_jwt or JWT profile.
func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errUnsupported
}

// ValidateJWTProfileScopes is unsupported: no JWT profile grant.
func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errUnsupported
}

// Health is always fine: everything is in memory.
func (s *storage) Health(context.Context) error { return nil }
