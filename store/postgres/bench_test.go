package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/postgres/pgtest"
	"github.com/omahoito/omahoito/store/storetest"
)

// BenchmarkCreateMeasurements10k: CreateMeasurements of a 10,000-reading
// batch ("store") beside raw COPY of the same rows ("raw").
func BenchmarkCreateMeasurements10k(b *testing.B) {
	storetest.BenchCreate(b, func(b *testing.B) (storetest.Stores, storetest.RawInsert) {
		s := pgtest.Open(b)
		return s, rawInsert(s.Pool())
	})
}

// BenchmarkSearchYear: one person's year of daily blood pressures among
// 10,000 people (see storetest.SearchYearData).
func BenchmarkSearchYear(b *testing.B) {
	s := pgtest.Open(b)
	start := time.Now()
	storetest.SearchYearData().Load(b, s, rawInsert(s.Pool()), 200000)
	if _, err := s.Pool().Exec(context.Background(), `VACUUM ANALYZE observations`); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded in %s", time.Since(start).Round(time.Second))
	storetest.BenchSearchYear(b, s)
}

var columns = []string{"id", "person_id", "kind", "value", "diastolic", "effective_at", "note",
	"entered_by", "source_kind", "source_client", "identifier", "version", "updated_at", "deleted"}

// rawInsert is the plain fast path: COPY into each table in one transaction.
func rawInsert(pool *pgxpool.Pool) storetest.RawInsert {
	return func(ctx context.Context, ms []record.Measurement) error {
		return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			for _, table := range []string{"observations", "observation_versions"} {
				_, err := tx.CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromSlice(len(ms), func(i int) ([]any, error) {
					m := ms[i]
					return []any{m.ID, m.PersonID, string(m.Kind), m.Value, m.Diastolic, m.At, m.Note, m.EnteredBy,
						string(m.Source.Kind), m.Source.Client, m.Identifier, m.Version, m.Updated, m.Deleted}, nil
				}))
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
}
