package devidp

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/omahoito/omahoito/auth"
)

// testAppID is the public app client newEnv registers on the citizen issuer.
const testAppID = "test-app"

// appFlow is a citizen login by the public app client: PKCE, no secret.
func (e *env) appFlow(t *testing.T) *flow {
	t.Helper()
	f := e.flow(t, kindCitizen)
	f.oauth.ClientID, f.oauth.ClientSecret = testAppID, ""
	f.oauth.Endpoint.AuthStyle = oauth2.AuthStyleInParams // client_id in the body, as a public client sends it
	f.oauth.RedirectURL = e.base + "/auth/callback/app"
	return f
}

// jwtParts decodes a compact JWT's header and claims without verifying it.
func jwtParts(t *testing.T, raw string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("access token is not a compact JWS: %d parts", len(parts))
	}
	for i, dst := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatal(err)
		}
	}
	return header, claims
}

func TestAppClientGetsJWTAccessToken(t *testing.T) {
	e := newEnv(t)
	f := e.appFlow(t)
	start := time.Now()
	tok, idClaims := f.login(url.Values{"hetu": {hetuA}, "region": {"oulu"}})
	if idClaims["aud"] != testAppID && !slices.Contains(anyStrings(idClaims["aud"]), testAppID) {
		t.Errorf("ID token aud %v, want %s", idClaims["aud"], testAppID)
	}

	// The signature verifies against the issuer's JWKS.
	at, err := f.provider.Verifier(&oidc.Config{ClientID: testAppID}).Verify(f.ctx, tok.AccessToken)
	if err != nil {
		t.Fatalf("verify access token: %v", err)
	}
	header, claims := jwtParts(t, tok.AccessToken)
	if header["alg"] != "RS256" || header["kid"] != e.idp.citizen.store.key.id {
		t.Errorf("access token header %v, want RS256 with the issuer's kid", header)
	}
	given, family := derivedName(auth.MustParseHetu(hetuA))
	wantClaims(t, claims, map[string]string{
		"iss": f.issuer, "client_id": testAppID, "sub": at.Subject,
		ClaimHetu: hetuA, ClaimRegion: "oulu", "given_name": given, "family_name": family,
	})
	if !slices.Contains(at.Audience, testAppID) {
		t.Errorf("access token aud %v, want it to contain %s", at.Audience, testAppID)
	}
	if claims["jti"] == nil {
		t.Error("access token has no jti")
	}
	for _, idOnly := range []string{"nonce", "at_hash", "c_hash"} {
		if _, ok := claims[idOnly]; ok {
			t.Errorf("access token carries the ID-token claim %s", idOnly)
		}
	}
	if life := at.Expiry.Sub(start); life < appTokenLifetime-time.Minute || life > appTokenLifetime+time.Minute {
		t.Errorf("access token lives %v, want about %v", life, appTokenLifetime)
	}
	if d := time.Until(tok.Expiry); d < appTokenLifetime-time.Minute || d > appTokenLifetime+time.Minute {
		t.Errorf("expires_in gives %v, want about %v", d, appTokenLifetime)
	}
}

func anyStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// The portal's confidential client keeps its opaque access tokens.
func TestPortalClientAccessTokenStaysOpaque(t *testing.T) {
	e := newEnv(t)
	f := e.flow(t, kindCitizen)
	tok, _ := f.login(url.Values{"hetu": {hetuA}})
	if strings.Count(tok.AccessToken, ".") == 2 {
		t.Errorf("portal client got a JWT access token")
	}
	if d := time.Until(tok.Expiry); d > tokenLifetime+time.Minute {
		t.Errorf("portal access token lives %v, want at most %v", d, tokenLifetime)
	}
}

func TestAppClientRefusals(t *testing.T) {
	e := newEnv(t)

	t.Run("wrong verifier", func(t *testing.T) {
		f := e.appFlow(t)
		_, id := f.openLogin()
		resp, _ := f.submit(url.Values{"id": {id}, "hetu": {hetuA}})
		_, err := f.oauth.Exchange(f.ctx, f.code(resp), oauth2.VerifierOption(oauth2.GenerateVerifier()))
		wantOAuthError(t, err, "invalid_grant")
	})

	t.Run("no verifier", func(t *testing.T) {
		f := e.appFlow(t)
		_, id := f.openLogin()
		resp, _ := f.submit(url.Values{"id": {id}, "hetu": {hetuA}})
		_, err := f.oauth.Exchange(f.ctx, f.code(resp))
		wantOAuthError(t, err, "invalid_request")
	})

	t.Run("portal client without its secret", func(t *testing.T) {
		f := e.flow(t, kindCitizen)
		_, id := f.openLogin()
		resp, _ := f.submit(url.Values{"id": {id}, "hetu": {hetuA}})
		f.oauth.ClientSecret = ""
		f.oauth.Endpoint.AuthStyle = oauth2.AuthStyleInParams
		_, err := f.exchange(f.code(resp))
		wantOAuthError(t, err, "invalid_client")
	})

	t.Run("app redeems the portal's code", func(t *testing.T) {
		f := e.flow(t, kindCitizen)
		_, id := f.openLogin()
		resp, _ := f.submit(url.Values{"id": {id}, "hetu": {hetuA}})
		app := e.appFlow(t)
		app.verifier = f.verifier
		app.oauth.RedirectURL = f.oauth.RedirectURL
		_, err := app.exchange(f.code(resp))
		wantOAuthError(t, err, "invalid_grant")
	})

	t.Run("unregistered redirect URI", func(t *testing.T) {
		f := e.appFlow(t)
		f.oauth.RedirectURL = "https://evil.example/callback"
		resp, _ := f.get(f.authURL())
		if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusFound && strings.HasPrefix(resp.Header.Get("Location"), "https://evil.example") {
			t.Errorf("unregistered redirect URI: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
	})

	t.Run("professional issuer does not know the app", func(t *testing.T) {
		f := e.appFlow(t)
		pro := e.flow(t, kindProfessional)
		f.oauth.Endpoint = pro.oauth.Endpoint
		resp, _ := f.get(f.authURL())
		if resp.StatusCode == http.StatusOK {
			t.Error("the professional issuer showed a login page to the app client")
		}
	})
}

func TestAppConfigRefusals(t *testing.T) {
	base := Config{
		BaseURL:      "http://127.0.0.1:9",
		Directory:    demoDir{auth.DemoDirectory()},
		Citizen:      Client{ID: "portal-citizen", Secret: "s", RedirectURIs: []string{"http://127.0.0.1:9/cb"}},
		Professional: Client{ID: "portal-pro", Secret: "s", RedirectURIs: []string{"http://127.0.0.1:9/cb"}},
	}
	cases := map[string][]AppClient{
		"empty id":        {{RedirectURIs: []string{"https://app.example/cb"}}},
		"portal's id":     {{ID: "portal-citizen", RedirectURIs: []string{"https://app.example/cb"}}},
		"duplicate":       {{ID: "a", RedirectURIs: []string{"https://app.example/cb"}}, {ID: "a", RedirectURIs: []string{"https://app.example/cb"}}},
		"no redirect":     {{ID: "a"}},
		"relative":        {{ID: "a", RedirectURIs: []string{"/cb"}}},
		"with a fragment": {{ID: "a", RedirectURIs: []string{"https://app.example/cb#x"}}},
	}
	for name, apps := range cases {
		cfg := base
		cfg.Apps = apps
		if _, err := New(cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: err %v, want ErrConfig", name, err)
		}
	}
}
