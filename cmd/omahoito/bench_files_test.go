package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/omahoito/omahoito/store/blob"
)

// benchFileSize is the size of the file the file benchmarks move: the
// largest a citizen may upload by default.
const benchFileSize = 20 << 20

// BenchmarkFileUpload20MB posts a 20 MB PDF to /fhir/r4/Binary per
// iteration, over loopback with a citizen's bearer token, and checks the
// 201: streamed, encrypted, hashed and fsynced into the fileblob bucket
// under the data directory, the record committed, the content promoted.
// After each upload it writes the same bytes straight to a new file in a
// directory beside the bucket and fsyncs it (as the store does), timed
// apart, so the two are compared under the same load; then it stores them
// with the file store itself (blob.Store Put and Promote into a fileblob
// bucket of its own: encrypted, hashed, fsynced), without HTTP or a
// database, timed apart too. Reports MB/s (the API), disk-MB/s, x-disk
// (the API's throughput as a share of the disk's), x-store (as a share of
// the store's) and peak-heap-MB, the most the heap grew during one upload.
func BenchmarkFileUpload20MB(b *testing.B) {
	for _, db := range databases {
		b.Run(db, func(b *testing.B) {
			u := mustFilesCitizen(b, db, withoutRateLimits, func(c *Config) { c.PersonMaxSize = 1 << 40 })
			body := pdfBody(b, benchFileSize)
			dir, store := b.TempDir(), benchStore(b)
			var api, disk, direct time.Duration
			var peak float64
			b.SetBytes(benchFileSize)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				runtime.GC() // the peak is measured from the live heap
				h := startHeapPeak()
				b.StartTimer()
				t0 := time.Now()
				u.benchUpload(b, body)
				api += time.Since(t0)
				b.StopTimer()
				peak = max(peak, h.end())
				t0 = time.Now()
				writeSynced(b, filepath.Join(dir, strconv.Itoa(i)), body)
				disk += time.Since(t0)
				t0 = time.Now()
				storePut(b, store, body)
				direct += time.Since(t0)
				b.StartTimer()
			}
			b.StopTimer()
			reportFileRates(b, api, disk, direct, peak)
		})
	}
}

// BenchmarkFileDownload20MB gets a 20 MB PDF from /fhir/r4/Binary/{id}
// per iteration (decrypted, and checked against its size and SHA-256 as
// it streams), reading it to the end, and checks its length. After each
// download it reads the same bytes from a plain file written beside the
// bucket, timed apart. Both files were just written, so both are read from
// the page cache. Then it reads them with the file store itself (blob.Store
// Get from a fileblob bucket of its own: decrypted, checked against size
// and SHA-256), without HTTP or a database, timed apart too. Reports as
// BenchmarkFileUpload20MB.
func BenchmarkFileDownload20MB(b *testing.B) {
	for _, db := range databases {
		b.Run(db, func(b *testing.B) {
			u := mustFilesCitizen(b, db, withoutRateLimits)
			body := pdfBody(b, benchFileSize)
			id := u.mustUpload(b, body)
			plain := filepath.Join(b.TempDir(), "plain")
			writeSynced(b, plain, body)
			store := benchStore(b)
			stored := storePut(b, store, body)
			// A client reads in large pieces: io.Discard's own ReadFrom
			// would read 8 KB a system call, on the same cores as the
			// server. Held before the heap's baseline, like the upload's body.
			buf := make([]byte, 256<<10)
			var api, disk, direct, apiCold, diskCold time.Duration
			var peak float64
			b.SetBytes(benchFileSize)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				runtime.GC()
				h := startHeapPeak()
				b.StartTimer()
				t0 := time.Now()
				u.benchDownload(b, id, buf)
				api += time.Since(t0)
				b.StopTimer()
				peak = max(peak, h.end())
				t0 = time.Now()
				readDiscard(b, plain)
				disk += time.Since(t0)
				t0 = time.Now()
				storeGet(b, store, stored)
				direct += time.Since(t0)
				// The same from the device: the content's pages dropped
				// from the cache before the API's read and the disk's.
				evictDir(b, u.bucket)
				t0 = time.Now()
				u.benchDownload(b, id, buf)
				apiCold += time.Since(t0)
				evictDir(b, plain)
				t0 = time.Now()
				readDiscard(b, plain)
				diskCold += time.Since(t0)
				b.StartTimer()
			}
			b.StopTimer()
			reportFileRates(b, api, disk, direct, peak)
			b.ReportMetric(float64(benchFileSize)*float64(b.N)/1e6/diskCold.Seconds(), "disk-cold-MB/s")
			b.ReportMetric(diskCold.Seconds()/apiCold.Seconds(), "x-disk-cold")
			b.ReportMetric(float64(benchFileSize)*float64(b.N)/1e6/apiCold.Seconds(), "cold-MB/s")
		})
	}
}

// benchStore is a file store on a fileblob bucket of its own, opened as
// the app opens its own (fsyncing what it writes).
func benchStore(b *testing.B) *blob.Store {
	key := make([]byte, blob.KeySize)
	if _, err := rand.Read(key); err != nil {
		b.Fatal(err)
	}
	keys, err := blob.NewMasterKeys("k1", map[string][]byte{"k1": key})
	if err != nil {
		b.Fatal(err)
	}
	s, err := blob.Open(context.Background(), "file://"+b.TempDir()+"?create_dir=1&dir_file_mode=0700", keys)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// storePut stores body as the files service does: Put, then Promote.
func storePut(b *testing.B, s *blob.Store, body []byte) blob.Written {
	ctx := context.Background()
	w, err := s.Put(ctx, bytes.NewReader(body), benchFileSize)
	if err == nil {
		_, err = s.Promote(ctx, w.TempKey)
	}
	if err != nil {
		b.Fatal(err)
	}
	return w
}

// storeGet reads stored content to the end, decrypted and checked.
func storeGet(b *testing.B, s *blob.Store, w blob.Written) {
	rc, err := s.Get(context.Background(), w.FinalKey, w.DataKey, w.MasterKeyID, w.Size, w.SHA256)
	if err != nil {
		b.Fatal(err)
	}
	defer rc.Close()
	if n, err := io.Copy(io.Discard, rc); err != nil || n != benchFileSize {
		b.Fatalf("store Get: %d bytes, %v", n, err)
	}
}

func reportFileRates(b *testing.B, api, disk, direct time.Duration, peak float64) {
	mb := float64(benchFileSize) / 1e6 * float64(b.N)
	b.ReportMetric(mb/disk.Seconds(), "disk-MB/s")
	b.ReportMetric(mb/direct.Seconds(), "store-MB/s")
	b.ReportMetric(disk.Seconds()/api.Seconds(), "x-disk")
	b.ReportMetric(direct.Seconds()/api.Seconds(), "x-store")
	b.ReportMetric(peak, "peak-heap-MB")
}

// benchUpload posts body as a Binary and checks the 201.
func (u *filesCitizen) benchUpload(b *testing.B, body []byte) {
	req, err := http.NewRequest(http.MethodPost, u.URL+"/fhir/r4/Binary", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+u.token)
	req.Header.Set("Content-Type", "application/pdf")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	msg, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		b.Fatalf("POST Binary: %d %s", res.StatusCode, msg)
	}
}

// benchDownload reads a Binary to the end through buf and checks its
// length.
func (u *filesCitizen) benchDownload(b *testing.B, id string, buf []byte) {
	req, err := http.NewRequest(http.MethodGet, u.URL+"/fhir/r4/Binary/"+id, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+u.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	n, err := io.CopyBuffer(struct{ io.Writer }{io.Discard}, res.Body, buf)
	if res.StatusCode != http.StatusOK || err != nil || n != benchFileSize {
		b.Fatalf("GET Binary: %d, %d bytes, %v", res.StatusCode, n, err)
	}
}

// writeSynced writes body to a new file and fsyncs it before closing, as
// the store makes content durable before a record names it.
func writeSynced(b *testing.B, path string, body []byte) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := f.Write(body); err != nil {
		b.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

// evictDir drops the cached pages of every file under path (a file or a
// directory) so that the next read comes from the device, as a download
// of a file not read lately does. The files are synced, so their pages
// are clean and the kernel drops them.
func evictDir(b *testing.B, path string) {
	err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		return unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
	})
	if err != nil {
		b.Fatal(err)
	}
}

// readDiscard reads a file to the end.
func readDiscard(b *testing.B, path string) {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if n, err := io.Copy(io.Discard, f); err != nil || n != benchFileSize {
		b.Fatalf("read %s: %d bytes, %v", path, n, err)
	}
}

// heapPeak samples the bytes in live and unswept heap objects every
// millisecond, from start to end: the server runs in this process, so its
// growth is the server's (and the client's, which streams from or to a
// buffer held before the start) memory for one request.
type heapPeak struct {
	base uint64
	peak chan uint64
	stop chan struct{}
}

const heapObjects = "/memory/classes/heap/objects:bytes"

func heapNow() uint64 {
	s := []metrics.Sample{{Name: heapObjects}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func startHeapPeak() *heapPeak {
	h := &heapPeak{base: heapNow(), peak: make(chan uint64), stop: make(chan struct{})}
	go func() {
		top := h.base
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			top = max(top, heapNow())
			select {
			case <-h.stop:
				h.peak <- max(top, heapNow())
				return
			case <-t.C:
			}
		}
	}()
	return h
}

// end stops the sampling and returns the peak above the start, in MB.
func (h *heapPeak) end() float64 {
	close(h.stop)
	return float64(<-h.peak-h.base) / 1e6
}
