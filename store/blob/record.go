package blob

import (
	"context"
	"errors"
	"io"

	"github.com/omahoito/omahoito/record"
)

// RecordContent is the store as record.Files needs it.
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

// Get streams a file's content, decrypted and checked.
func (c RecordContent) Get(ctx context.Context, key string, dataKey []byte, masterKeyID string, size int64, sum []byte) (io.ReadCloser, error) {
	return c.Store.Get(ctx, key, dataKey, masterKeyID, size, sum)
}

// tooLarge is ErrTooLarge that is also record.ErrFileTooLarge, so the one
// error table answers 413 without knowing this package.
type tooLarge struct{ err error }

func (e tooLarge) Error() string   { return e.err.Error() }
func (e tooLarge) Unwrap() []error { return []error{e.err, record.ErrFileTooLarge} }

func asRecordError(err error) error {
	if errors.Is(err, ErrTooLarge) {
		return tooLarge{err}
	}
	return err
}
