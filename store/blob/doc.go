// Package blob keeps the content of citizens' own files (DESIGN §11) in a
// gocloud.dev/blob bucket — fileblob under the data directory by default,
// s3blob by URL in production — envelope-encrypted: every file has its own
// random 256-bit data key, the content is sealed with AES-256-GCM in chunks
// of 64 KiB so that it streams both ways, and the data key is wrapped by the
// region's master key and kept with the file's record, never in the bucket.
//
// Write order: Put streams the content to a temporary key (tmp/…) and
// flushes it; the caller commits the record naming Written.FinalKey; Promote
// moves the content to that final key (files/…). Sweep removes what no
// record names after a grace time, and finishes a promotion a crash
// interrupted, so a record never points at missing content.
//
// The package knows nothing of SQL or HTTP.
package blob

import "errors"

// Sentinel errors, wrapped with %w and matched with errors.Is.
var (
	// ErrCorrupt is content (or a wrapped data key) that does not
	// authenticate: changed, truncated, extended, reordered, or not
	// matching the recorded size and SHA-256.
	ErrCorrupt = errors.New("file content is corrupt")
	// ErrTooLarge is content longer than the limit Put was given.
	ErrTooLarge = errors.New("file is too large")
	// ErrUnavailable is a bucket that cannot be reached or refused an
	// operation; nothing was half-written.
	ErrUnavailable = errors.New("file storage is unavailable")
	// ErrNotFound is a key the bucket does not hold.
	ErrNotFound = errors.New("file content not found")
	// ErrKey is a master key that cannot be used: unknown id, wrong
	// length, or a key file readable by others.
	ErrKey = errors.New("file master key")
)
