package blob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

func TestPutTooLarge(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		for _, n := range []int{1001, 3 * ChunkSize} {
			_, err := s.Put(context.Background(), bytes.NewReader(randomBytes(t, n)), 1000)
			if !errors.Is(err, ErrTooLarge) {
				t.Errorf("Put of %d bytes with a limit of 1000: %v; want ErrTooLarge", n, err)
			}
		}
		if keys := bucketKeys(t, s); len(keys) != 0 {
			t.Errorf("refused content left %q in the bucket", keys)
		}
	})
}

// cutReader returns its bytes, then an error: an upload whose connection
// was cut.
type cutReader struct {
	r   io.Reader
	err error
}

func (c *cutReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err == io.EOF {
		err = c.err
	}
	return n, err
}

func TestPutCutOff(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		cut := errors.New("connection reset")
		r := &cutReader{bytes.NewReader(randomBytes(t, 5*ChunkSize+7)), cut}
		if _, err := s.Put(context.Background(), r, 1<<30); !errors.Is(err, cut) {
			t.Errorf("Put of a cut stream: %v; want the reader's error", err)
		}
		if keys := bucketKeys(t, s); len(keys) != 0 {
			t.Errorf("a cut upload left %q in the bucket", keys)
		}
	})
}

func TestPutCancelled(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		ctx, cancel := context.WithCancel(context.Background())
		r := &cutReader{bytes.NewReader(randomBytes(t, 3*ChunkSize)), nil}
		r.r = io.MultiReader(r.r, readerFunc(func([]byte) (int, error) { cancel(); return 0, context.Canceled }))
		if _, err := s.Put(ctx, r, 1<<30); err == nil {
			t.Error("Put went on after its context was cancelled")
		}
		if keys := bucketKeys(t, s); len(keys) != 0 {
			t.Errorf("a cancelled upload left %q in the bucket", keys)
		}
	})
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// TestUnavailable stops the S3 server under an open store: writes and reads
// fail with ErrUnavailable, and a store cannot be opened on it.
func TestUnavailable(t *testing.T) {
	t.Parallel() // the S3 client retries for seconds before it gives up
	backend := s3mem.New()
	if err := backend.CreateBucket("files"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	u := "s3://files?" + url.Values{"endpoint": {srv.URL}, "region": {"eu-north-1"}, "use_path_style": {"true"}}.Encode()
	s := MustOpen(t, u, MustKeys(t))
	w := MustPut(t, s, []byte("before the outage"))
	srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.Put(ctx, bytes.NewReader([]byte("during")), 100); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Put: %v; want ErrUnavailable", err)
	}
	if _, err := getAll(s, w); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Get: %v; want ErrUnavailable", err)
	}
	if _, err := Open(ctx, u, MustKeys(t)); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Open: %v; want ErrUnavailable", err)
	}
	if _, err := Open(ctx, "file:///nonexistent/omahoito-files", MustKeys(t)); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Open of a missing directory: %v; want ErrUnavailable", err)
	}

	// Back up again: the outage left nothing half-written.
	srv = httptest.NewServer(gofakes3.New(backend).Server())
	defer srv.Close()
	u = "s3://files?" + url.Values{"endpoint": {srv.URL}, "region": {"eu-north-1"}, "use_path_style": {"true"}}.Encode()
	if keys := bucketKeys(t, MustOpen(t, u, MustKeys(t))); len(keys) != 1 || keys[0] != w.FinalKey {
		t.Errorf("after the outage the bucket holds %q; want only %q", keys, w.FinalKey)
	}
}
