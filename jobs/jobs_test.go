package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
)

func TestOpenNeedsExactlyOneDatabase(t *testing.T) {
	if _, err := Open(context.Background(), Config{}); !errors.Is(err, ErrConfig) {
		t.Fatalf("no database: %v, want ErrConfig", err)
	}
}

func TestJobIsWorkedOnceAndItsOutputRecorded(t *testing.T) {
	forEachDB(t, func(t *testing.T, db database) {
		ctx := context.Background()
		rec := newRecorder()
		cfg := db.config(t)
		cfg.Workers = workers(rec, "a", nil)
		j := open(t, cfg)

		ins, err := j.Insert(ctx, countArgs{N: 21}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := j.Start(ctx); err != nil {
			t.Fatal(err)
		}
		job := waitFinal(t, j, ins.ID, 5*time.Second)
		if job.State != Completed || job.Attempt != 1 || len(job.Errors) != 0 {
			t.Fatalf("job: %s", describe(job))
		}
		var out struct{ Double int }
		if err := json.Unmarshal(job.Output, &out); err != nil || out.Double != 42 {
			t.Fatalf("output %s (%v), want double 42", job.Output, err)
		}
		var args countArgs
		if err := json.Unmarshal(job.Args, &args); err != nil || args.N != 21 || job.Kind != "test_count" || job.Queue != DefaultQueue {
			t.Fatalf("job: kind %q queue %q args %s", job.Kind, job.Queue, job.Args)
		}
		// Nothing works it a second time, however long the client runs.
		time.Sleep(300 * time.Millisecond)
		if n := rec.count(21); n != 1 {
			t.Fatalf("worked %d times, want 1", n)
		}
		if _, err := j.Get(ctx, ins.ID+1000); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown job: %v, want ErrNotFound", err)
		}
	})
}

func TestFailedJobIsRetriedWithBackoffAndSucceeds(t *testing.T) {
	forEachDB(t, func(t *testing.T, db database) {
		ctx := context.Background()
		rec := newRecorder()
		cfg := db.config(t)
		cfg.Workers = workers(rec, "a", nil)
		j := open(t, cfg)
		if err := j.Start(ctx); err != nil {
			t.Fatal(err)
		}
		ins, err := j.Insert(ctx, flakyArgs{N: 1}, nil)
		if err != nil {
			t.Fatal(err)
		}
		job := waitFinal(t, j, ins.ID, 8*time.Second)
		if job.State != Completed || job.Attempt != 2 || string(job.Output) != `"moved"` {
			t.Fatalf("job: %s", describe(job))
		}
		if len(job.Errors) != 1 || job.Errors[0].Attempt != 1 || !strings.Contains(job.Errors[0].Error, "target region unreachable") {
			t.Fatalf("errors: %+v", job.Errors)
		}
		rec.mu.Lock()
		at := rec.at[1]
		rec.mu.Unlock()
		if len(at) != 2 {
			t.Fatalf("%d attempts, want 2", len(at))
		}
		// River's backoff waits attempt⁴ seconds (with some jitter) after
		// the first failure: the retry does not come at once.
		if gap := at[1].Sub(at[0]); gap < 800*time.Millisecond {
			t.Fatalf("retried after %v, want a backoff of about 1 s", gap)
		}
	})
}

func TestMaxAttemptsIsSetPerKind(t *testing.T) {
	forEachDB(t, func(t *testing.T, db database) {
		ctx := context.Background()
		cfg := db.config(t)
		cfg.Workers = workers(newRecorder(), "a", nil)
		cfg.MaxAttempts = map[string]int{"test_fail": 1}
		j := open(t, cfg)
		if err := j.Start(ctx); err != nil {
			t.Fatal(err)
		}
		ins, err := j.Insert(ctx, failArgs{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		job := waitFinal(t, j, ins.ID, 5*time.Second)
		if job.State != Discarded || job.Attempt != 1 || job.MaxAttempts != 1 || len(job.Errors) != 1 {
			t.Fatalf("job: %s", describe(job))
		}
		// Other kinds keep river's default, and an insert may override.
		other, err := j.Insert(ctx, countArgs{N: 1}, &InsertOpts{ScheduledAt: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		own, err := j.Insert(ctx, failArgs{}, &InsertOpts{MaxAttempts: 3, ScheduledAt: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		for id, want := range map[int64]int{other.ID: 25, own.ID: 3} {
			if got, err := j.Get(ctx, id); err != nil || got.MaxAttempts != want || got.State != Scheduled {
				t.Fatalf("job %d: %s (%v), want max attempts %d, scheduled", id, describe(got), err, want)
			}
		}
	})
}

func TestUniqueInsertMakesNoSecondJob(t *testing.T) {
	forEachDB(t, func(t *testing.T, db database) {
		ctx := context.Background()
		rec := newRecorder()
		cfg := db.config(t)
		cfg.Workers = workers(rec, "a", nil)
		j := open(t, cfg)
		unique := &InsertOpts{Unique: true}

		first, err := j.Insert(ctx, countArgs{N: 7}, unique)
		if err != nil || first.Duplicate {
			t.Fatalf("first insert: %+v, %v", first, err)
		}
		again, err := j.Insert(ctx, countArgs{N: 7}, unique)
		if err != nil || !again.Duplicate || again.ID != first.ID {
			t.Fatalf("second insert: %+v, %v; want duplicate of %d", again, err, first.ID)
		}
		other, err := j.Insert(ctx, countArgs{N: 8}, unique)
		if err != nil || other.Duplicate || other.ID == first.ID {
			t.Fatalf("other args: %+v, %v; want a new job", other, err)
		}
		plain, err := j.Insert(ctx, countArgs{N: 7}, nil)
		if err != nil || plain.Duplicate || plain.ID == first.ID {
			t.Fatalf("insert without Unique: %+v, %v; want a new job", plain, err)
		}

		if err := j.WorkUntilDone(ctx, first.ID, other.ID, plain.ID); err != nil {
			t.Fatal(err)
		}
		if n := rec.count(7); n != 2 {
			t.Fatalf("args 7 worked %d times, want 2 (one unique job and one plain)", n)
		}
		// A finished job does not block a new one: the same transfer
		// inserted after it ended runs again.
		after, err := j.Insert(ctx, countArgs{N: 7}, unique)
		if err != nil || after.Duplicate || after.ID == first.ID {
			t.Fatalf("insert after the first finished: %+v, %v; want a new job", after, err)
		}
	})
}

func TestInsertInTransactionExistsOnlyIfCommitted(t *testing.T) {
	forEachDB(t, func(t *testing.T, db database) {
		ctx := context.Background()
		cfg := db.config(t)
		cfg.Workers = workers(newRecorder(), "a", nil)
		j := open(t, cfg)
		insert := func(commit bool) int64 {
			t.Helper()
			var ins Inserted
			var err error
			if cfg.Postgres != nil {
				tx, berr := cfg.Postgres.Begin(ctx)
				if berr != nil {
					t.Fatal(berr)
				}
				if _, err := j.InsertSQLiteTx(ctx, nil, countArgs{}, nil); !errors.Is(err, ErrWrongDatabase) {
					t.Fatalf("SQLite insert on PostgreSQL: %v", err)
				}
				ins, err = j.InsertTx(ctx, tx, countArgs{N: 3}, nil)
				if commit {
					err = errors.Join(err, tx.Commit(ctx))
				} else {
					err = errors.Join(err, tx.Rollback(ctx))
				}
			} else {
				tx, berr := cfg.SQLite.BeginTx(ctx, nil)
				if berr != nil {
					t.Fatal(berr)
				}
				if _, err := j.InsertTx(ctx, nil, countArgs{}, nil); !errors.Is(err, ErrWrongDatabase) {
					t.Fatalf("PostgreSQL insert on SQLite: %v", err)
				}
				ins, err = j.InsertSQLiteTx(ctx, tx, countArgs{N: 3}, nil)
				if commit {
					err = errors.Join(err, tx.Commit())
				} else {
					err = errors.Join(err, tx.Rollback())
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			return ins.ID
		}
		rolledBack := insert(false)
		if _, err := j.Get(ctx, rolledBack); !errors.Is(err, ErrNotFound) {
			t.Fatalf("job of a rolled back transaction: %v, want ErrNotFound", err)
		}
		committed := insert(true)
		if job, err := j.Get(ctx, committed); err != nil || job.State != Available {
			t.Fatalf("job of a committed transaction: %s, %v", describe(job), err)
		}
	})
}

func TestProgressIsSeenWhileTheJobRuns(t *testing.T) {
	forEachDB(t, func(t *testing.T, db database) {
		ctx := context.Background()
		release := make(chan struct{})
		cfg := db.config(t)
		cfg.Workers = workers(newRecorder(), "a", nil)
		river.AddWorker(cfg.Workers, &progressWorker{release: release})
		j := open(t, cfg)
		if err := j.Start(ctx); err != nil {
			t.Fatal(err)
		}
		ins, err := j.Insert(ctx, progressArgs{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			job, err := j.Get(ctx, ins.ID)
			if err != nil {
				t.Fatal(err)
			}
			if job.State == Running && string(job.Output) != "" {
				if !jsonEqual(job.Output, `{"done":1,"of":2}`) {
					t.Fatalf("progress while running: %s", job.Output)
				}
				break
			}
			if job.State.Final() || time.Now().After(deadline) {
				t.Fatalf("no progress seen: %s", describe(job))
			}
			time.Sleep(20 * time.Millisecond)
		}
		close(release)
		job := waitFinal(t, j, ins.ID, 5*time.Second)
		if job.State != Completed || !jsonEqual(job.Output, `{"done":2,"of":2}`) {
			t.Fatalf("finished job: %s", describe(job))
		}
	})
}

func jsonEqual(got json.RawMessage, want string) bool {
	var a, b any
	return json.Unmarshal(got, &a) == nil && json.Unmarshal([]byte(want), &b) == nil && reflect.DeepEqual(a, b)
}
