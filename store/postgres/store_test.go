package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/store/postgres"
	"github.com/omahoito/omahoito/store/postgres/pgtest"
	"github.com/omahoito/omahoito/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.RunAll(t, func(t *testing.T) storetest.Stores { return pgtest.Open(t) })
}

func TestOpenUnreachableHidesPassword(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, url := range []string{
		"postgres://u:secretpw@127.0.0.1:1/x?connect_timeout=5", // nothing listens on port 1
		"postgres://u:secretpw@127.0.0.1:notaport/x",            // malformed
		"postgres://u:secretpw@127.0.0.1:1/x?sslmode=bogus",     // bad option
	} {
		s, err := postgres.Open(ctx, url)
		if err == nil {
			s.Close()
			t.Fatalf("Open(%s): no error", strings.ReplaceAll(url, "secretpw", "xxxxx"))
		}
		msg := err.Error()
		if strings.Contains(msg, "secretpw") {
			t.Errorf("error shows the password: %s", msg)
		}
		if !strings.Contains(msg, "database could not be reached") {
			t.Errorf("error does not say the database could not be reached: %s", msg)
		}
	}
}

// TestSchemaIsolation: the store's tables and goose's version table are in
// the test's own schema, not in public.
func TestSchemaIsolation(t *testing.T) {
	ctx := context.Background()
	s := pgtest.Open(t)
	var schema string
	if err := s.Pool().QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(schema, "test_") {
		t.Fatalf("current schema %q, want a test_ schema", schema)
	}
	for _, table := range []string{"goose_db_version", "people", "sessions"} {
		var found bool
		err := s.Pool().QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = $2)`,
			schema, table).Scan(&found)
		if err != nil || !found {
			t.Errorf("table %s.%s: found %v, error %v", schema, table, found, err)
		}
	}
}

func TestDriverErrorStaysInChain(t *testing.T) {
	ctx := context.Background()
	s := pgtest.Open(t)
	storetest.MustSeedDemo(t, s)
	u := auth.DemoDirectory().CareUnits[0]
	u.ID = "other"
	err := s.PutCareUnit(ctx, u)
	var pe *pgconn.PgError
	if !errors.Is(err, auth.ErrConflict) || !errors.As(err, &pe) || pe.Code != "23505" {
		t.Fatalf("got %v, want ErrConflict wrapping a 23505 PgError", err)
	}
}

// TestPoolSize: the pool opens as many connections as asked, the URL's
// pool_max_conns when nothing is asked, and a size for the machine else.
func TestPoolSize(t *testing.T) {
	ctx := context.Background()
	url := pgtest.SchemaURL(t)
	cases := []struct {
		url  string
		opts postgres.Options
		want int32
	}{
		{url, postgres.Options{}, int32(postgres.DefaultPoolSize())},
		{url, postgres.Options{PoolSize: 7}, 7},
		{url + "&pool_max_conns=3", postgres.Options{}, 3},
		{url + "&pool_max_conns=3", postgres.Options{PoolSize: 9}, 9},
	}
	for _, c := range cases {
		s, err := postgres.OpenWith(ctx, c.url, c.opts)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Pool().Config().MaxConns; got != c.want {
			t.Errorf("options %+v: pool of %d, want %d", c.opts, got, c.want)
		}
		s.Close()
	}
	if postgres.DefaultPoolSize() < 4 {
		t.Errorf("default pool size %d, want at least 4", postgres.DefaultPoolSize())
	}
}
