package blob

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func mustRing(t *testing.T, current string, keys map[string][]byte) *MasterKeys {
	t.Helper()
	m, err := NewMasterKeys(current, keys)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestRotate rewraps a file's data key under a new master key and reads
// the unchanged content with a ring that no longer holds the old key.
func TestRotate(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		oldKey, newKey := randomBytes(t, KeySize), randomBytes(t, KeySize)
		s = &Store{bucket: s.bucket, dir: s.dir, keys: mustRing(t, "k1", map[string][]byte{"k1": oldKey})}
		data := randomBytes(t, 2*ChunkSize+3)
		w := MustPut(t, s, data)
		before, err := s.bucket.ReadAll(context.Background(), w.FinalKey)
		if err != nil {
			t.Fatal(err)
		}

		both := mustRing(t, "k2", map[string][]byte{"k1": oldKey, "k2": newKey})
		wrapped, id, err := both.Rewrap(w.DataKey, w.MasterKeyID)
		if err != nil || id != "k2" || bytes.Equal(wrapped, w.DataKey) {
			t.Fatalf("Rewrap = %x, %q, %v; want a new wrapping under k2", wrapped, id, err)
		}
		if again, id2, err := both.Rewrap(wrapped, id); err != nil || id2 != "k2" || !bytes.Equal(again, wrapped) {
			t.Errorf("Rewrap of a current key = %q, %v; want it unchanged", id2, err)
		}

		s.keys = mustRing(t, "k2", map[string][]byte{"k2": newKey})
		rotated := w
		rotated.DataKey, rotated.MasterKeyID = wrapped, id
		if got, err := getAll(s, rotated); err != nil || !bytes.Equal(got, data) {
			t.Errorf("Get with the rewrapped key: %d bytes, %v", len(got), err)
		}
		if _, err := getAll(s, w); !errors.Is(err, ErrKey) {
			t.Errorf("Get with the old wrapping after the old key left the ring: %v; want ErrKey", err)
		}
		after, err := s.bucket.ReadAll(context.Background(), w.FinalKey)
		if err != nil || !bytes.Equal(after, before) {
			t.Errorf("rotation changed the content at rest (%v)", err)
		}
	})
}

func TestUnwrapRefuses(t *testing.T) {
	k1, k2 := randomBytes(t, KeySize), randomBytes(t, KeySize)
	ring := mustRing(t, "k1", map[string][]byte{"k1": k1, "k2": k2})
	key, wrapped, id, err := ring.NewDataKey()
	if err != nil || id != "k1" || len(key) != KeySize {
		t.Fatalf("NewDataKey = %d bytes, %q, %v", len(key), id, err)
	}
	if bytes.Contains(wrapped, key) {
		t.Error("the wrapped data key holds the data key")
	}
	if got, err := ring.Unwrap(wrapped, id); err != nil || !bytes.Equal(got, key) {
		t.Fatalf("Unwrap: %v", err)
	}
	flipped := bytes.Clone(wrapped)
	flipped[len(flipped)-1] ^= 1
	for name, c := range map[string]struct {
		wrapped []byte
		id      string
		want    error
	}{
		"changed":          {flipped, id, ErrCorrupt},
		"short":            {wrapped[:10], id, ErrCorrupt},
		"under another id": {wrapped, "k2", ErrCorrupt},
		"unknown id":       {wrapped, "k9", ErrKey},
	} {
		if _, err := ring.Unwrap(c.wrapped, c.id); !errors.Is(err, c.want) {
			t.Errorf("%s: Unwrap: %v; want %v", name, err, c.want)
		}
	}
}

func TestNewMasterKeysRefuses(t *testing.T) {
	good := randomBytes(t, KeySize)
	for name, c := range map[string]struct {
		current string
		keys    map[string][]byte
	}{
		"current missing": {"k2", map[string][]byte{"k1": good}},
		"short key":       {"k1", map[string][]byte{"k1": good[:16]}},
		"empty id":        {"", map[string][]byte{"": good}},
	} {
		if _, err := NewMasterKeys(c.current, c.keys); !errors.Is(err, ErrKey) {
			t.Errorf("%s: %v; want ErrKey", name, err)
		}
	}
}

func TestLoadOrCreateMasterKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "files-master.key")
	id, key, err := LoadOrCreateMasterKey(path)
	if err != nil || len(key) != KeySize || id != MasterKeyID(key) {
		t.Fatalf("create: %q, %d bytes, %v", id, len(key), err)
	}
	for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, %v; want %04o", p, fi.Mode().Perm(), err, want)
		}
	}
	id2, key2, err := LoadOrCreateMasterKey(path)
	if err != nil || id2 != id || !bytes.Equal(key2, key) {
		t.Errorf("load again: %q, %v; want the same key", id2, err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateMasterKey(path); !errors.Is(err, ErrKey) {
		t.Errorf("a key file open to the group: %v; want ErrKey", err)
	}
	if err := os.WriteFile(path, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateMasterKey(path); !errors.Is(err, ErrKey) {
		t.Errorf("a malformed key file: %v; want ErrKey", err)
	}
}
