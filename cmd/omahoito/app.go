package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/auth/devidp"
	"github.com/omahoito/omahoito/auth/oidc"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/portal"
	"github.com/omahoito/omahoito/portal/fhirapi"
	"github.com/omahoito/omahoito/portal/web"
	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/blob"
	"github.com/omahoito/omahoito/store/postgres"
	"github.com/omahoito/omahoito/store/sqlite"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// devAppClientID is the development provider's public app client: an app
// or device that logs a citizen in (code flow with PKCE, no secret) and
// calls the FHIR API with the JWT access token it gets. Its redirect URI is
// {base}/dev-app/callback, which nothing serves: the app reads the code from
// the redirect's Location.
const devAppClientID = "omahoito-dev-app"

// storage is what the app needs of either database adapter.
type storage interface {
	auth.Store
	record.Store
	record.FileStore
	consent.Store
	audit.Store
	SessionStore() scs.Store
}

// app is the wired service: its HTTP handler and what to close at the end.
type app struct {
	handler http.Handler
	store   storage        // the opened database, for tests and benchmarks
	audit   *audit.Log     // the access log, for tests and benchmarks
	routes  gin.RoutesInfo // every page and API route (the API's under portal.APIPrefix), for tests
	dev     bool
	devKey  *rsa.PrivateKey // the development provider's signing key, for tests; nil with real issuers
	// files is the citizens' own files; pages and the API get it later.
	files      *record.Files
	content    *blob.Store   // the bucket behind files, for the sweeper
	sweepGrace time.Duration // files_sweep_grace
	log        *slog.Logger
	closers    []func()
}

func (a *app) Close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
}

// newApp wires configuration, storage, identity providers and the portal.
// cfg.BaseURL must be final: issuers and redirect URIs are built from it.
func newApp(ctx context.Context, cfg Config, log *slog.Logger) (*app, error) {
	dev, err := cfg.devIDP()
	if err != nil {
		return nil, err
	}
	a := &app{dev: dev, log: log}
	ok := false
	defer func() {
		if !ok {
			a.Close()
		}
	}()
	store, err := a.openStorage(ctx, cfg)
	if err != nil {
		return nil, err
	}
	a.store = store
	if dev {
		// The demo directory, for the development provider's logins; with
		// real issuers the directory comes from omahoito directory import.
		if err := auth.SeedDirectory(ctx, store, auth.DemoDirectory()); err != nil {
			return nil, fmt.Errorf("seed demo directory: %w", err)
		}
	}
	keys, err := hetuKeys(cfg, dev)
	if err != nil {
		return nil, err
	}
	metrics, err := portal.NewMetrics(nil)
	if err != nil {
		return nil, err
	}
	people := &auth.People{Store: store, Keys: keys}
	signing, err := auditKey(cfg, dev)
	if err != nil {
		return nil, err
	}
	accessLog := audit.NewLog(store, signing, audit.Options{Logger: log})
	a.closers = append(a.closers, func() {
		if err := accessLog.Close(); err != nil {
			log.Error("access log: final checkpoint", "err", err)
		}
	})
	a.audit = accessLog
	consents := &consent.Service{Store: store, Directory: store, People: store, Finder: people,
		Log: accessLog, History: accessLog, RequestID: portal.RequestID}
	records := &record.Service{Store: store, People: people, Access: consents}
	if err := a.wireFiles(ctx, cfg, dev, store, consents); err != nil {
		return nil, err
	}
	sessions := oidc.NewSessions(store.SessionStore(), strings.HasPrefix(cfg.BaseURL, "https://"))
	sessions.Log = log
	limits, err := cfg.limits()
	if err != nil {
		return nil, err
	}
	proxies, err := cfg.trustedProxies()
	if err != nil {
		return nil, err
	}
	f := &faces{
		pages: &web.Pages{Log: log, People: people, Records: records, Consents: consents, Files: a.files, Directory: store, Sessions: sessions,
			DefaultRegion: cfg.DefaultRegion, Metrics: metrics, Limits: limits},
		api: &fhirapi.API{Log: log, People: people, Records: records, Consents: consents, Files: a.files, Directory: store,
			DefaultRegion: cfg.DefaultRegion, BaseURL: cfg.BaseURL, Version: version, Metrics: metrics, Limits: limits},
		shell: &portal.Shell{Log: log, Sessions: sessions, Static: web.Static(), Ready: store.Ping,
			BaseURL: cfg.BaseURL, Metrics: metrics, TrustedProxies: proxies},
	}
	if dev {
		err = a.wireDevIDP(ctx, cfg, store, f, log)
	} else {
		err = a.wireIssuers(cfg, f)
	}
	if err != nil {
		return nil, err
	}
	if a.handler, err = f.handler(); err != nil {
		return nil, err
	}
	a.routes = f.routes()
	// Last, so that a setting wrong in itself is named before the directory.
	if err := checkRegions(ctx, cfg, store); err != nil {
		return nil, err
	}
	ok = true
	return a, nil
}

// faces are the two HTTP faces and the shell that mounts them, filled in
// step by step as the identity providers are wired.
type faces struct {
	pages *web.Pages
	api   *fhirapi.API
	shell *portal.Shell
}

func (f *faces) setCitizen(rp *oidc.RelyingParty)      { f.pages.Citizen = rp }
func (f *faces) setProfessional(rp *oidc.RelyingParty) { f.pages.Professional = rp }

// routes lists every page route and every API route (the API's carry
// their /fhir/r4 prefix already).
func (f *faces) routes() gin.RoutesInfo {
	return slices.Concat(f.pages.Routes(), f.api.Routes())
}

func (f *faces) handler() (http.Handler, error) {
	pages, err := f.pages.Handler()
	if err != nil {
		return nil, err
	}
	if f.shell.JWKS, err = oidc.JWKSHandler(f.pages.Citizen, f.pages.Professional); err != nil {
		return nil, err
	}
	f.shell.Pages, f.shell.API = pages, f.api.Handler()
	return f.shell.Handler(), nil
}

func (a *app) openStorage(ctx context.Context, cfg Config) (storage, error) {
	if strings.HasPrefix(cfg.DatabaseURL, "postgres://") || strings.HasPrefix(cfg.DatabaseURL, "postgresql://") {
		s, err := postgres.OpenWith(ctx, cfg.DatabaseURL, postgres.Options{PoolSize: cfg.DatabasePoolSize})
		if err != nil {
			return nil, fmt.Errorf("database_url (OMAHOITO_DATABASE_URL): %w", err)
		}
		a.closers = append(a.closers, s.Close)
		return s, nil
	}
	if cfg.DatabaseURL != "" {
		return nil, fmt.Errorf("%w: database_url (OMAHOITO_DATABASE_URL) must start with postgres:// (leave it empty for SQLite)", errConfig)
	}
	path := filepath.Join(cfg.DataDir, "omahoito.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("data directory (--data): %w", err)
	}
	a.closers = append(a.closers, func() { _ = s.Close() })
	return s, nil
}

// wireDevIDP serves the development provider from this process, over the
// demo directory newApp seeded; the relying parties reach it over BaseURL.
func (a *app) wireDevIDP(ctx context.Context, cfg Config, store storage, f *faces, log *slog.Logger) error {
	citizen := devidp.Client{ID: "omahoito-citizen", Secret: randomSecret(), RedirectURIs: []string{cfg.BaseURL + "/auth/citizen/callback"}}
	pro := devidp.Client{ID: "omahoito-professional", Secret: randomSecret(), RedirectURIs: []string{cfg.BaseURL + "/auth/professional/callback"}}
	devApp := devidp.AppClient{ID: devAppClientID, RedirectURIs: []string{cfg.BaseURL + "/dev-app/callback"}}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return fmt.Errorf("development identity provider key: %w", err)
	}
	a.devKey = key
	idp, err := devidp.New(devidp.Config{
		BaseURL: cfg.BaseURL, Directory: store, Citizen: citizen, Professional: pro, DefaultRegion: cfg.DefaultRegion,
		Apps: []devidp.AppClient{devApp}, SigningKey: key,
	})
	if err != nil {
		return fmt.Errorf("development identity provider: %w", err)
	}
	f.shell.DevIDP = idp.Handler()
	httpClient := &http.Client{Timeout: 10 * time.Second}
	citizenRP, err := oidc.NewRelyingParty(oidc.ProviderConfig{
		Name: "citizen", Issuer: idp.CitizenIssuer(), ClientID: citizen.ID, ClientSecret: citizen.Secret,
		RedirectURL: citizen.RedirectURIs[0], ACRValues: "http://ftn.ficora.fi/2017/loa2",
		Claims: oidc.ClaimNames{Hetu: []string{devidp.ClaimHetu}, Region: devidp.ClaimRegion},
	}, httpClient)
	if err != nil {
		return err
	}
	f.setCitizen(citizenRP)
	proRP, err := oidc.NewRelyingParty(oidc.ProviderConfig{
		Name: "professional", Issuer: idp.ProfessionalIssuer(), ClientID: pro.ID, ClientSecret: pro.Secret,
		RedirectURL: pro.RedirectURIs[0],
	}, httpClient)
	if err != nil {
		return err
	}
	f.setProfessional(proRP)
	if f.api.Bearer, err = oidc.NewBearerVerifier(oidc.BearerConfig{
		Issuer: idp.CitizenIssuer(), Clients: []string{devApp.ID},
		Claims: oidc.ClaimNames{Hetu: []string{devidp.ClaimHetu}, Region: devidp.ClaimRegion},
	}, httpClient); err != nil {
		return err
	}
	log.Warn("DEVELOPMENT IDENTITY PROVIDER IS ON: anyone can log in as anyone. Configure citizen_issuer and professional_issuer for production.",
		"citizen_issuer", idp.CitizenIssuer(), "professional_issuer", idp.ProfessionalIssuer(), "api_client", devApp.ID)
	return nil
}

func (a *app) wireIssuers(cfg Config, f *faces) error {
	httpClient := &http.Client{Timeout: 10 * time.Second}
	citizen, err := cfg.Citizen.relyingParty("citizen", cfg.BaseURL+"/auth/citizen/callback")
	if err != nil {
		return err
	}
	pro, err := cfg.Professional.relyingParty("professional", cfg.BaseURL+"/auth/professional/callback")
	if err != nil {
		return err
	}
	citizenRP, err := oidc.NewRelyingParty(citizen, httpClient)
	if err != nil {
		return err
	}
	proRP, err := oidc.NewRelyingParty(pro, httpClient)
	if err != nil {
		return err
	}
	f.setCitizen(citizenRP)
	f.setProfessional(proRP)
	if _, err := cfg.Professional.bearer("professional", httpClient); err != nil {
		return err
	}
	f.api.Bearer, err = cfg.Citizen.bearer("citizen", httpClient)
	return err
}

// limits are the portal's rate limits: the defaults, or none when the
// configuration turns them off.
func (cfg Config) limits() (portal.Limits, error) {
	switch cfg.RateLimits {
	case "", "on":
		return portal.DefaultLimits()
	case "off":
		return portal.Limits{}, nil
	}
	return portal.Limits{}, fmt.Errorf("%w: rate_limits is %q; use \"on\" or \"off\"", errConfig, cfg.RateLimits)
}

func randomSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
