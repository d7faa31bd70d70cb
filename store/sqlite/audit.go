package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/store/internal/auditsql"
)

var _ audit.ChainStore = (*Store)(nil)

// AppendChain appends the entries chain makes after the register's head,
// read in the writer's transaction: no other writer can move it meanwhile.
func (s *Store) AppendChain(ctx context.Context, register string, chain func(seq int64, hash []byte) []audit.Entry) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var seq int64
		var hash []byte
		err := tx.QueryRowContext(ctx, auditsql.LockHead(dialect), register).Scan(&seq, &hash)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		seq, hash = auditsql.HeadOf(seq, hash)
		return appendIn(ctx, tx, register, seq, chain(seq, hash))
	})
	if err != nil {
		return fmt.Errorf("append access log: %w", mapErr(err, auditsql.Sentinels))
	}
	return nil
}

// AppendEntries appends es after the head seq prev in one transaction on
// the writer: the head moves from prev to the last of es, or nothing is
// written and the error wraps audit.ErrConflict.
func (s *Store) AppendEntries(ctx context.Context, register string, prev int64, es []audit.Entry) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error { return appendIn(ctx, tx, register, prev, es) })
	if err != nil {
		return fmt.Errorf("append access log: %w", mapErr(err, auditsql.Sentinels))
	}
	return nil
}

// appendIn moves the head from prev to the last of es, and inserts es.
func appendIn(ctx context.Context, tx *sql.Tx, register string, prev int64, es []audit.Entry) error {
	if len(es) == 0 {
		return nil
	}
	if err := auditsql.CheckBatch(register, prev, es); err != nil {
		return err
	}
	query, args := auditsql.MoveHead(dialect, register, prev, es)
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return auditsql.Conflict(register, prev)
	}
	return insertEntries(ctx, tx, es)
}

// insertEntries runs one prepared single-row INSERT per entry: on SQLite
// that beats a multi-row INSERT (see insertRowsInto).
func insertEntries(ctx context.Context, tx *sql.Tx, es []audit.Entry) error {
	stmt, err := tx.PrepareContext(ctx, auditsql.Insert(dialect, 1))
	if err != nil {
		return err
	}
	defer stmt.Close()
	args := make([]any, 0, len(auditsql.Columns))
	for _, e := range es {
		if _, err := stmt.ExecContext(ctx, auditsql.Values(dialect, args[:0], e)...); err != nil {
			return err
		}
	}
	return nil
}

// Head returns the register's last seq and hash; 0 and nil when empty.
func (s *Store) Head(ctx context.Context, register string) (int64, []byte, error) {
	var seq int64
	var hash []byte
	err := s.read.QueryRowContext(ctx, auditsql.Head(dialect), register).Scan(&seq, &hash)
	if errors.Is(err, sql.ErrNoRows) {
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
	rows, err := s.read.QueryContext(ctx, query, args...)
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
	if _, err := s.db.ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("put access log checkpoint: %w", mapErr(err, auditsql.Sentinels))
	}
	return nil
}

// LastCheckpoint is the register's newest checkpoint; audit.ErrNotFound
// when none.
func (s *Store) LastCheckpoint(ctx context.Context, register string) (audit.Checkpoint, error) {
	c, err := auditsql.ScanCheckpoint(s.read.QueryRowContext(ctx, auditsql.LastCheckpoint(dialect), register))
	if err != nil {
		return audit.Checkpoint{}, fmt.Errorf("last checkpoint of %s: %w", register, mapErr(err, auditsql.Sentinels))
	}
	return c, nil
}

// Registers lists the registers with entries or checkpoints.
func (s *Store) Registers(ctx context.Context) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, auditsql.Registers(dialect))
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
// on the writer, which no other appender can enter meanwhile.
func (s *Store) AppendImported(ctx context.Context, register string, es []audit.Entry, sources []audit.Source) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		count := func(query string, args ...any) (int64, error) {
			var c int64
			err := tx.QueryRowContext(ctx, query, args...).Scan(&c)
			return c, err
		}
		fresh, srcs, err := auditsql.NotImported(dialect, register, es, sources, count)
		if err != nil || len(fresh) == 0 {
			return err
		}
		var seq int64
		var hash []byte
		err = tx.QueryRowContext(ctx, auditsql.LockHead(dialect), register).Scan(&seq, &hash)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		seq, hash = auditsql.HeadOf(seq, hash)
		chained := audit.ChainImported(register, seq, hash, fresh)
		if err := appendIn(ctx, tx, register, seq, chained); err != nil {
			return err
		}
		for i, e := range chained {
			query, args := auditsql.InsertImported(dialect, e, srcs[i])
			if _, err := tx.ExecContext(ctx, query, args...); err != nil {
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
