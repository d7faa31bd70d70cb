package jobs

import (
	"context"
	"database/sql"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// InsertOpts say how one job is inserted. The zero value inserts into
// DefaultQueue, to be worked at once, every insert a new job.
type InsertOpts struct {
	// Queue is the queue the job waits in; empty: DefaultQueue.
	Queue string
	// Unique makes an insert of the same kind and args as a job not yet
	// finished (waiting, running, or waiting to be retried) return that
	// job instead of a new one. A finished job does not count: inserting
	// it again runs it again.
	Unique bool
	// MaxAttempts overrides Config.MaxAttempts for this job; zero: that.
	MaxAttempts int
	// ScheduledAt is when the job may run first; zero: now.
	ScheduledAt time.Time
}

// Inserted is the job an insert made, or found.
type Inserted struct {
	ID int64
	// Duplicate is set when a Unique insert found the same job unfinished
	// and inserted nothing; ID is that job's.
	Duplicate bool
}

// uniqueStates are the states in which a job blocks a Unique insert of
// its twin: every state before it finishes. River requires the first four.
var uniqueStates = []rivertype.JobState{
	rivertype.JobStateAvailable,
	rivertype.JobStatePending,
	rivertype.JobStateRunning,
	rivertype.JobStateScheduled,
	rivertype.JobStateRetryable,
}

// Insert adds a job. args' kind must have a worker in Config.Workers when
// Workers was given.
func (j *Jobs) Insert(ctx context.Context, args river.JobArgs, opts *InsertOpts) (Inserted, error) {
	res, err := j.c.Insert(ctx, args, j.riverOpts(args, opts))
	return inserted(res, err)
}

// InsertTx adds a job in tx, a transaction on the PostgreSQL pool: the job
// exists if and only if tx commits. It fails with ErrWrongDatabase on
// SQLite.
func (j *Jobs) InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *InsertOpts) (Inserted, error) {
	if j.pg == nil {
		return Inserted{}, ErrWrongDatabase
	}
	res, err := j.pg.InsertTx(ctx, tx, args, j.riverOpts(args, opts))
	return inserted(res, err)
}

// InsertSQLiteTx adds a job in tx, a transaction on the SQLite writer
// (Config.SQLite): the job exists if and only if tx commits. It fails with
// ErrWrongDatabase on PostgreSQL.
func (j *Jobs) InsertSQLiteTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *InsertOpts) (Inserted, error) {
	if j.lite == nil {
		return Inserted{}, ErrWrongDatabase
	}
	res, err := j.lite.InsertTx(ctx, tx, args, j.riverOpts(args, opts))
	return inserted(res, err)
}

func inserted(res *rivertype.JobInsertResult, err error) (Inserted, error) {
	if err != nil {
		return Inserted{}, wrap("insert", err)
	}
	return Inserted{ID: res.Job.ID, Duplicate: res.UniqueSkippedAsDuplicate}, nil
}

// riverOpts translates opts, filling in the kind's configured attempts.
func (j *Jobs) riverOpts(args river.JobArgs, opts *InsertOpts) *river.InsertOpts {
	if opts == nil {
		opts = &InsertOpts{}
	}
	ro := &river.InsertOpts{
		Queue:       opts.Queue,
		MaxAttempts: opts.MaxAttempts,
		ScheduledAt: opts.ScheduledAt,
	}
	if ro.MaxAttempts == 0 {
		ro.MaxAttempts = j.maxAttempts[args.Kind()]
	}
	if opts.Unique {
		ro.UniqueOpts = river.UniqueOpts{ByArgs: true, ByState: uniqueStates}
	}
	return ro
}
