package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Operations whose latency and outcomes are reported.
const (
	OpLogin  = "login"  // one step of the login flow (each redirect counts)
	OpWrite  = "write"  // POST Observation
	OpSearch = "search" // GET Observation?patient=…
	OpRead   = "read"   // GET Observation/{id}
	OpVerify = "verify" // the final paging search
)

// maxSamples bounds the examples kept per error kind and of discrepancies.
const maxSamples = 5

// recorder collects every request's outcome; safe for concurrent use.
type recorder struct {
	mu        sync.Mutex
	latencies map[string][]time.Duration
	outcomes  map[string]int64 // "write 201", "search 500", "write transport: timeout"
	samples   map[string]string
	discs     map[string]int
	discSamp  []Discrepancy
}

func newRecorder() *recorder {
	return &recorder{
		latencies: map[string][]time.Duration{},
		outcomes:  map[string]int64{},
		samples:   map[string]string{},
		discs:     map[string]int{},
	}
}

// request records one answered or unanswered request. body is kept, cut
// short, as the first example of an error kind; it carries no hetu, since
// hetus go only in login form bodies, which are not kept.
func (r *recorder) request(op string, d time.Duration, status int, err error, body []byte) {
	kind := outcomeKind(op, status, err)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.latencies[op] = append(r.latencies[op], d)
	r.outcomes[kind]++
	if isError(status, err) {
		if _, ok := r.samples[kind]; !ok {
			r.samples[kind] = sample(body, err)
		}
	}
}

func (r *recorder) discrepancy(d Discrepancy) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.discs[d.Kind]++
	if len(r.discSamp) < maxSamples*4 && countKind(r.discSamp, d.Kind) < maxSamples {
		r.discSamp = append(r.discSamp, d)
	}
}

func countKind(ds []Discrepancy, kind string) int {
	n := 0
	for _, d := range ds {
		if d.Kind == kind {
			n++
		}
	}
	return n
}

// isError: a transport failure or any status outside 2xx and 3xx (the
// login flow's redirects are part of a success).
func isError(status int, err error) bool { return err != nil || status >= 400 }

func outcomeKind(op string, status int, err error) string {
	if err != nil {
		return op + " transport: " + transportKind(err)
	}
	return fmt.Sprintf("%s %d", op, status)
}

// transportKind names a failed round trip without its URL.
func transportKind(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, ErrNotLoopback):
		return "not loopback"
	case errors.Is(err, os.ErrDeadlineExceeded):
		return "timeout"
	}
	return "other"
}

func sample(body []byte, err error) string {
	s := string(body)
	if err != nil {
		s = err.Error()
	}
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// Latency summarises one operation's response times.
type Latency struct {
	Count         int
	P50, P95, P99 time.Duration
	Max           time.Duration
}

func summarise(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return Latency{Count: len(s), P50: quantile(s, 0.50), P95: quantile(s, 0.95), P99: quantile(s, 0.99), Max: s[len(s)-1]}
}

// quantile is the nearest-rank quantile of sorted s.
func quantile(s []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(s))+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}
