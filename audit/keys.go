package audit

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrKey is a signing key that cannot be used: missing, malformed, or
// readable by others than the service's user.
var ErrKey = errors.New("audit signing key")

// LoadOrCreateKey reads the ed25519 signing key at path (PEM, PKCS #8),
// creating it once when there is none: the directory 0700, the file 0600,
// written to a temporary name and renamed so that a crash leaves no half
// key. A key file that group or others may read or write is refused, not
// corrected: whoever can read it can sign a forged head.
func LoadOrCreateKey(path string) (ed25519.PrivateKey, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if err := createKey(path); err != nil {
			return nil, fmt.Errorf("%w: create %s: %w", ErrKey, path, err)
		}
	}
	return ReadKey(path)
}

// ReadKey reads an existing signing key written by LoadOrCreateKey,
// refusing one that group or others may read or write.
func ReadKey(path string) (ed25519.PrivateKey, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o, open to group or others; make it readable by omahoito's user only (chmod 600)", ErrKey, path, perm)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	block, _ := pem.Decode(raw)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%w: %s: no PEM PRIVATE KEY block", ErrKey, path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrKey, path, err)
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%w: %s: not an ed25519 key", ErrKey, path)
	}
	return key, nil
}

func createKey(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".audit-key-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := writeSynced(tmp, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func writeSynced(f *os.File, data []byte) error {
	err := f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// KeyID names a public key: the first 16 hex digits of its SHA-256.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:])[:16]
}

// checkpointTag opens every signed checkpoint message.
const checkpointTag = "omahoito-audit-checkpoint/1"

// CheckpointMessage is what a checkpoint's signature covers, one field a
// line: the tag, the register (quoted), the seq, the head in hex, the time
// (UTC, microseconds) and the key id.
func CheckpointMessage(c Checkpoint) []byte {
	return []byte(strings.Join([]string{
		checkpointTag,
		strconv.Quote(c.Register),
		strconv.FormatInt(c.Seq, 10),
		hex.EncodeToString(c.Head),
		c.Time.UTC().Format("2006-01-02T15:04:05.000000Z"),
		c.KeyID,
	}, "\n") + "\n")
}

// Sign sets c's KeyID and Signature with key.
func Sign(c Checkpoint, key ed25519.PrivateKey) Checkpoint {
	c.KeyID = KeyID(key.Public().(ed25519.PublicKey))
	c.Signature = ed25519.Sign(key, CheckpointMessage(c))
	return c
}

// VerifyCheckpoint reports whether c's signature verifies with the key of
// its KeyID in keys.
func VerifyCheckpoint(c Checkpoint, keys map[string]ed25519.PublicKey) bool {
	pub, ok := keys[c.KeyID]
	return ok && len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, CheckpointMessage(c), c.Signature)
}

// PublicKeys is the map Verify takes, holding the public keys of privs by
// their KeyID.
func PublicKeys(privs ...ed25519.PrivateKey) map[string]ed25519.PublicKey {
	m := make(map[string]ed25519.PublicKey, len(privs))
	for _, k := range privs {
		pub := k.Public().(ed25519.PublicKey)
		m[KeyID(pub)] = pub
	}
	return m
}

// PublicKeyMap is the map Verify takes, holding pubs by their KeyID: the
// keys an auditor was handed, the current one and those rotated out.
func PublicKeyMap(pubs ...ed25519.PublicKey) map[string]ed25519.PublicKey {
	m := make(map[string]ed25519.PublicKey, len(pubs))
	for _, pub := range pubs {
		m[KeyID(pub)] = pub
	}
	return m
}

// EncodePublicKey is pub as a PEM "PUBLIC KEY" block (PKIX), the form
// ReadPublicKeys and `openssl pkey -pubin` read.
func EncodePublicKey(pub ed25519.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// ReadPublicKeys reads the ed25519 public keys of a PEM file: one or more
// "PUBLIC KEY" blocks (PKIX). A private key is refused rather than reduced
// to its public half: it has no business on an auditor's machine.
func ReadPublicKeys(path string) ([]ed25519.PublicKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	pubs, err := ParsePublicKeys(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return pubs, nil
}

// ParsePublicKeys reads the PEM "PUBLIC KEY" blocks of raw; ReadPublicKeys
// tells what it accepts.
func ParsePublicKeys(raw []byte) ([]ed25519.PublicKey, error) {
	var pubs []ed25519.PublicKey
	for {
		block, rest := pem.Decode(raw)
		if block == nil {
			break
		}
		raw = rest
		if block.Type != "PUBLIC KEY" {
			return nil, fmt.Errorf("%w: a %s block where a PUBLIC KEY was expected (omahoito audit public-key prints one)", ErrKey, block.Type)
		}
		pub, err := parsePublicKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		pubs = append(pubs, pub)
	}
	if len(pubs) == 0 {
		return nil, fmt.Errorf("%w: no PEM PUBLIC KEY block", ErrKey)
	}
	return pubs, nil
}

func parsePublicKey(der []byte) (ed25519.PublicKey, error) {
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%w: a public key that is not ed25519", ErrKey)
	}
	return pub, nil
}
