package blob

import (
	"context"
	"errors"
	"io"

	"github.com/omahoito/omahoito/record"
)

// RecordContent is the store as record.Files needs it. Its errors are
// also record's sentinels (ErrFileTooLarge, ErrStorageUnavailable), so the
// one error table answers 413 or 503 without knowing this package.
type RecordContent struct{ *Store }

var _ record.Content = RecordContent{}

// Put streams r to a temporary key; more than maxSize bytes is refused
// with an error that is also record.ErrFileTooLarge.
func (c RecordContent) Put(ctx context.Context, r io.Reader, maxSize int64) (record.StoredContent, error) {
	w, err := c.Store.Put(ctx, r, maxSize)
	if err != nil {
		return record.StoredContent{}, asRecordError(err)
	}
	return record.StoredContent{TempKey: w.TempKey, FinalKey: w.FinalKey, Size: w.Size, SHA256: w.SHA256,
		DataKey: w.DataKey, MasterKeyID: w.MasterKeyID}, nil
}

// Promote moves temporary content to its final key.
func (c RecordContent) Promote(ctx context.Context, tempKey string) (string, error) {
	final, err := c.Store.Promote(ctx, tempKey)
	return final, asRecordError(err)
}

// Get streams a file's content, decrypted and checked. An error before
// the first byte, the bucket's included, is returned here; one after it
// comes from a Read.
func (c RecordContent) Get(ctx context.Context, key string, dataKey []byte, masterKeyID string, size int64, sum []byte) (io.ReadCloser, error) {
	rc, err := c.Store.Get(ctx, key, dataKey, masterKeyID, size, sum)
	return rc, asRecordError(err)
}

// Delete removes the content under key.
func (c RecordContent) Delete(ctx context.Context, key string) error {
	return asRecordError(c.Store.Delete(ctx, key))
}

// alsoRecord is an error of this package that is also one of record's
// sentinels.
type alsoRecord struct{ err, also error }

func (e alsoRecord) Error() string   { return e.err.Error() }
func (e alsoRecord) Unwrap() []error { return []error{e.err, e.also} }

func asRecordError(err error) error {
	switch {
	case errors.Is(err, ErrTooLarge):
		return alsoRecord{err, record.ErrFileTooLarge}
	case errors.Is(err, ErrUnavailable):
		return alsoRecord{err, record.ErrStorageUnavailable}
	}
	return err
}
