package exchange

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/omahoito/omahoito/audit"
)

// FormatVersion is the version of the package format this code writes and
// the only one it reads.
const FormatVersion = 1

// Names of the two entries that describe the package.
const (
	ManifestName  = "manifest.json"
	SignatureName = "manifest.jws"
)

// Errors of the package; each is wrapped with %w together with what was
// wrong and where.
var (
	// ErrUntrusted is a package whose signature does not verify with a
	// trusted key: unknown kid, bad signature, or a key trusted for
	// another source than the manifest names.
	ErrUntrusted = errors.New("transfer package not signed by a trusted region")
	// ErrTampered is a package whose content differs from what its signed
	// manifest says: size, digest, CRC or line count.
	ErrTampered = errors.New("transfer package changed after it was signed")
	// ErrInvalid is something that is not a well-formed package: a broken
	// or non-canonical zip, an unknown format version, unsafe, extra,
	// missing or duplicate entry names.
	ErrInvalid = errors.New("invalid transfer package")
	// ErrTooLarge is an entry, a total or a compression ratio over
	// [Limits]; it always comes together with ErrInvalid.
	ErrTooLarge = errors.New("over the limits")
)

// Manifest describes a package; manifest.json is its encoding/json form.
type Manifest struct {
	Format       int              `json:"format"`
	ID           string           `json:"id"`
	Created      time.Time        `json:"created"`
	Source       Source           `json:"source"`
	TargetRegion string           `json:"target_region,omitempty"`
	Person       string           `json:"person"`
	Counts       map[string]int64 `json:"counts"` // lines of <Type>.ndjson by Type
	Entries      []Entry          `json:"entries"`
}

// Source is where a package was made: a deployment and its region, whose
// key signs it.
type Source struct {
	Deployment string `json:"deployment"`
	Region     string `json:"region"`
}

// Entry is one data entry of a package.
type Entry struct {
	Name         string `json:"name"`
	Size         int64  `json:"size"`   // bytes of content
	SHA256       string `json:"sha256"` // of the content, hex
	StoredSize   int64  `json:"stored_size"`
	StoredSHA256 string `json:"stored_sha256"` // of the bytes in the zip, hex
}

// Entry returns the manifest's entry called name.
func (m *Manifest) Entry(name string) (Entry, bool) {
	for _, e := range m.Entries {
		if e.Name == name {
			return e, true
		}
	}
	return Entry{}, false
}

// NDJSONName is the entry name of a resource type's NDJSON.
func NDJSONName(resourceType string) string { return resourceType + ".ndjson" }

// FileName is the entry name of a file's content.
func FileName(id string) string { return "files/" + id }

// ResourceType is the resource type of an NDJSON entry name, and whether
// name is one.
func ResourceType(name string) (string, bool) {
	t, ok := strings.CutSuffix(name, ".ndjson")
	return t, ok && isResourceType(t)
}

// checkName refuses a data entry name that is not <Type>.ndjson or
// files/<id>, saying first the dangers a hostile archive might aim at.
func checkName(name string) error {
	switch {
	case name == "":
		return errors.New("empty name")
	case len(name) > 200:
		return errors.New("name over 200 bytes")
	case !utf8.ValidString(name):
		return errors.New("name not UTF-8")
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return errors.New("control character in name")
	case strings.Contains(name, `\`):
		return errors.New("backslash in name")
	case strings.HasPrefix(name, "/") || (len(name) > 1 && name[1] == ':'):
		return errors.New("absolute name")
	case name == ".." || strings.HasPrefix(name, "../") || strings.HasSuffix(name, "/..") || strings.Contains(name, "/../"):
		return errors.New("name climbs out of the package (a .. segment)")
	}
	if _, ok := ResourceType(name); ok {
		return nil
	}
	if id, ok := strings.CutPrefix(name, "files/"); ok && isFileID(id) {
		return nil
	}
	return errors.New("name is neither <Type>.ndjson nor files/<id>")
}

// isResourceType: an ASCII letter, then letters and digits, as FHIR names
// its types.
func isResourceType(t string) bool {
	if t == "" || len(t) > 64 || !isLetter(t[0]) {
		return false
	}
	for i := range len(t) {
		if !isLetter(t[i]) && !isDigit(t[i]) {
			return false
		}
	}
	return true
}

// isFileID: letters, digits, '.', '_' and '-', not starting with '.', so
// that an id is one safe path segment on every file system.
func isFileID(id string) bool {
	if id == "" || len(id) > 128 || id[0] == '.' {
		return false
	}
	for i := range len(id) {
		c := id[i]
		if !isLetter(c) && !isDigit(c) && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// Limits bound what [Open] reads; a zero field takes its default.
type Limits struct {
	MaxEntry    int64 // content bytes of one entry; default 256 MiB
	MaxTotal    int64 // content bytes of all entries; default 2 GiB
	MaxEntries  int   // number of data entries; default 100,000
	MaxManifest int64 // bytes of manifest.json; default 32 MiB
	// MaxRatio bounds content/stored bytes of a deflated entry of 1 MiB
	// or more; default 200 (FHIR NDJSON deflates about 10:1, a bomb
	// about 1000:1).
	MaxRatio int64
}

// DefaultLimits is [Limits] with every default.
func DefaultLimits() Limits {
	return Limits{MaxEntry: 256 << 20, MaxTotal: 2 << 30, MaxEntries: 100_000, MaxManifest: 32 << 20, MaxRatio: 200}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxEntry <= 0 {
		l.MaxEntry = d.MaxEntry
	}
	if l.MaxTotal <= 0 {
		l.MaxTotal = d.MaxTotal
	}
	// The format has no zip64: nothing can be larger than 4 GiB.
	l.MaxTotal = min(l.MaxTotal, maxArchive)
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxManifest <= 0 {
		l.MaxManifest = d.MaxManifest
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = d.MaxRatio
	}
	return l
}

// TrustedKey is the public signing key of a region whose packages an
// import accepts.
type TrustedKey struct {
	Source Source
	Key    ed25519.PublicKey
}

// TrustedKeys are the trusted keys by kid ([KeyID]).
type TrustedKeys map[string]TrustedKey

// Add trusts pub for packages from src.
func (t TrustedKeys) Add(src Source, pub ed25519.PublicKey) {
	t[KeyID(pub)] = TrustedKey{Source: src, Key: pub}
}

// KeyID names a public key in a package's JWS header: the same id the
// access log's checkpoints give the same key.
func KeyID(pub ed25519.PublicKey) string { return audit.KeyID(pub) }

// invalid wraps ErrInvalid with what and where.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// tooLarge wraps ErrInvalid and ErrTooLarge.
func tooLarge(format string, args ...any) error {
	return fmt.Errorf("%w: %w: %s", ErrInvalid, ErrTooLarge, fmt.Sprintf(format, args...))
}

// tampered wraps ErrTampered with what and where.
func tampered(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrTampered, fmt.Sprintf(format, args...))
}
