package audit

import (
	"bytes"
	"cmp"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// VerifyOptions add to what VerifyWith checks.
type VerifyOptions struct {
	// Heads are heads remembered outside the database: copied from the
	// service's checkpoint log lines or from an earlier verify's output
	// (ParseHead reads both). Only Register, Seq and Head are used; a
	// remembered head needs no signature, since it is trusted for being
	// kept where the database's administrator cannot rewrite it.
	Heads []Checkpoint
}

// headsOf is the remembered heads of register, lowest seq first, so that
// the first problem named is the earliest.
func (o VerifyOptions) headsOf(register string) []Checkpoint {
	var hs []Checkpoint
	for _, h := range o.Heads {
		if h.Register == register {
			hs = append(hs, h)
		}
	}
	slices.SortStableFunc(hs, func(a, b Checkpoint) int { return cmp.Compare(a.Seq, b.Seq) })
	return hs
}

// FormatHead writes a head as REGISTER:SEQ:HEXHASH, the form ParseHead
// reads and `omahoito audit verify --head` takes.
func FormatHead(register string, seq int64, head []byte) string {
	return fmt.Sprintf("%s:%d:%x", register, seq, head)
}

// HeadRef is the report's verified head as FormatHead writes it: the
// register, the seq of the last entry that verified, its hash.
func (r Report) HeadRef() string { return FormatHead(r.Register, r.Entries, r.Head) }

// ParseHead reads a head written by FormatHead into a Checkpoint with
// Register, Seq and Head set (unsigned). The register is everything before
// the last two colons, so a register name may hold a colon. Errors wrap
// ErrInvalid and do not repeat the input.
func ParseHead(s string) (Checkpoint, error) {
	rest, hexHash, ok := cutLast(s, ":")
	register, seqText, ok2 := cutLast(rest, ":")
	if !ok || !ok2 || register == "" {
		return Checkpoint{}, fmt.Errorf("%w: a head is REGISTER:SEQ:HEXHASH", ErrInvalid)
	}
	seq, err := strconv.ParseInt(seqText, 10, 64)
	if err != nil || seq < 0 || seqText[0] == '+' {
		return Checkpoint{}, fmt.Errorf("%w: the SEQ of a head is a whole number from 0 on", ErrInvalid)
	}
	head, err := hex.DecodeString(hexHash)
	if err != nil || len(head) != HashSize {
		return Checkpoint{}, fmt.Errorf("%w: the HEXHASH of a head is %d hex digits", ErrInvalid, 2*HashSize)
	}
	return Checkpoint{Register: register, Seq: seq, Head: head}, nil
}

func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// rememberedProblem checks the chain against each remembered head: it must
// reach the head's seq (else the tail was cut) and hash to the head there
// (else an entry up to it was changed and the chain recomputed after it).
func rememberedProblem(heads []Checkpoint, v *chainCheck) *Problem {
	for _, h := range heads {
		ref := FormatHead(h.Register, h.Seq, h.Head)
		if h.Seq > v.last {
			return &Problem{Seq: v.last + 1, Kind: Cut,
				Detail: fmt.Sprintf("the log ends at entry %d, but the remembered head %s names entry %d: entries %d-%d were cut",
					v.last, ref, h.Seq, v.last+1, h.Seq)}
		}
		got := v.marks[h.Seq]
		if h.Seq == 0 {
			got = Genesis()
		}
		if !bytes.Equal(got, h.Head) {
			return &Problem{Seq: h.Seq, Kind: Changed,
				Detail: fmt.Sprintf("the chain at entry %d is %x, not the remembered head %s: entries up to %d were changed and the chain recomputed",
					h.Seq, got, ref, h.Seq)}
		}
	}
	return nil
}
