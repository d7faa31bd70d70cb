package record

import (
	"context"
	"time"
)

// MediaType is a file's type as sniffed from its content, never as named
// or declared by whoever sent it.
type MediaType string

// The types a citizen may keep (DESIGN §11).
const (
	MediaPDF  MediaType = "application/pdf"
	MediaJPEG MediaType = "image/jpeg"
	MediaPNG  MediaType = "image/png"
	MediaHEIC MediaType = "image/heic"
	MediaText MediaType = "text/plain"
)

// Extension is the usual file name extension of the type, with its dot.
func (t MediaType) Extension() string {
	switch t {
	case MediaPDF:
		return ".pdf"
	case MediaJPEG:
		return ".jpg"
	case MediaPNG:
		return ".png"
	case MediaHEIC:
		return ".heic"
	case MediaText:
		return ".txt"
	}
	return ""
}

// Default limits of a person's files (configurable).
const (
	DefaultMaxFileSize   = 20 << 20  // bytes a file
	DefaultMaxPersonSize = 500 << 20 // bytes all of a person's files
)

// File is one of a person's own files: its metadata, and where its
// encrypted content is. A version is kept when the title or description
// changes; the content of a file never changes.
type File struct {
	ID          string
	PersonID    string
	Version     int
	Name        string // for display only: cleaned of path parts and control characters
	Title       string
	Description string
	Type        MediaType
	Size        int64  // bytes of plaintext
	SHA256      []byte // of the plaintext; checked on every read
	ContentKey  string // the final key of the content in the bucket
	DataKey     []byte // the file's own data key, wrapped by the region's master key
	MasterKeyID string // which master key wraps DataKey
	CreatedAt   time.Time
	UpdatedAt   time.Time
	EnteredBy   Actor
	Deleted     bool
}

// FileStore is the persistence of file metadata. Implementations wrap
// ErrNotFound and ErrConflict.
type FileStore interface {
	// CreateFile inserts f (version 1) if the person's current files and f
	// together take at most maxPersonSize bytes, else a *QuotaError; the
	// check and the insert are one step against other CreateFiles of the
	// person. ErrConflict when the id exists.
	CreateFile(ctx context.Context, f File, maxPersonSize int64) error
	// File returns the current version, deleted or not.
	File(ctx context.Context, personID, id string) (File, error)
	// FileOwner returns whose file id is (a professional reading by id).
	FileOwner(ctx context.Context, id string) (string, error)
	// UpdateFile writes f as version f.Version over f.Version-1 (else
	// ErrConflict); the old version stays in the history. A delete is an
	// update with Deleted set.
	UpdateFile(ctx context.Context, f File) error
	// FileHistory lists every version, newest first.
	FileHistory(ctx context.Context, personID, id string) ([]File, error)
	// Files lists a person's current, not deleted files, newest first;
	// ids, when not nil, narrows them to those ids (a consent's chosen
	// files).
	Files(ctx context.Context, personID string, ids []string) ([]File, error)
	// FilesSize is the sum of Size of a person's current, not deleted files.
	FilesSize(ctx context.Context, personID string) (int64, error)
	// ContentKeys reports which of keys a file that is not deleted points
	// at, for the sweeper: other content (a cut upload's, a deleted file's)
	// is swept.
	ContentKeys(ctx context.Context, keys []string) (map[string]bool, error)
	// RewrapDataKeys replaces DataKey and MasterKeyID of every version of
	// the files wrap returns a new wrapping for (key rotation), in batches.
	RewrapDataKeys(ctx context.Context, fromMasterKeyID string, batch int,
		wrap func(old []byte) (newKey []byte, newKeyID string, err error)) (int, error)
}
