package postgres_test

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/omahoito/omahoito/store/postgres"
	"github.com/omahoito/omahoito/store/postgres/pgtest"
	"github.com/omahoito/omahoito/store/storetest"
)

// TestMigrateEnteredBy: versions written before the typed actor
// ("person:ID", "professional:ID") read back as actors after migrating.
func TestMigrateEnteredBy(t *testing.T) {
	ctx := context.Background()
	url := pgtest.SchemaURL(t)
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, os.DirFS("migrations"), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 2); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO regions VALUES ('kainuu', 'Kainuu', '1.2', 'K')`,
		`INSERT INTO people VALUES ('p1', '\x01', '\x02', 'A', 'B', '1990-01-01', 'kainuu', '2025-01-01T00:00:00Z')`,
		`INSERT INTO observations VALUES ('m1', 'p1', 'body-weight', 70, NULL, '2025-01-01T00:00:00Z', '',
			'professional:pro-1', 'manual', '', NULL, 2, '2025-01-02T00:00:00Z', false)`,
		`INSERT INTO observation_versions VALUES
			('m1', 1, 'p1', 'body-weight', 71, NULL, '2025-01-01T00:00:00Z', '', 'person:p1', 'manual', '', NULL, '2025-01-01T00:00:00Z', false),
			('m1', 2, 'p1', 'body-weight', 70, NULL, '2025-01-01T00:00:00Z', '', 'professional:pro-1', 'manual', '', NULL, '2025-01-02T00:00:00Z', false)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	s, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	storetest.CheckMigratedActors(t, s)
}
