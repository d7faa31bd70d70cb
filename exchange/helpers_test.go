package exchange

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"sync/atomic"
	"testing"
	"time"
)

var (
	kainuu = Source{Deployment: "north", Region: "kainuu"}
	oulu   = Source{Deployment: "north", Region: "oulu"}
)

// MustKey is a fixed ed25519 key made from seed.
func MustKey(tb testing.TB, seed byte) ed25519.PrivateKey {
	tb.Helper()
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

// trustOf trusts key for src.
func trustOf(src Source, key ed25519.PrivateKey) TrustedKeys {
	t := TrustedKeys{}
	t.Add(src, key.Public().(ed25519.PublicKey))
	return t
}

func testHeader() Header {
	return Header{
		ID: "pkg-1", Created: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
		Source: kainuu, TargetRegion: "oulu", Person: "person-42",
	}
}

// MustWrite makes a package with the real Writer, fill adding its entries.
func MustWrite(tb testing.TB, key ed25519.PrivateKey, fill func(w *Writer) error) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, testHeader(), key)
	if err != nil {
		tb.Fatal(err)
	}
	if err := fill(w); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// smallPackage has an entry of every kind: deflated NDJSON of several
// lines, an empty NDJSON, a stored file, an empty file.
func smallPackage(w *Writer) error {
	if err := w.AddNDJSON("Patient", func(emit func([]byte) error) error {
		return emit([]byte(`{"resourceType":"Patient","id":"person-42"}`))
	}); err != nil {
		return err
	}
	if err := w.AddNDJSON("Observation", func(emit func([]byte) error) error {
		for _, v := range []string{"120", "131", "118"} {
			if err := emit([]byte(`{"resourceType":"Observation","valueQuantity":{"value":` + v + `}}`)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	if err := w.AddNDJSON("Consent", func(func([]byte) error) error { return nil }); err != nil {
		return err
	}
	if err := w.AddFile("f1", bytes.NewReader([]byte("a short letter from the clinic\n"))); err != nil {
		return err
	}
	return w.AddFile("f2", bytes.NewReader(nil))
}

func openBytes(b []byte, trusted TrustedKeys, lim Limits) (*Package, error) {
	return Open(bytes.NewReader(b), int64(len(b)), trusted, lim)
}

// part is one entry of a package crafted by hand, as an attacker or a
// broken exporter might make it.
type part struct {
	name    string
	content []byte
	deflate bool
	hidden  bool                  // left out of the manifest
	lie     func(*zip.FileHeader) // changes what the directory claims
}

// craft writes parts in the canonical zip form with a manifest describing
// them (changed by edit, then by editBody) signed by key.
func craft(tb testing.TB, parts []part, key ed25519.PrivateKey, edit func(*Manifest), editBody func([]byte) []byte) []byte {
	tb.Helper()
	return craftAll(tb, parts, nil, key, edit, editBody)
}

// craftWith is craft with stored as the first part's stored bytes
// (a bomb, say), whatever its content.
func craftWith(tb testing.TB, parts []part, stored []byte, key ed25519.PrivateKey) []byte {
	tb.Helper()
	return craftAll(tb, parts, stored, key, nil, nil)
}

func craftAll(tb testing.TB, parts []part, first []byte, key ed25519.PrivateKey, edit func(*Manifest), editBody func([]byte) []byte) []byte {
	tb.Helper()
	h := testHeader()
	m := Manifest{Format: FormatVersion, ID: h.ID, Created: h.Created, Source: h.Source,
		TargetRegion: h.TargetRegion, Person: h.Person, Counts: map[string]int64{}, Entries: []Entry{}}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i, p := range parts {
		stored := storedBytes(tb, p)
		if i == 0 && first != nil {
			stored = first
		}
		fh := rawEntry(tb, zw, p, stored)
		if p.hidden {
			continue
		}
		m.Entries = append(m.Entries, Entry{Name: p.name, Size: int64(fh.UncompressedSize64), SHA256: hexSum(p.content),
			StoredSize: int64(fh.CompressedSize64), StoredSHA256: hexSum(stored)})
		if t, ok := ResourceType(p.name); ok {
			m.Counts[t] = int64(bytes.Count(p.content, []byte{'\n'}))
		}
	}
	if edit != nil {
		edit(&m)
	}
	body, err := json.Marshal(m)
	if err != nil {
		tb.Fatal(err)
	}
	if editBody != nil {
		body = editBody(body)
	}
	sig, err := sign(body, key)
	if err != nil {
		tb.Fatal(err)
	}
	rawEntry(tb, zw, part{name: ManifestName, content: body}, body)
	rawEntry(tb, zw, part{name: SignatureName, content: sig}, sig)
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func rawEntry(tb testing.TB, zw *zip.Writer, p part, stored []byte) *zip.FileHeader {
	tb.Helper()
	fh := &zip.FileHeader{Name: p.name, Method: zip.Store, Flags: flagDesc, CreatorVersion: zipVersion, ReaderVersion: zipVersion,
		CRC32: crc32.ChecksumIEEE(p.content), CompressedSize64: uint64(len(stored)), UncompressedSize64: uint64(len(p.content))}
	if p.deflate {
		fh.Method = zip.Deflate
	}
	if p.lie != nil {
		p.lie(fh)
	}
	w, err := zw.CreateRaw(fh)
	if err == nil {
		_, err = w.Write(stored)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return fh
}

func storedBytes(tb testing.TB, p part) []byte {
	tb.Helper()
	if !p.deflate {
		return p.content
	}
	return deflate(tb, bytes.NewReader(p.content), flate.BestCompression)
}

func deflate(tb testing.TB, r io.Reader, level int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, level)
	if _, err := io.Copy(fw, r); err != nil {
		tb.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// validParts is what craft makes a good package of.
func validParts() []part {
	return []part{
		{name: "Patient.ndjson", content: []byte(`{"resourceType":"Patient"}` + "\n"), deflate: true},
		{name: "files/f1", content: []byte("content of a file")},
	}
}

// countingReaderAt counts the bytes read through it.
type countingReaderAt struct {
	r io.ReaderAt
	n atomic.Int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

// isRefusal reports whether err is one of the package's own refusals.
func isRefusal(err error) bool {
	return errors.Is(err, ErrInvalid) || errors.Is(err, ErrTampered) || errors.Is(err, ErrUntrusted)
}
