package exchange

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash"
	"io"
	"strings"
	"time"
)

// maxArchive is the largest archive the format allows: it has no zip64,
// so every size and offset fits in 32 bits. The writer keeps room for the
// manifest below it.
const (
	maxArchive   = 1<<32 - 1
	maxDataBytes = maxArchive - 64<<20
)

// Header is what a [Writer] puts in the manifest beside the entries.
type Header struct {
	ID           string    // random when empty
	Created      time.Time // now when zero; kept to the second, in UTC
	Source       Source    // required: Region at least
	TargetRegion string    // optional
	Person       string    // required: the person's id on the platform
}

// newline ends each NDJSON line; a variable so that no line allocates.
var newline = []byte{'\n'}

// Writer makes a package: data entries one after another, each streamed
// and digested on the way, then the manifest and its signature on Close.
// An error from any method leaves the Writer failed: Close returns that
// error and the output is to be thrown away.
type Writer struct {
	zw     *zip.Writer
	out    *countWriter
	key    ed25519.PrivateKey
	m      Manifest
	seen   map[string]bool // entry names, case folded
	stored hashCount       // the current entry's bytes as stored
	comp   *stage          // the current entry's compressor
	err    error
	closed bool
}

// NewWriter starts a package on w signed with key, the source region's
// signing key. Close finishes the package; it does not close w.
func NewWriter(w io.Writer, h Header, key ed25519.PrivateKey) (*Writer, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, invalid("signing key is not an ed25519 private key")
	}
	if h.Person == "" || h.Source.Region == "" {
		return nil, invalid("header needs the person and the source region")
	}
	if h.ID == "" {
		h.ID = rand.Text()
	} else if !isFileID(h.ID) {
		return nil, invalid("package id %q: letters, digits, '.', '_' and '-' only", h.ID)
	}
	if h.Created.IsZero() {
		h.Created = time.Now()
	}
	pw := &Writer{
		out:  &countWriter{w: w},
		key:  key,
		seen: map[string]bool{},
		m: Manifest{
			Format: FormatVersion, ID: h.ID, Created: h.Created.UTC().Truncate(time.Second),
			Source: h.Source, TargetRegion: h.TargetRegion, Person: h.Person,
			Counts: map[string]int64{}, Entries: []Entry{},
		},
	}
	pw.stored.h = sha256.New()
	pw.zw = zip.NewWriter(pw.out)
	// The compressors tee what they store into pw.stored, so that the
	// manifest can sign the stored bytes too (deflate has padding bits
	// that no content digest sees).
	pw.zw.RegisterCompressor(zip.Store, func(out io.Writer) (io.WriteCloser, error) {
		pw.comp = &stage{out: io.MultiWriter(out, &pw.stored)}
		return pw.comp, nil
	})
	pw.zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		fw, err := flate.NewWriter(io.MultiWriter(out, &pw.stored), flate.DefaultCompression)
		pw.comp = &stage{out: fw, closer: fw}
		return pw.comp, err
	})
	return pw, nil
}

// Add writes the entry name (<Type>.ndjson or files/<id>) with the bytes
// of r. An NDJSON entry's lines are counted and it must end with "\n".
func (w *Writer) Add(name string, r io.Reader) error {
	ew, err := w.begin(name)
	if err != nil {
		return err
	}
	_, err = io.Copy(ew, r)
	return w.end(ew, err)
}

// AddFile writes the content of the file id as files/<id>.
func (w *Writer) AddFile(id string, r io.Reader) error {
	return w.Add(FileName(id), r)
}

// AddNDJSON writes <resourceType>.ndjson: each calls emit once per
// resource, in order, with its JSON on one line (as encoding/json writes
// it). emit refuses anything that is not one line of valid JSON.
func (w *Writer) AddNDJSON(resourceType string, each func(emit func(resource []byte) error) error) error {
	if !isResourceType(resourceType) {
		return w.fail(invalid("resource type %q", resourceType))
	}
	ew, err := w.begin(NDJSONName(resourceType))
	if err != nil {
		return err
	}
	err = each(func(res []byte) error {
		if len(res) == 0 || bytes.ContainsAny(res, "\r\n") || !json.Valid(res) {
			return invalid("%s line %d is not one line of JSON", ew.name, ew.lines+1)
		}
		if _, err := ew.Write(res); err != nil {
			return err
		}
		_, err := ew.Write(newline)
		return err
	})
	return w.end(ew, err)
}

// Close writes manifest.json and manifest.jws and ends the archive.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	body, err := json.Marshal(w.m)
	if err != nil {
		return w.fail(err)
	}
	sig, err := sign(body, w.key)
	if err != nil {
		return w.fail(err)
	}
	for _, e := range []struct {
		name string
		data []byte
	}{{ManifestName, body}, {SignatureName, sig}} {
		zf, err := w.zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Store})
		if err == nil {
			_, err = zf.Write(e.data)
		}
		if err != nil {
			return w.fail(err)
		}
	}
	if err := w.zw.Close(); err != nil {
		return w.fail(err)
	}
	if w.out.n > maxArchive {
		return w.fail(tooLarge("package of %d bytes needs zip64, which the format does not have", w.out.n))
	}
	return nil
}

func (w *Writer) fail(err error) error {
	if w.err == nil {
		w.err = err
	}
	return err
}

// begin starts the entry name, compressing NDJSON and storing files
// (mostly JPEG, PDF and HEIC, which deflate does not shrink).
func (w *Writer) begin(name string) (*entryWriter, error) {
	if w.err != nil {
		return nil, w.err
	}
	if w.closed {
		return nil, w.fail(errors.New("exchange: Add after Close"))
	}
	if err := checkName(name); err != nil {
		return nil, w.fail(invalid("entry %q: %v", name, err))
	}
	if fold := strings.ToLower(name); w.seen[fold] {
		return nil, w.fail(invalid("entry %q added twice", name))
	} else {
		w.seen[fold] = true
	}
	_, ndjson := ResourceType(name)
	method := zip.Store
	if ndjson {
		method = zip.Deflate
	}
	w.stored.h.Reset()
	w.stored.n = 0
	zf, err := w.zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
	if err != nil {
		return nil, w.fail(err)
	}
	return &entryWriter{w: w, zf: zf, name: name, ndjson: ndjson, sum: sha256.New()}, nil
}

// end finishes the entry ew (or fails with err) and records it in the
// manifest.
func (w *Writer) end(ew *entryWriter, err error) error {
	if err == nil {
		err = w.comp.Close() // flushes the compressor, so stored is whole
	}
	if err == nil && ew.ndjson && ew.n > 0 && ew.last != '\n' {
		err = invalid("%s does not end with a newline", ew.name)
	}
	if err != nil {
		return w.fail(err)
	}
	if ew.ndjson {
		t, _ := ResourceType(ew.name)
		w.m.Counts[t] = ew.lines
	}
	w.m.Entries = append(w.m.Entries, Entry{
		Name: ew.name, Size: ew.n, SHA256: hex.EncodeToString(ew.sum.Sum(nil)),
		StoredSize: w.stored.n, StoredSHA256: hex.EncodeToString(w.stored.h.Sum(nil)),
	})
	return nil
}

// entryWriter digests, counts and passes on the content of one entry.
type entryWriter struct {
	w      *Writer
	zf     io.Writer
	name   string
	ndjson bool
	sum    hash.Hash
	n      int64
	lines  int64
	last   byte
}

func (ew *entryWriter) Write(p []byte) (int, error) {
	if ew.w.out.n+int64(len(p)) > maxDataBytes {
		return 0, tooLarge("package over %d bytes, which needs zip64", int64(maxDataBytes))
	}
	n, err := ew.zf.Write(p)
	ew.sum.Write(p[:n])
	ew.n += int64(n)
	ew.lines += int64(bytes.Count(p[:n], []byte{'\n'}))
	if n > 0 {
		ew.last = p[n-1]
	}
	return n, err
}

// stage is an entry's compressor (or the identity) that may be closed
// early by the Writer and again by archive/zip.
type stage struct {
	out    io.Writer
	closer io.Closer
	closed bool
}

func (s *stage) Write(p []byte) (int, error) { return s.out.Write(p) }

func (s *stage) Close() error {
	if s.closed || s.closer == nil {
		s.closed = true
		return nil
	}
	s.closed = true
	return s.closer.Close()
}

// hashCount digests and counts what is written to it.
type hashCount struct {
	h hash.Hash
	n int64
}

func (c *hashCount) Write(p []byte) (int, error) {
	c.h.Write(p)
	c.n += int64(len(p))
	return len(p), nil
}

// countWriter counts the bytes of the archive.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
