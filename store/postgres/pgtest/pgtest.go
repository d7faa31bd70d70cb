// Package pgtest gives tests an isolated PostgreSQL schema on the shared
// test database (OMAHOITO_TEST_DATABASE_URL): a fresh schema with a random
// name, reached through search_path, dropped when the test ends. Tests
// without the variable skip, or fail under OMAHOITO_TEST_REQUIRE_ALL=1.
// RawInsert is the raw batched insert that benchmarks compare with.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/omahoito/omahoito/internal/testenv"
	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/internal/obsql"
	"github.com/omahoito/omahoito/store/internal/sqlq"
	"github.com/omahoito/omahoito/store/postgres"
	"github.com/omahoito/omahoito/store/storetest"
)

// SchemaURL creates a new schema in the test database and returns the
// database URL with search_path set to it. The schema and everything in it
// is dropped at the end of the test.
func SchemaURL(tb testing.TB) string {
	tb.Helper()
	base := testenv.PostgresURL(tb)
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		tb.Fatal("OMAHOITO_TEST_DATABASE_URL must be a postgres:// URL")
	}
	schema := "test_" + randomHex(tb, 8)
	conn := connect(tb, base)
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() { dropSchema(tb, base, schema) })
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open opens a postgres.Store on a new schema (see SchemaURL), closed at
// the end of the test before the schema is dropped.
func Open(tb testing.TB) *postgres.Store {
	tb.Helper()
	s, err := postgres.Open(context.Background(), SchemaURL(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

func connect(tb testing.TB, url string) *pgx.Conn {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Fatalf("connect to the test database: %v", err)
	}
	return conn
}

func dropSchema(tb testing.TB, url, schema string) {
	conn := connect(tb, url)
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
		tb.Errorf("drop schema %s: %v", schema, err)
	}
}

func randomHex(tb testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// RawInsert is the plain fast path into a PostgreSQL store's tables: COPY
// into each table in one transaction, with no lookups and no checks: the
// baseline that benchmarks measure the store's and the API's writes
// against. Values are encoded as the store encodes them (NULL diastolic
// and identifier when unset, as obsql.Values encodes them).
func RawInsert(pool *pgxpool.Pool) storetest.RawInsert {
	return func(ctx context.Context, ms []record.Measurement) error {
		return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			for _, table := range []string{"observations", "observation_versions"} {
				_, err := tx.CopyFrom(ctx, pgx.Identifier{table}, obsql.Columns, pgx.CopyFromSlice(len(ms), func(i int) ([]any, error) {
					return obsql.Values(sqlq.Postgres, nil, ms[i]), nil
				}))
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
}
