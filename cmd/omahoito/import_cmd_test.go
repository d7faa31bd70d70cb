package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/fhir"
	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/postgres/pgtest"
)

// importTarget is another deployment's data directory and database (app
// B), whose configuration trusts the exporting region's key.
type importTarget struct {
	dir, config string
}

func runImport(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), append([]string{"import"}, args...), &out, &errOut)
	t.Logf("omahoito import %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errOut.String())
	return out.String(), errOut.String(), code
}

// newImportTarget makes an empty deployment on database, its
// trusted_regions naming trustedKey (a PEM file) for development/kainuu
// unless trustedKey is "". It is started once, as serve would start it,
// so that its directory is seeded.
func newImportTarget(t *testing.T, database, trustedKey string) importTarget {
	t.Helper()
	b := importTarget{dir: t.TempDir()}
	settings := map[string]any{}
	if database == "postgres" {
		settings["database_url"] = pgtest.SchemaURL(t)
	}
	if trustedKey != "" {
		settings["trusted_regions"] = []map[string]string{{"deployment": "development", "region": "kainuu", "public_key_file": trustedKey}}
	}
	raw, err := json.Marshal(settings)
	if err != nil {
		t.Fatal(err)
	}
	b.config = writeFile(t, t.TempDir(), "omahoito.json", string(raw), 0o600)
	openTestApp(t, b.dir, b.config).Close()
	return b
}

// openTestApp starts the app of a data directory and configuration.
func openTestApp(t *testing.T, dir, config string) *app {
	t.Helper()
	cfg, err := loadConfig(config)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir, cfg.BaseURL = dir, "http://127.0.0.1:1"
	cfg.applyDefaults()
	a, err := newApp(context.Background(), cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// exportFor exports the fixture's person and returns the package and the
// exporting deployment's public key file.
func exportFor(t *testing.T, fx exportFixture) (pkg, key string) {
	t.Helper()
	pkg = filepath.Join(t.TempDir(), "maija.zip")
	if _, _, code := runExport(t, "--person", fx.person, "--operator", "op-kainuu", "--out", pkg,
		"--data", fx.dir, "--config", fx.config); code != 0 {
		t.Fatalf("export: exit %d", code)
	}
	return pkg, publicKeyFile(t, "--data", fx.dir, "--config", fx.config)
}

// A person exported from deployment A and imported into B has in B every
// version of every measurement as A renders them, the files byte for
// byte, and oulu as home region; B's access log has the import and still
// verifies. The same package again adds nothing.
func TestImportCommand(t *testing.T) {
	for _, db := range databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			fx := newExportFixture(t, db)
			pkg, key := exportFor(t, fx)
			b := newImportTarget(t, db, key)
			stdout, _, code := runImport(t, pkg, "--region", "oulu", "--data", b.dir, "--config", b.config)
			if code != 0 {
				t.Fatalf("import: exit %d", code)
			}
			for _, secret := range []string{exportHetu, "Maija", "Meikäläinen"} {
				if strings.Contains(stdout, secret) {
					t.Errorf("the summary %q names the person (%s)", stdout, secret)
				}
			}
			for _, want := range []string{"Patient added", "Observation 5 added, 0 already there", "DocumentReference 2 added, 0 already there", "Consent (ended, moved) 1 added", fmt.Sprintf("AuditEvent (imported) %d added, 0 already there", fx.entries)} {
				if !strings.Contains(stdout, want) {
					t.Errorf("summary %q does not say %q", stdout, want)
				}
			}
			checkImported(t, fx, b)
			checkImportVerifies(t, b, fx.person, "oulu")

			stdout, _, code = runImport(t, "--region", "oulu", "--data", b.dir, "--config", b.config, pkg)
			if code != 0 {
				t.Fatalf("import again: exit %d", code)
			}
			for _, want := range []string{"Patient already there", "Observation 0 added, 5 already there", "DocumentReference 0 added, 2 already there", "Consent (ended, moved) 0 added, 1 already there", fmt.Sprintf("AuditEvent (imported) 0 added, %d already there", fx.entries)} {
				if !strings.Contains(stdout, want) {
					t.Errorf("second summary %q does not say %q", stdout, want)
				}
			}
			checkImported(t, fx, b)
			checkImportVerifies(t, b, fx.person, "oulu")
		})
	}
}

// checkImported compares B with A: the person, every version of every
// measurement as the API renders it, and the files' content.
func checkImported(t *testing.T, fx exportFixture, b importTarget) {
	t.Helper()
	ctx := context.Background()
	a := openTestApp(t, fx.dir, fx.config)
	defer a.Close()
	bApp := openTestApp(t, b.dir, b.config)
	defer bApp.Close()
	sp, err := bApp.store.PersonByID(ctx, fx.person)
	if err != nil || sp.HomeRegion != "oulu" {
		t.Fatalf("person in B: home %q (%v), want oulu", sp.HomeRegion, err)
	}
	ids, err := personMeasurementIDs(ctx, a.store, fx.person)
	if err != nil {
		t.Fatal(err)
	}
	bIDs, err := personMeasurementIDs(ctx, bApp.store, fx.person)
	if err != nil || len(bIDs) != len(ids) {
		t.Fatalf("B has %d measurements (%v), A %d", len(bIDs), err, len(ids))
	}
	for _, id := range ids {
		want, err := a.store.MeasurementHistory(ctx, fx.person, id)
		if err != nil {
			t.Fatal(err)
		}
		got, err := bApp.store.MeasurementHistory(ctx, fx.person, id)
		if err != nil || len(got) != len(want) {
			t.Fatalf("measurement %s: %d versions in B (%v), want %d", id, len(got), err, len(want))
		}
		for i := range want {
			if w, g := observationJSON(t, want[i]), observationJSON(t, got[i]); w != g {
				t.Errorf("measurement %s version %d:\nB %s\nA %s", id, want[i].Version, g, w)
			}
		}
	}
	checkGrantsEnded(t, a, bApp, fx.person)
	checkEntriesImported(t, a, bApp, fx)
	files, err := bApp.store.Files(ctx, fx.person, nil)
	if err != nil || len(files) != len(fx.files) {
		t.Fatalf("B has %d files (%v), want %d", len(files), err, len(fx.files))
	}
	for _, f := range files {
		rc, err := bApp.files.Content.Get(ctx, f.ContentKey, f.DataKey, f.MasterKeyID, f.Size, f.SHA256)
		if err != nil {
			t.Fatalf("file %s in B: %v", f.ID, err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got, fx.files[f.ID]) {
			t.Errorf("file %s in B: %d bytes (%v), want the %d bytes uploaded in A", f.ID, len(got), err, len(fx.files[f.ID]))
		}
	}
}

// observationJSON is a version as the API renders it, deleted ones as
// the history does.
func observationJSON(t *testing.T, m record.Measurement) string {
	t.Helper()
	raw, err := json.Marshal(fhir.History("http://x/fhir/r4", []record.Measurement{m}))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// checkImportVerifies runs audit verify in B and finds the import as the
// newest entry of the person's log in B, in region's register.
func checkImportVerifies(t *testing.T, b importTarget, person, region string) {
	t.Helper()
	es := importedEntries(t, b.dir, b.config, person)
	if len(es) == 0 || es[0].Action != "import" || es[0].Register != region || es[0].Outcome != audit.Permit {
		t.Errorf("B's newest entry of the person: %+v; want the import in %s's register", es, region)
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"audit", "verify", "--data", b.dir, "--config", b.config}, &stdout, &stderr); code != 0 {
		t.Errorf("audit verify in B: exit %d, %s%s", code, stdout.String(), stderr.String())
	}
}

// importedEntries is the person's access log in a deployment.
func importedEntries(t *testing.T, dir, config, person string) []audit.Entry {
	t.Helper()
	a := openTestApp(t, dir, config)
	defer a.Close()
	es, err := a.store.PatientEntries(context.Background(), audit.Query{PatientID: person, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// A package changed in one byte, one signed by a key B does not trust,
// and one whose person id exists in B with another identity code are
// each refused with one line and exit 1, and B holds nothing of them.
func TestImportRefusals(t *testing.T) {
	for _, db := range databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			fx := newExportFixture(t, db)
			pkg, key := exportFor(t, fx)
			raw, err := os.ReadFile(pkg)
			if err != nil {
				t.Fatal(err)
			}
			raw[len(raw)/3] ^= 0x01
			changed := writeFile(t, t.TempDir(), "changed.zip", string(raw), 0o600)

			b := newImportTarget(t, db, key)
			_, stderr, code := runImport(t, changed, "--region", "oulu", "--data", b.dir, "--config", b.config)
			checkRefused(t, "one byte changed", stderr, code, "refused, nothing stored")
			checkNothingOf(t, b, fx.person, false)

			untrusting := newImportTarget(t, db, "")
			_, stderr, code = runImport(t, pkg, "--region", "oulu", "--data", untrusting.dir, "--config", untrusting.config)
			checkRefused(t, "untrusted key", stderr, code, "not signed by a trusted region")
			checkNothingOf(t, untrusting, fx.person, false)

			other := newImportTarget(t, db, key)
			a := openTestApp(t, other.dir, other.config)
			keys := mustHetuKeys(t, other.dir)
			h := auth.MustParseHetu("010190-900P")
			err = a.store.CreatePerson(context.Background(), auth.SealedPerson{ID: fx.person, HetuKey: keys.LookupKey(h),
				HetuSealed: keys.Seal(h), GivenName: "Toinen", BirthDate: h.BirthDate(), HomeRegion: "kainuu"})
			a.Close()
			if err != nil {
				t.Fatal(err)
			}
			_, stderr, code = runImport(t, pkg, "--region", "oulu", "--data", other.dir, "--config", other.config)
			checkRefused(t, "person id with another code", stderr, code, "exists here with another identity code")
			checkNothingOf(t, other, fx.person, true)
		})
	}
}

func mustHetuKeys(t *testing.T, dir string) *auth.Keys {
	t.Helper()
	keys, err := hetuKeys(Config{DataDir: dir}, true)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func checkRefused(t *testing.T, name, stderr string, code int, want string) {
	t.Helper()
	if code != 1 || !strings.Contains(stderr, want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("%s: exit %d, stderr %q; want 1 and one line saying %q", name, code, stderr, want)
	}
	if strings.Contains(stderr, exportHetu) {
		t.Errorf("%s: the refusal names the identity code", name)
	}
}

// checkNothingOf finds no measurement, file, grant or access-log entry of the
// person in the deployment.
func checkNothingOf(t *testing.T, b importTarget, person string, personThere bool) {
	t.Helper()
	ctx := context.Background()
	a := openTestApp(t, b.dir, b.config)
	defer a.Close()
	if _, err := a.store.PersonByID(ctx, person); (err == nil) != personThere {
		t.Errorf("the person in the index: %v; want there %v", err, personThere)
	}
	ids, err := personMeasurementIDs(ctx, a.store, person)
	if err != nil || len(ids) != 0 {
		t.Errorf("%d measurements of the person stored (%v), want none", len(ids), err)
	}
	if fs, err := a.store.Files(ctx, person, nil); err != nil || len(fs) != 0 {
		t.Errorf("%d files of the person stored (%v), want none", len(fs), err)
	}
	if gs, err := a.store.Grants(ctx, person); err != nil || len(gs) != 0 {
		t.Errorf("%d grants of the person stored (%v), want none", len(gs), err)
	}
	if es, err := a.store.PatientEntries(ctx, audit.Query{PatientID: person, Limit: 10}); err != nil || len(es) != 0 {
		t.Errorf("%d access-log entries of the person (%v), want none", len(es), err)
	}
}

// checkGrantsEnded finds A's grants in B, to the same grantee and scope,
// ended with reason moved.
func checkGrantsEnded(t *testing.T, a, b *app, person string) {
	t.Helper()
	ctx := context.Background()
	want, err := a.store.Grants(ctx, person)
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.store.Grants(ctx, person)
	if err != nil || len(got) != len(want) {
		t.Fatalf("B has %d grants (%v), want %d", len(got), err, len(want))
	}
	for i, g := range got {
		w := want[i]
		if g.ID != w.ID || g.Grantee != w.Grantee || !reflect.DeepEqual(g.Scope, w.Scope) || !g.Start.Equal(w.Start) {
			t.Errorf("grant in B %+v; want A's %+v", g, w)
		}
		if g.Status != consent.StatusEnded || g.EndReason != consent.EndMoved || g.Region != "oulu" {
			t.Errorf("grant %s in B: %s %q in %s; want ended, moved, in oulu", g.ID, g.Status, g.EndReason, g.Region)
		}
	}
	if in, err := b.store.GrantsInForce(ctx, person, time.Now()); err != nil || len(in) != 0 {
		t.Errorf("%d grants in force in B (%v), want none", len(in), err)
	}
}

// checkEntriesImported finds A's access-log entries of the person (those
// the package had: all but A's newest, the export) in B as imported
// entries of oulu's chain, saying who did what, when, under which consent.
func checkEntriesImported(t *testing.T, a, b *app, fx exportFixture) {
	t.Helper()
	ctx := context.Background()
	q := audit.Query{PatientID: fx.person, Limit: 100}
	want, err := a.store.PatientEntries(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	want = want[len(want)-fx.entries:] // the package's, newest first
	got, err := b.store.PatientEntries(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var imported []audit.Entry
	for _, e := range got {
		if e.Imported {
			imported = append(imported, e)
		}
	}
	if len(imported) != len(want) {
		t.Fatalf("B has %d imported entries of the person, want %d", len(imported), len(want))
	}
	for i, w := range want {
		g := imported[i]
		if w.Action == "download" {
			w.Action = "read" // an AuditEvent says read for both (BALP PatientRead)
		}
		if g.Register != "oulu" || !g.Time.Equal(w.Time) || g.Action != w.Action || g.Actor.ID != w.Actor.ID ||
			g.Actor.Name != w.Actor.Name || g.Actor.Kind != w.Actor.Kind || g.Class != w.Class || g.Count != w.Count ||
			!reflect.DeepEqual(g.Grants, w.Grants) || !reflect.DeepEqual(g.Kinds, w.Kinds) || g.Outcome != w.Outcome {
			t.Errorf("imported entry %d:\n%+v\nwant as in A:\n%+v", i, g, w)
		}
	}
}

// A package imported back into the deployment that exported it (a
// restore) finds everything already there, measurements entered by the
// person and a consent still in force included, and changes none of it.
func TestImportBackIntoItsOwnDeployment(t *testing.T) {
	fx := newExportFixture(t, "sqlite")
	pkg, _ := exportFor(t, fx)
	stdout, _, code := runImport(t, pkg, "--region", "kainuu", "--data", fx.dir, "--config", fx.config)
	if code != 0 {
		t.Fatalf("import back: exit %d", code)
	}
	for _, want := range []string{"Patient already there", "Observation 0 added, 5 already there",
		"DocumentReference 0 added, 2 already there", "Consent (ended, moved) 0 added, 1 already there",
		fmt.Sprintf("AuditEvent (imported) 0 added, %d already there", fx.entries)} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary %q does not say %q", stdout, want)
		}
	}
	checkImportVerifies(t, importTarget{dir: fx.dir, config: fx.config}, fx.person, "kainuu")
	a := openTestApp(t, fx.dir, fx.config)
	defer a.Close()
	if in, err := a.store.GrantsInForce(context.Background(), fx.person, time.Now()); err != nil || len(in) != 1 {
		t.Errorf("%d grants in force after the import back (%v), want the one given, untouched", len(in), err)
	}
}

// A package whose measurement version is stored in B with another value,
// under the same person, is refused as other content: B gains no
// measurement, file, consent or access-log entry of it.
func TestImportRefusesOtherContent(t *testing.T) {
	for _, db := range databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			fx := newExportFixture(t, db)
			pkg, key := exportFor(t, fx)
			a := openTestApp(t, fx.dir, fx.config)
			ids, err := personMeasurementIDs(context.Background(), a.store, fx.person)
			if err != nil {
				t.Fatal(err)
			}
			first, err := a.store.MeasurementHistory(context.Background(), fx.person, ids[0])
			a.Close()
			if err != nil {
				t.Fatal(err)
			}
			b := newImportTarget(t, db, key)
			bApp := openTestApp(t, b.dir, b.config)
			keys := mustHetuKeys(t, b.dir)
			h := auth.MustParseHetu(exportHetu)
			ctx := context.Background()
			err = bApp.store.CreatePerson(ctx, auth.SealedPerson{ID: fx.person, HetuKey: keys.LookupKey(h),
				HetuSealed: keys.Seal(h), BirthDate: h.BirthDate(), HomeRegion: "oulu"})
			if err != nil {
				t.Fatal(err)
			}
			other := first[len(first)-1] // version 1
			other.Value++
			if _, err := bApp.store.(record.CopyStore).CopyMeasurements(ctx, []record.Measurement{other}); err != nil {
				t.Fatal(err)
			}
			bApp.Close()
			_, stderr, code := runImport(t, pkg, "--region", "oulu", "--data", b.dir, "--config", b.config)
			checkRefused(t, "a version with another value", stderr, code, "exists with other content")
			bApp = openTestApp(t, b.dir, b.config)
			defer bApp.Close()
			if got, err := personMeasurementIDs(ctx, bApp.store, fx.person); err != nil || len(got) != 1 {
				t.Errorf("B holds %d measurements of the person (%v), want the one it had", len(got), err)
			}
			if fs, _ := bApp.store.Files(ctx, fx.person, nil); len(fs) != 0 {
				t.Errorf("B holds %d files of the refused package", len(fs))
			}
			if gs, _ := bApp.store.Grants(ctx, fx.person); len(gs) != 0 {
				t.Errorf("B holds %d grants of the refused package", len(gs))
			}
			if es, _ := bApp.store.PatientEntries(ctx, audit.Query{PatientID: fx.person, Limit: 10}); len(es) != 0 {
				t.Errorf("B holds %d access-log entries of the refused package", len(es))
			}
		})
	}
}

// A trusted region without its key file is a configuration error, said
// before anything is opened.
func TestImportTrustedRegionsSetting(t *testing.T) {
	config := writeFile(t, t.TempDir(), "omahoito.json", `{"trusted_regions": [{"deployment": "north", "region": "kainuu"}]}`, 0o600)
	_, stderr, code := runImport(t, "p.zip", "--region", "oulu", "--data", t.TempDir(), "--config", config)
	if code != 1 || !strings.Contains(stderr, "trusted_regions #1 needs deployment, region and public_key_file") {
		t.Errorf("a trusted region without its key: exit %d, stderr %q", code, stderr)
	}
	if _, _, code := runImport(t, "p.zip"); code != 2 {
		t.Errorf("without --region: exit %d, want 2 (usage)", code)
	}
}
