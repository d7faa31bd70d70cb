package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/omahoito/omahoito/store/postgres"
	"github.com/omahoito/omahoito/store/postgres/pgtest"
	"github.com/omahoito/omahoito/store/sqlite"
)

// database is one test database that several nodes can open.
type database struct {
	kind string // "sqlite" or "postgres"
	// where is the SQLite file or the PostgreSQL URL (with its schema).
	where string
}

// forEachDB runs test on a fresh SQLite file and, when the test database
// is configured, a fresh PostgreSQL schema.
func forEachDB(t *testing.T, test func(t *testing.T, db database)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		test(t, database{kind: "sqlite", where: filepath.Join(t.TempDir(), "platform.db")})
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		test(t, database{kind: "postgres", where: pgtest.SchemaURL(t)})
	})
}

// config opens a new handle on db, as a node of its own would (a store
// closed at the end of the test), and returns a Config on it.
func (db database) config(t testing.TB) Config {
	t.Helper()
	ctx := context.Background()
	cfg := Config{Logger: testLogger(), testOnly: true}
	switch db.kind {
	case "sqlite":
		s, err := sqlite.Open(ctx, db.where)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		cfg.SQLite = s.DB()
	default:
		s, err := postgres.Open(ctx, db.where)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		cfg.Postgres = s.Pool()
	}
	return cfg
}

// open opens Jobs on cfg, stopped at the end of the test before its store
// closes.
func open(t testing.TB, cfg Config) *Jobs {
	t.Helper()
	j, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := j.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return j
}

// testLogger drops river's log (the failures the tests cause on purpose
// log errors), unless JOBS_TEST_LOG=1 asks for it on stderr.
func testLogger() *slog.Logger {
	var w io.Writer = io.Discard
	if os.Getenv("JOBS_TEST_LOG") == "1" {
		w = os.Stderr
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// recorder counts the executions of the test jobs, by job argument.
type recorder struct {
	mu    sync.Mutex
	runs  map[int]int         // count job: N → executions
	nodes map[string]int      // node name → executions
	at    map[int][]time.Time // flaky job: N → attempt start times
	delay time.Duration       // how long a count job works; set before starting
}

func newRecorder() *recorder {
	return &recorder{runs: map[int]int{}, nodes: map[string]int{}, at: map[int][]time.Time{}}
}

func (r *recorder) record(n int, node string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.runs[n]++
	r.nodes[node]++
	r.at[n] = append(r.at[n], time.Now())
}

func (r *recorder) count(n int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.runs[n]
}

// countArgs is a job that records its execution and outputs twice N.
type countArgs struct {
	N int `json:"n"`
}

func (countArgs) Kind() string { return "test_count" }

type countWorker struct {
	river.WorkerDefaults[countArgs]
	rec  *recorder
	node string
}

func (w *countWorker) Work(ctx context.Context, job *river.Job[countArgs]) error {
	w.rec.record(job.Args.N, w.node)
	time.Sleep(w.rec.delay)
	return RecordOutput(ctx, map[string]int{"double": 2 * job.Args.N})
}

// flakyArgs is a job whose first attempt fails.
type flakyArgs struct {
	N int `json:"n"`
}

func (flakyArgs) Kind() string { return "test_flaky" }

type flakyWorker struct {
	river.WorkerDefaults[flakyArgs]
	rec *recorder
}

func (w *flakyWorker) Work(ctx context.Context, job *river.Job[flakyArgs]) error {
	w.rec.record(job.Args.N, "")
	if job.Attempt == 1 {
		return errors.New("target region unreachable")
	}
	return RecordOutput(ctx, "moved")
}

// failArgs is a job that always fails.
type failArgs struct{}

func (failArgs) Kind() string { return "test_fail" }

type failWorker struct {
	river.WorkerDefaults[failArgs]
}

func (failWorker) Work(context.Context, *river.Job[failArgs]) error {
	return errors.New("always broken")
}

// hangArgs is a job whose worker blocks until its context ends (or, in a
// child process, for good) after saying it started.
type hangArgs struct {
	N int `json:"n"`
}

func (hangArgs) Kind() string { return "test_hang" }

type hangWorker struct {
	river.WorkerDefaults[hangArgs]
	rec     *recorder
	started chan<- int64 // nil: do not hang, just record
}

func (w *hangWorker) Work(ctx context.Context, job *river.Job[hangArgs]) error {
	w.rec.record(job.Args.N, "")
	if w.started == nil {
		return nil
	}
	w.started <- job.ID
	<-ctx.Done()
	return ctx.Err()
}

// workers registers every test job kind.
func workers(rec *recorder, node string, hang chan<- int64) *river.Workers {
	ws := river.NewWorkers()
	river.AddWorker(ws, &countWorker{rec: rec, node: node})
	river.AddWorker(ws, &flakyWorker{rec: rec})
	river.AddWorker(ws, failWorker{})
	river.AddWorker(ws, &hangWorker{rec: rec, started: hang})
	return ws
}

// waitFinal polls until job id is final, failing the test after limit.
func waitFinal(t *testing.T, j *Jobs, id int64, limit time.Duration) Job {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	for {
		job, err := j.Get(ctx, id)
		if err != nil {
			t.Fatalf("job %d: %v", id, err)
		}
		if job.State.Final() {
			return job
		}
		select {
		case <-ctx.Done():
			t.Fatalf("job %d not final after %v: %s, attempt %d", id, limit, job.State, job.Attempt)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func describe(job Job) string {
	return fmt.Sprintf("state %s, attempt %d/%d, errors %v, output %s", job.State, job.Attempt, job.MaxAttempts, job.Errors, job.Output)
}

// progressArgs is a job that reports progress, then waits for release.
type progressArgs struct{}

func (progressArgs) Kind() string { return "test_progress" }

type progressWorker struct {
	river.WorkerDefaults[progressArgs]
	release <-chan struct{}
}

func (w *progressWorker) Work(ctx context.Context, job *river.Job[progressArgs]) error {
	if err := Progress(ctx, job.ID, map[string]int{"done": 1, "of": 2}); err != nil {
		return err
	}
	select {
	case <-w.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return RecordOutput(ctx, map[string]int{"done": 2, "of": 2})
}
