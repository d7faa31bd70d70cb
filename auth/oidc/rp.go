package oidc

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// FlowLifetime is how long a login may take between Begin and Complete.
const FlowLifetime = 10 * time.Minute

// defaultHTTPTimeout bounds each call to the provider when the caller gives
// no client of its own.
const defaultHTTPTimeout = 15 * time.Second

// Flow is what the relying party remembers between Begin and Complete; keep
// it in the browser's session (Sessions.SaveFlow) and take it back once.
type Flow struct {
	State, Nonce, Verifier string
	Started                time.Time
}

// Identity is what a verified ID token says about the user. A claim the
// provider did not send is "": the caller decides what it requires.
type Identity struct {
	Issuer, Subject, Hetu, GivenName, FamilyName, Username, Region, ACR string
}

// RelyingParty runs the authorization code flow against one provider. It is
// safe for concurrent use.
type RelyingParty struct {
	cfg    ProviderConfig
	client *http.Client
	disc   *discovery[*discovered]
}

// discovered is what the relying party learns from the provider's metadata.
type discovered struct {
	oauth    oauth2.Config
	verifier *gooidc.IDTokenVerifier
	tokenURL string
	// userinfoURL is the provider's userinfo endpoint, "" if it has none;
	// userinfoVerifier checks a signed userinfo answer, which need not expire.
	userinfoURL      string
	userinfoVerifier *gooidc.IDTokenVerifier
}

// NewRelyingParty validates cfg and returns a relying party for it. It does
// no network I/O: discovery happens on the first Begin or Complete (one
// fetch for concurrent callers), is kept once it succeeds, and after a
// failure is not tried again for 30 seconds. A nil client means a default
// one with a timeout.
func NewRelyingParty(cfg ProviderConfig, client *http.Client) (*RelyingParty, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withKeyIDs()
	if client == nil {
		client = &http.Client{Timeout: defaultHTTPTimeout}
	}
	rp := &RelyingParty{cfg: cfg, client: client}
	rp.disc = newDiscovery(cfg.Name, cfg.Issuer, client, rp.newDiscovered)
	return rp, nil
}

// Name is the configured provider name, the session key for its flow.
func (rp *RelyingParty) Name() string { return rp.cfg.Name }

// discover returns the provider metadata; errors wrap ErrUnavailable.
func (rp *RelyingParty) discover(ctx context.Context) (*discovered, error) {
	return rp.disc.get(ctx)
}

func (rp *RelyingParty) newDiscovered(p *gooidc.Provider) *discovered {
	endpoint := p.Endpoint()
	secret := rp.cfg.ClientSecret
	endpoint.AuthStyle = oauth2.AuthStyleInHeader
	if rp.cfg.ClientAuth == PrivateKeyJWT {
		endpoint.AuthStyle = oauth2.AuthStyleInParams
		secret = ""
	}
	verifier := p.Verifier(&gooidc.Config{
		ClientID:             rp.cfg.ClientID,
		SupportedSigningAlgs: []string{gooidc.RS256},
	})
	return &discovered{
		oauth: oauth2.Config{
			ClientID:     rp.cfg.ClientID,
			ClientSecret: secret,
			Endpoint:     endpoint,
			RedirectURL:  rp.cfg.RedirectURL,
			Scopes:       rp.cfg.Scopes,
		},
		verifier:    verifier,
		tokenURL:    endpoint.TokenURL,
		userinfoURL: p.UserInfoEndpoint(),
		userinfoVerifier: p.Verifier(&gooidc.Config{
			ClientID:             rp.cfg.ClientID,
			SupportedSigningAlgs: []string{gooidc.RS256},
			SkipExpiryCheck:      true,
		}),
	}
}

// clientContext makes both go-oidc and x/oauth2 use rp.client.
func (rp *RelyingParty) clientContext(ctx context.Context) context.Context {
	ctx = gooidc.ClientContext(ctx, rp.client)
	return context.WithValue(ctx, oauth2.HTTPClient, rp.client)
}

// Begin starts a login: it returns the Flow to keep in the session and the
// URL to redirect the browser to. State and nonce are 256-bit random values
// and the code challenge is PKCE S256.
func (rp *RelyingParty) Begin(ctx context.Context) (Flow, string, error) {
	d, err := rp.discover(ctx)
	if err != nil {
		return Flow{}, "", err
	}
	flow := Flow{
		State:    randomString(),
		Nonce:    randomString(),
		Verifier: oauth2.GenerateVerifier(),
		Started:  time.Now(),
	}
	if rp.cfg.SignedRequest {
		authURL, err := rp.requestObjectURL(d, flow)
		return flow, authURL, err
	}
	opts := []oauth2.AuthCodeOption{
		oauth2.S256ChallengeOption(flow.Verifier),
		gooidc.Nonce(flow.Nonce),
	}
	if rp.cfg.ACRValues != "" {
		opts = append(opts, oauth2.SetAuthURLParam("acr_values", rp.cfg.ACRValues))
	}
	return flow, d.oauth.AuthCodeURL(flow.State, opts...), nil
}

// requestObjectURL builds an authorization URL whose parameters travel in a
// signed request object. The query repeats only what OpenID Connect Core
// §6.1 and RFC 9101 require outside it.
func (rp *RelyingParty) requestObjectURL(d *discovered, flow Flow) (string, error) {
	request, err := rp.signRequestObject(flow)
	if err != nil {
		return "", err
	}
	q := url.Values{
		"response_type": {"code"},
		"client_id":     {rp.cfg.ClientID},
		"scope":         {strings.Join(rp.cfg.Scopes, " ")},
		"request":       {request},
	}
	sep := "?"
	if strings.Contains(d.oauth.Endpoint.AuthURL, "?") {
		sep = "&"
	}
	return d.oauth.Endpoint.AuthURL + sep + q.Encode(), nil
}

// randomString returns 256 random bits, base64url-encoded.
func randomString() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}
