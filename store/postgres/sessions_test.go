package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/omahoito/omahoito/store/postgres"
	"github.com/omahoito/omahoito/store/postgres/pgtest"
)

func TestSessionStore(t *testing.T) {
	s, err := postgres.Open(context.Background(), pgtest.SchemaURL(t))
	if err != nil {
		t.Fatal(err)
	}
	postgres.SetSessionCleanupInterval(s, 10*time.Millisecond)
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
		err = s.Pool().QueryRow(context.Background(), `SELECT count(*) FROM sessions`).Scan(&n)
		return n, err
	}, 1) // the cleanup deleted the stale row only
	s.Close()
	s.Close() // a second Close is harmless
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
