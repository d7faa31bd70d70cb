package blob

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the length in bytes of master and data keys (AES-256).
const KeySize = 32

// wrapVersion opens every wrapped data key, so that the format can change.
const wrapVersion = 1

// MasterKeys is a ring of master keys by id, one of them current: new data
// keys are wrapped with the current key, and any key of the ring unwraps.
// After a rotation the old key stays in the ring until every data key it
// wrapped has been rewrapped.
type MasterKeys struct {
	current string
	keys    map[string]cipher.AEAD
}

// NewMasterKeys makes a ring of keys (each KeySize bytes) whose current key
// is keys[current].
func NewMasterKeys(current string, keys map[string][]byte) (*MasterKeys, error) {
	if _, ok := keys[current]; !ok {
		return nil, fmt.Errorf("%w: the current key %q is not in the ring", ErrKey, current)
	}
	m := &MasterKeys{current: current, keys: make(map[string]cipher.AEAD, len(keys))}
	for id, k := range keys {
		if id == "" || len(k) != KeySize {
			return nil, fmt.Errorf("%w: key %q: want a non-empty id and %d bytes, have %d", ErrKey, id, KeySize, len(k))
		}
		aead, err := newGCM(k)
		if err != nil {
			return nil, err
		}
		m.keys[id] = aead
	}
	return m, nil
}

// Current is the id of the key new data keys are wrapped with.
func (m *MasterKeys) Current() string { return m.current }

// NewDataKey makes a fresh random data key and wraps it with the current
// master key, returning the plain key (to encrypt with, then forget), the
// wrapped key and the id of the master key that wraps it (both to keep).
func (m *MasterKeys) NewDataKey() (key, wrapped []byte, keyID string, err error) {
	key = make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, nil, "", fmt.Errorf("%w: %w", ErrKey, err)
	}
	wrapped, err = m.wrap(key, m.current)
	return key, wrapped, m.current, err
}

// Unwrap returns the data key wrapped under the master key keyID. A wrapped
// key that does not authenticate is ErrCorrupt; an id not in the ring is
// ErrKey.
func (m *MasterKeys) Unwrap(wrapped []byte, keyID string) ([]byte, error) {
	aead, ok := m.keys[keyID]
	if !ok {
		return nil, fmt.Errorf("%w: master key %q is not configured", ErrKey, keyID)
	}
	ns := aead.NonceSize()
	if len(wrapped) != 1+ns+KeySize+aead.Overhead() || wrapped[0] != wrapVersion {
		return nil, fmt.Errorf("%w: a wrapped data key of the wrong form", ErrCorrupt)
	}
	key, err := aead.Open(nil, wrapped[1:1+ns], wrapped[1+ns:], wrapAAD(keyID))
	if err != nil {
		return nil, fmt.Errorf("%w: the data key does not unwrap with master key %q", ErrCorrupt, keyID)
	}
	return key, nil
}

// Rewrap unwraps a data key and wraps it again with the current master key,
// for key rotation (omahoito keys rotate): the content it encrypts is not
// touched. A key already under the current master key comes back as it is.
func (m *MasterKeys) Rewrap(wrapped []byte, keyID string) (newWrapped []byte, newKeyID string, err error) {
	key, err := m.Unwrap(wrapped, keyID)
	if err != nil {
		return nil, "", err
	}
	if keyID == m.current {
		return wrapped, keyID, nil
	}
	newWrapped, err = m.wrap(key, m.current)
	return newWrapped, m.current, err
}

// wrap seals key under master key id, the id bound in as associated data
// so that a wrapped key cannot be passed off as another key's.
func (m *MasterKeys) wrap(key []byte, id string) ([]byte, error) {
	aead := m.keys[id]
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(key)+aead.Overhead())
	out[0] = wrapVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	return aead.Seal(out, out[1:], key, wrapAAD(id)), nil
}

func wrapAAD(id string) []byte { return []byte("omahoito-data-key/1\x00" + id) }

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	return aead, nil
}

// MasterKeyID names a master key: "k" and the first 16 hex digits of its
// SHA-256, so that the same key gets the same id wherever it is configured.
func MasterKeyID(key []byte) string {
	sum := sha256.Sum256(key)
	return "k" + hex.EncodeToString(sum[:])[:16]
}

// ParseMasterKey reads a master key written as standard base64 (what
// LoadOrCreateMasterKey writes, and the form configuration takes).
func ParseMasterKey(s string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(key) != KeySize {
		return nil, fmt.Errorf("%w: want %d bytes in standard base64", ErrKey, KeySize)
	}
	return key, nil
}

// LoadOrCreateMasterKey reads the development master key at path (base64),
// creating it once when there is none: the directory 0700, the file 0600,
// written to a temporary name and renamed so that a crash leaves no half
// key. A key file that group or others may read or write is refused, not
// corrected: whoever could read it can read every file. It returns the key
// and its MasterKeyID.
func LoadOrCreateMasterKey(path string) (id string, key []byte, err error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if err := createMasterKey(path); err != nil {
			return "", nil, fmt.Errorf("%w: create %s: %w", ErrKey, path, err)
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		return "", nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return "", nil, fmt.Errorf("%w: %s has mode %04o, open to group or others; make it readable by omahoito's user only (chmod 600)", ErrKey, path, perm)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	key, err = ParseMasterKey(string(raw))
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", path, err)
	}
	return MasterKeyID(key), key, nil
}

func createMasterKey(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".master-key-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	err = tmp.Chmod(0o600)
	if err == nil {
		_, err = tmp.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	// A link, unlike a rename, fails when another process created the key
	// first; then its key is the one to use.
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	return nil
}
