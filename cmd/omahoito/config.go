package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/auth/oidc"
)

// errConfig marks a configuration the service refuses to start with.
var errConfig = errors.New("configuration")

// Config is what an operator sets: a JSON file (--config), then
// environment variables, then flags, each overriding the one before.
type Config struct {
	Addr        string `json:"addr"`          // listen address; default 127.0.0.1:8080
	DataDir     string `json:"data_dir"`      // SQLite database, files, development keys; default ./data
	DatabaseURL string `json:"database_url"`  // postgres://... selects PostgreSQL; empty: SQLite under DataDir
	BaseURL     string `json:"base_url"`      // public URL, e.g. https://omahoito.example.fi; default http://Addr
	HetuKeyFile string `json:"hetu_key_file"` // 32-byte master key protecting hetus; default DataDir/hetu.key (development only)
	// AuditSigningKey is the ed25519 key (PEM, PKCS #8) that signs the
	// access log's checkpoints; default DataDir/audit-signing.key,
	// generated once (development only).
	AuditSigningKey string `json:"audit_signing_key"`
	DefaultRegion   string `json:"default_region"` // home region of a first login when the provider names none
	// Deployment names this installation of omahoito in the transfer
	// packages it signs (their source); default "development" with the
	// development provider, required with real issuers: a package's
	// source must say which platform its person ids belong to.
	Deployment string `json:"deployment"`
	LogLevel   string `json:"log_level"` // debug, info, warn, error
	// DatabasePoolSize is the most PostgreSQL connections; 0: the URL's
	// pool_max_conns, else postgres.DefaultPoolSize (4 per core, at least 4).
	DatabasePoolSize int `json:"database_pool_size"`
	// RateLimits is "on" (default) or "off". Off is for load tests from
	// one machine, where every client shares one address; never in production.
	RateLimits string `json:"rate_limits"`
	// TrustedProxies are the reverse proxies (CIDRs or addresses) whose
	// X-Forwarded-For names the client, for the rate limits; empty: none.
	TrustedProxies []string `json:"trusted_proxies"`
	// Development lets the development identity provider serve a base URL
	// that is not on this machine: a shared test server behind a reverse
	// proxy on the same machine. It still listens on loopback only; it never
	// turns on the development provider on a network address. Never in
	// production.
	Development bool `json:"development"`

	// Citizens' own files (DESIGN §11; files.go).
	//
	// FilesURL is the bucket of their encrypted content: file:///dir or
	// s3://bucket?region=…; default file://DataDir/files?create_dir=1&dir_file_mode=0700.
	FilesURL string `json:"files_url"`
	// FilesMasterKeys are the master keys that wrap the files' data keys:
	// the current one and those being rotated away from. Required with real
	// issuers; in development a key is generated once as
	// DataDir/files-master.key.
	FilesMasterKeys []MasterKeyConfig `json:"files_master_keys"`
	// FilesMasterKeyCurrent is the id of the key new files are wrapped
	// with; may be left empty when there is one key.
	FilesMasterKeyCurrent string `json:"files_master_key_current"`
	FileMaxSize           int64  `json:"file_max_size"`     // bytes a file; 0: record.DefaultMaxFileSize
	PersonMaxSize         int64  `json:"person_max_size"`   // bytes all of a person's files; 0: record.DefaultMaxPersonSize
	FilesSweepGrace       string `json:"files_sweep_grace"` // how old content no record names must be to be swept; default 1h

	// TrustedRegions are the regions of other deployments whose transfer
	// packages omahoito import accepts, each with its signing public key;
	// this deployment's own regions are trusted with its own key.
	TrustedRegions []TrustedRegionConfig `json:"trusted_regions"`

	Citizen      *IssuerConfig `json:"citizen_issuer"`      // bank-ID broker; nil: the development provider
	Professional *IssuerConfig `json:"professional_issuer"` // organisations' login; nil: the development provider
}

// MasterKeyConfig is one master key of the files: a file holding 32
// bytes in standard base64, readable by omahoito's user only, under an id
// the database records beside each data key it wraps (default: derived
// from the key, blob.MasterKeyID).
type MasterKeyConfig struct {
	ID      string `json:"id"`
	KeyFile string `json:"key_file"`
}

// TrustedRegionConfig is one region of another deployment whose transfer
// packages are trusted: the package's source must be exactly this
// deployment and region, and its signature one of the ed25519 keys in
// PublicKeyFile (PEM PUBLIC KEY, as omahoito audit public-key prints it).
type TrustedRegionConfig struct {
	Deployment    string `json:"deployment"`
	Region        string `json:"region"`
	PublicKeyFile string `json:"public_key_file"`
}

// checkTrustedRegions refuses a trusted region with a setting missing.
func (cfg Config) checkTrustedRegions() error {
	for i, tr := range cfg.TrustedRegions {
		if tr.Deployment == "" || tr.Region == "" || tr.PublicKeyFile == "" {
			return fmt.Errorf("%w: trusted_regions #%d needs deployment, region and public_key_file", errConfig, i+1)
		}
	}
	return nil
}

// IssuerConfig is one OpenID provider the portal trusts.
type IssuerConfig struct {
	Issuer            string   `json:"issuer"` // discovery at issuer + /.well-known/openid-configuration
	ClientID          string   `json:"client_id"`
	ClientSecretEnv   string   `json:"client_secret_env"` // name of the variable holding the secret; never the secret itself
	ClientAuth        string   `json:"client_auth"`       // client_secret_basic or private_key_jwt
	ClientKeyFile     string   `json:"client_key_file"`   // PEM RSA key for private_key_jwt and request objects
	ClientKeyID       string   `json:"client_key_id"`
	SignedRequest     bool     `json:"signed_request"`      // FTN brokers want a signed request object
	DecryptionKeyFile string   `json:"decryption_key_file"` // PEM RSA key when ID tokens are encrypted
	Scopes            []string `json:"scopes"`
	ACRValues         string   `json:"acr_values"` // e.g. http://ftn.ficora.fi/2017/loa2
	HetuClaims        []string `json:"hetu_claims"`
	GivenNameClaim    string   `json:"given_name_claim"`
	FamilyNameClaim   string   `json:"family_name_claim"`
	UsernameClaim     string   `json:"username_claim"`
	// APIClients are the client ids of apps and devices whose access tokens
	// (JWTs from this issuer) the FHIR API accepts. Citizen issuer only.
	APIClients []string `json:"api_clients"`
}

// loadConfig reads the file (if any) and the environment, and refuses API
// clients that would let the portal's own ID tokens pass for access tokens.
func loadConfig(path string) (Config, error) {
	var cfg Config
	if path != "" {
		raw, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("%w: read --config: %v", errConfig, err)
		}
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cfg); err != nil {
			return cfg, fmt.Errorf("%w: %s: %v", errConfig, path, err)
		}
	}
	envOverride(&cfg.Addr, "OMAHOITO_ADDR")
	envOverride(&cfg.DataDir, "OMAHOITO_DATA")
	envOverride(&cfg.DatabaseURL, "OMAHOITO_DATABASE_URL")
	if err := envInt(&cfg.DatabasePoolSize, "OMAHOITO_DATABASE_POOL_SIZE"); err != nil {
		return cfg, err
	}
	envOverride(&cfg.BaseURL, "OMAHOITO_BASE_URL")
	envOverride(&cfg.HetuKeyFile, "OMAHOITO_HETU_KEY_FILE")
	envOverride(&cfg.AuditSigningKey, "OMAHOITO_AUDIT_SIGNING_KEY")
	envOverride(&cfg.Deployment, "OMAHOITO_DEPLOYMENT")
	envOverride(&cfg.LogLevel, "OMAHOITO_LOG_LEVEL")
	if err := cfg.filesEnv(); err != nil {
		return cfg, err
	}
	if err := cfg.checkValues(); err != nil {
		return cfg, err
	}
	return cfg, cfg.checkAPIClients()
}

// checkValues refuses settings out of range before anything is opened, so
// a typo costs one line on standard error, not a half-started service.
func (cfg Config) checkValues() error {
	if cfg.DatabasePoolSize < 0 {
		return fmt.Errorf("%w: database_pool_size must be 0 (the default) or more, not %d", errConfig, cfg.DatabasePoolSize)
	}
	switch strings.ToLower(cfg.LogLevel) {
	case "", "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("%w: log_level is %q; use debug, info, warn or error", errConfig, cfg.LogLevel)
	}
	if _, err := cfg.trustedProxies(); err != nil {
		return err
	}
	if _, err := deploymentName(cfg, true); err != nil {
		return err
	}
	if err := cfg.checkFiles(); err != nil {
		return err
	}
	if err := cfg.checkTrustedRegions(); err != nil {
		return err
	}
	_, err := cfg.limits() // the one place that knows the rate_limits values
	return err
}

// trustedProxies parses trusted_proxies: CIDRs, or single addresses.
func (cfg Config) trustedProxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range cfg.TrustedProxies {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return nil, fmt.Errorf("%w: trusted_proxies: %q is neither an address nor a CIDR such as 10.0.0.0/8", errConfig, s)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// checkAPIClients refuses citizen api_clients that name a client the portal
// itself logs in with at the citizen issuer: the portal's ID tokens name
// that client in aud and azp (zitadel's in client_id too), so the API would
// take them for an app's access tokens.
func (cfg Config) checkAPIClients() error {
	if cfg.Citizen == nil {
		return nil
	}
	issuer := strings.TrimSuffix(cfg.Citizen.Issuer, "/")
	for _, ic := range []*IssuerConfig{cfg.Citizen, cfg.Professional} {
		if ic == nil || ic.ClientID == "" || strings.TrimSuffix(ic.Issuer, "/") != issuer {
			continue
		}
		if slices.Contains(cfg.Citizen.APIClients, ic.ClientID) {
			return fmt.Errorf("%w: citizen_issuer api_clients lists %q, the client_id the portal itself logs in with at that issuer, so the portal's ID tokens would be accepted as API access tokens; register apps and devices as clients of their own", errConfig, ic.ClientID)
		}
	}
	return nil
}

func envOverride(field *string, name string) {
	if v := os.Getenv(name); v != "" {
		*field = v
	}
}

// envInt sets *field from the variable name when it is set; a value that
// is not a non-negative integer is refused.
func envInt(field *int, name string) error {
	v := os.Getenv(name)
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return fmt.Errorf("%w: %s must be a whole number of 0 or more, not %q", errConfig, name, v)
	}
	*field = n
	return nil
}

func (cfg *Config) applyDefaults() {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:8080"
	}
	if cfg.DataDir == "" {
		cfg.DataDir = "data"
	}
	if cfg.DefaultRegion == "" {
		cfg.DefaultRegion = "kainuu"
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
}

// devIDP reports whether the development identity provider serves logins:
// exactly when no real issuer is configured. Half a configuration is an
// error, and so is the development provider anywhere the network can reach
// it: one forgotten setting must not let anyone log in as anyone.
func (cfg Config) devIDP() (bool, error) {
	switch {
	case cfg.Citizen == nil && cfg.Professional == nil:
		return true, cfg.checkDevReach()
	case cfg.Citizen == nil || cfg.Professional == nil:
		return false, fmt.Errorf("%w: configure both citizen_issuer and professional_issuer, or neither for the development provider", errConfig)
	}
	return false, nil
}

// checkDevReach keeps the development provider on this machine. The listen
// address decides, whatever the base URL says: a base URL is only what the
// pages call themselves. A base URL elsewhere is allowed with development
// set (a reverse proxy on this machine, a shared test server), never a
// listener on the network. An empty BaseURL is derived from Addr later.
func (cfg Config) checkDevReach() error {
	const fix = "configure citizen_issuer and professional_issuer"
	if !isLoopbackAddr(cfg.Addr) {
		return fmt.Errorf("%w: no identity providers are configured, and the development provider listens only on this machine (127.0.0.1, ::1 or localhost), not on addr %s; %s, or listen on 127.0.0.1", errConfig, cfg.Addr, fix)
	}
	if cfg.BaseURL != "" && !cfg.Development && !isLoopback(cfg.BaseURL) {
		return fmt.Errorf("%w: no identity providers are configured, and the development provider serves only this machine (base URL %s); %s, or set \"development\": true for a shared test server behind a proxy on this machine", errConfig, cfg.BaseURL, fix)
	}
	return nil
}

// relyingParty turns an issuer's configuration into the oidc package's.
func (ic IssuerConfig) relyingParty(name, redirect string) (oidc.ProviderConfig, error) {
	pc := oidc.ProviderConfig{
		Name: name, Issuer: ic.Issuer, ClientID: ic.ClientID, ClientAuth: ic.ClientAuth,
		ClientKeyID: ic.ClientKeyID, SignedRequest: ic.SignedRequest, Scopes: ic.Scopes,
		ACRValues: ic.ACRValues, RedirectURL: redirect,
		Claims: oidc.ClaimNames{Hetu: ic.HetuClaims, GivenName: ic.GivenNameClaim,
			FamilyName: ic.FamilyNameClaim, Username: ic.UsernameClaim},
	}
	if ic.ClientSecretEnv != "" {
		pc.ClientSecret = os.Getenv(ic.ClientSecretEnv)
		if pc.ClientSecret == "" {
			return pc, fmt.Errorf("%w: %s issuer: variable %s is empty", errConfig, name, ic.ClientSecretEnv)
		}
	}
	var err error
	if ic.ClientKeyFile != "" {
		if pc.ClientKey, err = readRSAKey(ic.ClientKeyFile); err != nil {
			return pc, fmt.Errorf("%w: %s issuer client_key_file: %v", errConfig, name, err)
		}
	}
	if ic.DecryptionKeyFile != "" {
		if pc.DecryptionKey, err = readRSAKey(ic.DecryptionKeyFile); err != nil {
			return pc, fmt.Errorf("%w: %s issuer decryption_key_file: %v", errConfig, name, err)
		}
	}
	return pc, nil
}

// bearer is the API's access token verifier for this issuer, nil when it
// lists no API clients. Only the citizen issuer may list them: API clients
// act for citizens.
func (ic IssuerConfig) bearer(name string, client *http.Client) (*oidc.BearerVerifier, error) {
	if len(ic.APIClients) == 0 {
		return nil, nil
	}
	if name != "citizen" {
		return nil, fmt.Errorf("%w: %s issuer: api_clients is for the citizen issuer only", errConfig, name)
	}
	v, err := oidc.NewBearerVerifier(oidc.BearerConfig{
		Issuer: ic.Issuer, Clients: ic.APIClients,
		Claims: oidc.ClaimNames{Hetu: ic.HetuClaims, GivenName: ic.GivenNameClaim,
			FamilyName: ic.FamilyNameClaim, Username: ic.UsernameClaim},
	}, client)
	if err != nil {
		return nil, fmt.Errorf("%w: %s issuer api_clients: %v", errConfig, name, err)
	}
	return v, nil
}

func readRSAKey(path string) (*rsa.PrivateKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(raw)
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("not an RSA key")
	}
	return rk, nil
}

// hetuKeys loads the master key protecting hetus. In development (no key
// file configured) one is generated once under the data directory, mode 0600;
// with real issuers a configured key is required, because a key lost with a
// data directory would make every stored hetu unreadable. A configured key
// that group or others may read is refused: it unlocks every stored hetu.
func hetuKeys(cfg Config, dev bool) (*auth.Keys, error) {
	path := cfg.HetuKeyFile
	devKey := path == ""
	if devKey && !dev {
		return nil, fmt.Errorf("%w: hetu_key_file (OMAHOITO_HETU_KEY_FILE) is required when real issuers are configured", errConfig)
	}
	// Before the key is read: a configured key inside the data directory is
	// made private here rather than refused below.
	if err := secureDataDir(cfg.DataDir, devKey); err != nil {
		return nil, err
	}
	if devKey {
		path = filepath.Join(cfg.DataDir, "hetu.key")
		if err := createKeyFile(path); err != nil {
			return nil, err
		}
	} else if err := checkPrivate(path); err != nil {
		return nil, err
	}
	return readHetuKey(path)
}

// auditKey loads the key that signs the access log's checkpoints. In
// development one is generated once under the data directory (0600); with
// real issuers it must be configured: a key lost with a data directory
// would leave the old checkpoints unverifiable.
func auditKey(cfg Config, dev bool) (ed25519.PrivateKey, error) {
	path := cfg.AuditSigningKey
	if path == "" {
		if !dev {
			return nil, fmt.Errorf("%w: audit_signing_key (OMAHOITO_AUDIT_SIGNING_KEY) is required when real issuers are configured", errConfig)
		}
		if err := secureDataDir(cfg.DataDir, true); err != nil {
			return nil, err
		}
		key, err := audit.LoadOrCreateKey(filepath.Join(cfg.DataDir, "audit-signing.key"))
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errConfig, err)
		}
		return key, nil
	}
	key, err := audit.ReadKey(path)
	if err != nil {
		return nil, fmt.Errorf("%w: audit_signing_key: %v", errConfig, err)
	}
	return key, nil
}

// deploymentName is deployment, else "development" with the development
// provider; with real issuers it must be configured, like the signing key,
// since packages signed under a made-up name would not be trusted anywhere.
func deploymentName(cfg Config, dev bool) (string, error) {
	switch {
	case cfg.Deployment != "":
		if !isDeploymentName(cfg.Deployment) {
			return "", fmt.Errorf("%w: deployment is %q; use letters, digits, '.', '_' and '-'", errConfig, cfg.Deployment)
		}
		return cfg.Deployment, nil
	case dev:
		return "development", nil
	}
	return "", fmt.Errorf("%w: deployment (OMAHOITO_DEPLOYMENT) is required when real issuers are configured", errConfig)
}

// isDeploymentName reports whether s is a short name of letters, digits,
// '.', '_' and '-', as package and region ids are.
func isDeploymentName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func readHetuKey(path string) (*auth.Keys, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: hetu key: %v", errConfig, err)
	}
	master, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		return nil, fmt.Errorf("%w: hetu key %s: not base64: %v", errConfig, path, err)
	}
	keys, err := auth.NewKeys(master)
	if err != nil {
		return nil, fmt.Errorf("%w: hetu key %s: %v", errConfig, path, err)
	}
	return keys, nil
}

// secureDataDir makes the data directory 0700 and the key files in it
// (*.key) 0600 at every start, also when they were left wider, whichever
// database is used. It creates the directory only when create is set (a
// development key is to be written there): with PostgreSQL and a configured
// key nothing may live there yet, and the working directory may be
// read-only. Symbolic links are left alone: what they point to is not ours.
func secureDataDir(dir string, create bool) error {
	if dir == "" {
		return nil
	}
	if create {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("%w: data directory: %v", errConfig, err)
		}
	}
	if err := os.Chmod(dir, 0o700); errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("%w: make the data directory private: %v", errConfig, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("%w: data directory: %v", errConfig, err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || filepath.Ext(e.Name()) != ".key" {
			continue
		}
		if err := os.Chmod(filepath.Join(dir, e.Name()), 0o600); err != nil {
			return fmt.Errorf("%w: make %s private: %v", errConfig, e.Name(), err)
		}
	}
	return nil
}

// checkPrivate refuses a configured key file that group or others may
// read or write. omahoito does not change it: it is the operator's file,
// perhaps shared with a backup, and a silent chmod would hide the mistake.
func checkPrivate(path string) error {
	fi, err := os.Stat(path) // through a symbolic link: the key's own mode counts
	if err != nil {
		return fmt.Errorf("%w: hetu key: %v", errConfig, err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%w: hetu_key_file %s has mode %04o, open to group or others; make it readable by omahoito's user only (chmod 600)", errConfig, path, perm)
	}
	return nil
}

// createKeyFile writes a new random key unless the file exists; it writes
// to a temporary name, syncs and renames so a crash leaves no half key.
func createKeyFile(path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("%w: data directory: %v", errConfig, err)
	}
	key := make([]byte, auth.KeySize)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".hetu.key-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// isLoopback reports whether a base URL names this machine only.
func isLoopback(base string) bool {
	u, err := url.Parse(base)
	if err != nil {
		return false
	}
	return isLoopbackHost(u.Hostname())
}

// isLoopbackAddr reports whether a listen address (host:port) accepts
// connections from this machine only. An empty host (":8080") listens on
// every interface, so it is not loopback.
func isLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	return err == nil && isLoopbackHost(host)
}

// isLoopbackHost: localhost or an address in 127.0.0.0/8 or ::1. Any other
// name is refused rather than resolved: what it resolves to can change.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// regionSettings are the settings that name a region of the directory.
func (cfg Config) regionSettings() []struct{ setting, region string } {
	return []struct{ setting, region string }{{"default_region", cfg.DefaultRegion}}
}

// checkRegions refuses a configuration naming a region that the directory
// does not have: the first login of a citizen would fail on it, long after
// the start. It runs after the development seed, so on the embedded
// defaults the demo regions are there.
func checkRegions(ctx context.Context, cfg Config, dir interface {
	Regions(ctx context.Context) ([]auth.Region, error)
}) error {
	regions, err := dir.Regions(ctx)
	if err != nil {
		return fmt.Errorf("read the directory's regions: %w", err)
	}
	ids := make([]string, len(regions))
	for i, r := range regions {
		ids[i] = r.ID
	}
	for _, s := range cfg.regionSettings() {
		if slices.Contains(ids, s.region) {
			continue
		}
		have := "the directory has no regions yet"
		if len(ids) > 0 {
			have = "the directory's regions are " + strings.Join(ids, ", ")
		}
		return fmt.Errorf("%w: %s %q is not a region of the directory (omahoito directory import FILE); %s", errConfig, s.setting, s.region, have)
	}
	return nil
}
