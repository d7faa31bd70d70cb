package audit_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"

	"github.com/omahoito/omahoito/audit"
)

func verifyWith(t *testing.T, s audit.Store, key ed25519.PrivateKey, heads ...audit.Checkpoint) audit.Report {
	t.Helper()
	rep, err := audit.VerifyWith(context.Background(), s, "kainuu", audit.PublicKeys(key), audit.VerifyOptions{Heads: heads})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// rememberedAt is the head of a sound chain of n entries at seq, as an
// outside copy would have kept it, read back through ParseHead.
func rememberedAt(t *testing.T, s *memStore, seq int64) audit.Checkpoint {
	t.Helper()
	h, err := audit.ParseHead(audit.FormatHead("kainuu", seq, s.entries["kainuu"][seq-1].Hash))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// cutBehindTheDatabase cuts the chain after keep entries and drops the
// checkpoints past it: what an administrator of the database can do
// (the memory store's head follows its entries, so it is rewound too).
func cutBehindTheDatabase(s *memStore, keep int) {
	s.with("kainuu", func(es []audit.Entry) []audit.Entry { return es[:keep] })
	cps := s.cps["kainuu"][:0]
	for _, c := range s.cps["kainuu"] {
		if c.Seq <= int64(keep) {
			cps = append(cps, c)
		}
	}
	s.cps["kainuu"] = cps
}

// TestVerifyRememberedHeads: a cut that the database hides entirely
// (entries, checkpoints and head) shows only against a head remembered
// outside it; a rewritten tail shows as changed at the remembered seq.
func TestVerifyRememberedHeads(t *testing.T) {
	key := testKey(t)
	s := written(t, key, 20)
	at20 := rememberedAt(t, s, 20)
	at12 := rememberedAt(t, s, 12)

	rep := verifyWith(t, s, key, at12, at20)
	if rep.Problem != nil || rep.Remembered != 2 || rep.HeadRef() != audit.FormatHead("kainuu", 20, at20.Head) {
		t.Fatalf("sound chain against its own heads: %+v", rep)
	}
	other := at20
	other.Register, other.Seq = "oulu", 99
	if rep := verifyWith(t, s, key, other); rep.Problem != nil || rep.Remembered != 0 {
		t.Fatalf("a head of another register was not ignored: %+v", rep)
	}

	cutBehindTheDatabase(s, 15)
	if rep := verify(t, s, key); rep.Problem != nil {
		t.Fatalf("the database alone was expected not to show this cut (if it now does, update the docs): %s", rep.Problem)
	}
	wantProblem(t, verifyWith(t, s, key, at20), 16, audit.Cut)
	if rep := verifyWith(t, s, key, at12); rep.Problem != nil {
		t.Fatalf("a head before the cut is still sound: %s", rep.Problem)
	}

	// The tail rewritten through a Log with the signing key: new entries,
	// new signed checkpoints, a chain that holds on its own.
	l := audit.NewLog(s, key, audit.Options{Logger: quietLog()})
	for i := range 10 {
		mustAppend(t, l, entry("kainuu", "person-2", i))
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if rep := verify(t, s, key); rep.Problem != nil || rep.Entries != 25 {
		t.Fatalf("the rewritten log verifies alone: %+v", rep)
	}
	wantProblem(t, verifyWith(t, s, key, at12, at20), 20, audit.Changed)
}

func TestParseHead(t *testing.T) {
	hash := strings.Repeat("ab", 32)
	for _, tc := range []struct {
		in       string
		register string
		seq      int64
	}{
		{"kainuu:40:" + hash, "kainuu", 40},
		{"a:b:0:" + strings.ToUpper(hash), "a:b", 0},
	} {
		h, err := audit.ParseHead(tc.in)
		if err != nil || h.Register != tc.register || h.Seq != tc.seq || audit.FormatHead(h.Register, h.Seq, h.Head) != strings.ToLower(tc.in) {
			t.Errorf("ParseHead(%q) = %+v, %v", tc.in, h, err)
		}
	}
	for _, bad := range []string{"", hash, "kainuu:" + hash, ":4:" + hash, "kainuu:-1:" + hash,
		"kainuu:+4:" + hash, "kainuu:x:" + hash, "kainuu:4:" + hash[2:], "kainuu:4:" + hash + "00", "kainuu:4:zz" + hash[2:]} {
		if _, err := audit.ParseHead(bad); !errors.Is(err, audit.ErrInvalid) {
			t.Errorf("ParseHead(%q) = %v, want ErrInvalid", bad, err)
		}
	}
}
