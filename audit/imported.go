package audit

import "context"

// Source names the entry of another register that an imported entry
// copies: its register (between deployments "deployment/region"), its
// sequence number there, and a hash of it as it came (the entry's chain
// hash, or the SHA-256 of the resource a transfer package carried).
type Source struct {
	Register string
	Seq      int64
	Hash     []byte
}

// ImportStore appends imported entries, each found again by its source,
// so that copying the same entries twice appends none twice.
type ImportStore interface {
	// AppendImported appends, in one transaction under the lock of the
	// register's head, each es[i] whose sources[i] the register has not
	// imported yet, as an imported entry (Imported set, chained after the
	// head), and records its source; it returns how many it appended.
	AppendImported(ctx context.Context, register string, es []Entry, sources []Source) (int, error)
}

// ChainImported makes es the imported entries of register after the head
// (seq, hash): each with Register, Seq, Imported and its chain Hash set.
func ChainImported(register string, seq int64, hash []byte, es []Entry) []Entry {
	prev := hash
	if seq == 0 {
		prev = Genesis()
	}
	out := make([]Entry, len(es))
	for i, e := range es {
		e.Register, e.Seq, e.Imported = register, seq+int64(i)+1, true
		e.Hash = Chain(prev, e)
		prev = e.Hash
		out[i] = e
	}
	return out
}
