package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

const size20MB = 20 << 20

// stream20MB is 20 MB of pseudo-random bytes made as they are read, so
// that the test itself holds none of it.
func stream20MB() io.Reader {
	return io.LimitReader(rand.NewChaCha8([32]byte{1}), size20MB)
}

// TestMemoryBounded puts and gets a 20 MB file on fileblob and checks that
// all the memory allocated on the way is a small fraction of its size: the
// content streams through and is never held whole.
func TestMemoryBounded(t *testing.T) {
	s := MustOpen(t, fileURL(t), MustKeys(t))
	ctx := context.Background()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	w, err := s.Put(ctx, stream20MB(), size20MB)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Promote(ctx, w.TempKey); err != nil {
		t.Fatal(err)
	}
	r, err := s.Get(ctx, w.FinalKey, w.DataKey, w.MasterKeyID, w.Size, w.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	n, err := io.Copy(h, r)
	r.Close()
	runtime.ReadMemStats(&after)
	if err != nil || n != size20MB {
		t.Fatalf("read back %d bytes, %v", n, err)
	}
	want := sha256.New()
	io.Copy(want, stream20MB())
	if string(h.Sum(nil)) != string(want.Sum(nil)) {
		t.Fatal("read back other bytes than were put")
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("Put and Get of 20 MB allocated %d KiB in all", alloc>>10)
	if alloc > 4<<20 {
		t.Errorf("Put and Get of 20 MB allocated %d bytes; want under 4 MB", alloc)
	}
}

// BenchmarkPutGet20MB puts and gets 20 MB through a fileblob store, beside
// writing and reading the same bytes straight to a file in the same
// directory; it reports both speeds (MB/s of content, written and read
// once each) and store/disk, the ratio.
func BenchmarkPutGet20MB(b *testing.B) {
	dir := b.TempDir()
	s := MustOpen(b, "file://"+dir+"?create_dir=1", MustKeys(b))
	data, err := io.ReadAll(stream20MB())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var store, disk time.Duration
	b.SetBytes(size20MB)
	for b.Loop() {
		start := time.Now()
		if err := diskRoundTrip(filepath.Join(dir, "plain"), data); err != nil {
			b.Fatal(err)
		}
		disk += time.Since(start)

		start = time.Now()
		if err := storeRoundTrip(ctx, s, data); err != nil {
			b.Fatal(err)
		}
		store += time.Since(start)
	}
	mb := float64(b.N) * size20MB / 1e6
	b.ReportMetric(mb/store.Seconds(), "store-MB/s")
	b.ReportMetric(mb/disk.Seconds(), "disk-MB/s")
	b.ReportMetric(disk.Seconds()/store.Seconds(), "store/disk")
}

// diskRoundTrip writes data to path, fsyncs it as Put does, and reads it
// back.
func diskRoundTrip(path string, data []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	f, err = os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(io.Discard, f)
	return err
}

func storeRoundTrip(ctx context.Context, s *Store, data []byte) error {
	w, err := s.Put(ctx, bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return err
	}
	if _, err := s.Promote(ctx, w.TempKey); err != nil {
		return err
	}
	r, err := s.Get(ctx, w.FinalKey, w.DataKey, w.MasterKeyID, w.Size, w.SHA256)
	if err != nil {
		return err
	}
	n, err := io.Copy(io.Discard, r)
	r.Close()
	if err == nil && n != int64(len(data)) {
		err = errors.New("short read")
	}
	if err == nil {
		err = s.Delete(ctx, w.FinalKey)
	}
	return err
}
