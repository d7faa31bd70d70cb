package exchange

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"errors"
	"io"
	"strings"
	"testing"
)

// TestEveryByteChanged changes a small package at every position, each
// in three ways (the lowest bit, the highest, all eight), and requires
// every one to be refused by Open with one of its errors, never a panic:
// no byte of the archive, not the zip headers, the deflate padding, the
// manifest or the JWS, can change unnoticed.
func TestEveryByteChanged(t *testing.T) {
	key := MustKey(t, 1)
	good := MustWrite(t, key, smallPackage)
	trusted := trustOf(kainuu, key)
	if _, err := openBytes(good, trusted, Limits{}); err != nil {
		t.Fatal(err)
	}
	t.Logf("a package of %d bytes", len(good))
	b := make([]byte, len(good))
	for i := range good {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			copy(b, good)
			b[i] ^= mask
			_, err := openBytes(b, trusted, Limits{})
			if err == nil {
				t.Errorf("byte %d ^ %#02x: the changed package opens", i, mask)
			} else if !isRefusal(err) {
				t.Errorf("byte %d ^ %#02x: %v, not a refusal of the package", i, mask, err)
			}
		}
	}
}

// TestTruncated: a package cut short anywhere, or with bytes after its
// end, is invalid.
func TestTruncated(t *testing.T) {
	key := MustKey(t, 1)
	good := MustWrite(t, key, smallPackage)
	for n := range len(good) {
		if _, err := openBytes(good[:n], trustOf(kainuu, key), Limits{}); !isRefusal(err) {
			t.Fatalf("cut to %d of %d bytes: %v", n, len(good), err)
		}
	}
	if _, err := openBytes(append(good[:len(good):len(good)], 0), trustOf(kainuu, key), Limits{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("a byte after the end: %v", err)
	}
	// A caller that claims more bytes than there are gets an error too.
	if _, err := Open(bytes.NewReader(good), int64(len(good))+10, trustOf(kainuu, key), Limits{}); err == nil {
		t.Error("a size beyond the data opens")
	}
}

// TestUntrusted: a package signed by a key not trusted, or trusted for
// another region, is refused as untrusted; so is a manifest edited and
// signed again by a key of the attacker's.
func TestUntrusted(t *testing.T) {
	key, other := MustKey(t, 1), MustKey(t, 2)
	good := MustWrite(t, key, smallPackage)
	for name, trusted := range map[string]TrustedKeys{
		"no trusted keys":                     {},
		"another key":                         trustOf(kainuu, other),
		"the key, trusted for another region": trustOf(oulu, key),
		"the key, for another deployment":     trustOf(Source{Deployment: "south", Region: "kainuu"}, key),
	} {
		if _, err := openBytes(good, trusted, Limits{}); !errors.Is(err, ErrUntrusted) {
			t.Errorf("%s: %v, want ErrUntrusted", name, err)
		}
	}
	resigned := craft(t, validParts(), other, func(m *Manifest) { m.Person = "someone-else" }, nil)
	trusted := trustOf(kainuu, key)
	if _, err := openBytes(resigned, trusted, Limits{}); !errors.Is(err, ErrUntrusted) {
		t.Errorf("manifest re-signed by an untrusted key: %v, want ErrUntrusted", err)
	}
	// Both keys trusted, each for its own region: the attacker's region
	// cannot speak for Kainuu.
	trusted.Add(oulu, other.Public().(ed25519.PublicKey))
	if _, err := openBytes(resigned, trusted, Limits{}); !errors.Is(err, ErrUntrusted) {
		t.Errorf("manifest naming Kainuu signed by Oulu's key: %v, want ErrUntrusted", err)
	}
}

// TestStructure: hand-made packages signed by the trusted key whose
// entries do not match their manifest, or whose names are unsafe, are
// invalid, and the error says what is wrong.
func TestStructure(t *testing.T) {
	key := MustKey(t, 1)
	file := func(name, content string) part { return part{name: name, content: []byte(content)} }
	cases := []struct {
		name  string
		parts []part
		edit  func(*Manifest)
		want  string
	}{
		{"an extra entry", append(validParts(), part{name: "files/extra", content: []byte("x"), hidden: true}), nil, "not in the manifest"},
		{"a missing entry", validParts(), func(m *Manifest) {
			m.Entries = append(m.Entries, Entry{Name: "files/gone", SHA256: hexSum(nil), StoredSHA256: hexSum(nil)})
		}, "missing"},
		{"a duplicate name", append(validParts(), file("files/f1", "content of a file")), nil, "duplicate"},
		{"names differing in case only", append(validParts(), file("files/F1", "other")), nil, "duplicate"},
		{"entries out of order", []part{file("files/b", "b"), file("files/a", "a")}, func(m *Manifest) {
			m.Entries[0], m.Entries[1] = m.Entries[1], m.Entries[0]
		}, "order"},
		{"a count without its entry", validParts(), func(m *Manifest) { m.Counts["Consent"] = 0 }, "Consent"},
		{"NDJSON without a count", validParts(), func(m *Manifest) { delete(m.Counts, "Patient") }, "counts no lines"},
		{"a manifest entry in the data", append(validParts(), file(ManifestName, "{}")), nil, "neither"},
	}
	for _, name := range []string{"../escape", "files/../../etc/passwd", "/etc/passwd", `files\evil`, "files/a\x00b", "files/a\nb", "files//x", "files/.hidden", "Patient.ndjson/x", "C:evil.ndjson", "files/a/b"} {
		cases = append(cases, struct {
			name  string
			parts []part
			edit  func(*Manifest)
			want  string
		}{"unsafe name " + strings.ReplaceAll(name, "\x00", `\0`), append(validParts(), file(name, "x")), nil, "name"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := openBytes(craft(t, c.parts, key, c.edit, nil), trustOf(kainuu, key), Limits{})
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%v, want ErrInvalid saying %q", err, c.want)
			}
		})
	}
}

// TestSignedButWrong: a manifest the trusted key signed is still refused
// when it is of another format version, not canonical, or says other
// than the entries hold.
func TestSignedButWrong(t *testing.T) {
	key := MustKey(t, 1)
	cases := []struct {
		name     string
		parts    []part
		edit     func(*Manifest)
		editBody func([]byte) []byte
		want     error
		says     string
	}{
		{"format version 2", validParts(), func(m *Manifest) { m.Format = 2 }, nil, ErrInvalid, "format version 2"},
		{"space in the manifest", validParts(), nil, func(b []byte) []byte { return append(b, ' ') }, ErrInvalid, "canonical"},
		{"keys reordered", validParts(), nil, func(b []byte) []byte {
			return bytes.Replace(b, []byte(`{"format":1,"id":"pkg-1",`), []byte(`{"id":"pkg-1","format":1,`), 1)
		}, ErrInvalid, "canonical"},
		{"an unknown field", validParts(), nil, func(b []byte) []byte {
			return bytes.Replace(b, []byte(`{"format":1,`), []byte(`{"format":1,"extra":true,`), 1)
		}, ErrInvalid, "extra"},
		{"another digest", validParts(), func(m *Manifest) { m.Entries[1].SHA256 = hexSum([]byte("other")) }, nil, ErrTampered, "SHA-256"},
		{"another size", validParts(), func(m *Manifest) { m.Entries[1].Size++ }, nil, ErrTampered, "files/f1"},
		{"another line count", validParts(), func(m *Manifest) { m.Counts["Patient"] = 2 }, nil, ErrTampered, "lines"},
		{"NDJSON without its last newline", []part{{name: "Patient.ndjson", content: []byte("{}\n{}"), deflate: true}}, nil, nil, ErrInvalid, "newline"},
		{"a wrong CRC", []part{{name: "files/f", content: []byte("abc"), lie: func(fh *zip.FileHeader) { fh.CRC32++ }}}, nil, nil, ErrTampered, "CRC"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := openBytes(craft(t, c.parts, key, c.edit, c.editBody), trustOf(kainuu, key), Limits{})
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.says) {
				t.Errorf("%v, want %v saying %q", err, c.want, c.says)
			}
		})
	}
}

// TestChangedAfterOpen: a package whose bytes change after Open verified
// them (a file on disk rewritten) is caught again by Package.Open's
// reader at the end of the entry.
func TestChangedAfterOpen(t *testing.T) {
	key := MustKey(t, 1)
	b := MustWrite(t, key, smallPackage)
	p, err := openBytes(b, trustOf(kainuu, key), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, []byte("a short letter"))
	b[i] = 'A'
	rc, err := p.Open("files/f1")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if _, err := io.ReadAll(rc); !errors.Is(err, ErrTampered) {
		t.Errorf("reading the changed entry: %v, want ErrTampered", err)
	}
}

// TestSignatureEncoding: a JWS whose signature is re-encoded with other
// padding bits (the same signature bytes to a lenient decoder) is
// refused, even with the zip's CRC fixed to match as an attacker would.
func TestSignatureEncoding(t *testing.T) {
	key := MustKey(t, 1)
	good := MustWrite(t, key, smallPackage)
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	b := replaceEntry(t, good, SignatureName, func(sig []byte) []byte {
		last := strings.IndexByte(alphabet, sig[len(sig)-1])
		return append(sig[:len(sig)-1:len(sig)-1], alphabet[last^1])
	})
	if _, err := openBytes(b, trustOf(kainuu, key), Limits{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("signature with padding bits set: %v, want ErrInvalid", err)
	}
}

// replaceEntry rewrites the package b with the content of entry name
// changed by edit, every header and CRC made to agree with it.
func replaceEntry(tb testing.TB, b []byte, name string, edit func([]byte) []byte) []byte {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if f.Name != name {
			if err := zw.Copy(f); err != nil {
				tb.Fatal(err)
			}
			continue
		}
		rc, err := f.Open()
		if err != nil {
			tb.Fatal(err)
		}
		content, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			tb.Fatal(err)
		}
		content = edit(content)
		rawEntry(tb, zw, part{name: name, content: content}, content)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
