// Package devidp is omahoito's embedded development OpenID provider. It
// serves two issuers from one http.Handler under /dev-idp/: a citizen issuer
// whose login page accepts any valid personal identity code (no real
// identification), and a professional issuer whose login page accepts any
// username the Directory knows. Both speak the authorization code flow with
// PKCE S256 only and sign ID tokens with RS256. State is kept in memory.
//
// The citizen issuer also serves public app clients (Config.Apps): apps and
// devices that log a citizen in with the code flow and PKCE, without a client
// secret, and receive an RS256 JWT access token carrying the citizen's hetu,
// names and home region, for the portal's FHIR API.
//
// It must never be enabled in production: anyone who can reach it can log in
// as anyone.
package devidp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/omahoito/omahoito/auth"
)

// Claim names the provider emits (the portal's relying party config uses them).
const (
	ClaimHetu   = "urn:oid:1.2.246.21"
	ClaimRegion = "omahoito_region"
)

// Authentication context classes of the Finnish Trust Network profile.
const (
	ACRLoa2 = "http://ftn.ficora.fi/2017/loa2"
	ACRLoa3 = "http://ftn.ficora.fi/2017/loa3"
)

// PathPrefix is where the portal mounts Handler.
const PathPrefix = "/dev-idp/"

// ErrConfig is returned by New for an unusable Config.
var ErrConfig = errors.New("devidp: bad configuration")

// Directory is what the provider needs to know about regions and
// professionals. auth.Store satisfies it.
type Directory interface {
	Regions(ctx context.Context) ([]auth.Region, error)
	ProfessionalByUsername(ctx context.Context, username string) (auth.Professional, error)
}

// Client is a confidential relying party authenticating with
// client_secret_basic.
type Client struct {
	ID, Secret   string
	RedirectURIs []string
}

// AppClient is a public client of the citizen issuer: an app or device
// acting for the citizen through the API. It has no secret (token endpoint
// authentication "none"), must use PKCE S256, and gets JWT access tokens.
// Redirect URIs follow the native-app rules: https, a custom scheme, or
// http on a loopback address.
type AppClient struct {
	ID           string
	RedirectURIs []string
}

// Config configures New.
type Config struct {
	BaseURL               string // e.g. http://127.0.0.1:8080 (no trailing slash)
	Directory             Directory
	Citizen, Professional Client
	Apps                  []AppClient     // public app clients of the citizen issuer; may be empty
	SigningKey            *rsa.PrivateKey // nil: generate a 2048-bit key
	DefaultRegion         string          // preselected in the region select; "" -> "kainuu"
}

// Provider is the development OpenID provider with its two issuers.
type Provider struct {
	baseURL      string
	citizen      *issuer
	professional *issuer
	handler      http.Handler
}

// New builds the provider: two issuers sharing one signing key.
func New(cfg Config) (*Provider, error) {
	if err := validate(&cfg); err != nil {
		return nil, err
	}
	key, err := signingKeyFrom(cfg.SigningKey)
	if err != nil {
		return nil, err
	}
	pages, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	subjectKey := make([]byte, 32)
	if _, err := rand.Read(subjectKey); err != nil {
		return nil, fmt.Errorf("devidp: subject key: %w", err)
	}
	p := &Provider{baseURL: cfg.BaseURL}
	shared := issuerDeps{cfg: cfg, key: key, pages: pages}
	if p.citizen, err = newIssuer(shared, kindCitizen, cfg.Citizen, cfg.Apps, subjectKey); err != nil {
		return nil, err
	}
	if p.professional, err = newIssuer(shared, kindProfessional, cfg.Professional, nil, nil); err != nil {
		return nil, err
	}
	p.handler = p.routes()
	return p, nil
}

// Handler serves every path beginning /dev-idp/.
func (p *Provider) Handler() http.Handler { return p.handler }

// CitizenIssuer is BaseURL + "/dev-idp/citizen".
func (p *Provider) CitizenIssuer() string { return p.citizen.issuer }

// ProfessionalIssuer is BaseURL + "/dev-idp/professional".
func (p *Provider) ProfessionalIssuer() string { return p.professional.issuer }

func (p *Provider) routes() http.Handler {
	mux := http.NewServeMux()
	for _, is := range []*issuer{p.citizen, p.professional} {
		mux.Handle(is.path+"/login", is.login)
		mux.Handle(is.path+"/", http.StripPrefix(is.path, is.op))
	}
	return mux
}

func validate(cfg *Config) error {
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: BaseURL %q is not an absolute http(s) URL", ErrConfig, cfg.BaseURL)
	}
	if u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%w: BaseURL must have no path, query or fragment", ErrConfig)
	}
	if cfg.Directory == nil {
		return fmt.Errorf("%w: Directory is nil", ErrConfig)
	}
	for name, c := range map[string]Client{"citizen": cfg.Citizen, "professional": cfg.Professional} {
		if c.ID == "" || c.Secret == "" || len(c.RedirectURIs) == 0 {
			return fmt.Errorf("%w: %s client needs ID, Secret and RedirectURIs", ErrConfig, name)
		}
	}
	if err := validateApps(cfg.Apps, cfg.Citizen.ID); err != nil {
		return err
	}
	if cfg.DefaultRegion == "" {
		cfg.DefaultRegion = "kainuu"
	}
	return nil
}

// validateApps checks that each app client has a unique id, distinct from
// the portal's citizen client, and at least one absolute redirect URI.
func validateApps(apps []AppClient, portalID string) error {
	seen := map[string]bool{portalID: true}
	for _, app := range apps {
		if app.ID == "" || seen[app.ID] {
			return fmt.Errorf("%w: app client id %q is empty or not unique", ErrConfig, app.ID)
		}
		seen[app.ID] = true
		if len(app.RedirectURIs) == 0 {
			return fmt.Errorf("%w: app client %q needs RedirectURIs", ErrConfig, app.ID)
		}
		for _, uri := range app.RedirectURIs {
			if u, err := url.Parse(uri); err != nil || u.Scheme == "" || u.Fragment != "" {
				return fmt.Errorf("%w: app client %q: redirect URI %q is not an absolute URI without fragment", ErrConfig, app.ID, uri)
			}
		}
	}
	return nil
}
