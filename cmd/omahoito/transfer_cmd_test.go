package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/jobs"
	"github.com/omahoito/omahoito/record"
)

func runTransfer(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), append([]string{"transfer"}, args...), &out, &errOut)
	t.Logf("omahoito transfer %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errOut.String())
	return out.String(), errOut.String(), code
}

// entriesByRegister counts the person's access-log entries per register,
// and of them the imported ones and the transfers.
func entriesByRegister(t *testing.T, a *app, person string) (all, imported, transfers map[string]int) {
	t.Helper()
	es, err := a.store.PatientEntries(context.Background(), audit.Query{PatientID: person, Limit: 1000, WithCopies: true})
	if err != nil {
		t.Fatal(err)
	}
	all, imported, transfers = map[string]int{}, map[string]int{}, map[string]int{}
	for _, e := range es {
		all[e.Register]++
		if e.Imported {
			imported[e.Register]++
		}
		if e.Action == "transfer" {
			transfers[e.Register]++
			if e.Actor.ID != "op-kainuu" || e.Actor.Kind != string(auth.KindOperator) {
				t.Errorf("the transfer in %s names %+v, want the operator op-kainuu", e.Register, e.Actor)
			}
		}
	}
	return all, imported, transfers
}

// A citizen of kainuu with measurements, files, a consent in force and an
// access log moves to oulu: oulu is their home, the consent ended
// "moved" and the Kainuu nurse refused, the citizen still reads all their
// data and their whole access history (imported into oulu's chain), both
// chains verify; the same command again finds them there and doubles
// nothing.
func TestTransferCommand(t *testing.T) {
	for _, db := range databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			fx := newExportFixture(t, db)
			args := []string{"--to", "oulu", "--operator", "op-kainuu", "--person", fx.person, "--data", fx.dir, "--config", fx.config}
			stdout, _, code := runTransfer(t, args...)
			if code != 0 || !strings.Contains(stdout, "1 moved, 0 already there, 0 failed") {
				t.Fatalf("transfer: exit %d, %q", code, stdout)
			}
			if strings.Contains(stdout, exportHetu) {
				t.Errorf("the report names the personal identity code: %q", stdout)
			}
			checkTransferred(t, fx)
			a := openTestApp(t, fx.dir, fx.config)
			before, imported, transfers := entriesByRegister(t, a, fx.person)
			a.Close()
			if imported["oulu"] != fx.entries || before["kainuu"] != fx.entries+1 || transfers["kainuu"] != 1 || transfers["oulu"] != 1 {
				t.Errorf("entries %v, imported %v, transfers %v; want the %d of kainuu imported into oulu and one transfer in each",
					before, imported, transfers, fx.entries)
			}
			for _, region := range []string{"kainuu", "oulu"} {
				if out, code := runAudit(t, "verify", "--data", fx.dir, "--config", fx.config, "--region", region); code != 0 {
					t.Errorf("audit verify --region %s: exit %d, %s", region, code, out)
				}
			}

			stdout, _, code = runTransfer(t, args...)
			if code != 0 || !strings.Contains(stdout, "0 moved, 1 already there, 0 failed") {
				t.Errorf("the same transfer again: exit %d, %q", code, stdout)
			}
			a = openTestApp(t, fx.dir, fx.config)
			defer a.Close()
			after, _, _ := entriesByRegister(t, a, fx.person)
			if after["kainuu"] != before["kainuu"] || after["oulu"] != before["oulu"] {
				t.Errorf("entries after a rerun %v, want %v as before", after, before)
			}
		})
	}
}

// checkTransferred looks at the person as the services see them after
// the move.
func checkTransferred(t *testing.T, fx exportFixture) {
	t.Helper()
	ctx := context.Background()
	a := openTestApp(t, fx.dir, fx.config)
	defer a.Close()
	p, err := a.store.PersonByID(ctx, fx.person)
	if err != nil || p.HomeRegion != "oulu" || p.Moving() {
		t.Fatalf("after the transfer: home %q, moving to %q (%v); want oulu, no move", p.HomeRegion, p.MovingTo, err)
	}
	grants, err := a.store.Grants(ctx, fx.person)
	if err != nil || len(grants) != 1 || grants[0].Status != consent.StatusEnded || grants[0].EndReason != consent.EndMoved {
		t.Fatalf("grants %+v (%v), want the one ended \"moved\"", grants, err)
	}
	keys, err := hetuKeys(Config{DataDir: fx.dir}, true)
	if err != nil {
		t.Fatal(err)
	}
	people := &auth.People{Store: a.store, Keys: keys}
	consents := &consent.Service{Store: a.store, Directory: a.store, People: a.store, Finder: people, Log: a.audit, History: a.audit}
	records := &record.Service{Store: a.store, People: people, Access: consents}
	files := &record.Files{Store: a.store, Content: a.files.Content, Access: consents, Limits: a.files.Limits}
	nurse := auth.Principal{Kind: auth.KindProfessional, ProfessionalID: "pro-kainuu-nurse", RegionID: "kainuu"}
	if _, err := records.Search(ctx, nurse, record.Query{PersonID: fx.person, Limit: 10}); !errors.Is(err, record.ErrDenied) {
		t.Errorf("the Kainuu nurse's search after the move: %v, want ErrDenied (403)", err)
	}
	me := auth.Principal{Kind: auth.KindCitizen, PersonID: fx.person, RegionID: "oulu"}
	assertHistoryOnce(t, consents, me, fx.person)
	ms, err := records.Search(ctx, me, record.Query{PersonID: fx.person, Limit: 10})
	if err != nil || len(ms.Measurements) != 2 {
		t.Errorf("the citizen's measurements: %d (%v), want 2", len(ms.Measurements), err)
	}
	fs, err := files.List(ctx, me, fx.person)
	if err != nil || len(fs) != len(fx.files) {
		t.Errorf("the citizen's files: %d (%v), want %d", len(fs), err, len(fx.files))
	}
	if _, err := records.Record(ctx, me, fx.person, record.Source{Kind: record.SourceManual},
		[]record.Input{{Kind: record.BodyWeight, Value: 70, At: time.Now().Add(-time.Minute)}}); err != nil {
		t.Errorf("the citizen's write after the move: %v, want it stored (the freeze lifted)", err)
	}
}

// A file with a bad line moves the others and reports the line by its
// number; a code of no one is reported too; nothing names a code.
func TestTransferHetuFile(t *testing.T) {
	for _, db := range databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			fx := newExportFixture(t, db)
			file := writeFile(t, t.TempDir(), "muuttajat.csv", "hetu\n"+exportHetu+";Meikäläinen\n010190-900X\n", 0o600)
			stdout, _, code := runTransfer(t, "--to", "oulu", "--operator", "op-kainuu", "--hetu-file", file,
				"--data", fx.dir, "--config", fx.config)
			if code != 1 || !strings.Contains(stdout, "1 moved, 0 already there, 1 failed") {
				t.Errorf("exit %d, %q; want 1 with one moved and one failed", code, stdout)
			}
			if !strings.Contains(stdout, "line 3: refused") || !strings.Contains(stdout, "line 2 (person "+fx.person+"): moved") {
				t.Errorf("the report %q does not name lines 2 and 3", stdout)
			}
			if strings.Contains(stdout, "900X") || strings.Contains(stdout, exportHetu) {
				t.Errorf("the report names a code: %q", stdout)
			}
			a := openTestApp(t, fx.dir, fx.config)
			defer a.Close()
			if p, err := a.store.PersonByID(context.Background(), fx.person); err != nil || p.HomeRegion != "oulu" {
				t.Errorf("home %q (%v), want oulu", p.HomeRegion, err)
			}
		})
	}
}

// Another region's operator, an unknown region and the person's own
// region are refused, each with nothing changed.
func TestTransferRefusals(t *testing.T) {
	for _, db := range databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			fx := newExportFixture(t, db)
			for _, tc := range []struct{ to, operator, want string }{
				{"oulu", "op-oulu", "not in the source region"}, // the operator of another region
				{"lappi", "op-kainuu", "unknown target region"},
				{"kainuu", "op-kainuu", "already"},
				{"oulu", "pro-kainuu-nurse", "only an operator of the source region"},
			} {
				stdout, _, code := runTransfer(t, "--to", tc.to, "--operator", tc.operator, "--person", fx.person,
					"--data", fx.dir, "--config", fx.config)
				if tc.to == "kainuu" {
					if code != 0 || !strings.Contains(stdout, "already in kainuu") {
						t.Errorf("to the home region: exit %d, %q", code, stdout)
					}
					continue
				}
				if code != 1 || !strings.Contains(stdout, tc.want) || !strings.Contains(stdout, "0 moved") {
					t.Errorf("--to %s --operator %s: exit %d, %q; want refused, %q", tc.to, tc.operator, code, stdout, tc.want)
				}
			}
			a := openTestApp(t, fx.dir, fx.config)
			defer a.Close()
			if p, err := a.store.PersonByID(context.Background(), fx.person); err != nil || p.HomeRegion != "kainuu" || p.Moving() {
				t.Errorf("home %q moving %q (%v), want kainuu unchanged", p.HomeRegion, p.MovingTo, err)
			}
			all, _, _ := entriesByRegister(t, a, fx.person)
			if all["kainuu"] != fx.entries || all["oulu"] != 0 {
				t.Errorf("entries %v after refusals, want the %d of kainuu only", all, fx.entries)
			}
		})
	}
}

// A transfer cut short resumes where it was: after the freeze and a part
// of the copy, the command copies the rest and appends nothing twice;
// after the switch, it ends the grants, logs and lifts the freeze.
func TestTransferResumes(t *testing.T) {
	for _, db := range databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			fx := newExportFixture(t, db)
			a := openTestApp(t, fx.dir, fx.config)
			s := a.store.(transferStore)
			if err := s.BeginMove(ctx, fx.person, "oulu", time.Now()); err != nil {
				t.Fatal(err)
			}
			es, err := s.Entries(ctx, "kainuu", 0, 1)
			if err != nil || len(es) != 1 {
				t.Fatalf("kainuu's first entry: %v %v", es, err)
			}
			if n, err := s.AppendImported(ctx, "oulu", es, []audit.Source{{Register: "kainuu", Seq: es[0].Seq, Hash: es[0].Hash}}); n != 1 || err != nil {
				t.Fatalf("the partial copy: %d, %v", n, err)
			}
			a.Close()
			args := []string{"--to", "oulu", "--operator", "op-kainuu", "--person", fx.person, "--data", fx.dir, "--config", fx.config}
			if stdout, _, code := runTransfer(t, args...); code != 0 || !strings.Contains(stdout, "1 moved") {
				t.Fatalf("the transfer after a freeze and a partial copy: exit %d, %q", code, stdout)
			}
			a = openTestApp(t, fx.dir, fx.config)
			defer a.Close()
			_, imported, transfers := entriesByRegister(t, a, fx.person)
			if imported["oulu"] != fx.entries || transfers["oulu"] != 1 || transfers["kainuu"] != 1 {
				t.Errorf("imported %v, transfers %v; want the %d of kainuu once and one transfer each", imported, transfers, fx.entries)
			}
			checkResumedAfterSwitch(t, db)
		})
	}
}

// checkResumedAfterSwitch moves a second person whose transfer stopped
// right after the switch: home oulu, the move still marked.
func checkResumedAfterSwitch(t *testing.T, db string) {
	t.Helper()
	ctx := context.Background()
	fx := newExportFixture(t, db)
	a := openTestApp(t, fx.dir, fx.config)
	s := a.store.(transferStore)
	if err := s.BeginMove(ctx, fx.person, "oulu", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.SetHomeRegion(ctx, fx.person, "kainuu", "oulu"); err != nil {
		t.Fatal(err)
	}
	a.Close()
	stdout, _, code := runTransfer(t, "--to", "oulu", "--operator", "op-kainuu", "--person", fx.person, "--data", fx.dir, "--config", fx.config)
	if code != 0 || !strings.Contains(stdout, "1 moved") {
		t.Fatalf("the transfer after the switch: exit %d, %q", code, stdout)
	}
	a = openTestApp(t, fx.dir, fx.config)
	defer a.Close()
	p, err := a.store.PersonByID(ctx, fx.person)
	if err != nil || p.Moving() || p.HomeRegion != "oulu" {
		t.Errorf("home %q moving %q (%v), want oulu with the freeze lifted", p.HomeRegion, p.MovingTo, err)
	}
	grants, err := a.store.Grants(ctx, fx.person)
	if err != nil || len(grants) != 1 || grants[0].EndReason != consent.EndMoved {
		t.Errorf("grants %+v (%v), want the one ended \"moved\"", grants, err)
	}
}

// A person has one transfer under way: a second insert, even by another
// operator, finds the first job instead of starting another.
func TestTransferJobIsUniquePerPerson(t *testing.T) {
	for _, db := range databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			fx := newExportFixture(t, db)
			a := openTestApp(t, fx.dir, fx.config)
			defer a.Close()
			j, err := openTransferJobs(ctx, a.store, &transferWorker{})
			if err != nil {
				t.Fatal(err)
			}
			first, err := j.Insert(ctx, transferArgs{PersonID: fx.person, Source: "kainuu", Target: "oulu", OperatorID: "op-kainuu"},
				&jobs.InsertOpts{Queue: transferQueue, Unique: true})
			if err != nil {
				t.Fatal(err)
			}
			again, err := j.Insert(ctx, transferArgs{PersonID: fx.person, Source: "kainuu", Target: "oulu", OperatorID: "op-other"},
				&jobs.InsertOpts{Queue: transferQueue, Unique: true})
			if err != nil || !again.Duplicate || again.ID != first.ID {
				t.Errorf("the second insert: %+v (%v), want job %d found", again, err, first.ID)
			}
			other, err := j.Insert(ctx, transferArgs{PersonID: "someone-else", Source: "kainuu", Target: "oulu", OperatorID: "op-kainuu"},
				&jobs.InsertOpts{Queue: transferQueue, Unique: true})
			if err != nil || other.Duplicate {
				t.Errorf("another person's insert: %+v (%v), want a job of its own", other, err)
			}
		})
	}
}

// assertHistoryOnce: the citizen's access history after the move shows
// every access once — the imported copies in the target's chain are not
// shown beside their originals, which this one store still holds — and
// both registers' transfer entries.
func assertHistoryOnce(t *testing.T, consents *consent.Service, me auth.Principal, person string) {
	t.Helper()
	es, _, err := consents.AccessLog(context.Background(), me, audit.Query{PatientID: person, Limit: audit.MaxSearchLimit})
	if err != nil {
		t.Fatal(err)
	}
	seen, transfers := map[string]int{}, 0
	for _, e := range es {
		if e.Imported {
			t.Errorf("the history shows an imported copy (%s %d) beside its original", e.Register, e.Seq)
		}
		if e.Action == "transfer" {
			transfers++
			continue
		}
		seen[e.RequestID+"|"+e.Action+"|"+e.Time.String()]++
	}
	for k, n := range seen {
		if n > 1 {
			t.Errorf("the history shows one access %d times: %s", n, k)
		}
	}
	if transfers != 2 {
		t.Errorf("the history shows %d transfer entries, want 2 (one a register)", transfers)
	}
}
