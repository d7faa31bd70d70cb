package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/exchange"
	"github.com/omahoito/omahoito/fhir"
	"github.com/omahoito/omahoito/internal/fhirschema"
	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/postgres/pgtest"
)

const exportHetu = "150380-902U"

// exportFixture is a person of kainuu with every class of data, written
// through the services as serve writes them, and the settings that
// reach the same data directory and database.
type exportFixture struct {
	dir, config string // --data and --config for the commands
	person      string
	files       map[string][]byte // id: content
	entries     int               // the person's access-log entries before the export
}

func runExport(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), append([]string{"export"}, args...), &out, &errOut)
	t.Logf("omahoito export %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errOut.String())
	return out.String(), errOut.String(), code
}

// newExportFixture records, as the person: three measurements (one
// corrected, one deleted), a PDF and a PNG, a consent to the Kajaani
// nurse; as the nurse under it: a search and a download.
func newExportFixture(t *testing.T, database string) exportFixture {
	t.Helper()
	ctx := context.Background()
	fx := exportFixture{dir: t.TempDir(), files: map[string][]byte{}}
	cfg := Config{DataDir: fx.dir, BaseURL: "http://127.0.0.1:1"}
	fx.config = writeFile(t, t.TempDir(), "omahoito.json", `{}`, 0o600)
	if database == "postgres" {
		cfg.DatabaseURL = pgtest.SchemaURL(t)
		fx.config = writeFile(t, t.TempDir(), "omahoito.json", `{"database_url": "`+cfg.DatabaseURL+`"}`, 0o600)
	}
	cfg.applyDefaults()
	a, err := newApp(ctx, cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	keys, err := hetuKeys(cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	people := &auth.People{Store: a.store, Keys: keys}
	p, _, err := people.FindOrRegister(ctx, auth.Registration{Hetu: auth.MustParseHetu(exportHetu),
		GivenName: "Maija", FamilyName: "Meikäläinen", Region: "kainuu"})
	if err != nil {
		t.Fatal(err)
	}
	fx.person = p.ID
	consents := &consent.Service{Store: a.store, Directory: a.store, People: a.store, Finder: people, Log: a.audit, History: a.audit}
	records := &record.Service{Store: a.store, People: people, Access: consents}
	files := &record.Files{Store: a.store, Content: a.files.Content, Access: consents, Limits: a.files.Limits}
	me := auth.Principal{Kind: auth.KindCitizen, PersonID: p.ID, RegionID: "kainuu"}
	at := time.Now().Add(-48 * time.Hour).Truncate(time.Second)
	added, err := records.Record(ctx, me, p.ID, record.Source{Kind: record.SourceManual}, []record.Input{
		{Kind: record.BloodPressure, Value: 128, Diastolic: 84, At: at},
		{Kind: record.BodyWeight, Value: 71.5, At: at.Add(time.Hour)},
		{Kind: record.BodyWeight, Value: 17.1, At: at.Add(2 * time.Hour), Note: "väärä luku"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := records.Update(ctx, me, p.ID, added[0].Measurement.ID,
		record.Input{Kind: record.BloodPressure, Value: 129, Diastolic: 84, At: at}, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := records.Delete(ctx, me, p.ID, added[2].Measurement.ID, 1); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string][]byte{"kirje.pdf": filePDF, "ihottuma.png": testPNG(t, 4, 4)} {
		f, err := files.Add(ctx, me, p.ID, record.Upload{Name: name, Title: name, Body: bytes.NewReader(body)})
		if err != nil {
			t.Fatalf("add %s: %v", name, err)
		}
		fx.files[f.ID] = body
	}
	_, err = consents.GiveConsent(ctx, me, p.ID, consent.Give{
		Grantee: consent.Grantee{Kind: consent.GranteeProfessional, ID: "pro-kainuu-nurse"},
		Scope:   consent.Scope{Classes: []consent.ClassScope{{Class: record.ClassMeasurements}, {Class: record.ClassFiles}}}})
	if err != nil {
		t.Fatal(err)
	}
	nurse := auth.Principal{Kind: auth.KindProfessional, ProfessionalID: "pro-kainuu-nurse", RegionID: "kainuu"}
	if _, err := records.Search(ctx, nurse, record.Query{PersonID: p.ID, Limit: 10}); err != nil {
		t.Fatal(err)
	}
	for id := range fx.files {
		_, rc, err := files.Open(ctx, nurse, p.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, rc)
		rc.Close()
		break
	}
	es, err := a.store.PatientEntries(ctx, audit.Query{PatientID: p.ID, Limit: 100})
	if err != nil || len(es) < 2 {
		t.Fatalf("the nurse's reads left %d access-log entries (%v), want 2 at least", len(es), err)
	}
	fx.entries = len(es)
	return fx
}

// openExported opens the package trusting only the key audit
// public-key prints, for the development deployment's region kainuu.
func openExported(t *testing.T, fx exportFixture, out string) *exchange.Package {
	t.Helper()
	pubs, err := audit.ReadPublicKeys(publicKeyFile(t, "--data", fx.dir, "--config", fx.config))
	if err != nil || len(pubs) != 1 {
		t.Fatalf("public key: %v", err)
	}
	trusted := exchange.TrustedKeys{}
	trusted.Add(exchange.Source{Deployment: "development", Region: "kainuu"}, pubs[0])
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := exchange.Open(f, fi.Size(), trusted, exchange.Limits{})
	if err != nil {
		t.Fatalf("open the exported package: %v", err)
	}
	return pkg
}

// The package holds every class of the person's data, each line a valid
// FHIR R4 resource and each file byte for byte; the export is in the
// person's access log, which still verifies; the summary names no one.
func TestExportCommand(t *testing.T) {
	for _, db := range databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			fx := newExportFixture(t, db)
			out := filepath.Join(t.TempDir(), "maija.zip")
			stdout, _, code := runExport(t, "--person", fx.person, "--operator", "op-kainuu", "--out", out,
				"--data", fx.dir, "--config", fx.config)
			if code != 0 {
				t.Fatalf("export: exit %d", code)
			}
			for _, secret := range []string{exportHetu, "Maija", "Meikäläinen"} {
				if strings.Contains(stdout, secret) {
					t.Errorf("the summary %q names the person (%s)", stdout, secret)
				}
			}
			pkg := openExported(t, fx, out)
			m := pkg.Manifest()
			want := map[string]int64{"Patient": 1, "Observation": 5, "Consent": 1, "AuditEvent": int64(fx.entries), "DocumentReference": 2}
			for typ, n := range want {
				if m.Counts[typ] != n {
					t.Errorf("%s: %d resources, want %d", typ, m.Counts[typ], n)
				}
			}
			if m.Person != fx.person || m.Source.Region != "kainuu" || m.Source.Deployment != "development" {
				t.Errorf("manifest person %q source %+v", m.Person, m.Source)
			}
			if !strings.Contains(stdout, m.ID) || !strings.Contains(stdout, "Observation 5") {
				t.Errorf("summary %q does not give the package id and the counts", stdout)
			}
			checkExportedResources(t, pkg, fx)
			for id, body := range fx.files {
				rc, err := pkg.Open(exchange.FileName(id))
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(rc)
				rc.Close()
				if err != nil || !bytes.Equal(got, body) {
					t.Errorf("file %s: %d bytes (%v), want the %d bytes uploaded", id, len(got), err, len(body))
				}
			}
			checkExportLogged(t, fx, m.ID)
		})
	}
}

// checkExportedResources validates every line as FHIR R4 and checks the
// versions of the corrected and deleted measurements and the Patient.
func checkExportedResources(t *testing.T, pkg *exchange.Package, fx exportFixture) {
	t.Helper()
	statuses := map[string]int{}
	versions := map[string]int{}
	for _, typ := range exportTypes {
		err := pkg.EachLine(typ, func(line []byte) error {
			fhirschema.Validate(t, bytes.Clone(line))
			var r struct {
				ResourceType string `json:"resourceType"`
				ID           string `json:"id"`
				Status       string `json:"status"`
				Identifier   []struct{ Value string }
			}
			if err := json.Unmarshal(line, &r); err != nil {
				return err
			}
			if r.ResourceType != typ {
				t.Errorf("%s.ndjson holds a %s", typ, r.ResourceType)
			}
			switch typ {
			case "Observation":
				statuses[r.Status]++
				versions[r.ID]++
			case "Consent":
				if !bytes.Contains(line, []byte(`"Practitioner/pro-kainuu-nurse"`)) || !bytes.Contains(line, []byte("Aino Heikkinen, sairaanhoitaja")) {
					t.Errorf("Consent %s does not name the nurse as the API does", line)
				}
			case "Patient":
				if r.ID != fx.person || len(r.Identifier) != 1 || r.Identifier[0].Value != exportHetu {
					t.Errorf("Patient %s, identifiers %+v: want the person with their code", r.ID, r.Identifier)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
	}
	if statuses["final"] != 4 || statuses["entered-in-error"] != 1 || len(versions) != 3 {
		t.Errorf("observations: statuses %v over %d measurements; want 4 final and the deletion entered-in-error, of 3", statuses, len(versions))
	}
}

// checkExportLogged finds the export as the newest entry of the person's
// log, in the operator's name and the package's id, and audit verify
// holds.
func checkExportLogged(t *testing.T, fx exportFixture, packageID string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"audit", "verify", "--data", fx.dir, "--config", fx.config}, &stdout, &stderr); code != 0 {
		t.Errorf("audit verify after the export: exit %d, %s%s", code, stdout.String(), stderr.String())
	}
	e := checkEntries(t, fx, fx.entries+1)[0]
	if e.Action != "export" || e.Actor.Kind != "operator" || e.Actor.ID != "op-kainuu" || e.RequestID != packageID || e.Register != "kainuu" {
		t.Errorf("newest entry %+v; want the export by op-kainuu naming package %s", e, packageID)
	}
	// The citizen and the next register read it as an AuditEvent.
	raw, err := json.Marshal(fhir.FromEntry(e, fhir.AuditRefs{Observer: "Kainuun hyvinvointialue"}))
	if err != nil {
		t.Fatal(err)
	}
	fhirschema.Validate(t, raw)
}

// An unknown person, an operator of another region and an existing
// output file each stop the export with one line and exit 1, and leave no
// file behind.
func TestExportRefusals(t *testing.T) {
	fx := newExportFixture(t, "sqlite")
	outDir := t.TempDir()
	out := filepath.Join(outDir, "p.zip")
	for _, tc := range []struct {
		name, person, operator, want string
	}{
		{"unknown person", "no-such-person", "op-kainuu", "not in the person index"},
		{"operator of another region", fx.person, "op-oulu", "not an operator of region kainuu"},
		{"a professional", fx.person, "pro-kainuu-nurse", "not an operator"},
		{"unknown operator", fx.person, "op-nobody", "not in the directory"},
	} {
		_, stderr, code := runExport(t, "--person", tc.person, "--operator", tc.operator, "--out", out, "--data", fx.dir)
		if code != 1 || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%s: exit %d, stderr %q; want 1 and one line saying %q", tc.name, code, stderr, tc.want)
		}
		if left, _ := os.ReadDir(outDir); len(left) != 0 {
			t.Errorf("%s: %d files left in the output directory, want none", tc.name, len(left))
		}
	}
	writeFile(t, outDir, "p.zip", "keep me", 0o600)
	if _, stderr, code := runExport(t, "--person", fx.person, "--operator", "op-kainuu", "--out", out, "--data", fx.dir); code != 1 || !strings.Contains(stderr, "exists") {
		t.Errorf("existing --out: exit %d, stderr %q", code, stderr)
	}
	if b, _ := os.ReadFile(out); string(b) != "keep me" {
		t.Errorf("existing --out was overwritten")
	}
	if _, _, code := runExport(t, "--person", fx.person, "--out", out); code != 2 {
		t.Errorf("without --operator: exit %d, want 2 (usage)", code)
	}
}

// Content in the bucket that fails its check stops the export with an
// error naming the file: no package, and no export in the access log.
func TestExportStopsOnDamagedContent(t *testing.T) {
	fx := newExportFixture(t, "sqlite")
	for p, b := range bucketObjects(t, filepath.Join(fx.dir, "files")) {
		b[len(b)/2] ^= 0x01
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	outDir := t.TempDir()
	_, stderr, code := runExport(t, "--person", fx.person, "--operator", "op-kainuu",
		"--out", filepath.Join(outDir, "p.zip"), "--data", fx.dir)
	named := false
	for id := range fx.files {
		named = named || strings.Contains(stderr, "file "+id)
	}
	if code != 1 || !named {
		t.Errorf("damaged content: exit %d, stderr %q; want 1 and the file's id", code, stderr)
	}
	if left, _ := os.ReadDir(outDir); len(left) != 0 {
		t.Errorf("%d files left in the output directory, want none", len(left))
	}
	checkEntries(t, fx, fx.entries)
}

// checkEntries counts the person's access-log entries.
func checkEntries(t *testing.T, fx exportFixture, want int) []audit.Entry {
	t.Helper()
	cfg, err := loadConfig(fx.config)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = fx.dir
	cfg.applyDefaults()
	a := &app{}
	defer a.Close()
	st, err := a.openStorage(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	es, err := st.PatientEntries(context.Background(), audit.Query{PatientID: fx.person, Limit: 100})
	if err != nil || len(es) != want {
		t.Fatalf("%d access-log entries (%v), want %d", len(es), err, want)
	}
	return es
}

// The package names the configured deployment as its source; with real
// issuers the setting is required, and a name that is not an id is
// refused when the configuration is read.
func TestExportDeploymentSetting(t *testing.T) {
	fx := newExportFixture(t, "sqlite")
	fx.config = writeFile(t, t.TempDir(), "omahoito.json", `{"deployment": "north"}`, 0o600)
	out := filepath.Join(t.TempDir(), "p.zip")
	if _, _, code := runExport(t, "--person", fx.person, "--operator", "op-kainuu", "--out", out, "--data", fx.dir, "--config", fx.config); code != 0 {
		t.Fatalf("export: exit %d", code)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	pubs, err := audit.ReadPublicKeys(publicKeyFile(t, "--data", fx.dir))
	if err != nil {
		t.Fatal(err)
	}
	asDevelopment := exchange.TrustedKeys{}
	asDevelopment.Add(exchange.Source{Deployment: "development", Region: "kainuu"}, pubs[0])
	if _, err := exchange.Open(f, fi.Size(), asDevelopment, exchange.Limits{}); !errors.Is(err, exchange.ErrUntrusted) {
		t.Errorf("a package of deployment north opened with the key trusted for development only: %v", err)
	}
	asNorth := exchange.TrustedKeys{}
	asNorth.Add(exchange.Source{Deployment: "north", Region: "kainuu"}, pubs[0])
	if _, err := exchange.Open(f, fi.Size(), asNorth, exchange.Limits{}); err != nil {
		t.Errorf("open as north's: %v", err)
	}

	issuers := `"citizen_issuer": {"issuer": "https://idp.example"}, "professional_issuer": {"issuer": "https://idp.example/pro"}`
	for _, tc := range []struct{ config, want string }{
		{`{` + issuers + `}`, "deployment (OMAHOITO_DEPLOYMENT) is required"},
		{`{"deployment": "north/1"}`, `deployment is "north/1"`},
	} {
		cfg := writeFile(t, t.TempDir(), "omahoito.json", tc.config, 0o600)
		_, stderr, code := runExport(t, "--person", fx.person, "--operator", "op-kainuu",
			"--out", filepath.Join(t.TempDir(), "p.zip"), "--data", fx.dir, "--config", cfg)
		if code != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("config %s: exit %d, stderr %q; want 1 and %q", tc.config, code, stderr, tc.want)
		}
	}
}
