package audit

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// ErrInvalid is a request the log refuses as malformed: an entry without a
// register, a search without a person.
var ErrInvalid = errors.New("invalid access-log request")

// Defaults of Options.
const (
	DefaultMaxBatch           = 256
	DefaultCheckpointEvery    = 1000
	DefaultCheckpointInterval = time.Minute
	// DefaultSearchLimit and MaxSearchLimit bound a page of Search.
	DefaultSearchLimit = 50
	MaxSearchLimit     = 1000
)

const (
	// maxAppendAttempts bounds the retries of a batch that lost the head
	// to another process (on a Store that is not a ChainStore).
	maxAppendAttempts = 10
	// writeTimeout bounds one batch's transaction, whatever its waiters'
	// contexts say: a batch is written whole or not at all.
	writeTimeout = 30 * time.Second
)

// Options tune a Log. Zero values take the defaults.
type Options struct {
	MaxBatch           int           // most entries in one transaction; default 256
	CheckpointEvery    int64         // a checkpoint when the head crosses a multiple of this; default 1000
	CheckpointInterval time.Duration // a checkpoint when the head moved and this much time passed; default 1 minute
	Logger             *slog.Logger  // where checkpoints and failures are logged; default slog.Default()
	Now                func() time.Time
}

func (o *Options) applyDefaults() {
	if o.MaxBatch <= 0 {
		o.MaxBatch = DefaultMaxBatch
	}
	if o.CheckpointEvery <= 0 {
		o.CheckpointEvery = DefaultCheckpointEvery
	}
	if o.CheckpointInterval <= 0 {
		o.CheckpointInterval = DefaultCheckpointInterval
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Log appends entries to the chains of a Store with group commit: one
// writer goroutine gathers the entries that concurrent Appends hand it
// while the previous transaction runs, and writes each register's share in
// one transaction. It signs checkpoints of the heads as it goes. Close
// stops it.
type Log struct {
	store Store
	key   ed25519.PrivateKey
	opts  Options

	mu     sync.RWMutex // guards closed against sends on a closed reqs
	closed bool
	reqs   chan *request
	done   chan struct{} // closed when the writer has returned

	heads    map[string]*head // the writer's view; touched by the writer only
	finalErr error            // of the final checkpoints; read after done
}

// request is one Append waiting for the writer.
type request struct {
	ctx  context.Context
	e    Entry
	done chan error // buffered: the writer never waits for a waiter who left
}

// NewLog starts a log over store that signs checkpoints with key.
func NewLog(store Store, key ed25519.PrivateKey, opts Options) *Log {
	opts.applyDefaults()
	l := &Log{
		store: store, key: key, opts: opts,
		reqs:  make(chan *request, 4*opts.MaxBatch),
		done:  make(chan struct{}),
		heads: map[string]*head{},
	}
	go l.run()
	return l
}

// Append stores e at the end of its register's chain (Seq and Hash are
// set there; a zero Time is now) and returns once it is durably stored.
// Any error wraps ErrUnavailable: the caller must then return no data.
// When ctx ends first, Append returns at once; the entry may still be
// written with its batch, which only ever logs an access that was not
// served.
func (l *Log) Append(ctx context.Context, e Entry) error {
	if e.Register == "" {
		return fmt.Errorf("%w: %w: an entry without a register", ErrUnavailable, ErrInvalid)
	}
	if e.Time.IsZero() {
		e.Time = l.opts.Now()
	}
	e.Time = e.Time.UTC().Truncate(time.Microsecond)
	e.Seq, e.Hash = 0, nil
	// The writer reads these after a cancelled caller may have moved on.
	e.Kinds, e.IDs, e.Grants = slices.Clone(e.Kinds), slices.Clone(e.IDs), slices.Clone(e.Grants)
	r := &request{ctx: ctx, e: e, done: make(chan error, 1)}
	if err := l.enqueue(r); err != nil {
		return err
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", ErrUnavailable, ctx.Err())
	}
}

func (l *Log) enqueue(r *request) error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return fmt.Errorf("%w: the log is closed", ErrUnavailable)
	}
	select {
	case l.reqs <- r:
		return nil
	case <-r.ctx.Done():
		return fmt.Errorf("%w: %w", ErrUnavailable, r.ctx.Err())
	}
}

// Close writes the entries already handed in, a final checkpoint of every
// register whose head moved since its last one, and stops the writer.
// Appends after Close fail with ErrUnavailable.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		<-l.done
		return nil
	}
	l.closed = true
	close(l.reqs)
	l.mu.Unlock()
	<-l.done
	return l.finalErr
}

// Checkpoint signs and stores the register's current head now, whatever
// the schedule; ErrNotFound for a register without entries.
func (l *Log) Checkpoint(ctx context.Context, register string) (Checkpoint, error) {
	seq, hash, err := l.store.Head(ctx, register)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint %s: %w", register, err)
	}
	if seq == 0 {
		return Checkpoint{}, fmt.Errorf("checkpoint %s: %w: no entries", register, ErrNotFound)
	}
	return l.putCheckpoint(ctx, register, seq, hash)
}

func (l *Log) putCheckpoint(ctx context.Context, register string, seq int64, hash []byte) (Checkpoint, error) {
	c := Sign(Checkpoint{Register: register, Seq: seq, Head: hash,
		Time: l.opts.Now().UTC().Truncate(time.Microsecond)}, l.key)
	if err := l.store.PutCheckpoint(ctx, c); err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint %s at %d: %w", register, seq, err)
	}
	// The signed tree head goes to the service's log too, so a copy of the
	// head outlives the database (Certificate Transparency's practice).
	l.opts.Logger.Info("access log checkpoint", "register", register, "seq", seq,
		"head", fmt.Sprintf("%x", hash), "verify_head", FormatHead(register, seq, hash), "key_id", c.KeyID)
	return c, nil
}

// Search lists q.PatientID's entries in every register, newest first, a
// page of q.Limit (default 50, at most 1000), and the cursor of the next
// page, nil on the last.
func (l *Log) Search(ctx context.Context, q Query) ([]Entry, *Cursor, error) {
	if q.PatientID == "" {
		return nil, nil, fmt.Errorf("search access log: %w: no person", ErrInvalid)
	}
	if q.Limit <= 0 {
		q.Limit = DefaultSearchLimit
	}
	q.Limit = min(q.Limit, MaxSearchLimit)
	want := q.Limit
	q.Limit++ // one more tells whether a next page exists
	es, err := l.store.PatientEntries(ctx, q)
	if err != nil {
		return nil, nil, fmt.Errorf("search access log: %w", err)
	}
	if len(es) <= want {
		return es, nil, nil
	}
	es = es[:want]
	last := es[want-1]
	return es, &Cursor{Time: last.Time, Seq: last.Seq, Register: last.Register}, nil
}
