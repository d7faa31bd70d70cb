package exchange

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestRoundTrip writes NDJSON of every resource type, a 5 MB file, a
// small and an empty file, opens the package and reads back the same
// manifest and the same bytes.
func TestRoundTrip(t *testing.T) {
	key := MustKey(t, 1)
	big := make([]byte, 5<<20)
	rand.NewChaCha8([32]byte{7}).Read(big)
	types := []string{"Patient", "Observation", "Consent", "AuditEvent", "DocumentReference"}
	lines := map[string][]string{}
	for i, typ := range types {
		for j := range 1 + i*40 {
			lines[typ] = append(lines[typ], fmt.Sprintf(`{"resourceType":%q,"id":"%s-%d","note":"ä\u2028"}`, typ, strings.ToLower(typ), j))
		}
	}
	files := map[string][]byte{"photo-1": big, "letter.txt": []byte("hello\n"), "empty": nil}
	b := MustWrite(t, key, func(w *Writer) error {
		for _, typ := range types {
			if err := w.AddNDJSON(typ, func(emit func([]byte) error) error {
				for _, l := range lines[typ] {
					if err := emit([]byte(l)); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				return err
			}
		}
		for _, id := range []string{"photo-1", "letter.txt", "empty"} {
			if err := w.AddFile(id, bytes.NewReader(files[id])); err != nil {
				return err
			}
		}
		return nil
	})

	p, err := openBytes(b, trustOf(kainuu, key), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	m := p.Manifest()
	h := testHeader()
	if m.Format != FormatVersion || m.ID != h.ID || !m.Created.Equal(h.Created) || m.Source != kainuu || m.TargetRegion != "oulu" || m.Person != "person-42" {
		t.Errorf("manifest header = %+v", m)
	}
	if p.KeyID() != KeyID(key.Public().(ed25519.PublicKey)) {
		t.Errorf("KeyID = %q", p.KeyID())
	}
	if len(m.Entries) != len(types)+len(files) {
		t.Fatalf("%d entries, want %d", len(m.Entries), len(types)+len(files))
	}
	for _, typ := range types {
		if m.Counts[typ] != int64(len(lines[typ])) {
			t.Errorf("count of %s = %d, want %d", typ, m.Counts[typ], len(lines[typ]))
		}
		var got []string
		if err := p.EachLine(typ, func(l []byte) error { got = append(got, string(l)); return nil }); err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, "\n") != strings.Join(lines[typ], "\n") {
			t.Errorf("%s lines differ: got %d lines", typ, len(got))
		}
	}
	for id, want := range files {
		got := mustReadEntry(t, p, FileName(id))
		if !bytes.Equal(got, want) {
			t.Errorf("file %s: read %d bytes, wrote %d, or other bytes", id, len(got), len(want))
		}
		e, _ := m.Entry(FileName(id))
		if sum := sha256.Sum256(want); e.Size != int64(len(want)) || e.SHA256 != fmt.Sprintf("%x", sum) {
			t.Errorf("manifest entry %+v does not describe the file", e)
		}
	}
	if _, err := p.Open("files/none"); !errors.Is(err, ErrNoEntry) {
		t.Errorf("Open of a missing entry: %v, want ErrNoEntry", err)
	}
}

func mustReadEntry(t *testing.T, p *Package, name string) []byte {
	t.Helper()
	rc, err := p.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return b
}

// TestStandardZip: any zip tool reads a package (here archive/zip),
// the entries in the documented order.
func TestStandardZip(t *testing.T) {
	b := MustWrite(t, MustKey(t, 1), smallPackage)
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, rc); err != nil {
			t.Errorf("%s: %v", f.Name, err)
		}
		rc.Close()
	}
	want := "Patient.ndjson Observation.ndjson Consent.ndjson files/f1 files/f2 manifest.json manifest.jws"
	if strings.Join(names, " ") != want {
		t.Errorf("entries %v, want %s", names, want)
	}
}

// TestCraftedValid: the hand-made packages of the attack tests are
// accepted when nothing is wrong with them, so that each refusal below
// is for the one thing changed.
func TestCraftedValid(t *testing.T) {
	key := MustKey(t, 1)
	if _, err := openBytes(craft(t, validParts(), key, nil, nil), trustOf(kainuu, key), Limits{}); err != nil {
		t.Fatal(err)
	}
}

// TestWriterRefuses: the writer does not make a package the reader
// would refuse, and a failed writer does not finish the package.
func TestWriterRefuses(t *testing.T) {
	key := MustKey(t, 1)
	cases := map[string]func(w *Writer) error{
		"a line that is not JSON": func(w *Writer) error {
			return w.AddNDJSON("Observation", func(emit func([]byte) error) error { return emit([]byte(`{"a":`)) })
		},
		"two lines as one resource": func(w *Writer) error {
			return w.AddNDJSON("Observation", func(emit func([]byte) error) error { return emit([]byte("{}\n{}")) })
		},
		"NDJSON without its last newline": func(w *Writer) error {
			return w.Add("Observation.ndjson", strings.NewReader("{}\n{}"))
		},
		"the same entry twice": func(w *Writer) error {
			if err := w.AddFile("a", strings.NewReader("x")); err != nil {
				return err
			}
			return w.AddFile("A", strings.NewReader("y"))
		},
		"a path-traversal name":  func(w *Writer) error { return w.Add("files/../../etc/passwd", strings.NewReader("x")) },
		"a name of the manifest": func(w *Writer) error { return w.Add(ManifestName, strings.NewReader("{}")) },
		"a bad resource type":    func(w *Writer) error { return w.AddNDJSON("../x", func(func([]byte) error) error { return nil }) },
	}
	for name, fill := range cases {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewWriter(&buf, testHeader(), key)
			if err != nil {
				t.Fatal(err)
			}
			if err := fill(w); !errors.Is(err, ErrInvalid) {
				t.Errorf("add: %v, want ErrInvalid", err)
			}
			if err := w.Close(); !errors.Is(err, ErrInvalid) {
				t.Errorf("Close after a failed add: %v, want the same error", err)
			}
			if _, err := openBytes(buf.Bytes(), trustOf(kainuu, key), Limits{}); err == nil {
				t.Error("the output of a failed writer opens as a package")
			}
		})
	}
	if _, err := NewWriter(io.Discard, Header{Source: kainuu}, key); !errors.Is(err, ErrInvalid) {
		t.Errorf("header without person: %v", err)
	}
}

// TestCreatedDefaults: a writer without a time or id sets both.
func TestCreatedDefaults(t *testing.T) {
	key := MustKey(t, 1)
	var buf bytes.Buffer
	w, err := NewWriter(&buf, Header{Source: kainuu, Person: "p"}, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	p, err := openBytes(buf.Bytes(), trustOf(kainuu, key), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	m := p.Manifest()
	if m.ID == "" || time.Since(m.Created) > time.Minute || len(m.Entries) != 0 {
		t.Errorf("manifest %+v", m)
	}
}
