package jobs

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestTwoNodesWorkEachJobExactlyOnce(t *testing.T) {
	forEachDB(t, func(t *testing.T, db database) {
		ctx := context.Background()
		rec := newRecorder()
		rec.delay = 20 * time.Millisecond // so both nodes find jobs waiting
		var nodes [2]*Jobs
		for i, name := range []string{"a", "b"} {
			cfg := db.config(t)
			cfg.Workers = workers(rec, name, nil)
			cfg.Queues = map[string]int{DefaultQueue: 3}
			nodes[i] = open(t, cfg)
			if err := nodes[i].Start(ctx); err != nil {
				t.Fatal(err)
			}
		}
		const n = 60
		ids := make([]int64, n)
		for i := range n {
			// The nodes take turns inserting, as two app servers would.
			ins, err := nodes[i%2].Insert(ctx, countArgs{N: i}, nil)
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = ins.ID
		}
		for _, id := range ids {
			if job := waitFinal(t, nodes[0], id, 8*time.Second); job.State != Completed || job.Attempt != 1 {
				t.Fatalf("job %d: %s", id, describe(job))
			}
		}
		time.Sleep(200 * time.Millisecond) // a double execution would show by now
		rec.mu.Lock()
		defer rec.mu.Unlock()
		for i := range n {
			if rec.runs[i] != 1 {
				t.Errorf("job %d worked %d times, want once", i, rec.runs[i])
			}
		}
		t.Logf("node a worked %d, node b %d", rec.nodes["a"], rec.nodes["b"])
		if rec.nodes["a"] == 0 || rec.nodes["b"] == 0 {
			t.Errorf("one node worked everything (a %d, b %d): the test shows nothing of sharing", rec.nodes["a"], rec.nodes["b"])
		}
	})
}

func TestWorkUntilDrainedWorksTheQueueAndReturns(t *testing.T) {
	forEachDB(t, func(t *testing.T, db database) {
		ctx := context.Background()
		rec := newRecorder()
		// A command inserts through a Jobs that does not work...
		writer := open(t, db.config(t))
		ids := make([]int64, 5)
		for i := range ids {
			ins, err := writer.Insert(ctx, countArgs{N: i}, &InsertOpts{Queue: "cli"})
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = ins.ID
		}
		// ...and then works them itself, no server running.
		cfg := db.config(t)
		cfg.Workers = workers(rec, "cli", nil)
		cfg.Queues = map[string]int{"cli": 2}
		j := open(t, cfg)
		wctx, cancel := context.WithTimeout(ctx, 8*time.Second)
		defer cancel()
		if err := j.WorkUntilDrained(wctx, "cli"); err != nil {
			t.Fatal(err)
		}
		for i, id := range ids {
			job, err := j.Get(ctx, id)
			if err != nil || job.State != Completed || rec.count(i) != 1 {
				t.Fatalf("job %d: %s (%v), worked %d times", id, describe(job), err, rec.count(i))
			}
		}
		// Drained already: it returns at once, and can be called again.
		start := time.Now()
		if err := j.WorkUntilDrained(wctx, "cli"); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("WorkUntilDrained on an empty queue took %v", d)
		}
		// A job it cannot finish keeps it working until its context ends.
		hang, err := j.Insert(ctx, failArgs{}, &InsertOpts{Queue: "cli", ScheduledAt: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		short, cancel2 := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel2()
		if err := j.WorkUntilDone(short, hang.ID); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("WorkUntilDone on a job scheduled in an hour: %v, want the deadline", err)
		}
	})
}

func TestJobCutShortByStopIsWorkedAgainByAnotherNode(t *testing.T) {
	forEachDB(t, func(t *testing.T, db database) {
		ctx := context.Background()
		rec := newRecorder()
		started := make(chan int64, 1)
		cfg := db.config(t)
		cfg.Workers = workers(rec, "a", started)
		a := open(t, cfg)
		if err := a.Start(ctx); err != nil {
			t.Fatal(err)
		}
		ins, err := a.Insert(ctx, hangArgs{N: 5}, nil)
		if err != nil {
			t.Fatal(err)
		}
		select {
		case <-started:
		case <-time.After(5 * time.Second):
			t.Fatal("the job never started")
		}
		// The node shuts down without waiting: the running job's context
		// is cancelled.
		stopped, cancel := context.WithCancel(ctx)
		cancel()
		if err := a.Stop(stopped); err != nil {
			t.Fatalf("stop: %v", err)
		}
		if job, err := a.Get(ctx, ins.ID); err != nil || job.State.Final() || job.State == Running {
			t.Fatalf("job after its node stopped: %s (%v), want it waiting to be retried", describe(job), err)
		}

		bcfg := db.config(t)
		bcfg.Workers = workers(rec, "b", nil)
		b := open(t, bcfg)
		if err := b.Start(ctx); err != nil {
			t.Fatal(err)
		}
		job := waitFinal(t, b, ins.ID, 8*time.Second)
		// River puts a job cut short by a shutdown back without counting the
		// attempt as failed: a deploy costs a job no attempt.
		if job.State != Completed || len(job.Errors) != 0 || rec.count(5) != 2 {
			t.Fatalf("job: %s, executions %d; want completed by the second node", describe(job), rec.count(5))
		}
	})
}

func TestNodesStartingTogetherBothMigrate(t *testing.T) {
	forEachDB(t, func(t *testing.T, db database) {
		cfgs := []Config{db.config(t), db.config(t), db.config(t)}
		errs := make(chan error, len(cfgs))
		for _, cfg := range cfgs {
			go func() {
				_, err := Open(context.Background(), cfg)
				errs <- err
			}()
		}
		for range cfgs {
			if err := <-errs; err != nil {
				t.Fatalf("a node starting beside others: %v", err)
			}
		}
	})
}
