package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		for _, n := range []int{0, 1, ChunkSize - 1, ChunkSize, ChunkSize + 1, 5_000_000} {
			t.Run(fmt.Sprint(n), func(t *testing.T) {
				data := randomBytes(t, n)
				w := MustPut(t, s, data)
				if w.Size != int64(n) || !bytes.Equal(w.SHA256, sum(data)) {
					t.Errorf("Put reported size %d sha %x; want %d %x", w.Size, w.SHA256, n, sum(data))
				}
				got, err := getAll(s, w)
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("Get: %d bytes, %v; want the %d bytes put", len(got), err, n)
				}
			})
		}
	})
}

func TestAtRestNotPlaintext(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		marker := []byte("Potilaan omat tiedot: kuva ihottumasta. ")
		data := bytes.Repeat(marker, 3000)
		w := MustPut(t, s, data)
		raw, err := s.bucket.ReadAll(context.Background(), w.FinalKey)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, marker[:16]) {
			t.Error("the stored object holds the plaintext")
		}
		if bytes.Contains(raw, w.DataKey) {
			t.Error("the stored object holds the wrapped data key")
		}
	})
}

func TestPromoteTwice(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		data := randomBytes(t, 1000)
		w := MustPut(t, s, data)
		if final, err := s.Promote(ctx, w.TempKey); err != nil || final != w.FinalKey {
			t.Fatalf("second Promote = %q, %v", final, err)
		}
		if keys := bucketKeys(t, s); len(keys) != 1 || keys[0] != w.FinalKey {
			t.Errorf("bucket holds %q; want only %q", keys, w.FinalKey)
		}
		if _, err := s.Promote(ctx, "tmp/neverwritten"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Promote of a key never written: %v; want ErrNotFound", err)
		}
		if _, err := s.Promote(ctx, "files/x"); err == nil {
			t.Error("Promote of a final key succeeded")
		}
	})
}

func TestDelete(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		w := MustPut(t, s, []byte("hello"))
		if err := s.Delete(ctx, w.FinalKey); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(ctx, w.FinalKey); err != nil {
			t.Errorf("deleting again: %v", err)
		}
		if _, err := getAll(s, w); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get after Delete: %v; want ErrNotFound", err)
		}
	})
}

// TestReadBeforePromote: a record names the final key as soon as it is
// committed; if the move there was cut short, the content is read from its
// temporary key, whole and checked, and a key never written stays missing.
func TestReadBeforePromote(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		data := randomBytes(t, ChunkSize*2+7)
		w, err := s.Put(ctx, bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		got, err := getAll(s, w)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("read before the move: %d bytes, %v; want the %d bytes put", len(got), err, len(data))
		}
		w.FinalKey = FinalPrefix + "0123456789abcdef0123456789abcdef"
		if _, err := getAll(s, w); !errors.Is(err, ErrNotFound) {
			t.Errorf("read of content never written: %v; want ErrNotFound", err)
		}
	})
}
