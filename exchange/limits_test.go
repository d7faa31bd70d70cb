package exchange

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/ed25519"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// bombSize is what the bomb inflates to.
const bombSize = 64 << 20

// bomb is bombSize zero bytes deflated, made once.
func bomb(tb testing.TB) []byte {
	tb.Helper()
	return deflate(tb, io.LimitReader(zeros{}, bombSize), flate.BestSpeed) // fast to make, still about 800:1
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestZipBomb: a small entry that inflates far beyond the limits is
// refused having read a few kilobytes, whether its directory says how
// large it is (refused before inflating) or lies (inflating stops at the
// declared size).
func TestZipBomb(t *testing.T) {
	key := MustKey(t, 1)
	stored := bomb(t)
	t.Logf("%d bytes inflate to %d", len(stored), bombSize)
	// raw is a part whose stored bytes are the bomb; declare sets what the
	// directory and the manifest claim it inflates to.
	raw := func(declare uint64) []part {
		return []part{{name: "Observation.ndjson", content: nil, lie: func(fh *zip.FileHeader) {
			fh.Method = zip.Deflate
			fh.UncompressedSize64 = declare
		}}}
	}
	cases := []struct {
		name    string
		pkg     []byte
		lim     Limits
		want    error
		maxRead int64
	}{
		{"declared, over MaxEntry", craftStored(t, raw(bombSize), stored, key), Limits{MaxEntry: 1 << 20}, ErrTooLarge, 4 << 10},
		{"declared, a bomb's ratio", craftStored(t, raw(bombSize), stored, key), Limits{}, ErrTooLarge, 4 << 10},
		{"declared, over MaxTotal", craftStored(t, raw(bombSize), stored, key), Limits{MaxTotal: 1 << 20, MaxRatio: 1 << 20}, ErrTooLarge, 4 << 10},
		{"lying, 100 KiB declared", craftStored(t, raw(100<<10), stored, key), Limits{}, ErrTampered, 16 << 10},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cr := &countingReaderAt{r: bytes.NewReader(c.pkg)}
			start := time.Now()
			_, err := Open(cr, int64(len(c.pkg)), trustOf(kainuu, key), c.lim)
			took := time.Since(start)
			if !errors.Is(err, c.want) {
				t.Fatalf("%v, want %v", err, c.want)
			}
			t.Logf("refused after reading %d of %d bytes in %v: %v", cr.n.Load(), len(c.pkg), took, err)
			if cr.n.Load() > c.maxRead {
				t.Errorf("read %d bytes of the package, want at most %d", cr.n.Load(), c.maxRead)
			}
			if took > 2*time.Second {
				t.Errorf("took %v: the bomb was inflated", took)
			}
		})
	}
}

// craftStored is craft whose first part's stored bytes are stored as is.
func craftStored(tb testing.TB, parts []part, stored []byte, key ed25519.PrivateKey) []byte {
	tb.Helper()
	return craftWith(tb, parts, stored, key)
}

// TestMemoryBounded writes and reads back a package with a 20 MB file and
// 20 MB of NDJSON through a file on disk and checks that all the memory
// allocated on the way is a small fraction of that: entries stream
// through, never held whole.
func TestMemoryBounded(t *testing.T) {
	key := MustKey(t, 1)
	const size = 20 << 20
	path := filepath.Join(t.TempDir(), "package.zip")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	line := []byte(`{"resourceType":"Observation","id":"obs-0000000","valueQuantity":{"value":120,"unit":"mm[Hg]"}}`)

	var before, mid, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	w, err := NewWriter(f, testHeader(), key)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.AddFile("big", io.LimitReader(rand.NewChaCha8([32]byte{3}), size)); err != nil {
		t.Fatal(err)
	}
	if err := w.AddNDJSON("Observation", func(emit func([]byte) error) error {
		for i := 0; i*(len(line)+1) < size; i++ {
			for d, v := 44, i; d >= 38; d, v = d-1, v/10 {
				line[d] = byte('0' + v%10)
			}
			if err := emit(line); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&mid)

	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	p, err := Open(f, fi.Size(), trustOf(kainuu, key), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	rc, err := p.Open("files/big")
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, rc)
	rc.Close()
	lines := 0
	if err == nil {
		err = p.EachLine("Observation", func([]byte) error { lines++; return nil })
	}
	runtime.ReadMemStats(&after)
	if err != nil || n != size || int64(lines) != p.Manifest().Counts["Observation"] {
		t.Fatalf("read back %d bytes and %d lines: %v", n, lines, err)
	}
	write, read := mid.TotalAlloc-before.TotalAlloc, after.TotalAlloc-mid.TotalAlloc
	t.Logf("package of %d MB: writing allocated %d KiB, verifying and reading %d KiB", fi.Size()>>20, write>>10, read>>10)
	// Under the race detector sync.Pool drops what it is given, so that
	// encoding/json's scanners, pooled otherwise, are made for each line.
	limit := uint64(2 << 20)
	if raceEnabled {
		limit = 8 << 20
	}
	if write > limit || read > limit {
		t.Errorf("allocated %d bytes writing and %d reading 40 MB; want under %d each", write, read, limit)
	}
}
