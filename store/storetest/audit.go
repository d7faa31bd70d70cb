package storetest

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/omahoito/omahoito/audit"
)

// RawExecer is what the tamper tests need of a store beyond audit.Store: a
// statement ('?' placeholders) run straight on its database, as an
// attacker with access to the database would. Stores define it in a test
// file only, so it is no part of their API.
type RawExecer interface {
	ExecRaw(ctx context.Context, query string, args ...any) error
}

// RunAudit runs the audit.Store conformance subtests, the tamper tests
// included, on the stores that open returns (which must implement
// audit.Store and RawExecer).
func RunAudit(t *testing.T, open func(t *testing.T) Stores) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s audit.Store)
	}{
		{"RoundTripAndSearch", testAuditRoundTrip},
		{"SearchPagingAndWindow", testAuditPaging},
		{"ConflictOnStalePrev", testAuditConflict},
		{"ConcurrentAppendsMakeOneChain", testAuditConcurrent},
		{"CheckpointRoundTrip", testAuditCheckpoint},
		{"TamperUpdate", testTamperUpdate},
		{"TamperDelete", testTamperDelete},
		{"TamperSwap", testTamperSwap},
		{"TamperCutTail", testTamperCut},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := open(t).(audit.Store)
			if !ok {
				t.Fatal("the store does not implement audit.Store")
			}
			tc.fn(t, s)
		})
	}
}

// AuditKey is a signing key made once per test binary.
var AuditKey = sync.OnceValue(func() ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("storetest audit key"))
	return ed25519.NewKeyFromSeed(seed[:])
})

// NewAuditLog is a Log over s with AuditKey, closed when tb ends.
func NewAuditLog(tb testing.TB, s audit.Store, opts audit.Options) *audit.Log {
	tb.Helper()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	l := audit.NewLog(s, AuditKey(), opts)
	tb.Cleanup(func() { _ = l.Close() })
	return l
}

// AuditEntry is the i-th access of patient by one professional, in
// register, at base plus i minutes.
func AuditEntry(register, patient string, i int) audit.Entry {
	return audit.Entry{
		Register: register, Time: base.Add(time.Duration(i) * time.Minute), RequestID: fmt.Sprintf("req-%d", i),
		Actor: audit.Actor{Kind: "professional", ID: "pro-1", Name: "Hilkka Hölttä", Title: "sairaanhoitaja",
			UnitID: "unit-1", UnitName: "Kajaanin terveysasema"},
		PatientID: patient, Action: "search", Class: "measurements",
		Kinds: []string{"blood-pressure", "weight"}, Count: i, Grants: []string{"grant-1"},
		Purpose: "treatment", Outcome: audit.Permit,
	}
}

func appendAll(tb testing.TB, l *audit.Log, es ...audit.Entry) {
	tb.Helper()
	for _, e := range es {
		must(tb, l.Append(context.Background(), e))
	}
}

func verifyAudit(tb testing.TB, s audit.Store, register string) audit.Report {
	tb.Helper()
	rep, err := audit.Verify(context.Background(), s, register, audit.PublicKeys(AuditKey()))
	must(tb, err)
	return rep
}

func testAuditRoundTrip(t *testing.T, s audit.Store) {
	ctx := context.Background()
	l := NewAuditLog(t, s, audit.Options{})
	odd := audit.Entry{Register: "oulu", Time: time.Date(2025, 6, 1, 12, 0, 0, 123456789, time.FixedZone("EEST", 3*3600)),
		RequestID: "r", Actor: audit.Actor{Kind: "operator", ID: "op", Name: "Åke \"Ö\" 'x'", Client: "app-1"},
		OnBehalfOf: "person-9", PatientID: "person-1", Action: "transfer", Class: "patient",
		Kinds: []string{"", "ä"}, IDs: []string{"1", "[", "\\"}, Outcome: audit.Deny, Reason: "no grant", Imported: true}
	appendAll(t, l, AuditEntry("kainuu", "person-1", 1), odd, AuditEntry("kainuu", "person-2", 2))

	es, err := s.Entries(ctx, "oulu", 0, 10)
	must(t, err)
	want := odd
	want.Seq, want.Time = 1, odd.Time.UTC().Truncate(time.Microsecond)
	if len(es) != 1 {
		t.Fatalf("oulu has %d entries, want 1", len(es))
	}
	want.Hash = es[0].Hash
	if !reflect.DeepEqual(es[0], want) {
		t.Fatalf("round trip:\n got %#v\nwant %#v", es[0], want)
	}
	if got := audit.Chain(audit.Genesis(), es[0]); string(got) != string(es[0].Hash) {
		t.Fatal("the stored hash is not the chain of the stored entry")
	}
	got, next, err := l.Search(ctx, audit.Query{PatientID: "person-1"})
	must(t, err)
	if len(got) != 2 || next != nil || got[0].Register != "oulu" || got[1].Register != "kainuu" {
		t.Fatalf("person-1's entries newest first: %v (next %v)", got, next)
	}
	regs, err := s.Registers(ctx)
	must(t, err)
	if !reflect.DeepEqual(regs, []string{"kainuu", "oulu"}) {
		t.Fatalf("registers %v", regs)
	}
	seq, hash, err := s.Head(ctx, "kainuu")
	must(t, err)
	if seq != 2 || len(hash) != audit.HashSize {
		t.Fatalf("head of kainuu: %d %x", seq, hash)
	}
}

// testAuditPaging walks a person's log in pages across two registers,
// with entries at the same time in both, and within a time window.
func testAuditPaging(t *testing.T, s audit.Store) {
	ctx := context.Background()
	l := NewAuditLog(t, s, audit.Options{})
	for i := range 20 {
		appendAll(t, l, AuditEntry("kainuu", "person-1", i), AuditEntry("oulu", "person-1", i), AuditEntry("kainuu", "person-2", i))
	}
	var all []audit.Entry
	var after *audit.Cursor
	for pages := 0; ; pages++ {
		page, next, err := l.Search(ctx, audit.Query{PatientID: "person-1", Limit: 7, After: after})
		must(t, err)
		all = append(all, page...)
		if next == nil {
			break
		}
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		after = next
	}
	if len(all) != 40 {
		t.Fatalf("walked %d entries, want 40", len(all))
	}
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if !a.Time.After(b.Time) && !(a.Time.Equal(b.Time) && (a.Seq > b.Seq || a.Register > b.Register)) {
			t.Fatalf("entries %d and %d out of order: %v %d %s, %v %d %s", i-1, i, a.Time, a.Seq, a.Register, b.Time, b.Seq, b.Register)
		}
		if a.PatientID != "person-1" {
			t.Fatalf("another person's entry in the walk: %s", a.PatientID)
		}
	}
	window, _, err := l.Search(ctx, audit.Query{PatientID: "person-1", From: base.Add(5 * time.Minute), To: base.Add(8 * time.Minute)})
	must(t, err)
	if len(window) != 6 {
		t.Fatalf("[5 min, 8 min) holds %d entries, want 6", len(window))
	}
}

func testAuditConflict(t *testing.T, s audit.Store) {
	ctx := context.Background()
	chain := func(prev []byte, seq int64) audit.Entry {
		e := AuditEntry("kainuu", "person-1", int(seq))
		e.Seq = seq
		e.Hash = audit.Chain(prev, e)
		return e
	}
	first := chain(audit.Genesis(), 1)
	must(t, s.AppendEntries(ctx, "kainuu", 0, []audit.Entry{first}))
	other := chain(audit.Genesis(), 1)
	other.RequestID = "other"
	wantErr(t, s.AppendEntries(ctx, "kainuu", 0, []audit.Entry{other}), audit.ErrConflict, "a second first entry")
	second := chain(first.Hash, 2)
	must(t, s.AppendEntries(ctx, "kainuu", 1, []audit.Entry{second}))
	wantErr(t, s.AppendEntries(ctx, "kainuu", 1, []audit.Entry{chain(first.Hash, 2)}), audit.ErrConflict, "an append after a stale head")
	seq, hash, err := s.Head(ctx, "kainuu")
	must(t, err)
	if seq != 2 || string(hash) != string(second.Hash) {
		t.Fatalf("head after refused appends: %d", seq)
	}
	es, err := s.Entries(ctx, "kainuu", 0, 10)
	must(t, err)
	if len(es) != 2 || es[0].RequestID != first.RequestID {
		t.Fatalf("entries after refused appends: %d", len(es))
	}
}

// testAuditConcurrent: 50 appenders on two logs (two processes) over one
// store make one gapless chain that verifies.
func testAuditConcurrent(t *testing.T, s audit.Store) {
	logs := []*audit.Log{NewAuditLog(t, s, audit.Options{}), NewAuditLog(t, s, audit.Options{MaxBatch: 16})}
	var wg sync.WaitGroup
	for g := range 50 {
		wg.Go(func() {
			for i := range 20 {
				if err := logs[g%2].Append(context.Background(), AuditEntry("kainuu", fmt.Sprintf("person-%d", g), i)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, l := range logs {
		must(t, l.Close())
	}
	rep := verifyAudit(t, s, "kainuu")
	if rep.Problem != nil || rep.Entries != 1000 || rep.Checkpoint == nil {
		t.Fatalf("after 1000 concurrent appends: %d entries, problem %v, checkpoint %v", rep.Entries, rep.Problem, rep.Checkpoint)
	}
}

func testAuditCheckpoint(t *testing.T, s audit.Store) {
	ctx := context.Background()
	_, err := s.LastCheckpoint(ctx, "kainuu")
	wantErr(t, err, audit.ErrNotFound, "checkpoint of an empty register")
	l := NewAuditLog(t, s, audit.Options{CheckpointInterval: time.Hour})
	appendAll(t, l, AuditEntry("kainuu", "person-1", 1), AuditEntry("kainuu", "person-1", 2))
	want, err := l.Checkpoint(ctx, "kainuu")
	must(t, err)
	got, err := s.LastCheckpoint(ctx, "kainuu")
	must(t, err)
	if !reflect.DeepEqual(got, want) || got.Seq != 2 {
		t.Fatalf("checkpoint:\n got %+v\nwant %+v", got, want)
	}
	if !audit.VerifyCheckpoint(got, audit.PublicKeys(AuditKey())) {
		t.Fatal("the stored checkpoint's signature does not verify")
	}
}
