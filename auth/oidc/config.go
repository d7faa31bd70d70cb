package oidc

import (
	"crypto/rsa"
	"fmt"
	"net/url"
	"slices"
)

// Client authentication methods at the token endpoint.
const (
	ClientSecretBasic = "client_secret_basic"
	PrivateKeyJWT     = "private_key_jwt"
)

// minRSABits is the smallest RSA key accepted for signing or decryption.
const minRSABits = 2048

// DefaultHetuClaims are the claim names brokers use for the personal identity
// code, tried in this order when ClaimNames.Hetu is empty.
var DefaultHetuClaims = []string{"urn:oid:1.2.246.21", "hetu", "ftn_hetu", "nin"}

// ClaimNames says which ID token claims carry the identity attributes; they
// differ by broker.
type ClaimNames struct {
	Hetu                                    []string // tried in order; default DefaultHetuClaims
	GivenName, FamilyName, Username, Region string   // defaults: given_name, family_name, preferred_username, "" (none)
}

// ProviderConfig configures one relying party: one provider, one client.
type ProviderConfig struct {
	Name                   string // "citizen" (CitizenProvider) or "professional": the session key for its flow, and which claims a login needs
	Issuer                 string // discovery at Issuer+"/.well-known/openid-configuration"
	ClientID, ClientSecret string
	ClientAuth             string          // ClientSecretBasic (default) or PrivateKeyJWT
	ClientKey              *rsa.PrivateKey // signs client assertions and request objects
	ClientKeyID            string          // kid of ClientKey; default its RFC 7638 thumbprint
	SignedRequest          bool            // send the authorization request as a signed request object
	DecryptionKey          *rsa.PrivateKey // ID tokens (and JWT userinfo) arrive as JWE when set (plain JWS still accepted only if not set)
	DecryptionKeyID        string          // kid of DecryptionKey in the published key set; default its thumbprint
	Scopes                 []string        // default {"openid","profile"}
	ACRValues              string
	RedirectURL            string
	Claims                 ClaimNames
}

// withDefaults returns a copy of cfg with empty optional fields filled in.
func (cfg ProviderConfig) withDefaults() ProviderConfig {
	if cfg.ClientAuth == "" {
		cfg.ClientAuth = ClientSecretBasic
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{"openid", "profile"}
	}
	cfg.Scopes = slices.Clone(cfg.Scopes)
	cfg.Claims = cfg.Claims.withDefaults()
	return cfg
}

// withKeyIDs fills in the kids of the configured keys from their
// thumbprints, after validate: a kid that depends only on the key stays the
// same across restarts, so a broker's copy of the key set stays good.
func (cfg ProviderConfig) withKeyIDs() ProviderConfig {
	if cfg.ClientKey != nil && cfg.ClientKeyID == "" {
		cfg.ClientKeyID = thumbprintKeyID(cfg.ClientKey)
	}
	if cfg.DecryptionKey != nil && cfg.DecryptionKeyID == "" {
		cfg.DecryptionKeyID = thumbprintKeyID(cfg.DecryptionKey)
	}
	return cfg
}

// withDefaults returns a copy of c with empty names filled in.
func (c ClaimNames) withDefaults() ClaimNames {
	if len(c.Hetu) == 0 {
		c.Hetu = DefaultHetuClaims
	}
	c.Hetu = slices.Clone(c.Hetu)
	c.GivenName = orDefault(c.GivenName, "given_name")
	c.FamilyName = orDefault(c.FamilyName, "family_name")
	c.Username = orDefault(c.Username, "preferred_username")
	return c
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// validate reports the first problem in a defaulted configuration.
func (cfg ProviderConfig) validate() error {
	switch {
	case cfg.Name == "":
		return fmt.Errorf("%w: name is empty", ErrConfig)
	case !isAbsoluteURL(cfg.Issuer):
		return fmt.Errorf("%w: %s: issuer must be an absolute http(s) URL", ErrConfig, cfg.Name)
	case !isAbsoluteURL(cfg.RedirectURL):
		return fmt.Errorf("%w: %s: redirect URL must be an absolute http(s) URL", ErrConfig, cfg.Name)
	case cfg.ClientID == "":
		return fmt.Errorf("%w: %s: client ID is empty", ErrConfig, cfg.Name)
	case !slices.Contains(cfg.Scopes, "openid"):
		return fmt.Errorf("%w: %s: scopes must include openid", ErrConfig, cfg.Name)
	}
	if err := cfg.validateClientAuth(); err != nil {
		return err
	}
	return cfg.validateKeys()
}

func (cfg ProviderConfig) validateClientAuth() error {
	switch cfg.ClientAuth {
	case ClientSecretBasic:
		if cfg.ClientSecret == "" {
			return fmt.Errorf("%w: %s: client_secret_basic needs a client secret", ErrConfig, cfg.Name)
		}
	case PrivateKeyJWT:
		if cfg.ClientKey == nil {
			return fmt.Errorf("%w: %s: private_key_jwt needs a client key", ErrConfig, cfg.Name)
		}
	default:
		return fmt.Errorf("%w: %s: unknown client authentication %q", ErrConfig, cfg.Name, cfg.ClientAuth)
	}
	if cfg.SignedRequest && cfg.ClientKey == nil {
		return fmt.Errorf("%w: %s: a signed request needs a client key", ErrConfig, cfg.Name)
	}
	return nil
}

func (cfg ProviderConfig) validateKeys() error {
	keys := []struct {
		what string
		key  *rsa.PrivateKey
	}{{"client key", cfg.ClientKey}, {"decryption key", cfg.DecryptionKey}}
	for _, k := range keys {
		if k.key == nil {
			continue
		}
		if err := k.key.Validate(); err != nil {
			return fmt.Errorf("%w: %s: %s: %v", ErrConfig, cfg.Name, k.what, err)
		}
		if k.key.N.BitLen() < minRSABits {
			return fmt.Errorf("%w: %s: %s is shorter than %d bits", ErrConfig, cfg.Name, k.what, minRSABits)
		}
	}
	// One key, one use: a key that both signs and decrypts would be
	// published twice under one thumbprint, and misuse of one use weakens the other.
	if cfg.ClientKey != nil && cfg.DecryptionKey != nil && cfg.ClientKey.PublicKey.Equal(&cfg.DecryptionKey.PublicKey) {
		return fmt.Errorf("%w: %s: the decryption key must not be the client key", ErrConfig, cfg.Name)
	}
	if cfg.ClientKeyID != "" && cfg.ClientKeyID == cfg.DecryptionKeyID {
		return fmt.Errorf("%w: %s: the client key and the decryption key need different key IDs", ErrConfig, cfg.Name)
	}
	return nil
}

func isAbsoluteURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}
