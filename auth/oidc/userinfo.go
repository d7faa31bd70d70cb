package oidc

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
)

// maxUserInfoBytes bounds the userinfo answer read into memory.
const maxUserInfoBytes = 1 << 20

// CitizenProvider is the ProviderConfig.Name of the citizens' provider,
// whose logins must yield a hetu and names; any other provider's must yield
// a username.
const CitizenProvider = "citizen"

// lacksClaims reports whether the ID token left out an identity attribute
// this provider's logins need, so that userinfo should supply it: the hetu
// and names for citizens, the username for others, and the region when a
// region claim is configured.
func (rp *RelyingParty) lacksClaims(id Identity) bool {
	if rp.cfg.Claims.Region != "" && id.Region == "" {
		return true
	}
	if rp.cfg.Name == CitizenProvider {
		return id.Hetu == "" || id.GivenName == "" || id.FamilyName == ""
	}
	return id.Username == ""
}

// completeFromUserInfo fills the identity attributes the ID token lacked
// from the provider's userinfo endpoint (OpenID Connect Core §5.3), when it
// has one. What the ID token said is kept; issuer, subject and acr come only
// from it.
func (rp *RelyingParty) completeFromUserInfo(ctx context.Context, d *discovered, accessToken string, id Identity) (Identity, error) {
	if d.userinfoURL == "" || !rp.lacksClaims(id) {
		return id, nil
	}
	claims, err := rp.userinfo(ctx, d, accessToken)
	if err != nil {
		return Identity{}, err
	}
	// The answer must be about the person the ID token names (§5.3.2): a
	// token substitution must not log one person in as another.
	if sub, _ := claims["sub"].(string); sub == "" || sub != id.Subject {
		return Identity{}, fmt.Errorf("%w: %s: userinfo is about another subject", ErrToken, rp.cfg.Name)
	}
	more := identityFrom(claims, rp.cfg.Claims, id.Issuer, id.Subject)
	id.Hetu = orDefault(id.Hetu, more.Hetu)
	id.GivenName = orDefault(id.GivenName, more.GivenName)
	id.FamilyName = orDefault(id.FamilyName, more.FamilyName)
	id.Username = orDefault(id.Username, more.Username)
	id.Region = orDefault(id.Region, more.Region)
	return id, nil
}

// userinfo fetches the userinfo claims with the access token. The answer
// may be JSON, a signed JWT, or a signed JWT inside a JWE (as Finnish Trust
// Network brokers send it); a JWT is verified like an ID token, except that
// it need not carry an expiry. An endpoint that cannot be reached or
// answers 5xx is ErrUnavailable; every other fault is ErrToken.
func (rp *RelyingParty) userinfo(ctx context.Context, d *discovered, accessToken string) (map[string]any, error) {
	body, mediaType, err := rp.fetchUserInfo(ctx, d.userinfoURL, accessToken)
	if err != nil {
		return nil, err
	}
	var claims map[string]any
	switch mediaType {
	case "application/json":
		if err := json.Unmarshal(body, &claims); err != nil {
			return nil, fmt.Errorf("%w: %s: userinfo is not a JSON object: %v", ErrToken, rp.cfg.Name, err)
		}
		return claims, nil
	case "application/jwt":
		return rp.userinfoJWT(ctx, d, strings.TrimSpace(string(body)))
	default:
		return nil, fmt.Errorf("%w: %s: userinfo has content type %q", ErrToken, rp.cfg.Name, truncate(mediaType, maxErrorCodeLen))
	}
}

func (rp *RelyingParty) fetchUserInfo(ctx context.Context, url, accessToken string) ([]byte, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %s: userinfo request: %v", ErrUnavailable, rp.cfg.Name, err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json, application/jwt")
	resp, err := rp.client.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %s: userinfo: %v", ErrUnavailable, rp.cfg.Name, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode >= 500:
		return nil, "", fmt.Errorf("%w: %s: userinfo: %s", ErrUnavailable, rp.cfg.Name, resp.Status)
	case resp.StatusCode != http.StatusOK:
		return nil, "", fmt.Errorf("%w: %s: userinfo refused: %s", ErrToken, rp.cfg.Name, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxUserInfoBytes+1))
	if err != nil {
		return nil, "", fmt.Errorf("%w: %s: userinfo: %v", ErrUnavailable, rp.cfg.Name, err)
	}
	if len(body) > maxUserInfoBytes {
		return nil, "", fmt.Errorf("%w: %s: userinfo is larger than %d bytes", ErrToken, rp.cfg.Name, maxUserInfoBytes)
	}
	mediaType, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return body, mediaType, nil
}

// userinfoJWT decrypts a nested JWT (five parts: a JWE) and verifies the
// signed one: RS256 with the provider's keys, its issuer, and this client
// in its audience.
func (rp *RelyingParty) userinfoJWT(ctx context.Context, d *discovered, raw string) (map[string]any, error) {
	if strings.Count(raw, ".") == 4 {
		if rp.cfg.DecryptionKey == nil {
			return nil, fmt.Errorf("%w: %s: userinfo is encrypted but no decryption key is configured", ErrToken, rp.cfg.Name)
		}
		var err error
		if raw, err = rp.decrypt(raw); err != nil {
			return nil, err
		}
	}
	token, err := d.userinfoVerifier.Verify(gooidc.ClientContext(ctx, rp.client), raw)
	if err != nil && keysUnavailable(err) {
		return nil, keysError(rp.cfg.Name, err)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: userinfo JWT: %v", ErrToken, rp.cfg.Name, err)
	}
	var claims map[string]any
	if err := token.Claims(&claims); err != nil {
		return nil, fmt.Errorf("%w: %s: userinfo claims: %v", ErrToken, rp.cfg.Name, err)
	}
	return claims, nil
}
