package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// State is where a job is in its life.
type State string

// The states of a job. Completed, Discarded and Cancelled are final.
const (
	Pending   State = "pending"   // inserted, not yet released to be worked
	Scheduled State = "scheduled" // waiting for its ScheduledAt
	Available State = "available" // waiting for a worker
	Running   State = "running"   // being worked
	Retryable State = "retryable" // failed, waiting for its next attempt
	Completed State = "completed" // worked to the end
	Discarded State = "discarded" // failed its last attempt
	Cancelled State = "cancelled" // cancelled before it finished
)

// Final reports whether a job in state s will not run again.
func (s State) Final() bool {
	return s == Completed || s == Discarded || s == Cancelled
}

// Job is what a progress page shows of one job.
type Job struct {
	ID          int64
	Kind        string
	Queue       string
	State       State
	Attempt     int // attempts started so far
	MaxAttempts int
	// Errors are the failed attempts' errors, oldest first.
	Errors      []AttemptError
	CreatedAt   time.Time
	ScheduledAt time.Time  // when it runs next, if not running or final
	FinalizedAt *time.Time // when it reached a final state
	// Args is the job's arguments as inserted, in JSON.
	Args json.RawMessage
	// Output is what the worker recorded (RecordOutput, Progress), in
	// JSON; nil if nothing.
	Output json.RawMessage
}

// AttemptError is the error of one failed attempt.
type AttemptError struct {
	At      time.Time
	Attempt int
	Error   string
}

// Get returns the job with id, or ErrNotFound.
func (j *Jobs) Get(ctx context.Context, id int64) (Job, error) {
	row, err := j.c.JobGet(ctx, id)
	if err != nil {
		return Job{}, wrap(fmt.Sprintf("get job %d", id), err)
	}
	return jobFromRow(row), nil
}

func jobFromRow(row *rivertype.JobRow) Job {
	job := Job{
		ID:          row.ID,
		Kind:        row.Kind,
		Queue:       row.Queue,
		State:       State(row.State),
		Attempt:     row.Attempt,
		MaxAttempts: row.MaxAttempts,
		CreatedAt:   row.CreatedAt,
		ScheduledAt: row.ScheduledAt,
		FinalizedAt: row.FinalizedAt,
		Args:        json.RawMessage(row.EncodedArgs),
	}
	if out := row.Output(); len(out) > 0 {
		job.Output = json.RawMessage(out)
	}
	for _, e := range row.Errors {
		job.Errors = append(job.Errors, AttemptError{At: e.At, Attempt: e.Attempt, Error: e.Error})
	}
	return job
}

// RecordOutput sets the output of the job being worked, called from its
// worker: v (JSON-encodable) is stored when the attempt ends, however it
// ends, and replaces any output recorded before.
func RecordOutput(ctx context.Context, v any) error {
	if err := river.RecordOutput(ctx, v); err != nil {
		return fmt.Errorf("jobs: record output: %w", err)
	}
	return nil
}

// Progress stores v (JSON-encodable) as the output of job id now, called
// from that job's worker, so a progress page sees it while the job still
// runs. The attempt's end stores the output recorded last, as
// RecordOutput does.
func Progress(ctx context.Context, id int64, v any) error {
	if err := RecordOutput(ctx, v); err != nil {
		return err
	}
	var err error
	if c, cerr := river.ClientFromContextSafely[pgx.Tx](ctx); cerr == nil {
		_, err = c.JobUpdate(ctx, id, &river.JobUpdateParams{})
	} else if c, cerr := river.ClientFromContextSafely[*sql.Tx](ctx); cerr == nil {
		_, err = c.JobUpdate(ctx, id, &river.JobUpdateParams{})
	} else {
		err = cerr
	}
	return wrap(fmt.Sprintf("progress of job %d", id), err)
}
