package audit

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// head is the writer's view of one register: its last entry and its last
// checkpoint.
type head struct {
	loaded bool // false after a failed write: reload before the next
	seq    int64
	hash   []byte
	cpSeq  int64
	cpTime time.Time
}

// run is the writer: it takes a request, gathers those queued behind it,
// and writes them; between batches it writes the checkpoints that fall
// due by time. It returns when reqs is closed and drained.
func (l *Log) run() {
	defer close(l.done)
	tick := time.NewTicker(max(l.opts.CheckpointInterval/2, time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case r, ok := <-l.reqs:
			if !ok {
				l.finalErr = l.checkpointMoved(0)
				return
			}
			l.write(l.gather(r))
		case <-tick.C:
			_ = l.checkpointMoved(l.opts.CheckpointInterval) // failures are logged
		}
	}
}

// gather is first and the requests queued behind it, at most MaxBatch.
func (l *Log) gather(first *request) []*request {
	batch := []*request{first}
	for len(batch) < l.opts.MaxBatch {
		select {
		case r, ok := <-l.reqs:
			if !ok {
				return batch
			}
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// write appends each register's requests of batch in one transaction, in
// the order they came. A waiter who already left is not written.
func (l *Log) write(batch []*request) {
	var order []string
	byRegister := map[string][]*request{}
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.done <- fmt.Errorf("%w: %w", ErrUnavailable, err)
			continue
		}
		reg := r.e.Register
		if _, seen := byRegister[reg]; !seen {
			order = append(order, reg)
		}
		byRegister[reg] = append(byRegister[reg], r)
	}
	for _, reg := range order {
		l.appendRegister(reg, byRegister[reg])
	}
}

// appendRegister chains rs after the register's head and stores them in
// one transaction, and answers their waiters.
func (l *Log) appendRegister(register string, rs []*request) {
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	var err error
	if cs, ok := l.store.(ChainStore); ok {
		err = l.appendLocked(ctx, cs, register, rs)
	} else {
		err = l.appendOptimistic(ctx, register, rs)
	}
	if err != nil {
		l.opts.Logger.Error("audit log write failed", "register", register, "entries", len(rs), "error", err.Error())
		for _, r := range rs {
			r.done <- fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		return
	}
	for _, r := range rs {
		r.done <- nil
	}
	l.checkpointIfDue(ctx, register, l.heads[register])
}

// appendLocked chains rs under the store's lock of the register's head.
func (l *Log) appendLocked(ctx context.Context, cs ChainStore, register string, rs []*request) error {
	h, err := l.head(ctx, register)
	if err != nil {
		return err
	}
	var es []Entry
	err = cs.AppendChain(ctx, register, func(seq int64, hash []byte) []Entry {
		es = chainAfter(seq, hash, rs)
		return es
	})
	if err != nil {
		h.loaded = false
		return err
	}
	last := es[len(es)-1]
	h.seq, h.hash = last.Seq, last.Hash
	return nil
}

// appendOptimistic chains rs after the head the writer knows; on
// ErrConflict (another process appended) it reloads the head and tries
// again, a few times.
func (l *Log) appendOptimistic(ctx context.Context, register string, rs []*request) error {
	var err error
	for attempt := 1; attempt <= maxAppendAttempts; attempt++ {
		var h *head
		if h, err = l.head(ctx, register); err != nil {
			break
		}
		es := chainAfter(h.seq, h.hash, rs)
		if err = l.store.AppendEntries(ctx, register, h.seq, es); err == nil {
			last := es[len(es)-1]
			h.seq, h.hash = last.Seq, last.Hash
			return nil
		}
		h.loaded = false // whatever happened, the store knows the head better
		if !errors.Is(err, ErrConflict) {
			break
		}
		// A random pause, growing with the attempts, lets the other
		// writer's batch end so that the reloaded head is the last one.
		time.Sleep(rand.N(time.Duration(attempt) * time.Millisecond))
	}
	return err
}

// chainAfter is rs's entries numbered and hashed after (seq, hash).
func chainAfter(seq int64, hash []byte, rs []*request) []Entry {
	prev := hash
	if seq == 0 {
		prev = Genesis()
	}
	es := make([]Entry, len(rs))
	for i, r := range rs {
		e := r.e
		e.Seq = seq + int64(i) + 1
		e.Hash = Chain(prev, e)
		prev = e.Hash
		es[i] = e
	}
	return es
}

// head is the writer's view of register, loaded from the store when new
// or after a failed write.
func (l *Log) head(ctx context.Context, register string) (*head, error) {
	h := l.heads[register]
	if h != nil && h.loaded {
		return h, nil
	}
	seq, hash, err := l.store.Head(ctx, register)
	if err != nil {
		return nil, err
	}
	if h == nil {
		h = &head{}
		c, err := l.store.LastCheckpoint(ctx, register)
		switch {
		case err == nil:
			h.cpSeq, h.cpTime = c.Seq, c.Time
		case !errors.Is(err, ErrNotFound):
			return nil, err
		}
		l.heads[register] = h
	}
	h.loaded, h.seq, h.hash = true, seq, hash
	return h, nil
}

// checkpointIfDue checkpoints after a batch when the head crossed a
// multiple of CheckpointEvery or CheckpointInterval passed since the last.
func (l *Log) checkpointIfDue(ctx context.Context, register string, h *head) {
	every := l.opts.CheckpointEvery
	crossed := h.seq/every > h.cpSeq/every
	if crossed || l.opts.Now().Sub(h.cpTime) >= l.opts.CheckpointInterval {
		_ = l.checkpoint(ctx, register, h)
	}
}

// checkpointMoved checkpoints every register whose head moved since its
// last checkpoint, at least age ago.
func (l *Log) checkpointMoved(age time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	var errs []error
	for register, h := range l.heads {
		if h.loaded && h.seq > h.cpSeq && l.opts.Now().Sub(h.cpTime) >= age {
			errs = append(errs, l.checkpoint(ctx, register, h))
		}
	}
	return errors.Join(errs...)
}

func (l *Log) checkpoint(ctx context.Context, register string, h *head) error {
	c, err := l.putCheckpoint(ctx, register, h.seq, h.hash)
	if err != nil {
		// The entries are stored; the next checkpoint covers them.
		l.opts.Logger.Warn("audit checkpoint failed", "register", register, "seq", h.seq, "error", err.Error())
		return err
	}
	h.cpSeq, h.cpTime = c.Seq, c.Time
	return nil
}
