package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/omahoito/omahoito/store/sqlite/sqlitetest"
	"github.com/omahoito/omahoito/store/storetest"
)

// BenchmarkCreateMeasurements10k: CreateMeasurements of a 10,000-reading
// batch ("store") beside raw inserts of the same rows ("raw").
func BenchmarkCreateMeasurements10k(b *testing.B) {
	storetest.BenchCreate(b, func(b *testing.B) (storetest.Stores, storetest.RawInsert) {
		s := MustOpen(b)
		return s, sqlitetest.RawInsert(s.DB())
	})
}

// BenchmarkSearchYear: one person's year of daily blood pressures among
// 10,000 people (see storetest.SearchYearData).
func BenchmarkSearchYear(b *testing.B) {
	s := MustOpen(b)
	start := time.Now()
	// A large page cache on the writer (the one connection every write
	// takes, the directory seeding included) keeps the random index inserts
	// of an interleaved load in memory; it is set back after the load.
	ctx := context.Background()
	if _, err := s.DB().ExecContext(ctx, `PRAGMA cache_size = -2000000`); err != nil {
		b.Fatal(err)
	}
	storetest.SearchYearData().Load(b, s, sqlitetest.RawInsert(s.DB()), 200000)
	if _, err := s.DB().ExecContext(ctx, `PRAGMA cache_size = -2000`); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded in %s", time.Since(start).Round(time.Second))
	storetest.BenchSearchYear(b, s)
}
