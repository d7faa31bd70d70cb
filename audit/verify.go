package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
)

// Kinds of Problem.
const (
	Changed      = "changed"       // an entry's content no longer matches its hash
	Removed      = "removed"       // a seq is missing
	Reordered    = "reordered"     // an entry sits at another seq than the one it was written at
	Cut          = "cut"           // entries are missing at the end, or were rewritten, against a remembered head
	BadSignature = "bad-signature" // a checkpoint's signature does not verify with a known key
)

// verifyPage is how many entries Verify holds at a time.
const verifyPage = 5000

// Report is what Verify found in one register.
type Report struct {
	Register   string
	Entries    int64       // entries whose chain verified, up to the problem if any
	Head       []byte      // the recomputed hash of the last of them
	Checkpoint *Checkpoint // the register's newest checkpoint, nil when none
	Remembered int         // how many remembered heads (VerifyOptions.Heads) the chain matched
	Problem    *Problem    // the first problem; nil when the register verified
}

// Problem is the first thing wrong with a register's chain.
type Problem struct {
	Seq    int64
	Kind   string // Changed, Removed, Reordered, Cut or BadSignature
	Detail string
}

// String is the problem on one line: "seq 42 changed: ...".
func (p *Problem) String() string { return fmt.Sprintf("seq %d %s: %s", p.Seq, p.Kind, p.Detail) }

// Error makes a problem usable as an error.
func (p *Problem) Error() string { return p.String() }

// Verify recomputes register's chain from its first entry, a page at a
// time (memory stays bounded), and reports the first problem: an entry
// changed, removed or reordered; then, against the newest checkpoint (whose
// signature must verify with keys), a cut or rewritten tail; then the same
// against the head the store keeps beside the entries. A store that
// cannot be read is an error, not a problem. Both heads live in the same
// database as the entries, so whoever can delete the newest entries and
// checkpoints and rewind the head can hide a cut from Verify; VerifyWith
// also checks heads remembered outside the database.
func Verify(ctx context.Context, store Store, register string, keys map[string]ed25519.PublicKey) (Report, error) {
	return VerifyWith(ctx, store, register, keys, VerifyOptions{})
}

// VerifyWith is Verify that also checks the chain against opts.Heads, the
// heads of register remembered outside the database (heads of other
// registers are ignored): the chain must reach each one's Seq (else Cut)
// with its Head (else Changed). They are checked after the signed
// checkpoint and before the store's own head.
func VerifyWith(ctx context.Context, store Store, register string, keys map[string]ed25519.PublicKey, opts VerifyOptions) (Report, error) {
	rep := Report{Register: register, Head: Genesis()}
	// The heads the database remembers are read before the entries, so
	// that entries appended meanwhile cannot make a sound chain look cut.
	cp, err := store.LastCheckpoint(ctx, register)
	switch {
	case err == nil:
		rep.Checkpoint = &cp
	case !errors.Is(err, ErrNotFound):
		return rep, fmt.Errorf("verify %s: %w", register, err)
	}
	headSeq, headHash, err := store.Head(ctx, register)
	if err != nil {
		return rep, fmt.Errorf("verify %s: %w", register, err)
	}
	remembered := opts.headsOf(register)
	v := &chainCheck{rep: &rep, marks: map[int64][]byte{cp.Seq: nil, headSeq: nil}}
	for _, h := range remembered {
		v.marks[h.Seq] = nil
	}
	if err := v.walk(ctx, store, register); err != nil || rep.Problem != nil {
		return rep, err
	}
	if rep.Checkpoint != nil {
		if rep.Problem = checkpointProblem(cp, keys, v); rep.Problem != nil {
			return rep, nil
		}
	}
	if rep.Problem = rememberedProblem(remembered, v); rep.Problem != nil {
		return rep, nil
	}
	rep.Remembered = len(remembered)
	rep.Problem = against(headSeq, headHash, v, "the head the store keeps")
	return rep, nil
}

// chainCheck walks a chain, remembering the recomputed hash at the marked
// seqs (a checkpoint's, the stored head's).
type chainCheck struct {
	rep   *Report
	last  int64 // seq of the last verified entry
	marks map[int64][]byte
}

func (v *chainCheck) walk(ctx context.Context, store Store, register string) error {
	for after := int64(0); ; {
		es, err := store.Entries(ctx, register, after, verifyPage)
		if err != nil {
			return fmt.Errorf("verify %s: %w", register, err)
		}
		for i := range es {
			if v.rep.Problem = v.next(es, i); v.rep.Problem != nil {
				return nil
			}
		}
		if len(es) < verifyPage {
			return nil
		}
		after = es[len(es)-1].Seq
	}
}

// next checks es[i] against the chain so far and moves on past it.
func (v *chainCheck) next(es []Entry, i int) *Problem {
	e := es[i]
	if want := v.last + 1; e.Seq != want {
		return &Problem{Seq: want, Kind: Removed,
			Detail: fmt.Sprintf("entry %d is missing: the entry after %d is %d", want, v.last, e.Seq)}
	}
	h := Chain(v.rep.Head, e)
	if !bytes.Equal(h, e.Hash) {
		if from, ok := movedFrom(es, i); ok {
			return &Problem{Seq: e.Seq, Kind: Reordered,
				Detail: fmt.Sprintf("entry %d holds the entry written as %d: entries were reordered", e.Seq, from)}
		}
		return &Problem{Seq: e.Seq, Kind: Changed,
			Detail: fmt.Sprintf("entry %d does not match its hash: it was changed (or moved)", e.Seq)}
	}
	v.last, v.rep.Head = e.Seq, h
	v.rep.Entries++
	if _, ok := v.marks[e.Seq]; ok {
		v.marks[e.Seq] = h
	}
	return nil
}

// movedFrom looks for the seq es[i] was written at: one where its content,
// numbered so, chains from a hash stored nearby to its own stored hash.
// It finds entries moved within a page (a swap of two rows' seqs
// included); anything else reads as changed.
func movedFrom(es []Entry, i int) (int64, bool) {
	stored := make(map[int64][]byte, len(es))
	for _, e := range es {
		stored[e.Seq] = e.Hash
	}
	stored[0] = Genesis()
	e := es[i]
	for _, at := range es {
		x := at.Seq
		if x == e.Seq {
			continue
		}
		moved := e
		moved.Seq = x
		// Its predecessor's hash sits at x-1, or, when that row moved too
		// (adjacent rows swapped), at x or x-2.
		for _, p := range [][]byte{stored[x-1], stored[x], stored[x-2]} {
			if p != nil && bytes.Equal(Chain(p, moved), e.Hash) {
				return x, true
			}
		}
	}
	return 0, false
}

// checkpointProblem checks cp's signature and that the chain reaches cp's
// seq with cp's head.
func checkpointProblem(cp Checkpoint, keys map[string]ed25519.PublicKey, v *chainCheck) *Problem {
	if !VerifyCheckpoint(cp, keys) {
		why := "does not verify"
		if _, ok := keys[cp.KeyID]; !ok {
			why = "is by an unknown key " + cp.KeyID
		}
		return &Problem{Seq: cp.Seq, Kind: BadSignature,
			Detail: fmt.Sprintf("the signature of the checkpoint of %s %s", cp.Time.Format("2006-01-02 15:04:05Z"), why)}
	}
	return against(cp.Seq, cp.Head, v, "the signed checkpoint of "+cp.Time.Format("2006-01-02 15:04:05Z"))
}

// against compares the chain with a remembered head (seq, hash) named by what.
func against(seq int64, hash []byte, v *chainCheck, what string) *Problem {
	if seq == 0 {
		return nil
	}
	if seq > v.last {
		return &Problem{Seq: v.last + 1, Kind: Cut,
			Detail: fmt.Sprintf("the log ends at entry %d, but %s names entry %d (head %x): entries %d-%d were cut",
				v.last, what, seq, hash, v.last+1, seq)}
	}
	if !bytes.Equal(v.marks[seq], hash) {
		return &Problem{Seq: seq, Kind: Cut,
			Detail: fmt.Sprintf("the chain at entry %d differs from %s (head %x): the log was cut and rewritten", seq, what, hash)}
	}
	return nil
}
