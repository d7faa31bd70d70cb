package storetest

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/record"
)

// BatchSize is the number of measurements of the create benchmark: a
// transaction Bundle of 10,000 Observations.
const BatchSize = 10000

// RawInsert writes measurements (version 1) into observations and
// observation_versions by the fastest plain means of a database, with no
// lookups: the baseline that CreateMeasurements is measured against.
type RawInsert func(ctx context.Context, ms []record.Measurement) error

// BenchCreate measures CreateMeasurements of BatchSize blood pressures of
// one person, each with a new identifier, as sub-benchmark "store", beside
// raw inserts of the same rows as sub-benchmark "raw". open returns a new,
// empty store for each run and raw an inserter into that store's tables.
func BenchCreate(b *testing.B, open func(b *testing.B) (Stores, RawInsert)) {
	b.Run("store", func(b *testing.B) {
		s, _ := open(b)
		runCreate(b, s, s.CreateMeasurements)
	})
	b.Run("raw", func(b *testing.B) {
		s, raw := open(b)
		runCreate(b, s, func(ctx context.Context, ms []record.Measurement) (map[int]record.Measurement, error) {
			return nil, raw(ctx, ms)
		})
	})
}

func runCreate(b *testing.B, s Stores, create func(context.Context, []record.Measurement) (map[int]record.Measurement, error)) {
	ctx := context.Background()
	MustSeedDemo(b, s)
	must(b, s.CreatePerson(ctx, BenchPerson(0)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		batch := BenchBatch(BenchPerson(0).ID, i, BatchSize)
		b.StartTimer()
		existing, err := create(ctx, batch)
		if err != nil {
			b.Fatal(err)
		}
		if len(existing) != 0 {
			b.Fatalf("%d of the new measurements reported as existing", len(existing))
		}
	}
	b.ReportMetric(float64(BatchSize*b.N)/b.Elapsed().Seconds(), "resources/s")
}

// BenchPerson is the i-th person of the benchmarks, in the demo region kainuu.
func BenchPerson(i int) auth.SealedPerson {
	id := fmt.Sprintf("bench-%05d", i)
	p := person(id, 0)
	p.HetuKey, p.HetuSealed = []byte("key-"+id), []byte("sealed-"+id)
	return p
}

// BenchBatch is n blood-pressure readings of personID sent by a device,
// batch number batch, with new random ids and identifiers unique to the
// batch, a minute apart.
func BenchBatch(personID string, batch, n int) []record.Measurement {
	ms := make([]record.Measurement, n)
	start := base.Add(time.Duration(batch*n) * time.Minute)
	for i := range ms {
		m := BloodPressure(personID, auth.NewID(), start.Add(time.Duration(i)*time.Minute), float64(110+i%40), float64(70+i%20))
		m.Source = record.Source{Kind: record.SourceDevice, Client: "bench-app"}
		m.Identifier = fmt.Sprintf("urn:bench|%d-%d", batch, i)
		ms[i] = m
	}
	return ms
}

// SearchYearData is the search benchmark's database: 10,000 people, of
// whom the one searched has 365 daily blood pressures and each of the
// others 36, which loads in well under two minutes. With
// OMAHOITO_BENCH_FULL=1 everyone has 365 (3.65 million measurements, a
// load of several minutes).
func SearchYearData() YearData {
	if os.Getenv("OMAHOITO_BENCH_FULL") == "1" {
		return YearData{People: 10000, Days: 365, TargetDays: 365}
	}
	return YearData{People: 10000, Days: 36, TargetDays: 365}
}

// YearData describes the search benchmark's database: People people with
// Days daily blood pressures each, except person 0, the one searched, who
// has TargetDays.
type YearData struct {
	People, Days, TargetDays int
}

// Load writes d's measurements with raw, in chunks of about chunk rows,
// day by day across all people as they would arrive, so one person's rows
// are spread through the tables. It creates the people first.
func (d YearData) Load(tb testing.TB, s Stores, raw RawInsert, chunk int) {
	ctx := context.Background()
	MustSeedDemo(tb, s)
	for p := range d.People {
		must(tb, s.CreatePerson(ctx, BenchPerson(p)))
	}
	buf := make([]record.Measurement, 0, chunk+d.People)
	for day := range max(d.Days, d.TargetDays) {
		at := yearStart.Add(time.Duration(day)*24*time.Hour + 7*time.Hour)
		for p := range d.People {
			if (p == 0 && day >= d.TargetDays) || (p != 0 && day >= d.Days) {
				continue
			}
			m := BloodPressure(BenchPerson(p).ID, auth.NewID(), at.Add(time.Duration(p)*time.Second), float64(110+day%40), float64(70+p%20))
			m.Identifier = fmt.Sprintf("urn:bench|%d", day)
			buf = append(buf, m)
		}
		if len(buf) >= chunk {
			must(tb, raw(ctx, buf))
			buf = buf[:0]
		}
	}
	must(tb, raw(ctx, buf))
}

var yearStart = time.Date(2024, time.January, 1, 0, 0, 0, 0, time.UTC)

// BenchSearchYear measures searches of person 0's year of blood pressures,
// newest first, in a store loaded with YearData: all 365 in one query
// ("limit=365"), pages of 50 followed by cursor ("limit=50", the latency of
// one page), and the count a page comes with ("count"). Each reports its
// median and 99th percentile latency in milliseconds.
func BenchSearchYear(b *testing.B, s Stores) {
	q := record.Query{Scope: record.Everything, PersonID: BenchPerson(0).ID, Kinds: []record.Kind{record.BloodPressure},
		From: yearStart, To: yearStart.AddDate(1, 0, 0), ToOpen: true, Desc: true}
	all := q
	all.Limit = 365
	first, err := s.SearchMeasurements(context.Background(), all)
	must(b, err)
	if len(first) != 365 {
		b.Fatalf("the year has %d measurements, want 365", len(first))
	}
	b.Run("limit=365", func(b *testing.B) {
		latencies(b, func(int) error {
			ms, err := s.SearchMeasurements(context.Background(), all)
			if err == nil && len(ms) != 365 {
				err = fmt.Errorf("%d rows, want 365", len(ms))
			}
			return err
		})
	})
	pages := pageQueries(q, first, 50)
	b.Run("limit=50", func(b *testing.B) {
		latencies(b, func(i int) error {
			_, err := s.SearchMeasurements(context.Background(), pages[i%len(pages)])
			return err
		})
	})
	b.Run("count", func(b *testing.B) {
		latencies(b, func(int) error {
			_, err := s.CountMeasurements(context.Background(), q)
			return err
		})
	})
}

// pageQueries are the queries of every page of size n through rows, the
// full result of q in order.
func pageQueries(q record.Query, rows []record.Measurement, n int) []record.Query {
	q.Limit = n
	var out []record.Query
	for i := 0; i < len(rows); i += n {
		p := q
		if i > 0 {
			p.After = &record.Cursor{At: rows[i-1].At, ID: rows[i-1].ID}
		}
		out = append(out, p)
	}
	return out
}

// latencies runs op b.N times and reports the median and 99th percentile.
func latencies(b *testing.B, op func(i int) error) {
	d := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		if err := op(i); err != nil {
			b.Fatal(err)
		}
		d = append(d, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(d)
	b.ReportMetric(ms(d[len(d)/2]), "p50-ms")
	b.ReportMetric(ms(d[min(len(d)-1, len(d)*99/100)]), "p99-ms")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
