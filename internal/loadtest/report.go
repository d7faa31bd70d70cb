package loadtest

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// Report is what a run found.
type Report struct {
	Citizens      int           // asked for
	LoggedIn      int           // who got through the login
	Elapsed       time.Duration // of the load phase
	Requests      int64         // load-phase requests
	Writes        int64         // acknowledged writes
	Capped        bool          // the load stopped at MaxRequests, not at Duration
	Latency       map[string]Latency
	Outcomes      map[string]int64  // every request by operation and status or transport error
	Errors        map[string]int64  // the outcomes that are errors (status ≥ 400, transport)
	ErrorSamples  map[string]string // the first answer of each error kind, cut short
	Verified      int               // acknowledged writes found stored and compared at the end
	Discrepancies map[string]int    // by kind
	Examples      []Discrepancy     // a few of each kind
	WALPath       string
	WALMax        int64 // largest WAL size sampled, bytes
	WALFinal      int64 // size at the end
	WALLimit      int64
}

func (d *driver) report(citizens []*citizen, elapsed time.Duration, wal walFigures) Report {
	r := Report{Citizens: d.cfg.Citizens, LoggedIn: len(citizens), Elapsed: elapsed,
		Requests: min(d.requests.Load(), d.cfg.MaxRequests), Capped: d.capped.Load(),
		Latency: map[string]Latency{}, Errors: map[string]int64{},
		WALPath: wal.Path, WALMax: wal.Max, WALFinal: wal.Final, WALLimit: d.cfg.WALLimit}
	r.Verified = int(d.verified.Load())
	for _, z := range citizens {
		r.Writes += int64(len(z.acked))
	}
	d.rec.mu.Lock()
	defer d.rec.mu.Unlock()
	for op, ds := range d.rec.latencies {
		r.Latency[op] = summarise(ds)
	}
	r.Outcomes = maps.Clone(d.rec.outcomes)
	r.ErrorSamples = maps.Clone(d.rec.samples)
	for kind := range r.ErrorSamples {
		r.Errors[kind] = r.Outcomes[kind]
	}
	r.Discrepancies = maps.Clone(d.rec.discs)
	r.Examples = slices.Clone(d.rec.discSamp)
	return r
}

// ErrorCount is the number of requests that failed.
func (r Report) ErrorCount() int64 {
	var n int64
	for _, v := range r.Errors {
		n += v
	}
	return n
}

// DiscrepancyCount is the number of differences between the records and
// what the clients were told.
func (r Report) DiscrepancyCount() int {
	n := 0
	for _, v := range r.Discrepancies {
		n += v
	}
	return n
}

// RequestsPerSecond and WritesPerSecond are over the load phase.
func (r Report) RequestsPerSecond() float64 { return perSecond(r.Requests, r.Elapsed) }

// WritesPerSecond counts acknowledged writes.
func (r Report) WritesPerSecond() float64 { return perSecond(r.Writes, r.Elapsed) }

func perSecond(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// Failures lists why the run does not prove the service sound: errors,
// discrepancies, a citizen who could not log in, a WAL over its limit.
// Empty means it held.
func (r Report) Failures() []string {
	var f []string
	if r.LoggedIn < r.Citizens {
		f = append(f, fmt.Sprintf("%d of %d citizens could not log in", r.Citizens-r.LoggedIn, r.Citizens))
	}
	if n := r.ErrorCount(); n > 0 {
		f = append(f, fmt.Sprintf("%d requests failed", n))
	}
	if n := r.DiscrepancyCount(); n > 0 {
		f = append(f, fmt.Sprintf("%d discrepancies between the records and what the clients were told", n))
	}
	if r.WALPath != "" && r.WALMax > r.WALLimit {
		f = append(f, fmt.Sprintf("WAL reached %s, over the limit of %s", mib(r.WALMax), mib(r.WALLimit)))
	}
	return f
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// WriteText prints the report for people.
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "citizens        %d (%d logged in)\n", r.Citizens, r.LoggedIn)
	fmt.Fprintf(&b, "load phase      %s%s\n", r.Elapsed.Round(time.Millisecond), map[bool]string{true: " (stopped at the request cap)"}[r.Capped])
	fmt.Fprintf(&b, "requests        %d (%.0f/s)\n", r.Requests, r.RequestsPerSecond())
	fmt.Fprintf(&b, "writes          %d acknowledged (%.0f/s)\n", r.Writes, r.WritesPerSecond())
	fmt.Fprintf(&b, "verified        %d records\n", r.Verified)
	fmt.Fprintf(&b, "\n%-8s %8s %9s %9s %9s %9s\n", "latency", "count", "p50", "p95", "p99", "max")
	for _, op := range []string{OpLogin, OpWrite, OpSearch, OpRead, OpVerify} {
		if l, ok := r.Latency[op]; ok {
			fmt.Fprintf(&b, "%-8s %8d %9s %9s %9s %9s\n", op, l.Count, ms(l.P50), ms(l.P95), ms(l.P99), ms(l.Max))
		}
	}
	b.WriteString("\noutcomes\n")
	for _, k := range slices.Sorted(maps.Keys(r.Outcomes)) {
		fmt.Fprintf(&b, "  %-36s %d\n", k, r.Outcomes[k])
	}
	fmt.Fprintf(&b, "\nerrors          %d\n", r.ErrorCount())
	for _, k := range slices.Sorted(maps.Keys(r.ErrorSamples)) {
		fmt.Fprintf(&b, "  %s, first: %s\n", k, r.ErrorSamples[k])
	}
	fmt.Fprintf(&b, "discrepancies   %d\n", r.DiscrepancyCount())
	for _, k := range slices.Sorted(maps.Keys(r.Discrepancies)) {
		fmt.Fprintf(&b, "  %-44s %d\n", k, r.Discrepancies[k])
	}
	for _, e := range r.Examples {
		fmt.Fprintf(&b, "  e.g. citizen %d: %s: %s\n", e.Citizen, e.Kind, e.Detail)
	}
	if r.WALPath != "" {
		fmt.Fprintf(&b, "WAL             max %s, at the end %s (limit %s)\n", mib(r.WALMax), mib(r.WALFinal), mib(r.WALLimit))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }
