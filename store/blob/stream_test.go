package blob

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// TestStreamWrites writes in pieces of many sizes, which must make the same
// plaintext however the writes fall on chunk boundaries.
func TestStreamWrites(t *testing.T) {
	key := randomBytes(t, KeySize)
	data := randomBytes(t, 3*ChunkSize+17)
	for _, piece := range []int{1, 1000, ChunkSize - 1, ChunkSize, ChunkSize + 1, len(data)} {
		var sealed bytes.Buffer
		w := EncryptWriter(&sealed, key)
		for rest := data; len(rest) > 0; {
			n := min(piece, len(rest))
			if _, err := w.Write(rest[:n]); err != nil {
				t.Fatal(err)
			}
			rest = rest[n:]
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if want := headerSize + 4*tagSize + len(data); sealed.Len() != want {
			t.Errorf("pieces of %d: %d bytes sealed; want %d", piece, sealed.Len(), want)
		}
		// One byte at a time, the reader must still find the chunks.
		got, err := io.ReadAll(DecryptReader(iotest.OneByteReader(&sealed), key))
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("pieces of %d: read back %d bytes, %v", piece, len(got), err)
		}
	}
}

func TestStreamWrongKey(t *testing.T) {
	var sealed bytes.Buffer
	w := EncryptWriter(&sealed, randomBytes(t, KeySize))
	w.Write([]byte("secret"))
	w.Close()
	got, err := io.ReadAll(DecryptReader(&sealed, randomBytes(t, KeySize)))
	if !errors.Is(err, ErrCorrupt) || len(got) != 0 {
		t.Errorf("read with another key: %q, %v; want nothing and ErrCorrupt", got, err)
	}
	if _, err := EncryptWriter(io.Discard, []byte("short")).Write([]byte("x")); err == nil {
		t.Error("EncryptWriter took a 5-byte key")
	}
	if _, err := io.ReadAll(DecryptReader(&sealed, []byte("short"))); err == nil {
		t.Error("DecryptReader took a 5-byte key")
	}
}

func TestVerifyingReader(t *testing.T) {
	data := []byte("the recorded content")
	if got, err := io.ReadAll(VerifyingReader(bytes.NewReader(data), int64(len(data)), sum(data))); err != nil || !bytes.Equal(got, data) {
		t.Errorf("matching content: %q, %v", got, err)
	}
	more := append(bytes.Clone(data), "and more"...)
	got, err := io.ReadAll(VerifyingReader(bytes.NewReader(more), int64(len(data)), sum(data)))
	if !errors.Is(err, ErrCorrupt) || len(got) > len(data) {
		t.Errorf("longer content: %d bytes, %v; want at most %d and ErrCorrupt", len(got), err, len(data))
	}
	if _, err := io.ReadAll(VerifyingReader(bytes.NewReader(data[1:]), int64(len(data)), sum(data))); !errors.Is(err, ErrCorrupt) {
		t.Errorf("shorter content: %v; want ErrCorrupt", err)
	}
}
