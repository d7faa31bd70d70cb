package exchange

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/go-jose/go-jose/v4"
)

// jwsType is the typ of a manifest's JWS, so that no other signed object
// of the same key passes for one.
const jwsType = "omahoito-transfer+json"

// maxJWS bounds manifest.jws: a header of three short fields and an
// ed25519 signature.
const maxJWS = 4 << 10

// sign is the compact JWS of payload with the payload detached.
func sign(payload []byte, key ed25519.PrivateKey) ([]byte, error) {
	kid := KeyID(key.Public().(ed25519.PublicKey))
	s, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.EdDSA, Key: jose.JSONWebKey{Key: key, KeyID: kid}},
		(&jose.SignerOptions{}).WithType(jwsType))
	if err != nil {
		return nil, fmt.Errorf("exchange: sign: %w", err)
	}
	obj, err := s.Sign(payload)
	if err != nil {
		return nil, fmt.Errorf("exchange: sign: %w", err)
	}
	c, err := obj.DetachedCompactSerialize()
	if err != nil {
		return nil, fmt.Errorf("exchange: sign: %w", err)
	}
	return []byte(c), nil
}

// jwsHeader is the whole protected header the format allows.
type jwsHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Typ string `json:"typ"`
}

// verify checks that sig is a detached compact JWS over payload by a key
// of trusted, and returns that key. The segments must be strict base64url
// (no padding bits set, no space), so that no two encodings of the same
// JWS exist and a changed byte cannot slip past the signature.
func verify(sig, payload []byte, trusted TrustedKeys) (TrustedKey, error) {
	parts := bytes.Split(sig, []byte("."))
	if len(parts) != 3 || len(parts[1]) != 0 {
		return TrustedKey{}, invalid("%s is not a compact JWS with detached payload", SignatureName)
	}
	raw, err := strictBase64(parts[0])
	if err != nil {
		return TrustedKey{}, invalid("%s header: %v", SignatureName, err)
	}
	if _, err := strictBase64(parts[2]); err != nil {
		return TrustedKey{}, invalid("%s signature: %v", SignatureName, err)
	}
	var h jwsHeader
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil || dec.More() {
		return TrustedKey{}, invalid("%s header is not {alg, kid, typ}", SignatureName)
	}
	if h.Alg != string(jose.EdDSA) || h.Typ != jwsType || h.Kid == "" {
		return TrustedKey{}, invalid("%s header: alg %q, typ %q; want EdDSA, %s and a kid", SignatureName, h.Alg, h.Typ, jwsType)
	}
	tk, ok := trusted[h.Kid]
	if !ok || len(tk.Key) != ed25519.PublicKeySize {
		return TrustedKey{}, fmt.Errorf("%w: signed by key %q, which is not among the trusted regions' keys", ErrUntrusted, h.Kid)
	}
	obj, err := jose.ParseDetached(string(sig), payload, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		return TrustedKey{}, invalid("%s: %v", SignatureName, err)
	}
	if err := obj.DetachedVerify(payload, tk.Key); err != nil {
		return TrustedKey{}, fmt.Errorf("%w: the signature of %s does not verify with key %q (%s, %s)", ErrUntrusted, ManifestName, h.Kid, tk.Source.Deployment, tk.Source.Region)
	}
	return tk, nil
}

// strictBase64 decodes unpadded base64url, refusing anything outside its
// alphabet (the decoder itself skips newlines) and set padding bits.
func strictBase64(b []byte) ([]byte, error) {
	for _, c := range b {
		if !isLetter(c) && !isDigit(c) && c != '-' && c != '_' {
			return nil, fmt.Errorf("byte %#02x is not base64url", c)
		}
	}
	return base64.RawURLEncoding.Strict().DecodeString(string(b))
}
