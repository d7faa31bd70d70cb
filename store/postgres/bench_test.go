package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/omahoito/omahoito/store/postgres/pgtest"
	"github.com/omahoito/omahoito/store/storetest"
)

// BenchmarkCreateMeasurements10k: CreateMeasurements of a 10,000-reading
// batch ("store") beside raw COPY of the same rows ("raw").
func BenchmarkCreateMeasurements10k(b *testing.B) {
	storetest.BenchCreate(b, func(b *testing.B) (storetest.Stores, storetest.RawInsert) {
		s := pgtest.Open(b)
		return s, pgtest.RawInsert(s.Pool())
	})
}

// BenchmarkSearchYear: one person's year of daily blood pressures among
// 10,000 people (see storetest.SearchYearData).
func BenchmarkSearchYear(b *testing.B) {
	s := pgtest.Open(b)
	start := time.Now()
	storetest.SearchYearData().Load(b, s, pgtest.RawInsert(s.Pool()), 200000)
	if _, err := s.Pool().Exec(context.Background(), `VACUUM ANALYZE observations`); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded in %s", time.Since(start).Round(time.Second))
	storetest.BenchSearchYear(b, s)
}
