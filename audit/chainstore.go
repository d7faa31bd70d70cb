package audit

import "context"

// ChainStore is a Store that appends under the register's lock: it locks
// the head, hands it to chain, and stores the entries chain returns (which
// must follow that head) in the same transaction. Appenders in several
// processes then take turns on the lock instead of losing to each other
// and retrying, which under steady load could starve one of them. The Log
// uses it when its store has it; both databases do.
type ChainStore interface {
	Store
	// AppendChain calls chain once with the locked head (0 and nil for an
	// empty register) and stores what it returns; nothing is stored when
	// chain or the transaction fails.
	AppendChain(ctx context.Context, register string, chain func(seq int64, hash []byte) []Entry) error
}
