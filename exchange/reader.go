package exchange

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"strings"
)

// ErrNoEntry is a name that is not an entry of the package.
var ErrNoEntry = errors.New("no such entry in the transfer package")

// MaxLine bounds one NDJSON line that [Package.EachLine] reads.
const MaxLine = 16 << 20

// Package is a transfer package that [Open] has verified.
type Package struct {
	r     io.ReaderAt
	m     Manifest
	kid   string
	byKey map[string]int // entry name -> index in zs and m.Entries
	zs    []zent
}

// Open verifies the package of size bytes in r against trusted and
// limits (zero fields take [DefaultLimits]) and returns it only when it
// holds: see the package documentation for what is checked. It reads
// every entry once. Errors wrap ErrUntrusted, ErrTampered or ErrInvalid
// (with ErrTooLarge), saying what and where.
func Open(r io.ReaderAt, size int64, trusted TrustedKeys, limits Limits) (*Package, error) {
	lim := limits.withDefaults()
	zs, err := readLayout(r, size, lim)
	if err != nil {
		return nil, err
	}
	data := zs[:len(zs)-2]
	if err := checkNames(data); err != nil {
		return nil, err
	}
	body, sig, err := readManifest(r, zs[len(zs)-2], zs[len(zs)-1], lim)
	if err != nil {
		return nil, err
	}
	tk, err := verify(sig, body, trusted)
	if err != nil {
		return nil, err
	}
	m, err := parseManifest(body)
	if err != nil {
		return nil, err
	}
	if m.Source != tk.Source {
		return nil, fmt.Errorf("%w: key %q is trusted for region %q of deployment %q; the manifest says region %q of %q",
			ErrUntrusted, KeyID(tk.Key), tk.Source.Region, tk.Source.Deployment, m.Source.Region, m.Source.Deployment)
	}
	if err := matchEntries(m, data); err != nil {
		return nil, err
	}
	p := &Package{r: r, m: m, kid: KeyID(tk.Key), zs: data, byKey: make(map[string]int, len(data))}
	for i, z := range data {
		p.byKey[z.name] = i
	}
	if err := p.verifyAll(); err != nil {
		return nil, err
	}
	return p, nil
}

// Manifest is the package's verified manifest.
func (p *Package) Manifest() Manifest {
	m := p.m
	m.Entries = append([]Entry(nil), p.m.Entries...)
	m.Counts = make(map[string]int64, len(p.m.Counts))
	for k, v := range p.m.Counts {
		m.Counts[k] = v
	}
	return m
}

// KeyID names the trusted key that signed the package.
func (p *Package) KeyID() string { return p.kid }

// Open streams the content of the entry name. It checks the content
// again as it passes: at the end the reader returns an ErrTampered error
// instead of io.EOF if what was read differs from the manifest (the
// bytes under r changed since Open).
func (p *Package) Open(name string) (io.ReadCloser, error) {
	i, ok := p.byKey[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNoEntry, name)
	}
	return newEntryReader(p.r, p.zs[i], p.m.Entries[i]), nil
}

// EachLine calls fn with every line (without its newline) of the NDJSON
// of resourceType, in order; a type the package does not hold has no
// lines. line is valid only during the call.
func (p *Package) EachLine(resourceType string, fn func(line []byte) error) error {
	rc, err := p.Open(NDJSONName(resourceType))
	if errors.Is(err, ErrNoEntry) {
		return nil
	}
	if err != nil {
		return err
	}
	defer rc.Close()
	sc := bufio.NewScanner(rc)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLine)
	for sc.Scan() {
		if err := fn(sc.Bytes()); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", NDJSONName(resourceType), err)
	}
	return nil
}

// checkNames refuses unsafe and duplicate names before anything else is
// read: on a case-insensitive file system two names that differ only in
// case are one.
func checkNames(zs []zent) error {
	seen := make(map[string]bool, len(zs))
	for i, z := range zs {
		if err := checkName(z.name); err != nil {
			return invalid("entry %d %q: %v", i, z.name, err)
		}
		fold := strings.ToLower(z.name)
		if seen[fold] {
			return invalid("entry %d %q: duplicate entry name", i, z.name)
		}
		seen[fold] = true
	}
	return nil
}

// readManifest reads manifest.json and manifest.jws, the last two
// entries, stored uncompressed so that every byte of them is signed or
// checked.
func readManifest(r io.ReaderAt, mz, sz zent, lim Limits) (body, sig []byte, err error) {
	if mz.name != ManifestName || sz.name != SignatureName {
		return nil, nil, invalid("the last two entries are %q and %q, not %s and %s", mz.name, sz.name, ManifestName, SignatureName)
	}
	if mz.method != zip.Store || sz.method != zip.Store {
		return nil, nil, invalid("%s and %s must be stored, not compressed", ManifestName, SignatureName)
	}
	if mz.usize > lim.MaxManifest {
		return nil, nil, tooLarge("%s of %d bytes, more than %d", ManifestName, mz.usize, lim.MaxManifest)
	}
	if sz.usize > maxJWS {
		return nil, nil, tooLarge("%s of %d bytes, more than %d", SignatureName, sz.usize, maxJWS)
	}
	if body, err = readStored(r, mz); err == nil {
		sig, err = readStored(r, sz)
	}
	return body, sig, err
}

func readStored(r io.ReaderAt, z zent) ([]byte, error) {
	b := make([]byte, z.usize)
	if _, err := r.ReadAt(b, z.data); err != nil {
		return nil, readErr(z.name, err)
	}
	if crc32.ChecksumIEEE(b) != z.crc {
		return nil, tampered("%s: CRC-32 differs", z.name)
	}
	return b, nil
}

// parseManifest decodes a signed manifest of a known format version,
// refusing unknown fields and any form but the canonical one.
func parseManifest(body []byte) (Manifest, error) {
	var v struct {
		Format int `json:"format"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return Manifest{}, invalid("%s: %v", ManifestName, err)
	}
	if v.Format != FormatVersion {
		return Manifest{}, invalid("%s: format version %d; this omahoito reads version %d", ManifestName, v.Format, FormatVersion)
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil || dec.More() {
		return Manifest{}, invalid("%s: not a version %d manifest: %v", ManifestName, FormatVersion, err)
	}
	if again, err := json.Marshal(m); err != nil || !bytes.Equal(again, body) {
		return Manifest{}, invalid("%s is not in canonical form", ManifestName)
	}
	if m.ID == "" || m.Person == "" || m.Source.Region == "" {
		return Manifest{}, invalid("%s lacks the package id, the person or the source region", ManifestName)
	}
	for _, e := range m.Entries {
		if !isHexSHA256(e.SHA256) || !isHexSHA256(e.StoredSHA256) {
			return Manifest{}, invalid("%s: entry %q: a digest that is not 64 lowercase hex digits", ManifestName, e.Name)
		}
	}
	return m, nil
}

func isHexSHA256(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == sha256.Size && hex.EncodeToString(b) == s
}

// matchEntries checks that the archive holds exactly the manifest's
// entries, in its order, of its sizes, and that every NDJSON entry has its
// count and every count its entry.
func matchEntries(m Manifest, zs []zent) error {
	inZip := make(map[string]bool, len(zs))
	for _, z := range zs {
		inZip[z.name] = true
	}
	inManifest := make(map[string]bool, len(m.Entries))
	for _, e := range m.Entries {
		if inManifest[e.Name] {
			return invalid("%s names entry %q twice", ManifestName, e.Name)
		}
		inManifest[e.Name] = true
		if !inZip[e.Name] {
			return invalid("entry %q of the manifest is missing", e.Name)
		}
	}
	for _, z := range zs {
		if !inManifest[z.name] {
			return invalid("entry %q is not in the manifest", z.name)
		}
	}
	for i, z := range zs {
		e := m.Entries[i]
		if e.Name != z.name {
			return invalid("entry %d is %q; the manifest has %q there, out of its order", i, z.name, e.Name)
		}
		if e.Size != z.usize || e.StoredSize != z.csize {
			return tampered("entry %q: %d bytes stored in %d; the manifest says %d in %d", z.name, z.usize, z.csize, e.Size, e.StoredSize)
		}
		if t, ok := ResourceType(z.name); ok {
			if _, ok := m.Counts[t]; !ok {
				return invalid("%s counts no lines of %s", ManifestName, z.name)
			}
		}
	}
	for t := range m.Counts {
		if !inManifest[NDJSONName(t)] {
			return invalid("%s counts %s, which the package does not hold", ManifestName, t)
		}
	}
	return nil
}

// verifyAll reads every data entry to its end, checking its digests and,
// for NDJSON, its lines.
func (p *Package) verifyAll() error {
	for i, z := range p.zs {
		er := newEntryReader(p.r, z, p.m.Entries[i])
		_, err := io.Copy(io.Discard, er)
		er.Close()
		if err != nil {
			return err
		}
		t, ok := ResourceType(z.name)
		if !ok {
			continue
		}
		if er.n > 0 && er.last != '\n' {
			return invalid("%s does not end with a newline", z.name)
		}
		if er.lines != p.m.Counts[t] {
			return tampered("%s has %d lines; the manifest counts %d", z.name, er.lines, p.m.Counts[t])
		}
	}
	return nil
}

// entryReader streams one entry's content, never inflating past its
// declared size, and at the end compares size, CRC-32, content digest and
// stored digest with the manifest.
type entryReader struct {
	z      zent
	e      Entry
	raw    *trackReader
	stored hash.Hash
	inflow io.ReadCloser // the inflater, or nil
	body   io.Reader
	sum    hash.Hash
	crc    hash.Hash32
	n      int64
	lines  int64
	last   byte
	err    error
}

func newEntryReader(r io.ReaderAt, z zent, e Entry) *entryReader {
	er := &entryReader{z: z, e: e, stored: sha256.New(), sum: sha256.New(), crc: crc32.NewIEEE()}
	er.raw = &trackReader{r: io.NewSectionReader(r, z.data, z.csize)}
	tee := io.TeeReader(er.raw, er.stored)
	er.body = tee
	if z.method == zip.Deflate {
		er.inflow = flate.NewReader(tee)
		er.body = er.inflow
	}
	er.body = io.LimitReader(er.body, z.usize+1)
	return er
}

func (er *entryReader) Read(p []byte) (int, error) {
	if er.err != nil {
		return 0, er.err
	}
	n, err := er.body.Read(p)
	if er.n+int64(n) > er.z.usize {
		er.err = tampered("%s inflates past its %d bytes", er.z.name, er.z.usize)
		return 0, er.err
	}
	er.sum.Write(p[:n])
	er.crc.Write(p[:n])
	er.n += int64(n)
	er.lines += int64(bytes.Count(p[:n], []byte{'\n'}))
	if n > 0 {
		er.last = p[n-1]
	}
	switch {
	case err == io.EOF:
		if err = er.finish(); err == nil {
			err = io.EOF
		}
	case err != nil && er.raw.err != nil:
		err = readErr(er.z.name, er.raw.err)
	case err != nil:
		err = tampered("%s: %v", er.z.name, err)
	}
	er.err = err
	return n, err
}

// finish reads what stored bytes the inflater left, then compares.
func (er *entryReader) finish() error {
	if _, err := io.Copy(er.stored, er.raw); err != nil {
		return readErr(er.z.name, err)
	}
	switch {
	case er.n != er.z.usize:
		return tampered("%s holds %d bytes, not %d", er.z.name, er.n, er.z.usize)
	case er.crc.Sum32() != er.z.crc:
		return tampered("%s: CRC-32 differs", er.z.name)
	case hex.EncodeToString(er.sum.Sum(nil)) != er.e.SHA256:
		return tampered("%s: SHA-256 differs from the manifest", er.z.name)
	case hex.EncodeToString(er.stored.Sum(nil)) != er.e.StoredSHA256:
		return tampered("%s: SHA-256 of the stored bytes differs from the manifest", er.z.name)
	}
	return nil
}

func (er *entryReader) Close() error {
	if er.inflow != nil {
		return er.inflow.Close()
	}
	return nil
}

// trackReader remembers an error of the underlying reader, so that a
// failing disk is not reported as tampering.
type trackReader struct {
	r   io.Reader
	err error
}

func (t *trackReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF {
		t.err = err
	}
	return n, err
}

// readErr is an error reading what: an archive that ends early is
// invalid, any other error is the reader's.
func readErr(what string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return invalid("%s: the archive ends early", what)
	}
	return fmt.Errorf("exchange: read %s: %w", what, err)
}
