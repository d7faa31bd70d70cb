// Package jobs is omahoito's durable work: jobs that outlive the request
// and the process that started them (a register transfer above all),
// worked once however many nodes run, retried with backoff when they fail,
// and rescued when the node working one dies. It is the one place that
// uses river (github.com/riverqueue/river); the rest of the code defines
// workers (river.Worker) and goes through Jobs for everything else.
//
// Jobs live in the platform store (DESIGN §12): on SQLite in
// data/platform.db through the store's writer connection, on PostgreSQL in
// the platform database through the store's pool. Open migrates river's
// tables there, as the stores migrate theirs.
//
// How it is meant to be wired:
//
//	workers := river.NewWorkers()
//	river.AddWorker(workers, &transfer.Worker{...})
//	j, err := jobs.Open(ctx, jobs.Config{
//		SQLite:  platform.DB(),   // (*sqlite.Store).DB(), the writer
//		// or Postgres: platform.Pool(), // (*postgres.Store).Pool()
//		Workers:     workers,
//		Queues:      map[string]int{transfer.Queue: 2},
//		MaxAttempts: map[string]int{transfer.Kind: 10},
//		JobTimeout:  time.Hour,
//	})
//
// `serve` calls Start with its root context and Stop (before closing the
// store) on shutdown, and hands Jobs to the services that Insert and to
// the pages that show progress (Get). A command that must finish its work
// whether or not a server runs (`omahoito transfer`) inserts its jobs and
// calls WorkUntilDone instead: it works them itself beside any server, and
// river sees to it that each is worked once.
//
// SQLite keeps its single writer: river gets the store's one writer
// connection, so its fetches, completions and leader election queue in Go
// with the application's writes instead of contending for SQLite's lock.
// Another process on the same file (the CLI beside `serve`) contends as
// the stores already do, within the busy timeout. The price of the one
// connection: code holding a transaction on the writer must not call Jobs
// (or Progress) except through that transaction (InsertSQLiteTx), for the
// call would wait for the connection the transaction holds.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
)

// DefaultQueue is the queue of jobs inserted without one.
const DefaultQueue = river.QueueDefault

// defaultWorkers is how many jobs a queue works at once when Config.Queues
// names none.
const defaultWorkers = 4

var (
	// ErrConfig is returned by Open for a Config that names no database,
	// or two.
	ErrConfig = errors.New("jobs: exactly one of Config.SQLite and Config.Postgres must be set")
	// ErrNotFound is returned for a job id that names no job (or one
	// already cleaned away after its retention).
	ErrNotFound = errors.New("jobs: no such job")
	// ErrWrongDatabase is returned by InsertTx and InsertSQLiteTx for a
	// transaction of the other kind of database.
	ErrWrongDatabase = errors.New("jobs: transaction of another kind of database")
)

// Config says where jobs live and how they are worked.
type Config struct {
	// SQLite is the platform store's writer, (*sqlite.Store).DB(): one
	// connection, so river's writes queue with the store's.
	SQLite *sql.DB
	// Postgres is the platform store's pool, (*postgres.Store).Pool().
	Postgres *pgxpool.Pool
	// Workers are the job kinds this process can work; nil for a process
	// that only inserts and reads.
	Workers *river.Workers
	// Queues maps each queue this process works to the most jobs it works
	// from it at once. Nil with Workers set: DefaultQueue, 4 at once.
	Queues map[string]int
	// MaxAttempts maps a job kind to how many times it is tried before it
	// is discarded; kinds not named get river's default (25). An insert's
	// own InsertOpts.MaxAttempts wins over both.
	MaxAttempts map[string]int
	// JobTimeout is the longest one attempt may run before its context is
	// cancelled. Zero: one minute.
	JobTimeout time.Duration
	// RescueStuckJobsAfter is how long a job may stay running before it is
	// taken for lost (its node died) and tried again. It must exceed
	// JobTimeout. Zero: an hour beyond JobTimeout.
	RescueStuckJobsAfter time.Duration
	// Logger receives river's log; nil: slog.Default().
	Logger *slog.Logger

	// testOnly skips river's staggered start of its maintenance work.
	testOnly bool
	// noLeader keeps this client out of leader election (tests only).
	noLeader bool
}

// client is what Jobs uses of a river client, whatever its driver.
type client interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	JobGet(ctx context.Context, id int64) (*rivertype.JobRow, error)
	JobList(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error)
}

// Jobs is a river client on the platform store. It is safe for concurrent
// use.
type Jobs struct {
	c           client
	pg          *river.Client[pgx.Tx]  // set on PostgreSQL
	lite        *river.Client[*sql.Tx] // set on SQLite
	maxAttempts map[string]int
	works       bool // Workers and Queues given: Start works jobs
}

// Open migrates river's tables in the database cfg names and returns a
// client on it, not yet started: it can insert and read jobs at once.
func Open(ctx context.Context, cfg Config) (*Jobs, error) {
	if (cfg.SQLite == nil) == (cfg.Postgres == nil) {
		return nil, ErrConfig
	}
	rc := riverConfig(cfg)
	j := &Jobs{maxAttempts: cfg.MaxAttempts, works: rc.Workers != nil}
	var err error
	if cfg.Postgres != nil {
		err = j.openPostgres(ctx, cfg.Postgres, rc)
	} else {
		err = j.openSQLite(ctx, cfg.SQLite, rc)
	}
	if err != nil {
		return nil, err
	}
	return j, nil
}

func (j *Jobs) openPostgres(ctx context.Context, pool *pgxpool.Pool, rc *river.Config) error {
	driver := riverpgxv5.New(pool)
	if err := migratePostgres(ctx, driver, pool, rc.Logger); err != nil {
		return err
	}
	c, err := river.NewClient(driver, rc)
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	j.pg, j.c = c, c
	return nil
}

func (j *Jobs) openSQLite(ctx context.Context, db *sql.DB, rc *river.Config) error {
	driver := riversqlite.New(db)
	if err := migrateSQLite(ctx, driver, rc.Logger); err != nil {
		return err
	}
	c, err := river.NewClient(driver, rc)
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	j.lite, j.c = c, c
	return nil
}

// riverConfig is river's client configuration for cfg.
func riverConfig(cfg Config) *river.Config {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	rc := &river.Config{
		JobTimeout:             cfg.JobTimeout,
		RescueStuckJobsAfter:   cfg.RescueStuckJobsAfter,
		Logger:                 logger,
		TestOnly:               cfg.testOnly,
		LeaderElectionDisabled: cfg.noLeader,
		// Finished jobs stay a week, for the progress pages and history.
		CompletedJobRetentionPeriod: 7 * 24 * time.Hour,
	}
	if cfg.Workers == nil {
		return rc
	}
	rc.Workers = cfg.Workers
	queues := cfg.Queues
	if len(queues) == 0 {
		queues = map[string]int{DefaultQueue: defaultWorkers}
	}
	rc.Queues = make(map[string]river.QueueConfig, len(queues))
	for name, n := range queues {
		rc.Queues[name] = river.QueueConfig{MaxWorkers: max(1, n)}
	}
	return rc
}

// Start starts working the configured queues, and river's maintenance
// (retries, rescue of stuck jobs, cleanup) while this client leads.
// Cancelling ctx stops it as Stop does, without waiting.
func (j *Jobs) Start(ctx context.Context) error {
	if !j.works {
		return errors.New("jobs: Start needs Config.Workers")
	}
	if err := j.c.Start(ctx); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	return nil
}

// Stop stops fetching new jobs and waits for the running ones to finish.
// When ctx ends first, the running jobs' contexts are cancelled and Stop
// waits for them to return: a job cut short this way is retried later, by
// this node or another.
func (j *Jobs) Stop(ctx context.Context) error {
	err := j.c.Stop(ctx)
	if err == nil || ctx.Err() == nil {
		return wrap("stop", err)
	}
	hard, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return wrap("stop", j.c.StopAndCancel(hard))
}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, river.ErrNotFound) {
		return fmt.Errorf("jobs: %s: %w", op, ErrNotFound)
	}
	return fmt.Errorf("jobs: %s: %w", op, err)
}
