package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/jobs"
	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/transfer"
)

// The transfer job: its kind, its queue, and how often a failing one is
// tried before the command reports it failed.
const (
	transferKind     = "transfer"
	transferQueue    = "transfer"
	transferAttempts = 3
)

// transferArgs are a transfer job's arguments. Only the person makes it
// unique: a second start while one is under way finds that one.
type transferArgs struct {
	PersonID   string `json:"person_id" river:"unique"`
	Source     string `json:"source"`
	Target     string `json:"target"`
	OperatorID string `json:"operator_id"`
}

// Kind implements river.JobArgs.
func (transferArgs) Kind() string { return transferKind }

// transferProgress is a transfer job's output: the step reached and the
// counts so far. It names no one but by id.
type transferProgress struct {
	Step        transfer.Step `json:"step"`
	Entries     int           `json:"entries"`      // the person's entries in the source register
	Imported    int           `json:"imported"`     // of them, found imported in the target's chain
	Appended    int           `json:"appended"`     // appended by this attempt
	GrantsEnded int           `json:"grants_ended"` // ended with reason "moved" by this attempt
}

// transferStore is what the transfer job needs of the store: today one
// store holds every register, so the source and the target are the same
// store and only the access log's registers differ.
type transferStore interface {
	storage
	auth.Mover
	audit.ImportStore
	SetHomeRegion(ctx context.Context, personID, from, to string) error
}

// openTransferJobs opens river on the store's database with the transfer
// worker.
func openTransferJobs(ctx context.Context, s storage, w *transferWorker) (*jobs.Jobs, error) {
	workers := river.NewWorkers()
	river.AddWorker(workers, w)
	cfg := jobs.Config{
		Workers:     workers,
		Queues:      map[string]int{transferQueue: 2},
		MaxAttempts: map[string]int{transferKind: transferAttempts},
		JobTimeout:  time.Hour,
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	switch db := s.(type) {
	case interface{ DB() *sql.DB }:
		cfg.SQLite = db.DB()
	case interface{ Pool() *pgxpool.Pool }:
		cfg.Postgres = db.Pool()
	default:
		return nil, errors.New("the store keeps no jobs")
	}
	return jobs.Open(ctx, cfg)
}

// transferWorker works transfer jobs (river.Worker).
type transferWorker struct {
	river.WorkerDefaults[transferArgs]
	src exportSources
}

// Work runs the steps from where the person is: each reads the state
// first, so an attempt after a crash at any point reaches the same end.
func (w *transferWorker) Work(ctx context.Context, job *river.Job[transferArgs]) error {
	s, ok := w.src.store.(transferStore)
	if !ok {
		return river.JobCancel(errors.New("the store cannot move a person"))
	}
	r := &transferRun{store: s, key: w.src, args: job.Args, jobID: job.ID}
	return r.run(ctx)
}

// transferRun is one attempt of one person's transfer.
type transferRun struct {
	store transferStore
	key   exportSources
	args  transferArgs
	jobID int64
	prog  transferProgress
}

func (r *transferRun) run(ctx context.Context) error {
	a := r.args
	p, err := r.store.PersonByID(ctx, a.PersonID)
	if err != nil {
		return fmt.Errorf("person %s: %w", a.PersonID, err)
	}
	if p.HomeRegion != a.Target { // not yet switched
		if p.HomeRegion != a.Source {
			return river.JobCancel(transfer.ErrNotInSource)
		}
		if err := r.beforeSwitch(ctx, p.MovingSince); err != nil {
			return err
		}
	}
	return r.afterSwitch(ctx)
}

// beforeSwitch freezes, copies, verifies and switches.
func (r *transferRun) beforeSwitch(ctx context.Context, since time.Time) error {
	a := r.args
	if since.IsZero() {
		since = time.Now()
	}
	if err := r.store.BeginMove(ctx, a.PersonID, a.Target, since); err != nil {
		return fmt.Errorf("freeze: %w", err)
	}
	if err := r.step(ctx, transfer.StepFreeze); err != nil {
		return err
	}
	// Measurements, files and consents need no copy while one store holds
	// every register: they are keyed by the person, whose home region says
	// which register holds them. The access log is kept per register, so
	// the person's entries of the source are imported into the target's
	// chain.
	source, err := r.personEntries(ctx, a.Source)
	if err != nil {
		return err
	}
	r.prog.Entries = len(source)
	if r.prog.Appended, err = r.copyEntries(ctx, source); err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	if err := r.step(ctx, transfer.StepCopy); err != nil {
		return err
	}
	if err := r.verify(ctx); err != nil {
		return err
	}
	if err := r.step(ctx, transfer.StepVerify); err != nil {
		return err
	}
	if err := r.store.SetHomeRegion(ctx, a.PersonID, a.Source, a.Target); err != nil {
		return fmt.Errorf("switch: %w", err)
	}
	return r.step(ctx, transfer.StepSwitch)
}

// afterSwitch ends the grants, logs the transfer in both registers and
// lifts the freeze.
func (r *transferRun) afterSwitch(ctx context.Context) error {
	a := r.args
	n, err := consent.EndGrants(ctx, r.store, a.PersonID, consent.EndMoved, time.Now())
	r.prog.GrantsEnded = n
	if err != nil {
		return fmt.Errorf("end: %w", err)
	}
	if err := r.logTransfer(ctx); err != nil {
		return fmt.Errorf("end: %w", err)
	}
	if err := r.step(ctx, transfer.StepEnd); err != nil {
		return err
	}
	if err := r.store.EndMove(ctx, a.PersonID); err != nil {
		return fmt.Errorf("release: %w", err)
	}
	if err := r.step(ctx, transfer.StepRelease); err != nil {
		return err
	}
	return r.step(ctx, transfer.StepDone)
}

// step records the step reached and the counts as the job's output.
func (r *transferRun) step(ctx context.Context, s transfer.Step) error {
	r.prog.Step = s
	return jobs.Progress(ctx, r.jobID, r.prog)
}

// personEntries are the person's entries of register, in chain order.
func (r *transferRun) personEntries(ctx context.Context, register string) ([]audit.Entry, error) {
	var out []audit.Entry
	var after int64
	for {
		es, err := r.store.Entries(ctx, register, after, 1000)
		if err != nil {
			return nil, fmt.Errorf("access log of %s: %w", register, err)
		}
		for _, e := range es {
			if e.PatientID == r.args.PersonID {
				out = append(out, e)
			}
		}
		if len(es) < 1000 {
			return out, nil
		}
		after = es[len(es)-1].Seq
	}
}

// copyEntries appends the source entries to the target's chain, each
// found again by its source register and sequence: a rerun appends none
// twice.
func (r *transferRun) copyEntries(ctx context.Context, source []audit.Entry) (int, error) {
	if len(source) == 0 {
		return 0, nil
	}
	sources := make([]audit.Source, len(source))
	for i, e := range source {
		sources[i] = audit.Source{Register: r.args.Source, Seq: e.Seq, Hash: e.Hash}
	}
	return r.store.AppendImported(ctx, r.args.Target, source, sources)
}

// verify reads both registers again: every entry of the person in the
// source has its imported copy in the target (the same entry but for its
// place in the chain). Entries logged in the source since the copy fail
// it, and the retry copies them.
func (r *transferRun) verify(ctx context.Context) error {
	source, err := r.personEntries(ctx, r.args.Source)
	if err != nil {
		return err
	}
	target, err := r.personEntries(ctx, r.args.Target)
	if err != nil {
		return err
	}
	have := map[string]int{}
	for _, e := range target {
		if e.Imported {
			have[entryKey(e)]++
		}
	}
	found := 0
	for _, e := range source {
		if k := entryKey(e); have[k] > 0 {
			have[k]--
			found++
		}
	}
	r.prog.Entries, r.prog.Imported = len(source), found
	if found != len(source) {
		return fmt.Errorf("verify: %d of the person's %d access-log entries in %s are in %s", found, len(source), r.args.Source, r.args.Target)
	}
	return nil
}

// entryKey is an entry's content without its place in a chain.
func entryKey(e audit.Entry) string {
	e.Register, e.Seq, e.Hash, e.Imported = "", 0, nil, false
	return string(audit.Canonical(e))
}

// logTransfer appends one "transfer" entry naming the operator to each
// register, unless this job's entry is there already (a rerun).
func (r *transferRun) logTransfer(ctx context.Context) error {
	a := r.args
	actor, err := exportOperator(ctx, r.store, a.OperatorID, a.Source)
	if err != nil {
		return err
	}
	actor.Client = "omahoito transfer"
	requestID := "transfer-" + strconv.FormatInt(r.jobID, 10)
	l := audit.NewLog(r.store, r.key.key, audit.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	for _, register := range []string{a.Source, a.Target} {
		if err == nil {
			err = r.logOnce(ctx, l, register, requestID, actor)
		}
	}
	if cerr := l.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%w: %w", audit.ErrUnavailable, err)
	}
	return nil
}

func (r *transferRun) logOnce(ctx context.Context, l *audit.Log, register, requestID string, actor audit.Actor) error {
	es, err := r.personEntries(ctx, register)
	if err != nil {
		return err
	}
	for _, e := range es {
		if e.Action == transferKind && e.RequestID == requestID {
			return nil
		}
	}
	return l.Append(ctx, audit.Entry{
		Register: register, Time: time.Now(), RequestID: requestID, Actor: actor,
		PatientID: r.args.PersonID, Action: transferKind, Class: string(record.ClassEverything),
		Count: r.prog.Entries, Outcome: audit.Permit,
	})
}
