package audit_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/omahoito/omahoito/audit"
)

// TestPublicKeyFiles: a public key written by EncodePublicKey reads back
// with the same KeyID, several to a file; a private key, a key of another
// kind or a file without PEM is refused.
func TestPublicKeyFiles(t *testing.T) {
	a, b := testKey(t), testKey(t)
	var file []byte
	for _, k := range []ed25519.PrivateKey{a, b} {
		p, err := audit.EncodePublicKey(k.Public().(ed25519.PublicKey))
		if err != nil {
			t.Fatal(err)
		}
		file = append(file, p...)
	}
	path := filepath.Join(t.TempDir(), "audit-keys.pem")
	if err := os.WriteFile(path, file, 0o644); err != nil {
		t.Fatal(err)
	}
	pubs, err := audit.ReadPublicKeys(path)
	if err != nil || len(pubs) != 2 {
		t.Fatalf("ReadPublicKeys = %d keys, %v", len(pubs), err)
	}
	got, want := audit.PublicKeyMap(pubs...), audit.PublicKeys(a, b)
	for id, pub := range want {
		if !bytes.Equal(got[id], pub) {
			t.Errorf("key %s did not read back", id)
		}
	}

	der, _ := x509.MarshalPKCS8PrivateKey(a)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	for name, raw := range map[string][]byte{
		"private key": pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		"ecdsa":       pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: ecDER}),
		"no PEM":      []byte("not a key\n"),
	} {
		if _, err := audit.ParsePublicKeys(raw); !errors.Is(err, audit.ErrKey) {
			t.Errorf("%s: err %v, want ErrKey", name, err)
		}
	}
}

// TestVerifyWithPublicKeysOnly: the keys an auditor holds verify a
// checkpoint by any of them, and a checkpoint by a key not among them is
// a bad signature.
func TestVerifyWithPublicKeysOnly(t *testing.T) {
	old, current := testKey(t), testKey(t)
	s := written(t, old, 5)
	l := audit.NewLog(s, current, audit.Options{Logger: quietLog()})
	mustAppend(t, l, entry("kainuu", "person-1", 6))
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	pub := func(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }
	rep, err := audit.Verify(context.Background(), s, "kainuu", audit.PublicKeyMap(pub(old), pub(current)))
	if err != nil || rep.Problem != nil {
		t.Fatalf("old and current keys: %+v, %v", rep, err)
	}
	rep, err = audit.Verify(context.Background(), s, "kainuu", audit.PublicKeyMap(pub(old)))
	if err != nil {
		t.Fatal(err)
	}
	wantProblem(t, rep, 6, audit.BadSignature)
}
