package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
)

// sealedChunk is the size of a full chunk at rest.
const sealedChunk = ChunkSize + tagSize

// chunkAt is the offset at rest of chunk i.
func chunkAt(i int) int { return headerSize + i*sealedChunk }

// TestTamper changes the stored object of a six-chunk file in the ways an
// attacker or a failing disk might, and checks that every read fails with
// ErrCorrupt having returned only authentic bytes from before the first
// changed chunk.
func TestTamper(t *testing.T) {
	const size = 5*ChunkSize + 1000 // five full chunks and a short sixth
	cases := []struct {
		name  string
		edit  func(raw []byte) []byte
		clean int // chunks before the first one changed
	}{
		{"flip a byte in chunk 2", func(raw []byte) []byte { raw[chunkAt(2)+100] ^= 1; return raw }, 2},
		{"flip a byte of a tag", func(raw []byte) []byte { raw[chunkAt(4)-1] ^= 0x80; return raw }, 3},
		{"flip the nonce prefix", func(raw []byte) []byte { raw[len(streamMagic)+1] ^= 1; return raw }, 0},
		{"change the version", func(raw []byte) []byte { raw[len(streamMagic)] = 2; return raw }, 0},
		{"drop the last chunk", func(raw []byte) []byte { return raw[:chunkAt(5)] }, 4},
		{"truncate to a chunk boundary", func(raw []byte) []byte { return raw[:chunkAt(3)] }, 2},
		{"truncate inside a chunk", func(raw []byte) []byte { return raw[:chunkAt(3)+500] }, 3},
		{"truncate to the header", func(raw []byte) []byte { return raw[:headerSize] }, 0},
		{"truncate to nothing", func(raw []byte) []byte { return raw[:0] }, 0},
		{"swap chunks 1 and 2", func(raw []byte) []byte {
			c1 := bytes.Clone(raw[chunkAt(1):chunkAt(2)])
			copy(raw[chunkAt(1):], raw[chunkAt(2):chunkAt(3)])
			copy(raw[chunkAt(2):], c1)
			return raw
		}, 1},
		{"repeat chunk 1", func(raw []byte) []byte {
			return append(raw[:chunkAt(2):chunkAt(2)], raw[chunkAt(1):]...)
		}, 2},
		{"append garbage", func(raw []byte) []byte { return append(raw, "garbage"...) }, 5},
		{"append a chunk's worth", func(raw []byte) []byte { return append(raw, make([]byte, sealedChunk)...) }, 5},
	}
	backends(t, func(t *testing.T, s *Store) {
		data := randomBytes(t, size)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				w := MustPut(t, s, data)
				tamper(t, s, w.FinalKey, c.edit)
				got, err := getAll(s, w)
				if !errors.Is(err, ErrCorrupt) {
					t.Errorf("read: %v; want ErrCorrupt", err)
				}
				if len(got) > c.clean*ChunkSize || !bytes.Equal(got, data[:len(got)]) {
					t.Errorf("read returned %d bytes; want at most the %d authentic ones before the change", len(got), c.clean*ChunkSize)
				}
			})
		}
	})
}

// TestTamperSmall checks that a file of one chunk changed at rest fails in
// Get itself: nothing of it is ever handed out.
func TestTamperSmall(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		for _, n := range []int{0, 10, ChunkSize} {
			t.Run(fmt.Sprint(n), func(t *testing.T) {
				w := MustPut(t, s, randomBytes(t, n))
				tamper(t, s, w.FinalKey, func(raw []byte) []byte { raw[len(raw)-1] ^= 1; return raw })
				r, err := s.Get(context.Background(), w.FinalKey, w.DataKey, w.MasterKeyID, w.Size, w.SHA256)
				if !errors.Is(err, ErrCorrupt) || r != nil {
					t.Errorf("Get = %v, %v; want nil, ErrCorrupt", r, err)
				}
			})
		}
	})
}

// TestRecordMismatch reads authentic content against a record whose size
// or digest is not its own.
func TestRecordMismatch(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		data := randomBytes(t, 3*ChunkSize)
		w := MustPut(t, s, data)
		for name, edit := range map[string]func(*Written){
			"shorter":      func(w *Written) { w.Size-- },
			"longer":       func(w *Written) { w.Size++ },
			"other digest": func(w *Written) { w.SHA256 = sum([]byte("x")) },
		} {
			t.Run(name, func(t *testing.T) {
				w := w
				edit(&w)
				got, err := getAll(s, w)
				if !errors.Is(err, ErrCorrupt) || int64(len(got)) > w.Size {
					t.Errorf("read %d bytes, %v; want ErrCorrupt and no more than %d bytes", len(got), err, w.Size)
				}
			})
		}
	})
}

func tamper(t *testing.T, s *Store, key string, edit func([]byte) []byte) {
	t.Helper()
	ctx := context.Background()
	raw, err := s.bucket.ReadAll(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.bucket.WriteAll(ctx, key, edit(raw), nil); err != nil {
		t.Fatal(err)
	}
}
