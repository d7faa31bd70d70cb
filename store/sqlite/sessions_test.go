package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/omahoito/omahoito/store/sqlite"
)

// TestSessionStore also shows that sqlite3store's julianday() queries work
// on modernc.org/sqlite, cleanup included.
func TestSessionStore(t *testing.T) {
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	sqlite.SetSessionCleanupInterval(s, 10*time.Millisecond)
	sessions := s.SessionStore()
	if s.SessionStore() != sessions {
		t.Error("SessionStore returned a second store")
	}
	if err := sessions.Commit("live", []byte("data"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := sessions.Commit("stale", []byte("old"), time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	b, ok, err := sessions.Find("live")
	if err != nil || !ok || string(b) != "data" {
		t.Fatalf("Find(live) = %q, %v, %v", b, ok, err)
	}
	if _, ok, err := sessions.Find("stale"); err != nil || ok {
		t.Fatalf("Find(stale) = %v, %v; want not found", ok, err)
	}
	waitForRows(t, func() (n int, err error) {
		err = s.DB().QueryRow(`SELECT count(*) FROM sessions`).Scan(&n)
		return n, err
	}, 1) // the cleanup deleted the stale row only
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// waitForRows polls count until it returns want, for at most 5 s.
func waitForRows(t *testing.T, count func() (int, error), want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, err := count()
		if err != nil {
			t.Fatal(err)
		}
		if n == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d session rows, want %d", n, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
