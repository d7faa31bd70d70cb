package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/store/internal/auditsql"
)

var _ audit.ChainStore = (*Store)(nil)

// AppendChain appends the entries chain makes after the register's head,
// holding the head row's lock from the read to the commit: appenders in
// other processes wait their turn (in the order they asked) instead of
// conflicting.
func (s *Store) AppendChain(ctx context.Context, register string, chain func(seq int64, hash []byte) []audit.Entry) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		seq, hash, err := lockHead(ctx, tx, register)
		if err != nil {
			return err
		}
		return appendIn(ctx, tx, register, seq, chain(seq, hash))
	})
	if err != nil {
		return fmt.Errorf("append access log: %w", mapErr(err, auditsql.Sentinels))
	}
	return nil
}

// lockHead reads and locks the register's head, creating an empty one first
// when the register is new.
func lockHead(ctx context.Context, tx pgx.Tx, register string) (int64, []byte, error) {
	var seq int64
	var hash []byte
	err := tx.QueryRow(ctx, auditsql.LockHead(dialect), register).Scan(&seq, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		query, args := auditsql.EnsureHead(dialect, register)
		if _, err = tx.Exec(ctx, query, args...); err == nil {
			err = tx.QueryRow(ctx, auditsql.LockHead(dialect), register).Scan(&seq, &hash)
		}
	}
	seq, hash = auditsql.HeadOf(seq, hash)
	return seq, hash, err
}

// insertChunk is how many entries one INSERT writes: 24 columns each stay
// well under PostgreSQL's 65,535 parameters.
const insertChunk = 1000

// AppendEntries appends es after the head seq prev in one transaction.
// The head row moves from prev to the last of es on condition that it is
// still at prev: a concurrent appender's UPDATE waits for the row lock and
// then finds it moved, so nothing is written and the error wraps
// audit.ErrConflict. The head move and the inserts go in one round trip.
func (s *Store) AppendEntries(ctx context.Context, register string, prev int64, es []audit.Entry) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return appendIn(ctx, tx, register, prev, es) })
	if err != nil {
		return fmt.Errorf("append access log: %w", mapErr(err, auditsql.Sentinels))
	}
	return nil
}

// appendIn moves the head from prev to the last of es and inserts es, in
// one round trip.
func appendIn(ctx context.Context, tx pgx.Tx, register string, prev int64, es []audit.Entry) error {
	if len(es) == 0 {
		return nil
	}
	if err := auditsql.CheckBatch(register, prev, es); err != nil {
		return err
	}
	b := &pgx.Batch{}
	query, args := auditsql.MoveHead(dialect, register, prev, es)
	b.Queue(query, args...)
	for i := 0; i < len(es); i += insertChunk {
		chunk := es[i:min(i+insertChunk, len(es))]
		args := make([]any, 0, len(chunk)*len(auditsql.Columns))
		for _, e := range chunk {
			args = auditsql.Values(dialect, args, e)
		}
		b.Queue(auditsql.Insert(dialect, len(chunk)), args...)
	}
	return runAppend(ctx, tx, b, register, prev)
}

// runAppend sends b and reads its results in order: a head that did not
// move is a conflict, whatever the inserts queued behind it say.
func runAppend(ctx context.Context, tx pgx.Tx, b *pgx.Batch, register string, prev int64) error {
	br := tx.SendBatch(ctx, b)
	tag, err := br.Exec()
	if err == nil && tag.RowsAffected() != 1 {
		err = auditsql.Conflict(register, prev)
	}
	for i := 1; err == nil && i < b.Len(); i++ {
		_, err = br.Exec()
	}
	return errors.Join(err, br.Close())
}

// Head returns the register's last seq and hash; 0 and nil when empty.
func (s *Store) Head(ctx context.Context, register string) (int64, []byte, error) {
	var seq int64
	var hash []byte
	err := s.pool.QueryRow(ctx, auditsql.Head(dialect), register).Scan(&seq, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("access log head %s: %w", register, mapErr(err, auditsql.Sentinels))
	}
	seq, hash = auditsql.HeadOf(seq, hash)
	return seq, hash, nil
}

// Entries lists the register's entries after seq after, in seq order, at
// most limit.
func (s *Store) Entries(ctx context.Context, register string, after int64, limit int) ([]audit.Entry, error) {
	query, args := auditsql.Entries(dialect, register, after, limit)
	return s.auditQuery(ctx, "access log entries", query, args...)
}

// PatientEntries lists a person's entries in every register, newest first.
func (s *Store) PatientEntries(ctx context.Context, q audit.Query) ([]audit.Entry, error) {
	query, args := auditsql.PatientEntries(dialect, q)
	return s.auditQuery(ctx, "a person's access log", query, args...)
}

func (s *Store) auditQuery(ctx context.Context, what, query string, args ...any) ([]audit.Entry, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	if err == nil {
		var es []audit.Entry
		if es, err = collect(rows, auditsql.Scan); err == nil {
			return es, nil
		}
	}
	return nil, fmt.Errorf("%s: %w", what, mapErr(err, auditsql.Sentinels))
}

// PutCheckpoint stores a signed head.
func (s *Store) PutCheckpoint(ctx context.Context, c audit.Checkpoint) error {
	query, args := auditsql.PutCheckpoint(dialect, c)
	if _, err := s.pool.Exec(ctx, query, args...); err != nil {
		return fmt.Errorf("put access log checkpoint: %w", mapErr(err, auditsql.Sentinels))
	}
	return nil
}

// LastCheckpoint is the register's newest checkpoint; audit.ErrNotFound
// when none.
func (s *Store) LastCheckpoint(ctx context.Context, register string) (audit.Checkpoint, error) {
	c, err := auditsql.ScanCheckpoint(s.pool.QueryRow(ctx, auditsql.LastCheckpoint(dialect), register))
	if err != nil {
		return audit.Checkpoint{}, fmt.Errorf("last checkpoint of %s: %w", register, mapErr(err, auditsql.Sentinels))
	}
	return c, nil
}

// Registers lists the registers with entries or checkpoints.
func (s *Store) Registers(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, auditsql.Registers(dialect))
	if err == nil {
		var rs []string
		if rs, err = collect(rows, auditsql.ScanRegister); err == nil {
			return rs, nil
		}
	}
	return nil, fmt.Errorf("access log registers: %w", mapErr(err, auditsql.Sentinels))
}

var _ audit.ImportStore = (*Store)(nil)

// AppendImported is audit.ImportStore.AppendImported in one transaction
// that holds the lock of the register's head.
func (s *Store) AppendImported(ctx context.Context, register string, es []audit.Entry, sources []audit.Source) (int, error) {
	n := 0
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		seq, hash, err := lockHead(ctx, tx, register)
		if err != nil {
			return err
		}
		count := func(query string, args ...any) (int64, error) {
			var c int64
			err := tx.QueryRow(ctx, query, args...).Scan(&c)
			return c, err
		}
		fresh, srcs, err := auditsql.NotImported(dialect, register, es, sources, count)
		if err != nil || len(fresh) == 0 {
			return err
		}
		chained := audit.ChainImported(register, seq, hash, fresh)
		if err := appendIn(ctx, tx, register, seq, chained); err != nil {
			return err
		}
		for i, e := range chained {
			query, args := auditsql.InsertImported(dialect, e, srcs[i])
			if _, err := tx.Exec(ctx, query, args...); err != nil {
				return err
			}
		}
		n = len(chained)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("append imported entries: %w", mapErr(err, auditsql.Sentinels))
	}
	return n, nil
}
