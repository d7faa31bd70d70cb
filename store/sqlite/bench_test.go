package sqlite_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/storetest"
)

// BenchmarkCreateMeasurements10k: CreateMeasurements of a 10,000-reading
// batch ("store") beside raw inserts of the same rows ("raw").
func BenchmarkCreateMeasurements10k(b *testing.B) {
	storetest.BenchCreate(b, func(b *testing.B) (storetest.Stores, storetest.RawInsert) {
		s := MustOpen(b)
		return s, rawInsert(s.DB())
	})
}

// BenchmarkSearchYear: one person's year of daily blood pressures among
// 10,000 people (see storetest.SearchYearData).
func BenchmarkSearchYear(b *testing.B) {
	s := MustOpen(b)
	start := time.Now()
	conn, err := s.DB().Conn(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	// A large page cache on the loading connection only keeps the random
	// index inserts of an interleaved load in memory.
	if _, err := conn.ExecContext(context.Background(), `PRAGMA cache_size = -2000000`); err != nil {
		b.Fatal(err)
	}
	storetest.SearchYearData().Load(b, s, rawInsert(conn), 200000)
	if err := conn.Close(); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded in %s", time.Since(start).Round(time.Second))
	storetest.BenchSearchYear(b, s)
}

type beginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// rawInsert is the plain fast path: one transaction, one prepared INSERT
// per table, executed for every row.
func rawInsert(db beginner) storetest.RawInsert {
	return func(ctx context.Context, ms []record.Measurement) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		for _, table := range []string{"observations", "observation_versions"} {
			if err := rawInsertInto(ctx, tx, table, ms); err != nil {
				return err
			}
		}
		return tx.Commit()
	}
}

func rawInsertInto(ctx context.Context, tx *sql.Tx, table string, ms []record.Measurement) error {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO `+table+` (id, person_id, kind, value, diastolic,
		effective_at, note, entered_by, source_kind, source_client, identifier, version, updated_at, deleted)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	const layout = "2006-01-02T15:04:05.000000Z07:00"
	for _, m := range ms {
		_, err := stmt.ExecContext(ctx, m.ID, m.PersonID, string(m.Kind), m.Value, m.Diastolic,
			m.At.UTC().Format(layout), m.Note, m.EnteredBy, string(m.Source.Kind), m.Source.Client,
			m.Identifier, m.Version, m.Updated.UTC().Format(layout))
		if err != nil {
			return err
		}
	}
	return nil
}
