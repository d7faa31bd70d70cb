package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/store/sqlite"
	"github.com/omahoito/omahoito/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.RunAll(t, func(t *testing.T) storetest.Stores { return MustOpen(t) })
}

// MustOpen opens a new database in t's temporary directory, closed at the end.
func MustOpen(tb testing.TB) *sqlite.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "data", "omahoito.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Error(err)
		}
	})
	return s
}

func TestOpenCannotCreateDirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(context.Background(), filepath.Join(file, "sub", "omahoito.db"))
	if err == nil {
		s.Close()
		t.Fatal("Open under a regular file: no error")
	}
}

func TestOpenAgainKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "odd ?#% name.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.MustSeedDemo(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at the path given: %v", err)
	}
	s, err = sqlite.Open(ctx, path) // migrations already applied
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	regions, err := s.Regions(ctx)
	if err != nil || len(regions) != 2 {
		t.Fatalf("after reopening: regions %v, error %v", regions, err)
	}
}

// TestPragmasOnEveryConnection holds several pooled read connections at
// once and checks the settings on each, not just on the first one opened,
// and those of the writer.
func TestPragmasOnEveryConnection(t *testing.T) {
	s := MustOpen(t)
	checkPragmas(t, "writer", s.DB(), 1, map[string]string{
		"journal_mode": "wal",
		"foreign_keys": "1",
		"busy_timeout": "5000",
		"synchronous":  "1", // NORMAL
		"query_only":   "0",
	})
	checkPragmas(t, "reader", s.ReadDB(), 4, map[string]string{
		"journal_mode": "wal",
		"busy_timeout": "5000",
		"query_only":   "1",
	})
}

func checkPragmas(t *testing.T, what string, db *sql.DB, conns int, want map[string]string) {
	t.Helper()
	ctx := context.Background()
	for i := range conns {
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		for pragma, value := range want {
			var got string
			if err := conn.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != value {
				t.Errorf("%s connection %d: PRAGMA %s = %s, want %s", what, i, pragma, got, value)
			}
		}
	}
	if n := db.Stats().OpenConnections; n < conns {
		t.Errorf("%s: %d open connections, want at least %d", what, n, conns)
	}
}

func TestDriverErrorStaysInChain(t *testing.T) {
	s := MustOpen(t)
	storetest.MustSeedDemo(t, s)
	u := auth.DemoDirectory().CareUnits[0]
	u.ID = "other"
	err := s.PutCareUnit(context.Background(), u)
	var se *msqlite.Error
	if !errors.Is(err, auth.ErrConflict) || !errors.As(err, &se) || se.Code() != sqlite3.SQLITE_CONSTRAINT_UNIQUE {
		t.Fatalf("got %v, want ErrConflict wrapping an SQLITE_CONSTRAINT_UNIQUE error", err)
	}
}
