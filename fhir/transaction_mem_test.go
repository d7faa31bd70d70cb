package fhir

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
)

// junkBodies are 10 MB transaction bodies an attacker might send.
func junkBodies() map[string][]byte {
	const size = 10 << 20
	head := `{"resourceType":"Bundle","type":"transaction","entry":[`
	tiny := func(entry string) []byte {
		var b bytes.Buffer
		b.WriteString(head)
		for b.Len() < size-len(entry)-2 {
			b.WriteString(entry)
			b.WriteByte(',')
		}
		b.WriteString(entry + "]}")
		return b.Bytes()
	}
	return map[string][]byte{
		"200,000 tiny invalid entries": tiny(`{"x":1}`),
		"empty objects":                tiny(`{}`),
		"deeply nested":                []byte(head + strings.Repeat("[", size-len(head))),
		"nested objects":               []byte(head + strings.Repeat(`{"a":`, (size-len(head))/5)),
		"junk members first":           []byte(`{"x` + strings.Repeat("y", 100) + `":[` + strings.Repeat("1,", size/2-60) + `1],"resourceType":"Bundle"}`),
		"junk in an accepted member":   []byte(`{"resourceType":"Bundle","meta":[` + strings.Repeat("1,", size/2-60) + `1]}`),
		"one huge entry":               []byte(head + `{"fullUrl":[` + strings.Repeat("1,", (size-len(head))/2-20) + `1]}]}`),
		"a huge key":                   []byte(`{"` + strings.Repeat("k", size-10) + `":1}`),
	}
}

// countingReader counts the bytes the parser pulls.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// allocated is how many bytes f allocates on the heap in all: an upper
// bound on how far it can raise the peak, whatever the collector does.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestJunkTransactionCostsLittleMemory: a 10 MB body of junk is refused at
// its first bad entry, allocating within a few tens of MB (a valid small
// Bundle is the baseline), and the reader is not drained for entry junk.
func TestJunkTransactionCostsLittleMemory(t *testing.T) {
	small := transaction(t, 10, nil)
	baseline := allocated(func() {
		if _, err := ParseTransaction(small); err != nil {
			t.Fatal(err)
		}
	})
	// encoding/json's Decoder holds one whole value in a buffer that
	// doubles as it grows; no value may pass MaxValueBytes, so junk costs
	// a few times that, however large the body.
	const budget = 4 << 20
	for name, body := range junkBodies() {
		t.Run(name, func(t *testing.T) {
			r := &countingReader{r: bytes.NewReader(body)}
			var err error
			alloc := allocated(func() { _, err = DecodeTransaction(r) })
			if err == nil {
				t.Fatal("junk accepted")
			}
			t.Logf("%s: %v; allocated %.1f MB (valid 10-entry baseline %.2f MB), read %.1f of %.1f MB",
				name, err, mb(alloc), mb(baseline), mb(uint64(r.n)), mb(uint64(len(body))))
			if alloc > baseline+budget {
				t.Errorf("allocated %.1f MB for a %.1f MB junk body; budget %.0f MB", mb(alloc), mb(uint64(len(body))), mb(budget))
			}
			if strings.Contains(name, "entries") || name == "empty objects" {
				if r.n > 1<<20 {
					t.Errorf("read %.1f MB to refuse the first entry", mb(uint64(r.n)))
				}
				var fe *FieldError
				if !errors.As(err, &fe) || !strings.HasPrefix(fe.Path, "Bundle.entry[0]") {
					t.Errorf("err = %v, want one naming Bundle.entry[0]", err)
				}
			}
		})
	}
}

func mb(n uint64) float64 { return float64(n) / (1 << 20) }

// BenchmarkJunkTransaction reports the bytes allocated to refuse each junk
// body; compare with BenchmarkParseTransaction10k's valid bundle.
func BenchmarkJunkTransaction(b *testing.B) {
	for name, body := range junkBodies() {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var total uint64
			for b.Loop() {
				total += allocated(func() { _, _ = ParseTransaction(body) })
			}
			b.ReportMetric(mb(total)/float64(b.N), "MB-alloc/op")
		})
	}
}
