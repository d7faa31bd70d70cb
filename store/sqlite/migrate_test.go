package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/omahoito/omahoito/store/sqlite"
	"github.com/omahoito/omahoito/store/storetest"
)

// TestMigrateEnteredBy: versions written before the typed actor
// ("person:ID", "professional:ID") read back as actors after migrating.
func TestMigrateEnteredBy(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "omahoito.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(ON)")
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, os.DirFS("migrations"), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 2); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO regions VALUES ('kainuu', 'Kainuu', '1.2', 'K')`,
		`INSERT INTO people VALUES ('p1', x'01', x'02', 'A', 'B', '1990-01-01', 'kainuu', '2025-01-01T00:00:00.000000Z')`,
		`INSERT INTO observations VALUES ('m1', 'p1', 'body-weight', 70, NULL, '2025-01-01T00:00:00.000000Z', '',
			'professional:pro-1', 'manual', '', NULL, 2, '2025-01-02T00:00:00.000000Z', 0)`,
		`INSERT INTO observation_versions VALUES
			('m1', 1, 'p1', 'body-weight', 71, NULL, '2025-01-01T00:00:00.000000Z', '', 'person:p1', 'manual', '', NULL, '2025-01-01T00:00:00.000000Z', 0),
			('m1', 2, 'p1', 'body-weight', 70, NULL, '2025-01-01T00:00:00.000000Z', '', 'professional:pro-1', 'manual', '', NULL, '2025-01-02T00:00:00.000000Z', 0)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	storetest.CheckMigratedActors(t, s)
}
