package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// workPoll is how often Work looks whether it is done. Jobs are worked as
// soon as they are inserted; this only bounds how late Work notices.
const workPoll = 100 * time.Millisecond

// unfinished are the states of a job that will still run.
var unfinished = []rivertype.JobState{
	rivertype.JobStatePending,
	rivertype.JobStateScheduled,
	rivertype.JobStateAvailable,
	rivertype.JobStateRunning,
	rivertype.JobStateRetryable,
}

// WorkUntilDone is for a command that runs without a server: it starts
// working (on a Jobs not yet started), waits until every job in ids has
// reached a final state, and stops. A job is worked once even when a
// server works the same queues meanwhile: whichever client takes it first
// works it, and WorkUntilDone only waits. Retries wait for their backoff,
// so a failing job keeps it waiting until its last attempt, or until ctx
// ends. The jobs' outcomes are read with Get.
func (j *Jobs) WorkUntilDone(ctx context.Context, ids ...int64) error {
	return j.work(ctx, func(ctx context.Context) (bool, error) {
		for _, id := range ids {
			job, err := j.Get(ctx, id)
			if err != nil {
				return false, err
			}
			if !job.State.Final() {
				return false, nil
			}
		}
		return true, nil
	})
}

// WorkUntilDrained is WorkUntilDone for every job of queue: it returns
// when no job in queue is left to run, including retries and jobs
// scheduled for later.
func (j *Jobs) WorkUntilDrained(ctx context.Context, queue string) error {
	return j.work(ctx, func(ctx context.Context) (bool, error) {
		res, err := j.c.JobList(ctx, river.NewJobListParams().Queues(queue).States(unfinished...).First(1))
		if err != nil {
			return false, wrap("list jobs", err)
		}
		return len(res.Jobs) == 0, nil
	})
}

// work starts the client, polls done until it reports true, and stops.
func (j *Jobs) work(ctx context.Context, done func(context.Context) (bool, error)) (err error) {
	if err := j.Start(ctx); err != nil {
		return err
	}
	defer func() { err = errors.Join(err, j.stopAfterWork(ctx)) }()
	tick := time.NewTicker(workPoll)
	defer tick.Stop()
	for {
		ok, err := done(ctx)
		if err != nil || ok {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("jobs: work: %w", ctx.Err())
		case <-tick.C:
		}
	}
}

// stopAfterWork stops the client that work started: waiting up to a minute
// for running jobs when ctx is live, cutting them short at once when it
// ended (they are retried later).
func (j *Jobs) stopAfterWork(ctx context.Context) error {
	stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if ctx.Err() != nil {
		cancel()
	}
	return j.Stop(stop)
}
