package oidc

import (
	"crypto"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/go-jose/go-jose/v4"
)

// Published algorithms: request objects and client assertions are signed
// RS256; brokers are asked to encrypt to us with RSA-OAEP-256 (decryption
// also accepts RSA-OAEP, see jweKeyAlgs).
const (
	publishedSigAlg = string(jose.RS256)
	publishedEncAlg = string(jose.RSA_OAEP_256)
)

// JWKSMaxAge is how long a broker or cache may keep the published key set.
// Short, so that a rotated key is picked up within minutes.
const JWKSMaxAge = 5 * 60 // seconds

// thumbprintKeyID returns the RFC 7638 JWK thumbprint (SHA-256, base64url)
// of key's public part: the same key gives the same kid after a restart.
func thumbprintKeyID(key *rsa.PrivateKey) string {
	tp, err := (&jose.JSONWebKey{Key: &key.PublicKey}).Thumbprint(crypto.SHA256)
	if err != nil { // only for key types other than RSA, EC and OKP
		panic(fmt.Sprintf("oidc: thumbprint of an RSA key: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(tp)
}

// publicKeys lists the public halves of this relying party's own keys:
// the client key (request objects, client assertions) for "sig" and the
// decryption key for "enc".
func (rp *RelyingParty) publicKeys() []jose.JSONWebKey {
	var keys []jose.JSONWebKey
	if k := rp.cfg.ClientKey; k != nil {
		keys = append(keys, jose.JSONWebKey{Key: &k.PublicKey, KeyID: rp.cfg.ClientKeyID, Use: "sig", Algorithm: publishedSigAlg})
	}
	if k := rp.cfg.DecryptionKey; k != nil {
		keys = append(keys, jose.JSONWebKey{Key: &k.PublicKey, KeyID: rp.cfg.DecryptionKeyID, Use: "enc", Algorithm: publishedEncAlg})
	}
	return keys
}

// PublicKeySet returns the JWK Set that brokers are given for the relying
// parties: each one's signing key ("use":"sig", RS256) and decryption key
// ("use":"enc", RSA-OAEP-256), public parts only, each key once. Two
// different keys under one kid are ErrConfig. Nil relying parties are
// skipped.
func PublicKeySet(rps ...*RelyingParty) (jose.JSONWebKeySet, error) {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	seen := map[string]jose.JSONWebKey{}
	for _, rp := range rps {
		if rp == nil {
			continue
		}
		for _, k := range rp.publicKeys() {
			prev, dup := seen[k.KeyID]
			if !dup {
				seen[k.KeyID] = k
				set.Keys = append(set.Keys, k)
				continue
			}
			if prev.Use != k.Use || !prev.Key.(*rsa.PublicKey).Equal(k.Key) {
				return jose.JSONWebKeySet{}, fmt.Errorf("%w: %s: kid %q names two different keys", ErrConfig, rp.cfg.Name, k.KeyID)
			}
		}
	}
	return set, nil
}

// JWKSHandler serves PublicKeySet(rps...) as application/json, cacheable
// for JWKSMaxAge: the portal's GET /auth/jwks.json. The set is built once;
// the keys do not change while the process runs.
func JWKSHandler(rps ...*RelyingParty) (http.Handler, error) {
	set, err := PublicKeySet(rps...)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("%w: encode key set: %v", ErrConfig, err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", JWKSMaxAge))
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if r.Method == http.MethodGet {
			_, _ = w.Write(body)
		}
	}), nil
}
