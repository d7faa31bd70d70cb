package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/jobs"
	"github.com/omahoito/omahoito/transfer"
)

const transferUsage = `usage: omahoito transfer --to REGION --operator ID (--person ID... | --hetu-file FILE) [--data DIR] [--config FILE]

transfer moves people's data from the operator's region to REGION
(docs/operations.md "Transfer"): the person index names REGION as their
home, their access-log entries are copied into REGION's chain, their
consents in force end with reason "moved", and both registers log the
transfer in the operator's name. Each person is one durable job, worked by
this command (and by a running serve, each job once); a rerun resumes
where a crash left it. --person may be given several times; --hetu-file is
a file of personal identity codes, one a line (a line that holds none is
reported by its number, the others go on). Reports name person ids and
line numbers, never a personal identity code. Exit status: 0 every person
moved or already there, 1 any refused or failed, 2 usage.
`

// transferRequest is what "transfer" was asked to do.
type transferRequest struct {
	target, operator, hetuFile string
	people                     []string
}

// runTransferCommand runs "omahoito transfer ..." (args after "transfer")
// and returns the exit code.
func runTransferCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("transfer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, transferUsage) }
	var req transferRequest
	fs.StringVar(&req.target, "to", "", "the region whose register receives the people")
	fs.StringVar(&req.operator, "operator", "", "the directory id of an operator of the people's home region")
	fs.Var((*listFlag)(&req.people), "person", "a person's id on the platform (repeat for several)")
	fs.StringVar(&req.hetuFile, "hetu-file", "", "a file of personal identity codes, one a line")
	data := fs.String("data", "", "data directory for SQLite, files and development keys (default ./data)")
	configPath := fs.String("config", "", "JSON configuration file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 0 || req.target == "" || req.operator == "" || (len(req.people) == 0) == (req.hetuFile == "") {
		fmt.Fprint(stderr, transferUsage)
		return 2
	}
	var sum transferSummary
	if code := runConfigured("transfer", *configPath, *data, stderr, func(cfg Config) (err error) {
		sum, err = transferPeople(ctx, cfg, req, stdout)
		return err
	}); code != 0 {
		return code
	}
	fmt.Fprintln(stdout, sum.line())
	if sum.failed > 0 {
		return 1
	}
	return 0
}

// transferSummary counts the outcomes of one command.
type transferSummary struct {
	moved, already, failed int
}

func (s transferSummary) line() string {
	return fmt.Sprintf("transfer: %d moved, %d already there, %d failed", s.moved, s.already, s.failed)
}

// subject is one person the command is asked to move, named in reports
// by their id or, from the file, by line.
type subject struct {
	label    string // "person ID" or "line N"
	personID string // "" when the line named no one in the index
	refusal  string
}

// transferPeople checks each person against the rules, inserts a job for
// each that passes, works them until done and reports each.
func transferPeople(ctx context.Context, cfg Config, req transferRequest, stdout io.Writer) (transferSummary, error) {
	var sum transferSummary
	a := &app{}
	defer a.Close()
	src, err := openExportSources(ctx, a, cfg)
	if err != nil {
		return sum, err
	}
	subjects, err := transferSubjects(ctx, src.people, req)
	if err != nil {
		return sum, err
	}
	facts, err := transferFacts(ctx, src.store, req.operator)
	if err != nil {
		return sum, err
	}
	w := &transferWorker{src: src}
	j, err := openTransferJobs(ctx, src.store, w)
	if err != nil {
		return sum, err
	}
	var ids []int64
	queued := map[int64]subject{}
	for _, s := range subjects {
		id, already, err := enqueueTransfer(ctx, j, src.store, facts, req, s)
		switch {
		case err != nil:
			sum.failed++
			fmt.Fprintf(stdout, "%s: refused: %s\n", s.label, oneLine(err))
		case already:
			sum.already++
			fmt.Fprintf(stdout, "%s: already in %s\n", s.label, req.target)
		default:
			ids = append(ids, id)
			queued[id] = s
		}
	}
	if len(ids) > 0 {
		if err := j.WorkUntilDone(ctx, ids...); err != nil {
			return sum, err
		}
	}
	for _, id := range ids {
		if transferOutcome(ctx, j, id, queued[id].label, stdout) {
			sum.moved++
		} else {
			sum.failed++
		}
	}
	return sum, nil
}

// transferSubjects are the people of --person, or of the file's lines:
// a bad line or a code of no one in the index is a subject refused.
func transferSubjects(ctx context.Context, people *auth.People, req transferRequest) ([]subject, error) {
	var out []subject
	for _, id := range req.people {
		out = append(out, subject{label: "person " + id, personID: id})
	}
	if req.hetuFile == "" {
		return out, nil
	}
	f, err := os.Open(req.hetuFile)
	if err != nil {
		return nil, fmt.Errorf("--hetu-file: %w", err)
	}
	defer f.Close()
	codes, bad, err := transfer.ReadCodes(f)
	if err != nil {
		return nil, fmt.Errorf("--hetu-file: %w", err)
	}
	for _, b := range bad {
		out = append(out, subject{label: fmt.Sprintf("line %d", b.Line), refusal: b.Reason})
	}
	for _, c := range codes {
		s := subject{label: fmt.Sprintf("line %d", c.Line)}
		p, err := people.FindByHetu(ctx, c.Hetu)
		switch {
		case errors.Is(err, auth.ErrNotFound):
			s.refusal = "no person with this code in the person index"
		case err != nil:
			return nil, fmt.Errorf("line %d: %w", c.Line, err)
		default:
			s.personID = p.ID
			s.label += " (person " + p.ID + ")"
		}
		out = append(out, s)
	}
	return out, nil
}

// transferFacts are the facts of the directory every request shares: the
// regions, and the operator's region (none when the id is no operator).
func transferFacts(ctx context.Context, dir auth.Store, operator string) (transfer.Facts, error) {
	var f transfer.Facts
	pro, err := dir.Professional(ctx, operator)
	if errors.Is(err, auth.ErrNotFound) {
		return f, fmt.Errorf("--operator %s is not in the directory", operator)
	}
	if err != nil {
		return f, fmt.Errorf("--operator %s: %w", operator, err)
	}
	if pro.Role == auth.RoleOperator {
		f.OperatorRegion = pro.RegionID
	}
	regions, err := dir.Regions(ctx)
	if err != nil {
		return f, err
	}
	f.Regions = map[string]bool{}
	for _, r := range regions {
		f.Regions[r.ID] = true
	}
	return f, nil
}

// enqueueTransfer applies the rules to one subject and inserts its job:
// already is set for a person whose home is the target. A person being
// moved to the same target is no refusal but a resumed transfer: the
// unique insert finds the job still under way, or starts one that picks
// up at the step reached.
func enqueueTransfer(ctx context.Context, j *jobs.Jobs, dir auth.Store, f transfer.Facts, req transferRequest, s subject) (int64, bool, error) {
	if s.personID == "" {
		return 0, false, errors.New(s.refusal)
	}
	p, err := dir.PersonByID(ctx, s.personID)
	if errors.Is(err, auth.ErrNotFound) {
		return 0, false, errors.New("not in the person index")
	}
	if err != nil {
		return 0, false, err
	}
	f.HomeRegion, f.Moving = p.HomeRegion, p.Moving() && p.MovingTo != req.target
	r := transfer.Request{PersonID: p.ID, Source: f.OperatorRegion, Target: req.target, OperatorID: req.operator}
	err = transfer.Check(r, f)
	if errors.Is(err, transfer.ErrSameRegion) && !p.Moving() {
		return 0, true, nil
	}
	if err != nil && !errors.Is(err, transfer.ErrSameRegion) {
		return 0, false, err
	}
	// err is nil, or ErrSameRegion with the move still marked: a crash
	// after the switch, which the job finishes.
	ins, err := j.Insert(ctx, transferArgs{PersonID: r.PersonID, Source: r.Source, Target: r.Target, OperatorID: r.OperatorID},
		&jobs.InsertOpts{Queue: transferQueue, Unique: true})
	return ins.ID, false, err
}

// transferOutcome reports one job's end and whether it moved the person.
func transferOutcome(ctx context.Context, j *jobs.Jobs, id int64, label string, stdout io.Writer) bool {
	job, err := j.Get(ctx, id)
	if err != nil {
		fmt.Fprintf(stdout, "%s: failed: %s\n", label, oneLine(err))
		return false
	}
	var p transferProgress
	if len(job.Output) > 0 {
		_ = json.Unmarshal(job.Output, &p)
	}
	if job.State == jobs.Completed && p.Step == transfer.StepDone {
		fmt.Fprintf(stdout, "%s: moved (%d access-log entries copied, %d consents ended)\n", label, p.Entries, p.GrantsEnded)
		return true
	}
	reason := string(job.State)
	if n := len(job.Errors); n > 0 {
		reason = job.Errors[n-1].Error
	}
	fmt.Fprintf(stdout, "%s: failed at step %s after %d attempts: %s\n", label, p.Step, job.Attempt, oneLine(errors.New(reason)))
	return false
}
