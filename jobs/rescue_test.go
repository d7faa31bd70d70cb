package jobs

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// The child process of TestKilledNodesJobIsRescued: a node that works the
// test jobs of the database named by JOBS_TEST_CHILD and JOBS_TEST_WHERE,
// says "started ID" when a hang job starts, and hangs until it is killed.
const (
	childKind  = "JOBS_TEST_CHILD"
	childWhere = "JOBS_TEST_WHERE"
)

func TestMain(m *testing.M) {
	if kind := os.Getenv(childKind); kind != "" {
		runChild(database{kind: kind, where: os.Getenv(childWhere)})
		return
	}
	os.Exit(m.Run())
}

func runChild(db database) {
	started := make(chan int64)
	cfg := db.config(childTB{})
	cfg.Workers = workers(newRecorder(), "child", started)
	// The parent's node leads; a dead leader would hold the lease a while.
	cfg.noLeader = true
	j, err := Open(context.Background(), cfg)
	if err == nil {
		err = j.Start(context.Background())
	}
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	fmt.Println("started", <-started)
	select {} // until killed
}

// childTB is the testing.TB that database.config needs, in the child.
type childTB struct{ testing.TB }

func (childTB) Helper()               {}
func (childTB) Cleanup(func())        {}
func (childTB) Fatal(a ...any)        { fmt.Println(append([]any{"error"}, a...)...); os.Exit(2) }
func (childTB) Errorf(string, ...any) {}

func TestKilledNodesJobIsRescued(t *testing.T) {
	forEachDB(t, func(t *testing.T, db database) {
		ctx := context.Background()
		rec := newRecorder()
		cfg := db.config(t)
		cfg.Workers = workers(rec, "b", nil)
		cfg.JobTimeout = 500 * time.Millisecond
		cfg.RescueStuckJobsAfter = time.Second
		j := open(t, cfg)
		ins, err := j.Insert(ctx, hangArgs{N: 9}, nil)
		if err != nil {
			t.Fatal(err)
		}

		// Another node takes the job and dies mid-way (kill -9).
		startedAt := killChildMidJob(t, db, ins.ID)
		if job, err := j.Get(ctx, ins.ID); err != nil || job.State != Running || job.Attempt != 1 {
			t.Fatalf("job of the killed node: %s (%v), want running", describe(job), err)
		}

		// Once it has run longer than RescueStuckJobsAfter, the leader takes
		// it for lost and it is worked again.
		time.Sleep(time.Until(startedAt.Add(1100 * time.Millisecond)))
		if err := j.Start(ctx); err != nil {
			t.Fatal(err)
		}
		job := waitFinal(t, j, ins.ID, 9*time.Second)
		if job.State != Completed || job.Attempt != 2 || rec.count(9) != 1 {
			t.Fatalf("rescued job: %s, worked here %d times; want completed on attempt 2", describe(job), rec.count(9))
		}
	})
}

// killChildMidJob starts a child node, waits until it has started job id
// and kills it with SIGKILL; it returns when the job started.
func killChildMidJob(t *testing.T, db database, id int64) time.Time {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childKind+"="+db.kind, childWhere+"="+db.where)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(out)
		s.Scan()
		line <- s.Text()
	}()
	select {
	case l := <-line:
		if l != fmt.Sprint("started ", id) {
			t.Fatalf("child node: %q", l)
		}
	case <-time.After(8 * time.Second):
		t.Fatal("the child node never started the job")
	}
	startedAt := time.Now()
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	if err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("child node ended with %v, want killed", err)
	}
	return startedAt
}
