package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/store/sqlite"
)

// TestAuditVerifyCommand writes entries through audit.Log into a real
// SQLite data directory, verifies them with the command, tampers with one
// entry in the database and verifies again.
func TestAuditVerifyCommand(t *testing.T) {
	t.Setenv("OMAHOITO_DATABASE_URL", "")
	t.Setenv("OMAHOITO_AUDIT_SIGNING_KEY", "")
	dir := filepath.Join(t.TempDir(), "data")
	writeAuditEntries(t, dir, 40)

	out, code := runAudit(t, "verify", "--data", dir)
	if code != 0 || !strings.Contains(out, "register kainuu: 40 entries, head ") || !strings.Contains(out, "last checkpoint seq 40") {
		t.Fatalf("sound log: exit %d, output %q", code, out)
	}
	out, code = runAudit(t, "verify", "--data", dir, "--region", "oulu")
	if code != 0 || !strings.Contains(out, "register oulu: 0 entries") || strings.Contains(out, "kainuu") {
		t.Fatalf("--region oulu: exit %d, output %q", code, out)
	}

	db, err := sql.Open("sqlite", filepath.Join(dir, "omahoito.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE audit_entries SET outcome = 'deny' WHERE register = 'kainuu' AND seq = 23`); err != nil {
		t.Fatal(err)
	}
	out, code = runAudit(t, "verify", "--data", dir)
	if code != 1 || !strings.Contains(out, "register kainuu: PROBLEM seq 23 changed") {
		t.Fatalf("changed entry: exit %d, output %q", code, out)
	}
}

func TestAuditCommandUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"check"}, {"verify", "--nope"}, {"verify", "extra"}} {
		if _, code := runAudit(t, args...); code != 2 {
			t.Errorf("omahoito audit %v: exit %d, want 2", args, code)
		}
	}
}

func runAudit(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := runAuditCommand(context.Background(), args, &stdout, &stderr)
	t.Logf("omahoito audit %s: exit %d\n%s%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
	return stdout.String(), code
}

// writeAuditEntries appends n entries to register kainuu of the data
// directory with its development signing key, as serve would.
func writeAuditEntries(t *testing.T, dir string, n int) {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "omahoito.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	key, err := audit.LoadOrCreateKey(filepath.Join(dir, "audit-signing.key"))
	if err != nil {
		t.Fatal(err)
	}
	l := audit.NewLog(store, key, audit.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	for i := range n {
		e := audit.Entry{Register: "kainuu", PatientID: "person-1", Action: "read", Class: "measurements",
			RequestID: fmt.Sprint("req-", i), Outcome: audit.Permit,
			Actor: audit.Actor{Kind: "professional", ID: "pro-1", Name: "Hilkka Hölttä"}}
		if err := l.Append(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}
