package blob

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob" // file:// URLs
	_ "gocloud.dev/blob/s3blob"   // s3:// URLs
	"gocloud.dev/gcerrors"
)

// Key prefixes in the bucket: content waiting for its record, and content
// a record names.
const (
	TempPrefix  = "tmp/"
	FinalPrefix = "files/"
)

// Store keeps encrypted file content in a bucket.
type Store struct {
	bucket *blob.Bucket
	keys   *MasterKeys
	dir    string // of a file:// bucket, whose writes fileblob does not fsync
}

// Open opens the bucket at url and checks that it can be reached
// (ErrUnavailable if not). Content is wrapped under keys.
//
// Development: file:///abs/dir?create_dir=1&dir_file_mode=0700. For file
// URLs Open adds no_tmp_dir=1 (a write in progress sits beside the content,
// not in the system's temporary directory, which may be another file
// system) and metadata=skip (fileblob's attributes file would hold an MD5
// of the ciphertext, which nothing needs and which costs a fifth of the
// time), unless the URL sets them.
// Production: s3://bucket?region=eu-north-1, with endpoint=https://…&
// use_path_style=true for an S3-compatible service other than AWS.
func Open(ctx context.Context, url string, keys *MasterKeys) (*Store, error) {
	url = fileDefaults(url)
	b, err := blob.OpenBucket(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("%w: open bucket: %w", ErrUnavailable, err)
	}
	if ok, err := b.IsAccessible(ctx); err != nil || !ok {
		b.Close()
		if err == nil {
			err = errors.New("no such bucket")
		}
		return nil, fmt.Errorf("%w: bucket: %w", ErrUnavailable, err)
	}
	s := New(b, keys)
	s.dir = fileDir(url)
	return s, nil
}

// fileDefaults adds no_tmp_dir and metadata to a file:// URL without them.
func fileDefaults(url string) string {
	u, err := neturl.Parse(url)
	if err != nil || u.Scheme != "file" {
		return url
	}
	q := u.Query()
	for k, v := range map[string]string{"no_tmp_dir": "1", "metadata": "skip"} {
		if !q.Has(k) {
			q.Set(k, v)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// fileDir is the directory of a file:// bucket URL, as fileblob reads it,
// or "" for any other URL.
func fileDir(url string) string {
	u, err := neturl.Parse(url)
	if err != nil || u.Scheme != "file" {
		return ""
	}
	if u.Host == "." {
		return filepath.FromSlash(strings.TrimPrefix(u.Path, "/"))
	}
	return filepath.FromSlash(u.Path)
}

// New is a Store over an open bucket; Close closes the bucket. Unlike Open,
// it does not fsync what it writes to a fileblob bucket.
func New(b *blob.Bucket, keys *MasterKeys) *Store {
	return &Store{bucket: b, keys: keys}
}

// Close closes the bucket.
func (s *Store) Close() error { return s.bucket.Close() }

// Keys is the master key ring the store wraps data keys with.
func (s *Store) Keys() *MasterKeys { return s.keys }

// Written is what Put stored: content under TempKey, to be promoted to
// FinalKey once the record (holding FinalKey, Size, SHA256, DataKey and
// MasterKeyID) is committed.
type Written struct {
	TempKey     string
	FinalKey    string
	Size        int64  // bytes of plaintext
	SHA256      []byte // of the plaintext
	DataKey     []byte // wrapped by master key MasterKeyID
	MasterKeyID string
}

// Put streams r, encrypted under a fresh data key, to a new temporary key,
// counting and hashing the plaintext, and flushes it. More than maxSize
// bytes is ErrTooLarge; on any error (r's, the bucket's, too large) no
// object is left behind.
func (s *Store) Put(ctx context.Context, r io.Reader, maxSize int64) (Written, error) {
	if maxSize < 0 {
		return Written{}, fmt.Errorf("blob: Put with a negative limit %d", maxSize)
	}
	key, wrapped, keyID, err := s.keys.NewDataKey()
	if err != nil {
		return Written{}, err
	}
	name, err := randomName()
	if err != nil {
		return Written{}, err
	}
	wr := Written{TempKey: TempPrefix + name, FinalKey: FinalPrefix + name, DataKey: wrapped, MasterKeyID: keyID}
	wr.Size, wr.SHA256, err = s.write(ctx, wr.TempKey, r, key, maxSize)
	if err != nil {
		// The write was aborted, so there should be nothing; a delete
		// makes sure of it.
		_ = s.bucket.Delete(context.WithoutCancel(ctx), wr.TempKey)
		return Written{}, err
	}
	return wr, nil
}

// write encrypts up to maxSize bytes of r to key. Cancelling the writer's
// context before Close aborts the write: nothing appears under key.
func (s *Store) write(ctx context.Context, key string, r io.Reader, dataKey []byte, maxSize int64) (int64, []byte, error) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := s.bucket.NewWriter(wctx, key, &blob.WriterOptions{ContentType: "application/octet-stream"})
	if err != nil {
		return 0, nil, bucketErr("write", key, err)
	}
	h := sha256.New()
	enc := EncryptWriter(w, dataKey)
	// Reading and hashing here, encrypting and writing on a goroutine of
	// its own: on more than one core the two overlap.
	aw := newAsyncWriter(enc)
	n, err := io.CopyBuffer(io.MultiWriter(h, aw), io.LimitReader(r, maxSize+1), make([]byte, sendSize))
	if werr := aw.Close(); err == nil {
		err = werr
	}
	if err == nil && n > maxSize {
		err = fmt.Errorf("%w: more than %d bytes", ErrTooLarge, maxSize)
	}
	if err == nil {
		err = enc.Close()
	}
	if err != nil {
		cancel()
		_ = w.Close()
		return 0, nil, err
	}
	if err := w.Close(); err != nil {
		return 0, nil, bucketErr("write", key, err)
	}
	if err := s.sync(key); err != nil {
		return 0, nil, err
	}
	return n, h.Sum(nil), nil
}

func randomName() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// FinalKey is the final key of the content Put wrote under tempKey.
func FinalKey(tempKey string) (string, error) {
	name, ok := strings.CutPrefix(tempKey, TempPrefix)
	if !ok || name == "" || strings.Contains(name, "/") {
		return "", fmt.Errorf("blob: %q is not a temporary key", tempKey)
	}
	return FinalPrefix + name, nil
}

// Promote moves the content under tempKey to its final key (FinalKey) and
// returns that key. Promoting again after a success is no error.
func (s *Store) Promote(ctx context.Context, tempKey string) (string, error) {
	final, err := FinalKey(tempKey)
	if err != nil {
		return "", err
	}
	if s.dir != "" {
		return final, s.renameFile(tempKey, final)
	}
	if err := s.bucket.Copy(ctx, final, tempKey, nil); err != nil {
		if gcerrors.Code(err) != gcerrors.NotFound {
			return "", bucketErr("promote", tempKey, err)
		}
		return final, s.promoted(ctx, tempKey, final)
	}
	if err := s.Delete(ctx, tempKey); err != nil {
		return "", err
	}
	return final, nil
}

// promoted tells whether content missing under tempKey was promoted to
// final already (nil), or never written (ErrNotFound).
func (s *Store) promoted(ctx context.Context, tempKey, final string) error {
	ok, err := s.bucket.Exists(ctx, final)
	if err != nil {
		return bucketErr("promote", final, err)
	}
	if !ok {
		return fmt.Errorf("%w: %s", ErrNotFound, tempKey)
	}
	return nil
}

// renameFile promotes in a fileblob bucket by renaming the file (and its
// attributes file beside it), where the bucket's Copy would copy every
// byte, then fsyncs the directories.
func (s *Store) renameFile(tempKey, final string) error {
	src, dst := s.path(tempKey), s.path(final)
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return fmt.Errorf("%w: promote %s: %w", ErrUnavailable, tempKey, err)
	}
	// The attributes go first: content at its final key without them is
	// still whole, while attributes alone would be left to no one.
	const attrs = ".attrs" // fileblob's attributes file suffix
	if err := os.Rename(src+attrs, dst+attrs); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: promote %s: %w", ErrUnavailable, tempKey, err)
	}
	if err := os.Rename(src, dst); errors.Is(err, os.ErrNotExist) {
		return s.promoted(context.Background(), tempKey, final)
	} else if err != nil {
		return fmt.Errorf("%w: promote %s: %w", ErrUnavailable, tempKey, err)
	}
	return errors.Join(s.syncPath(filepath.Dir(dst)), s.syncPath(filepath.Dir(src)))
}

func (s *Store) path(key string) string { return filepath.Join(s.dir, filepath.FromSlash(key)) }

// Get returns a reader of the plaintext of the content under key, which
// must be size bytes with the SHA-256 sum; its data key is wrappedDataKey
// under masterKeyID. Reads fail with ErrCorrupt as DecryptReader and
// VerifyingReader tell. Content of at most one chunk is read and checked
// whole before Get returns, so a small file is never half-sent; of a larger
// file the first chunk is authenticated before Get returns.
func (s *Store) Get(ctx context.Context, key string, wrappedDataKey []byte, masterKeyID string, size int64, sum []byte) (io.ReadCloser, error) {
	dataKey, err := s.keys.Unwrap(wrappedDataKey, masterKeyID)
	if err != nil {
		return nil, err
	}
	br, err := s.open(ctx, key)
	if err != nil {
		return nil, err
	}
	src := &bucketReader{r: br, key: key}
	// A small buffer lets Get look at the first byte without losing it.
	dec := bufio.NewReaderSize(DecryptReader(src, dataKey), 16)
	v := newVerifier(dec, size, sum)
	if size <= ChunkSize {
		all, err := io.ReadAll(v)
		br.Close()
		if err != nil {
			return nil, err
		}
		return io.NopCloser(bytes.NewReader(all)), nil
	}
	if _, err := dec.Peek(1); err != nil {
		br.Close()
		return nil, err
	}
	return &contentReader{dec: dec, v: v, Closer: br}, nil
}

// open opens the content under key. A record names the final key from the
// moment it is committed; content whose move there was cut short is still
// whole under its temporary key until the sweeper finishes the move, and
// is read from there: a record never points at missing content.
func (s *Store) open(ctx context.Context, key string) (*blob.Reader, error) {
	br, err := s.bucket.NewReader(ctx, key, nil)
	if gcerrors.Code(err) != gcerrors.NotFound {
		if err != nil {
			return nil, bucketErr("read", key, err)
		}
		return br, nil
	}
	name, final := strings.CutPrefix(key, FinalPrefix)
	if !final || name == "" || strings.Contains(name, "/") {
		return nil, bucketErr("read", key, err)
	}
	br, terr := s.bucket.NewReader(ctx, TempPrefix+name, nil)
	if gcerrors.Code(terr) == gcerrors.NotFound {
		// Moved between the two looks: it is at its final key now.
		br, terr = s.bucket.NewReader(ctx, key, nil)
	}
	if terr != nil {
		return nil, bucketErr("read", key, terr)
	}
	return br, nil
}

// sync makes content written to a fileblob bucket durable (the file and
// the directory entry its rename made) before a record names it: fileblob
// renames a written file into place without an fsync.
func (s *Store) sync(key string) error {
	if s.dir == "" {
		return nil
	}
	path := s.path(key)
	return errors.Join(s.syncPath(path), s.syncPath(filepath.Dir(path)))
}

func (s *Store) syncPath(path string) error {
	f, err := os.Open(path)
	if err == nil {
		err = f.Sync()
		f.Close()
	}
	if err != nil {
		return fmt.Errorf("%w: sync: %w", ErrUnavailable, err)
	}
	return nil
}

// bucketReader marks the bucket's read errors as ErrUnavailable.
type bucketReader struct {
	r   *blob.Reader
	key string
}

func (b *bucketReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		err = bucketErr("read", b.key, err)
	}
	return n, err
}

// Delete removes the content under key; a key that is not there is no
// error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.bucket.Delete(ctx, key); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return bucketErr("delete", key, err)
	}
	return nil
}

// bucketErr wraps a bucket's error: ErrNotFound for a missing key, the
// context's error when cancelled, ErrUnavailable otherwise.
func bucketErr(op, key string, err error) error {
	switch gcerrors.Code(err) {
	case gcerrors.NotFound:
		return fmt.Errorf("%w: %s %s", ErrNotFound, op, key)
	case gcerrors.Canceled, gcerrors.DeadlineExceeded:
		return fmt.Errorf("blob: %s %s: %w", op, key, err)
	}
	return fmt.Errorf("%w: %s %s: %w", ErrUnavailable, op, key, err)
}
