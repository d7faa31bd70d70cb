package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
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

// Every request loads its session: the loads must not queue behind the one
// writer connection, which a long write or a checkpoint may hold.
func TestSessionLoadsDoNotWaitForTheWriter(t *testing.T) {
	s := MustOpen(t)
	sessions := s.SessionStore()
	if err := sessions.Commit("live", []byte("data"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tx, err := s.DB().BeginTx(ctx, nil) // holds the writer, as a long write would
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sessions SET data = X'00' WHERE token = 'live'`); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		b, ok, err := sessions.Find("live")
		found <- fmt.Sprintf("%q %v %v", b, ok, err)
	}()
	select {
	case got := <-found:
		if want := fmt.Sprintf("%q %v %v", "data", true, nil); got != want {
			t.Errorf("Find during a write = %s, want the committed session: %s", got, want)
		}
	case <-time.After(3 * time.Second):
		t.Error("a session load waited for the writer")
		_ = tx.Rollback()
		<-found // the load gets the writer now; let it finish before Close
		return
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
}

// A load right after a save sees it, and after a delete does not, from
// many clients at once: the read pool sees each commit of the writer.
func TestSessionReadsSeeTheLatestWrite(t *testing.T) {
	s := MustOpen(t)
	sessions := s.SessionStore()
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for c := range 16 {
		wg.Go(func() {
			for i := range 50 {
				token := fmt.Sprintf("t-%d-%d", c, i)
				for _, data := range []string{"first", "second"} {
					if err := sessions.Commit(token, []byte(data), time.Now().Add(time.Hour)); err != nil {
						errs <- err
						return
					}
					if b, ok, err := sessions.Find(token); err != nil || !ok || string(b) != data {
						errs <- fmt.Errorf("%s: Find after saving %q = %q, %v, %v", token, data, b, ok, err)
						return
					}
				}
				if err := sessions.Delete(token); err != nil {
					errs <- err
					return
				}
				if _, ok, err := sessions.Find(token); err != nil || ok {
					errs <- fmt.Errorf("%s: Find after Delete = %v, %v", token, ok, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
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
