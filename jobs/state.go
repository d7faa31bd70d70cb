package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

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
	// Output is what the worker recorded (RecordOutput, SetOutput), in
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

// SetOutput stores v (JSON-encodable) as job id's output now, so a
// progress page sees it while the job still runs.
func (j *Jobs) SetOutput(ctx context.Context, id int64, v any) error {
	_, err := j.c.JobUpdate(ctx, id, &river.JobUpdateParams{Output: v})
	return wrap(fmt.Sprintf("set output of job %d", id), err)
}
