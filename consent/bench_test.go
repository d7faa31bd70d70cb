package consent_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/record"
)

// benchGrants is one patient's 100 grants as a busy record might hold
// them: most for other professionals and units, some revoked, ended,
// expired or not started, three in force for pro-1 (by name, through
// unit-a, and one of other kinds).
func benchGrants() []consent.Grant {
	grants := make([]consent.Grant, 0, 100)
	add := func(n int, mods ...func(*consent.Grant)) {
		for range n {
			grants = append(grants, grant(fmt.Sprintf("g%03d", len(grants)), mods...))
		}
	}
	add(30, toPro("pro-other"), classes(measurements(bp, glucose)))
	add(15, toUnit("unit-other"))
	add(15, status(consent.StatusRevoked))
	add(10, status(consent.StatusEnded))
	add(15, period(now.Add(-400*day), now.Add(-35*day)))
	add(10, period(now.Add(day), time.Time{}))
	add(1, classes(measurements(bp, heart)), window(now.Add(-90*day), time.Time{}))
	add(1, toUnit("unit-a"))
	add(1, classes(measurements(glucose)))
	add(2, of("bertta"))
	return grants
}

func benchRequest() consent.Request {
	return request(kinds(bp), at(now.Add(-7*day)))
}

// BenchmarkDecide decides one search of a kind in a window against 100
// grants, reporting the median and 99th percentile of single calls.
func BenchmarkDecide(b *testing.B) {
	grants, req := benchGrants(), benchRequest()
	if d := consent.Decide(grants, req, now); !d.Permit || len(d.Grants) != 2 {
		b.Fatalf("the benchmark's request should rest on two grants: %+v", d)
	}
	timeEach(b, func() bool { return consent.Decide(grants, req, now).Permit })
}

// BenchmarkDecideDenied decides a request no grant covers: every grant is
// looked at and the reason worked out.
func BenchmarkDecideDenied(b *testing.B) {
	grants, req := benchGrants(), request(class(record.ClassFiles), file("f1"))
	if d := consent.Decide(grants, req, now); d.Permit {
		b.Fatalf("the benchmark's request should be denied: %+v", d)
	}
	timeEach(b, func() bool { return consent.Decide(grants, req, now).Permit })
}

// BenchmarkDecideBaseline is the least a decision must do: one look at
// each of the 100 grants. Decide's time over this is the cost of the rules.
func BenchmarkDecideBaseline(b *testing.B) {
	grants, req := benchGrants(), benchRequest()
	timeEach(b, func() bool {
		n := 0
		for i := range grants {
			if grants[i].PersonID == req.PatientID {
				n++
			}
		}
		return n > 0
	})
}

var sink bool

// timeEach runs f b.N times, timing each call, and reports the median and
// 99th percentile besides the mean.
func timeEach(b *testing.B, f func() bool) {
	b.Helper()
	durations := make([]time.Duration, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range durations {
		start := time.Now()
		sink = f()
		durations[i] = time.Since(start)
	}
	b.StopTimer()
	slices.Sort(durations)
	b.ReportMetric(float64(durations[len(durations)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(durations[len(durations)*99/100].Nanoseconds()), "p99-ns")
}
