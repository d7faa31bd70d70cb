package blob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
)

// countingWriter records the writes it gets.
type countingWriter struct {
	bytes.Buffer
	writes, largest int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.writes++
	c.largest = max(c.largest, len(p))
	return c.Buffer.Write(p)
}

// download copies the content of w to a countingWriter as a server does
// (io.Copy, which takes the reader's WriteTo).
func download(t *testing.T, s *Store, w Written) (*countingWriter, error) {
	t.Helper()
	r, err := s.Get(context.Background(), w.FinalKey, w.DataKey, w.MasterKeyID, w.Size, w.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out countingWriter
	_, err = io.Copy(&out, r)
	return &out, err
}

// A download goes out whole and in a few large writes, whatever its size
// against the chunks and the send buffer.
func TestDownloadWrites(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		for _, size := range []int{ChunkSize + 1, sendSize - 1, sendSize, sendSize + 1, 2 * sendSize, 5*sendSize + 7} {
			data := randomBytes(t, size)
			out, err := download(t, s, MustPut(t, s, data))
			if err != nil || !bytes.Equal(out.Bytes(), data) {
				t.Fatalf("%d bytes: read %d, %v; want the content", size, out.Len(), err)
			}
			if out.largest > sendSize || out.writes > size/sendSize+2 {
				t.Errorf("%d bytes in %d writes of up to %d; want at most %d of up to %d", size, out.writes, out.largest, size/sendSize+2, sendSize)
			}
		}
	})
}

// Authentic content read against a record whose digest is not its own —
// content of another record under a shared data key — never reaches the
// writer whole: the last byte waits for the check, even when the content
// ends on the send buffer's edge.
func TestDownloadHoldsBackTheEnd(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		for _, size := range []int{2 * sendSize, 3*ChunkSize + 5} {
			w := MustPut(t, s, randomBytes(t, size))
			w.SHA256 = sum([]byte("another file"))
			out, err := download(t, s, w)
			if !errors.Is(err, ErrCorrupt) || out.Len() >= size {
				t.Errorf("%d bytes: the writer got %d, %v; want ErrCorrupt and less than the whole", size, out.Len(), err)
			}
		}
	})
}

// failingWriter takes limit bytes, then fails, as a connection the client
// has closed does.
type failingWriter struct{ limit, got int }

var errClientGone = errors.New("the client went away")

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.got+len(p) > f.limit {
		return 0, errClientGone
	}
	f.got += len(p)
	return len(p), nil
}

// A download whose client goes away stops with the writer's error and
// does not read the rest of the content.
func TestDownloadStopsWhenTheClientGoes(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		w := MustPut(t, s, randomBytes(t, 20*sendSize))
		r, err := s.Get(context.Background(), w.FinalKey, w.DataKey, w.MasterKeyID, w.Size, w.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		fw := &failingWriter{limit: sendSize}
		n, err := io.Copy(fw, r)
		if !errors.Is(err, errClientGone) || n != int64(fw.got) {
			t.Fatalf("copy to a client gone after %d bytes: %d, %v", fw.limit, n, err)
		}
		if rest, _ := io.Copy(io.Discard, r); rest < 10*sendSize {
			t.Errorf("the download read on after its client went: %d bytes were left of %d", rest, w.Size)
		}
	})
}
