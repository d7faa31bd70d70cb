package storetest

import (
	"context"
	"testing"

	"github.com/omahoito/omahoito/audit"
)

// The tamper tests change the database directly with SQL, as someone with
// access to it would, and check that Verify names what was done.

// tamperRegister writes n entries of register kainuu, checkpointed at the
// end, and returns the store as a RawExecer.
func tamperRegister(t *testing.T, s audit.Store, n int) RawExecer {
	t.Helper()
	raw, ok := s.(RawExecer)
	if !ok {
		t.Fatal("the store has no ExecRaw for the tamper tests")
	}
	l := NewAuditLog(t, s, audit.Options{})
	for i := range n {
		appendAll(t, l, AuditEntry("kainuu", "person-1", i))
	}
	must(t, l.Close())
	if rep := verifyAudit(t, s, "kainuu"); rep.Problem != nil {
		t.Fatalf("before tampering: %s", rep.Problem)
	}
	return raw
}

func tamper(t *testing.T, raw RawExecer, query string, args ...any) {
	t.Helper()
	must(t, raw.ExecRaw(context.Background(), query, args...))
}

func wantAuditProblem(t *testing.T, s audit.Store, seq int64, kinds ...string) {
	t.Helper()
	rep := verifyAudit(t, s, "kainuu")
	if rep.Problem == nil {
		t.Fatalf("tampering not found; want %v at seq %d", kinds, seq)
	}
	for _, k := range kinds {
		if rep.Problem.Kind == k && rep.Problem.Seq == seq {
			t.Logf("found: %s", rep.Problem)
			return
		}
	}
	t.Fatalf("found %q; want %v at seq %d", rep.Problem, kinds, seq)
}

func testTamperUpdate(t *testing.T, s audit.Store) {
	raw := tamperRegister(t, s, 30)
	tamper(t, raw, `UPDATE audit_entries SET actor_name = 'Someone Else' WHERE register = ? AND seq = ?`, "kainuu", 17)
	wantAuditProblem(t, s, 17, audit.Changed)
}

func testTamperDelete(t *testing.T, s audit.Store) {
	raw := tamperRegister(t, s, 30)
	tamper(t, raw, `DELETE FROM audit_entries WHERE register = ? AND seq = ?`, "kainuu", 12)
	wantAuditProblem(t, s, 12, audit.Removed)
}

// testTamperSwap swaps two rows' seqs in three steps, since the primary
// key refuses a moment with two rows of one seq.
func testTamperSwap(t *testing.T, s audit.Store) {
	raw := tamperRegister(t, s, 30)
	for _, move := range [][2]int{{8, 1000008}, {9, 8}, {1000008, 9}} {
		tamper(t, raw, `UPDATE audit_entries SET seq = ? WHERE register = ? AND seq = ?`, move[1], "kainuu", move[0])
	}
	wantAuditProblem(t, s, 8, audit.Reordered, audit.Changed)
}

// testTamperCut deletes the last entries, including some the checkpoint
// covers, and the head row with them: only the signed checkpoint remembers.
func testTamperCut(t *testing.T, s audit.Store) {
	raw := tamperRegister(t, s, 30)
	tamper(t, raw, `DELETE FROM audit_entries WHERE register = ? AND seq > ?`, "kainuu", 24)
	tamper(t, raw, `UPDATE audit_heads SET seq = 24, hash = (SELECT hash FROM audit_entries WHERE register = ? AND seq = 24) WHERE register = ?`, "kainuu", "kainuu")
	wantAuditProblem(t, s, 25, audit.Cut)
	rep := verifyAudit(t, s, "kainuu")
	if rep.Checkpoint == nil || rep.Checkpoint.Seq != 30 {
		t.Fatalf("the cut is not named against the checkpoint at 30: %+v", rep.Checkpoint)
	}
}
