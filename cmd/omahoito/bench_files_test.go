package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"testing"
	"time"

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
// apart, so the two are compared under the same load. Reports MB/s (the
// API), disk-MB/s, x-disk (the API's throughput as a share of the disk's)
// and peak-heap-MB, the most the heap grew during one upload.
func BenchmarkFileUpload20MB(b *testing.B) {
	for _, db := range databases {
		b.Run(db, func(b *testing.B) {
			u := mustFilesCitizen(b, db, withoutRateLimits, func(c *Config) { c.PersonMaxSize = 1 << 40 })
			body := pdfBody(b, benchFileSize)
			dir := b.TempDir()
			var api, disk time.Duration
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
				b.StartTimer()
			}
			b.StopTimer()
			reportFileRates(b, api, disk, peak)
		})
	}
}

// BenchmarkFileDownload20MB gets a 20 MB PDF from /fhir/r4/Binary/{id}
// per iteration (decrypted, and checked against its size and SHA-256 as
// it streams), reading it to the end, and checks its length. After each
// download it reads the same bytes from a plain file written beside the
// bucket, timed apart. Both files were just written, so both are read from
// the page cache. Reports as BenchmarkFileUpload20MB, and x-crypto: the
// API's throughput as a share of the work no download can skip, timed
// apart too — the same bytes, encrypted as the store does, read from a
// file, decrypted and hashed (blob.DecryptReader, SHA-256), without HTTP.
func BenchmarkFileDownload20MB(b *testing.B) {
	for _, db := range databases {
		b.Run(db, func(b *testing.B) {
			u := mustFilesCitizen(b, db, withoutRateLimits)
			body := pdfBody(b, benchFileSize)
			id := u.mustUpload(b, body)
			plain := filepath.Join(b.TempDir(), "plain")
			writeSynced(b, plain, body)
			sealed, dataKey := writeSealed(b, body)
			var api, disk, crypto time.Duration
			var peak float64
			b.SetBytes(benchFileSize)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				runtime.GC()
				h := startHeapPeak()
				b.StartTimer()
				t0 := time.Now()
				u.benchDownload(b, id)
				api += time.Since(t0)
				b.StopTimer()
				peak = max(peak, h.end())
				t0 = time.Now()
				readDiscard(b, plain)
				disk += time.Since(t0)
				t0 = time.Now()
				readOpened(b, sealed, dataKey)
				crypto += time.Since(t0)
				b.StartTimer()
			}
			b.StopTimer()
			reportFileRates(b, api, disk, peak)
			b.ReportMetric(crypto.Seconds()/api.Seconds(), "x-crypto")
		})
	}
}

// writeSealed encrypts body under a new data key into a file, as the
// store writes content, and returns the file and the key.
func writeSealed(b *testing.B, body []byte) (string, []byte) {
	key := make([]byte, blob.KeySize)
	if _, err := rand.Read(key); err != nil {
		b.Fatal(err)
	}
	var sealed bytes.Buffer
	enc := blob.EncryptWriter(&sealed, key)
	if _, err := enc.Write(body); err != nil {
		b.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "sealed")
	writeSynced(b, path, sealed.Bytes())
	return path, key
}

// readOpened reads an encrypted file to the end, decrypting it and
// hashing the plaintext: what a download must do, without HTTP.
func readOpened(b *testing.B, path string, key []byte) {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.CopyBuffer(h, blob.DecryptReader(f, key), make([]byte, 32<<10))
	if err != nil || n != benchFileSize {
		b.Fatalf("decrypt %s: %d bytes, %v", path, n, err)
	}
}

func reportFileRates(b *testing.B, api, disk time.Duration, peak float64) {
	mb := float64(benchFileSize) / 1e6 * float64(b.N)
	b.ReportMetric(mb/disk.Seconds(), "disk-MB/s")
	b.ReportMetric(disk.Seconds()/api.Seconds(), "x-disk")
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

// benchDownload reads a Binary to the end and checks its length.
func (u *filesCitizen) benchDownload(b *testing.B, id string) {
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
	// A client reads in large pieces: io.Discard's own ReadFrom would read
	// 8 KB a system call, on the same cores as the server.
	n, err := io.CopyBuffer(struct{ io.Writer }{io.Discard}, res.Body, make([]byte, 256<<10))
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
