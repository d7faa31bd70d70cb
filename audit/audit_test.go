package audit_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omahoito/omahoito/audit"
)

// fixedEntry has every field set, lists with empty strings and non-ASCII.
func fixedEntry() audit.Entry {
	return audit.Entry{
		Register: "kainuu", Seq: 7,
		Time:      time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.FixedZone("EET", 7200)),
		RequestID: "req-1",
		Actor: audit.Actor{Kind: "professional", ID: "pro-1", Name: "Hoitaja Hölttä", Title: "sairaanhoitaja",
			UnitID: "unit-1", UnitName: "Kajaanin terveysasema", Client: ""},
		OnBehalfOf: "", PatientID: "person-1", Action: "search", Class: "measurements",
		Kinds: []string{"blood-pressure", ""}, IDs: []string{"a", "b"}, Count: 12,
		Grants: []string{"grant-1"}, Purpose: "treatment", Outcome: audit.Permit, Reason: "", Imported: true,
		Hash: []byte("ignored"),
	}
}

// TestCanonicalGolden: the hash of a fixed entry never changes; a change of
// the canonical form would make every stored chain fail verification.
func TestCanonicalGolden(t *testing.T) {
	const golden = "22f64106a615e0071a36bae33d21e46fdc41a959e26ff21ea1b98e5e78119c3d"
	got := hex.EncodeToString(audit.Chain(audit.Genesis(), fixedEntry()))
	if got != golden {
		t.Fatalf("hash of the fixed entry = %s, want %s", got, golden)
	}
}

// TestCanonicalCoversEveryField: changing any one field but Hash changes
// the canonical form; moving text between neighbouring fields does too.
func TestCanonicalCoversEveryField(t *testing.T) {
	base := audit.Canonical(fixedEntry())
	changes := map[string]func(*audit.Entry){
		"Register":       func(e *audit.Entry) { e.Register = "oulu" },
		"Seq":            func(e *audit.Entry) { e.Seq++ },
		"Time":           func(e *audit.Entry) { e.Time = e.Time.Add(time.Microsecond) },
		"RequestID":      func(e *audit.Entry) { e.RequestID = "req-2" },
		"Actor.Kind":     func(e *audit.Entry) { e.Actor.Kind = "operator" },
		"Actor.ID":       func(e *audit.Entry) { e.Actor.ID = "pro-2" },
		"Actor.Name":     func(e *audit.Entry) { e.Actor.Name = "X" },
		"Actor.Title":    func(e *audit.Entry) { e.Actor.Title = "lääkäri" },
		"Actor.UnitID":   func(e *audit.Entry) { e.Actor.UnitID = "u" },
		"Actor.UnitName": func(e *audit.Entry) { e.Actor.UnitName = "u" },
		"Actor.Client":   func(e *audit.Entry) { e.Actor.Client = "app" },
		"OnBehalfOf":     func(e *audit.Entry) { e.OnBehalfOf = "p" },
		"PatientID":      func(e *audit.Entry) { e.PatientID = "person-2" },
		"Action":         func(e *audit.Entry) { e.Action = "read" },
		"Class":          func(e *audit.Entry) { e.Class = "files" },
		"Kinds":          func(e *audit.Entry) { e.Kinds = e.Kinds[:1] },
		"IDs":            func(e *audit.Entry) { e.IDs = []string{"ab"} },
		"Count":          func(e *audit.Entry) { e.Count = 13 },
		"Grants":         func(e *audit.Entry) { e.Grants = nil },
		"Purpose":        func(e *audit.Entry) { e.Purpose = "" },
		"Outcome":        func(e *audit.Entry) { e.Outcome = audit.Deny },
		"Reason":         func(e *audit.Entry) { e.Reason = "no grant" },
		"Imported":       func(e *audit.Entry) { e.Imported = false },
		"shifted text":   func(e *audit.Entry) { e.Actor.Kind, e.Actor.ID = "professionalp", "ro-1" },
	}
	for name, change := range changes {
		e := fixedEntry()
		change(&e)
		if bytes.Equal(audit.Canonical(e), base) {
			t.Errorf("changing %s leaves the canonical form as it was", name)
		}
	}
	e := fixedEntry()
	e.Hash = []byte("other")
	e.Time = e.Time.UTC().Truncate(time.Microsecond) // as stored: same instant
	if !bytes.Equal(audit.Canonical(e), base) {
		t.Error("the hash or the time's zone and nanoseconds change the canonical form")
	}
}

func testKey(tb testing.TB) ed25519.PrivateKey {
	tb.Helper()
	k, err := audit.LoadOrCreateKey(filepath.Join(tb.TempDir(), "keys", "audit-signing.key"))
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func entry(register, patient string, i int) audit.Entry {
	return audit.Entry{Register: register, PatientID: patient, Action: "read", Class: "measurements",
		RequestID: "req-" + strings.Repeat("x", i%3), Count: i, Outcome: audit.Permit,
		Actor: audit.Actor{Kind: "professional", ID: "pro-1", Name: "Hoitaja"}}
}

func mustAppend(tb testing.TB, l *audit.Log, es ...audit.Entry) {
	tb.Helper()
	for _, e := range es {
		if err := l.Append(context.Background(), e); err != nil {
			tb.Fatal(err)
		}
	}
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(discard{}, nil)) }

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// written appends n entries to register kainuu through a Log, with a
// checkpoint at the end, and returns the store.
func written(t *testing.T, key ed25519.PrivateKey, n int) *memStore {
	t.Helper()
	s := newMemStore()
	l := audit.NewLog(s, key, audit.Options{Logger: quietLog()})
	for i := range n {
		mustAppend(t, l, entry("kainuu", "person-1", i))
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return s
}

func verify(t *testing.T, s audit.Store, key ed25519.PrivateKey) audit.Report {
	t.Helper()
	rep, err := audit.Verify(context.Background(), s, "kainuu", audit.PublicKeys(key))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func wantProblem(t *testing.T, rep audit.Report, seq int64, kind string) {
	t.Helper()
	if rep.Problem == nil {
		t.Fatalf("no problem found; want %s at seq %d", kind, seq)
	}
	if rep.Problem.Seq != seq || rep.Problem.Kind != kind {
		t.Fatalf("problem %q; want %s at seq %d", rep.Problem, kind, seq)
	}
}

func TestVerifySound(t *testing.T) {
	key := testKey(t)
	s := written(t, key, 30)
	rep := verify(t, s, key)
	if rep.Problem != nil {
		t.Fatalf("a sound chain: %s", rep.Problem)
	}
	if rep.Entries != 30 || rep.Checkpoint == nil || rep.Checkpoint.Seq != 30 || !bytes.Equal(rep.Checkpoint.Head, rep.Head) {
		t.Fatalf("report %+v", rep)
	}
}

func TestVerifyFindsTampering(t *testing.T) {
	key := testKey(t)
	tests := []struct {
		name   string
		tamper func(es []audit.Entry) []audit.Entry
		seq    int64
		kind   string
	}{
		{"changed", func(es []audit.Entry) []audit.Entry { es[11].Reason = "x"; return es }, 12, audit.Changed},
		{"removed", func(es []audit.Entry) []audit.Entry { return append(es[:9:9], es[10:]...) }, 10, audit.Removed},
		{"swapped", func(es []audit.Entry) []audit.Entry {
			es[4].Seq, es[5].Seq = 6, 5
			es[4], es[5] = es[5], es[4]
			return es
		}, 5, audit.Reordered},
		{"swapped apart", func(es []audit.Entry) []audit.Entry {
			es[4].Seq, es[14].Seq = 15, 5
			es[4], es[14] = es[14], es[4]
			return es
		}, 5, audit.Reordered},
		{"cut", func(es []audit.Entry) []audit.Entry { return es[:25] }, 26, audit.Cut},
		{"first removed", func(es []audit.Entry) []audit.Entry { return es[1:] }, 1, audit.Removed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := written(t, key, 30)
			s.with("kainuu", tc.tamper)
			wantProblem(t, verify(t, s, key), tc.seq, tc.kind)
		})
	}
}

func TestVerifyCheckpointSignature(t *testing.T) {
	key := testKey(t)
	s := written(t, key, 5)
	s.cps["kainuu"][len(s.cps["kainuu"])-1].Seq = 4 // a head re-signed by nobody
	wantProblem(t, verify(t, s, key), 4, audit.BadSignature)

	s = written(t, key, 5)
	rep, err := audit.Verify(context.Background(), s, "kainuu", audit.PublicKeys(testKey(t)))
	if err != nil {
		t.Fatal(err)
	}
	wantProblem(t, rep, 5, audit.BadSignature)
	if !strings.Contains(rep.Problem.String(), "unknown key") {
		t.Errorf("problem %q does not say the key is unknown", rep.Problem)
	}
}

// TestVerifyRewrittenTail: a tail cut and rewritten with a chain of its own
// shows against the signed checkpoint.
func TestVerifyRewrittenTail(t *testing.T) {
	key := testKey(t)
	s := written(t, key, 10)
	s.with("kainuu", func(es []audit.Entry) []audit.Entry {
		es = es[:7]
		prev := es[6].Hash
		for i := 8; i <= 12; i++ {
			e := entry("kainuu", "person-2", i)
			e.Seq = int64(i)
			e.Hash = audit.Chain(prev, e)
			prev = e.Hash
			es = append(es, e)
		}
		return es
	})
	wantProblem(t, verify(t, s, key), 10, audit.Cut)
}

// TestLogConcurrentAppends: many appenders, two logs on one store (two
// processes) included, make one gapless chain that verifies.
func TestLogConcurrentAppends(t *testing.T) {
	key := testKey(t)
	s := newMemStore()
	logs := []*audit.Log{
		audit.NewLog(s, key, audit.Options{Logger: quietLog(), MaxBatch: 7}),
		audit.NewLog(s, key, audit.Options{Logger: quietLog()}),
	}
	var wg sync.WaitGroup
	for g := range 40 {
		wg.Go(func() {
			for i := range 25 {
				if err := logs[g%2].Append(context.Background(), entry("kainuu", "person-1", i)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, l := range logs {
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
	rep := verify(t, s, key)
	if rep.Problem != nil || rep.Entries != 1000 {
		t.Fatalf("entries %d, problem %v", rep.Entries, rep.Problem)
	}
}

func TestLogFailsClosed(t *testing.T) {
	s := newMemStore()
	s.fail = errors.New("disk full")
	l := audit.NewLog(s, testKey(t), audit.Options{Logger: quietLog()})
	defer l.Close()
	err := l.Append(context.Background(), entry("kainuu", "person-1", 1))
	if !errors.Is(err, audit.ErrUnavailable) {
		t.Fatalf("append to a failing store: %v, want ErrUnavailable", err)
	}
	s.mu.Lock()
	s.fail = nil
	s.mu.Unlock()
	mustAppend(t, l, entry("kainuu", "person-1", 2)) // recovers
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Append(context.Background(), entry("kainuu", "person-1", 3)); !errors.Is(err, audit.ErrUnavailable) {
		t.Fatalf("append after Close: %v, want ErrUnavailable", err)
	}
}

func TestLogCancelledWaiter(t *testing.T) {
	s := newMemStore()
	key := testKey(t)
	l := audit.NewLog(s, key, audit.Options{Logger: quietLog()})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Append(ctx, entry("kainuu", "person-1", 1)); !errors.Is(err, audit.ErrUnavailable) || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled append: %v", err)
	}
	mustAppend(t, l, entry("kainuu", "person-1", 2))
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if rep := verify(t, s, key); rep.Problem != nil {
		t.Fatal(rep.Problem)
	}
}

// TestCheckpointSchedule: a checkpoint each time the head crosses a
// multiple of CheckpointEvery, and one at Close for the rest.
func TestCheckpointSchedule(t *testing.T) {
	s := newMemStore()
	key := testKey(t)
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	l := audit.NewLog(s, key, audit.Options{Logger: quietLog(), CheckpointEvery: 10,
		CheckpointInterval: time.Hour, Now: func() time.Time { return now }})
	for i := range 25 {
		mustAppend(t, l, entry("kainuu", "person-1", i))
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	var seqs []int64
	for _, c := range s.cps["kainuu"] {
		seqs = append(seqs, c.Seq)
	}
	// The first batch checkpoints too: no checkpoint was ever made.
	if len(seqs) != 4 || seqs[0] != 1 || seqs[1] != 10 || seqs[2] != 20 || seqs[3] != 25 {
		t.Fatalf("checkpoints at %v, want [1 10 20 25]", seqs)
	}
}

func TestKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d", "audit-signing.key")
	k1, err := audit.LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := audit.LoadOrCreateKey(path)
	if err != nil || !k1.Equal(k2) {
		t.Fatalf("second load: %v, same key %v", err, k1.Equal(k2))
	}
	fi, _ := os.Stat(path)
	di, _ := os.Stat(filepath.Dir(path))
	if fi.Mode().Perm() != 0o600 || di.Mode().Perm() != 0o700 {
		t.Fatalf("key mode %v, directory mode %v", fi.Mode().Perm(), di.Mode().Perm())
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := audit.LoadOrCreateKey(path); !errors.Is(err, audit.ErrKey) {
		t.Fatalf("a key others may read: %v, want ErrKey", err)
	}
	if id := audit.KeyID(k1.Public().(ed25519.PublicKey)); len(id) != 16 {
		t.Fatalf("key id %q", id)
	}
}
