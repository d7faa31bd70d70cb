package blob

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

func TestMain(m *testing.M) {
	// The S3 client signs requests with these; it must not look for a
	// developer's own AWS configuration or an instance's metadata.
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":           "test",
		"AWS_SECRET_ACCESS_KEY":       "test",
		"AWS_CONFIG_FILE":             os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_EC2_METADATA_DISABLED":   "true",
	} {
		os.Setenv(k, v)
	}
	os.Exit(m.Run())
}

// MustKeys is a ring of one random master key.
func MustKeys(tb testing.TB) *MasterKeys {
	tb.Helper()
	k := randomBytes(tb, KeySize)
	m, err := NewMasterKeys("k1", map[string][]byte{"k1": k})
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func randomBytes(tb testing.TB, n int) []byte {
	tb.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return b
}

// fileURL is a fileblob bucket in a fresh directory.
func fileURL(tb testing.TB) string {
	tb.Helper()
	return "file://" + tb.TempDir() + "?create_dir=1&dir_file_mode=0700"
}

// s3URL starts an in-process S3 server (gofakes3 over httptest) holding
// one bucket, and returns the s3blob URL that reaches it.
func s3URL(tb testing.TB) string {
	tb.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket("files"); err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	tb.Cleanup(srv.Close)
	return "s3://files?" + url.Values{
		"endpoint":       {srv.URL},
		"region":         {"eu-north-1"},
		"use_path_style": {"true"},
		"disable_https":  {"true"},
	}.Encode()
}

// backends runs f on a fileblob store and on an s3blob store speaking to
// gofakes3.
func backends(t *testing.T, f func(t *testing.T, s *Store)) {
	for name, open := range map[string]func(testing.TB) string{"fileblob": fileURL, "s3blob": s3URL} {
		t.Run(name, func(t *testing.T) {
			f(t, MustOpen(t, open(t), MustKeys(t)))
		})
	}
}

// MustOpen opens a store, closed at the end of the test.
func MustOpen(tb testing.TB, url string, keys *MasterKeys) *Store {
	tb.Helper()
	s, err := Open(context.Background(), url, keys)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// MustPut stores data and promotes it, returning what Put wrote with the
// final key.
func MustPut(tb testing.TB, s *Store, data []byte) Written {
	tb.Helper()
	ctx := context.Background()
	w, err := s.Put(ctx, bytes.NewReader(data), int64(len(data)))
	if err != nil {
		tb.Fatal(err)
	}
	final, err := s.Promote(ctx, w.TempKey)
	if err != nil || final != w.FinalKey {
		tb.Fatalf("Promote = %q, %v; want %q", final, err, w.FinalKey)
	}
	return w
}

// getAll reads the content of w back, returning what was read before an
// error and the error.
func getAll(s *Store, w Written) ([]byte, error) {
	r, err := s.Get(context.Background(), w.FinalKey, w.DataKey, w.MasterKeyID, w.Size, w.SHA256)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var buf bytes.Buffer
	_, err = io.Copy(&buf, r)
	return buf.Bytes(), err
}

// keys lists every key of the bucket.
func bucketKeys(tb testing.TB, s *Store) []string {
	tb.Helper()
	var keys []string
	it := s.bucket.List(nil)
	for {
		obj, err := it.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return keys
		}
		if err != nil {
			tb.Fatal(err)
		}
		keys = append(keys, obj.Key)
	}
}

func sum(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}
