package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/internal/fhirschema"
	"github.com/omahoito/omahoito/store/postgres/pgtest"
)

const (
	bundleFile  = "testdata/directory-bundle.json"
	ownJSONFile = "testdata/directory.json"
)

// mustSeedDemoDirectory puts the demo directory into cfg's database before
// a start with real issuers, which seeds nothing, as an operator's
// omahoito directory import would.
func mustSeedDemoDirectory(tb testing.TB, cfg Config) {
	tb.Helper()
	a := &app{}
	defer a.Close()
	store, err := a.openStorage(context.Background(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	if err := auth.SeedDirectory(context.Background(), store, auth.DemoDirectory()); err != nil {
		tb.Fatal(err)
	}
}

func runDirectory(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), append([]string{"directory"}, args...), &out, &errOut)
	t.Logf("omahoito directory %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errOut.String())
	return out.String(), errOut.String(), code
}

// directoryConfig is a configuration file for database, and the Config it
// holds.
func directoryConfig(t *testing.T, database string) (string, Config) {
	t.Helper()
	t.Setenv("OMAHOITO_DATABASE_URL", "")
	dir := t.TempDir()
	cfg := Config{DataDir: filepath.Join(dir, "data")}
	body := `{"data_dir": "` + cfg.DataDir + `"}`
	if database == "postgres" {
		cfg.DatabaseURL = pgtest.SchemaURL(t)
		body = `{"data_dir": "` + cfg.DataDir + `", "database_url": "` + cfg.DatabaseURL + `"}`
	}
	return writeFile(t, dir, "omahoito.json", body, 0o600), cfg
}

// storedDirectory is everything a directory holds that a login or a page
// would see: every region, and every care unit and active professional
// that the two test files name.
func storedDirectory(t *testing.T, cfg Config) string {
	t.Helper()
	ctx := context.Background()
	a := &app{}
	defer a.Close()
	s, err := a.openStorage(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	regions, err := s.Regions(ctx)
	must(t, err)
	for _, r := range regions {
		b.WriteString(strings.Join([]string{"region", r.ID, r.Name, r.RegistrarOID, r.RegistrarName}, "|") + "\n")
	}
	for _, id := range []string{"unit-lappi-rovaniemi", "unit-lappi-kemi"} {
		if u, err := s.CareUnit(ctx, id); err == nil {
			b.WriteString(strings.Join([]string{"unit", u.ID, u.RegionID, u.OID, u.Name}, "|") + "\n")
		}
	}
	for _, name := range []string{"lappi-nurse", "lappi-nurse2", "lappi-doctor", "lappi-operator"} {
		if p, err := s.ProfessionalByUsername(ctx, name); err == nil {
			b.WriteString(strings.Join([]string{"pro", p.ID, p.Username, p.Terhikki, p.GivenName, p.FamilyName,
				p.Title, string(p.Role), p.CareUnitID, p.RegionID}, "|") + "\n")
		}
	}
	return b.String()
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// The command on both databases: a FHIR Bundle, the same again (nothing
// changes), then our own JSON with a unit renamed, a professional moved
// and retitled, one added and one gone.
func TestDirectoryImportCommand(t *testing.T) {
	for _, db := range databases {
		t.Run(db, func(t *testing.T) {
			cfgPath, cfg := directoryConfig(t, db)
			out, _, code := runDirectory(t, "import", bundleFile, "--config", cfgPath)
			wantLines(t, "first import", code, out,
				"regions:       1 added, 0 updated, 0 unchanged, 0 not in the file (kept)",
				"care units:    2 added, 0 updated, 0 unchanged, 0 not in the file (kept)",
				"professionals: 3 added, 0 updated, 0 unchanged, 0 deactivated")
			first := storedDirectory(t, cfg)
			for _, want := range []string{
				"region|lappi|Lappi|1.2.246.10.99990003.10.0|Lapin hyvinvointialue",
				"unit|unit-lappi-kemi|lappi|1.2.246.10.99990003.10.2|Kemin terveysasema",
				"pro|pro-lappi-nurse|lappi-nurse|10000000011|Elli Maria|Rautio|sairaanhoitaja|professional|unit-lappi-rovaniemi|lappi",
				"pro|pro-lappi-doctor|lappi-doctor|10000000012|Veikko|Lehtola|lääkäri|professional|unit-lappi-kemi|lappi",
				"pro|op-lappi|lappi-operator||Tuula|Kangas|rekisterinpitäjän operaattori|operator|unit-lappi-rovaniemi|lappi",
			} {
				if !strings.Contains(first, want+"\n") {
					t.Errorf("after the Bundle, no %q in\n%s", want, first)
				}
			}

			out, _, code = runDirectory(t, "import", "--config", cfgPath, bundleFile)
			wantLines(t, "the same file again", code, out,
				"regions:       0 added, 0 updated, 1 unchanged", "care units:    0 added, 0 updated, 2 unchanged",
				"professionals: 0 added, 0 updated, 3 unchanged, 0 deactivated", "nothing changed")
			if again := storedDirectory(t, cfg); again != first {
				t.Errorf("the same file again changed the directory:\n%s\nwas\n%s", again, first)
			}

			out, _, code = runDirectory(t, "import", ownJSONFile, "--config", cfgPath)
			wantLines(t, "changed file", code, out, "(JSON)",
				"care units:    0 added, 1 updated, 1 unchanged",
				"professionals: 1 added, 1 updated, 1 unchanged, 1 deactivated")
			changed := storedDirectory(t, cfg)
			for _, want := range []string{
				"unit|unit-lappi-kemi|lappi|1.2.246.10.99990003.10.2|Kemin sairaala",
				"pro|pro-lappi-nurse|lappi-nurse|10000000011|Elli Maria|Rautio|terveydenhoitaja|professional|unit-lappi-kemi|lappi",
				"pro|pro-lappi-nurse2|lappi-nurse2|10000000013|Oona|Niva|sairaanhoitaja|professional|unit-lappi-rovaniemi|lappi",
			} {
				if !strings.Contains(changed, want+"\n") {
					t.Errorf("after the JSON file, no %q in\n%s", want, changed)
				}
			}
			if strings.Contains(changed, "lappi-doctor") {
				t.Errorf("the doctor missing from the newer file can still log in:\n%s", changed)
			}
			out, _, code = runDirectory(t, "import", ownJSONFile, "--config", cfgPath)
			wantLines(t, "changed file again", code, out, "professionals: 0 added, 0 updated, 3 unchanged, 0 deactivated", "nothing changed")
		})
	}
}

func wantLines(t *testing.T, what string, code int, out string, lines ...string) {
	t.Helper()
	if code != 0 {
		t.Fatalf("%s: exit %d", what, code)
	}
	for _, l := range lines {
		if !strings.Contains(out, l) {
			t.Errorf("%s: output lacks %q:\n%s", what, l, out)
		}
	}
}

// Each bad file is refused in one line that names the place and the field,
// with exit status 1, and changes nothing, though what precedes the fault
// is good.
func TestDirectoryImportRefusals(t *testing.T) {
	cfgPath, cfg := directoryConfig(t, "sqlite")
	if _, _, code := runDirectory(t, "import", bundleFile, "--config", cfgPath); code != 0 {
		t.Fatal("setup import failed")
	}
	bundle, err := os.ReadFile(bundleFile)
	must(t, err)
	own, err := os.ReadFile(ownJSONFile)
	must(t, err)
	edit := func(src []byte, old, new string) string {
		if !bytes.Contains(src, []byte(old)) {
			t.Fatalf("test file lacks %q", old)
		}
		return strings.Replace(string(src), old, new, 1)
	}
	cases := map[string]struct{ body, want string }{
		"not JSON":          {`{"regions": [`, "line 1: not JSON: unexpected end of JSON input"},
		"syntax":            {"{\n\"regions\": [}\n", "line 2: not JSON"},
		"unknown field":     {edit(own, `"registrar_oid"`, `"registrar_0id"`), `unknown field "registrar_0id"`},
		"no regions":        {`{"regions": []}`, "the file names no region"},
		"bad region id":     {edit(own, `"id": "lappi"`, `"id": "Lappi/1"`), `regions[0]: id "Lappi/1" is not a region id`},
		"unit of no region": {edit(own, `"region": "lappi", "oid": "1.2.246.10.99990003.10.2"`, `"region": "lapland", "oid": "1.2.246.10.99990003.10.2"`), `care_units[1]: region "lapland" is not a region of the file`},
		"bad role":          {edit(own, `"role": "operator"`, `"role": "admin"`), `professionals[2]: role "admin"`},
		"username twice":    {edit(own, `"username": "lappi-nurse2"`, `"username": "lappi-nurse"`), "professionals[1]: username lappi-nurse is professional pro-lappi-nurse's already"},
		"bundle type":       {edit(bundle, `"type": "collection"`, `"type": "searchset"`), `Bundle.type is "searchset"; want collection, batch or transaction`},
		"other resource": {edit(bundle, `"resourceType": "Practitioner",
        "id": "op-lappi"`, `"resourceType": "Patient",
        "id": "op-lappi"`), `Bundle.entry[7] (Patient/op-lappi): resourceType: "Patient" is not one of`},
		"unit of no region ref": {edit(bundle, `"partOf": {"reference": "Organization/region-lappi"}`, `"partOf": {"reference": "Organization/region-lapland"}`), `Bundle.entry[2] (Organization/unit-lappi-kemi): Organization.partOf: "Organization/region-lapland" is no Organization of the Bundle`},
		"no OID":                {edit(bundle, `"value": "urn:oid:1.2.246.10.99990003.10.2"`, `"value": "1.2.246.10.99990003.10.2"`), "Bundle.entry[2] (Organization/unit-lappi-kemi): Organization.identifier: no OID"},
		"no username":           {edit(bundle, `{"system": "urn:omahoito:username", "value": "lappi-doctor"}`, `{"system": "urn:example:login", "value": "lappi-doctor"}`), "Bundle.entry[5] (Practitioner/pro-lappi-doctor): Practitioner.identifier: no username"},
		"no role code":          {edit(bundle, `{"system": "urn:omahoito:role", "code": "operator"}`, `{"system": "urn:omahoito:role", "code": "boss"}`), "Bundle.entry[8] (PractitionerRole): PractitionerRole.code: want a coding of system urn:omahoito:role"},
		"role at a region":      {edit(bundle, `"organization": {"reference": "Organization/unit-lappi-kemi"}`, `"organization": {"reference": "Organization/region-lappi"}`), "Bundle.entry[6] (PractitionerRole): PractitionerRole.organization: Organization/region-lappi is a region"},
		"practitioner no role":  {edit(bundle, `"practitioner": {"reference": "Practitioner/op-lappi"}`, `"practitioner": {"reference": "Practitioner/pro-lappi-nurse"}`), "Bundle.entry[8] (PractitionerRole): PractitionerRole.practitioner: Practitioner/pro-lappi-nurse has an active role already"},
		"bad Terhikki":          {edit(bundle, `"value": "10000000012"`, `"value": "TK-12"`), `Bundle.entry[5] (Practitioner/pro-lappi-doctor): Terhikki registration number "TK-12" is not a number`},
		// Valid in itself, refused by the database: the last professional
		// takes the username of one outside the file.
		"username of another": {edit(own, `"username": "lappi-nurse2"`, `"username": "kainuu-nurse"`), "professional pro-lappi-nurse2"},
	}
	mustSeedDemoDirectory(t, cfg) // kainuu-nurse, for the last case
	before := storedDirectory(t, cfg)
	dir := t.TempDir()
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := writeFile(t, dir, strings.ReplaceAll(name, " ", "_")+".json", tc.body, 0o600)
			out, errOut, code := runDirectory(t, "import", p, "--config", cfgPath)
			if code != 1 || out != "" || !strings.Contains(errOut, tc.want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and one line containing %q", code, out, errOut, tc.want)
			}
			if after := storedDirectory(t, cfg); after != before {
				t.Errorf("a refused file changed the directory:\n%s\nwas\n%s", after, before)
			}
		})
	}
	if _, errOut, code := runDirectory(t, "import"); code != 2 || !strings.Contains(errOut, "usage: omahoito directory import FILE") {
		t.Errorf("no file: exit %d, %q", code, errOut)
	}
}

// The test Bundle is what the docs show operators: it must be valid R4.
func TestDirectoryBundleIsR4(t *testing.T) {
	b, err := os.ReadFile(bundleFile)
	must(t, err)
	fhirschema.Validate(t, b)
}

// A start refuses a default_region that is not in the directory, in one
// line naming the setting: with real issuers (nothing seeded) until the
// directory is imported, and in development after the demo seed.
func TestStartRefusesRegionNotInDirectory(t *testing.T) {
	t.Setenv("OMAHOITO_DATABASE_URL", "")
	t.Setenv("BROKER_SECRET", "s3cret")
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	key := writeFile(t, dir, "hetu.key", base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3}, 32)), 0o600)
	real := writeFile(t, dir, "real.json", `{"data_dir": "`+data+`", "hetu_key_file": "`+key+`", "audit_signing_key": "`+mustAuditKey(t)+`",
	  "default_region": "lappi", "files_master_keys": [{"key_file": "`+writeMasterKey(t, dir, "files.key", 4)+`"}],
	  "citizen_issuer": {"issuer": "https://b.example/citizen", "client_id": "a", "client_secret_env": "BROKER_SECRET"},
	  "professional_issuer": {"issuer": "https://b.example/pro", "client_id": "a", "client_secret_env": "BROKER_SECRET"}}`, 0o600)
	code, errOut := serveBriefly(t, []string{"--addr", "127.0.0.1:0", "--config", real})
	want := `default_region "lappi" is not a region of the directory (omahoito directory import FILE); the directory has no regions yet`
	if code != 1 || !strings.Contains(errOut, want) || strings.Contains(errOut, "\n") {
		t.Errorf("real issuers, empty directory: exit %d, stderr %q; want one line containing %q", code, errOut, want)
	}

	if _, _, code := runDirectory(t, "import", bundleFile, "--config", real); code != 0 {
		t.Fatal("import failed")
	}
	cfg, err := loadConfig(real)
	must(t, err)
	cfg.applyDefaults()
	cfg.BaseURL = "http://127.0.0.1:1"
	a, err := newApp(context.Background(), cfg, slog.New(slog.NewJSONHandler(&syncBuffer{}, nil)))
	if err != nil {
		t.Fatalf("start after the import: %v", err)
	}
	defer a.Close()
	regions, err := a.store.Regions(context.Background())
	if err != nil || len(regions) != 1 || regions[0].ID != "lappi" {
		t.Errorf("regions with real issuers: %+v, %v; want lappi alone, nothing seeded", regions, err)
	}

	devCfg := writeFile(t, dir, "dev.json", `{"default_region": "lappi"}`, 0o600)
	code, errOut = serveBriefly(t, []string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--config", devCfg})
	want = `default_region "lappi" is not a region of the directory (omahoito directory import FILE); the directory's regions are kainuu, oulu`
	lines := strings.Split(errOut, "\n") // the development provider's warning, then the refusal
	if last := lines[len(lines)-1]; code != 1 || !strings.HasPrefix(last, "omahoito: ") || !strings.Contains(last, want) {
		t.Errorf("development: exit %d, stderr %q; want one line containing %q", code, errOut, want)
	}
}

// A professional missing from a newer file can no longer log in, and a
// session they hold is refused; their id stays theirs.
func TestDeactivatedProfessionalIsLoggedOut(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, a *testApp) {
		ctx := context.Background()
		importFile := func(path string) auth.DirectoryReport {
			f, err := os.Open(path)
			must(t, err)
			defer f.Close()
			d, _, err := readDirectoryFile(f)
			must(t, err)
			r, err := a.store.(auth.DirectoryImporter).ImportDirectory(ctx, d)
			must(t, err)
			return r
		}
		importFile(bundleFile)
		doctor := browser(t)
		res, body := a.professionalLogin(t, doctor, "lappi-doctor")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Veikko Lehtola") || !strings.Contains(body, "Kemin terveysasema") {
			t.Fatalf("imported doctor's login: %d\n%s", res.StatusCode, body)
		}
		if res, _ := get(t, doctor, a.URL+"/fhir/r4/Patient"); res.StatusCode != http.StatusOK {
			t.Fatalf("imported doctor's Patient search: %d", res.StatusCode)
		}
		if r := importFile(ownJSONFile); r.Professionals.Deactivated != 1 {
			t.Fatalf("newer file: %+v", r)
		}
		if res, body := get(t, doctor, a.URL+"/fhir/r4/Patient"); res.StatusCode != http.StatusForbidden {
			t.Errorf("deactivated doctor's session: Patient search %d, want 403: %s", res.StatusCode, body)
		}
		if res, _ := a.professionalLogin(t, browser(t), "lappi-doctor"); res.StatusCode != http.StatusBadRequest {
			t.Errorf("deactivated doctor's login: %d, want the provider's unknown-username answer", res.StatusCode)
		}
		if res, body := a.professionalLogin(t, browser(t), "lappi-nurse2"); res.StatusCode != http.StatusOK || !strings.Contains(body, "Oona Niva") {
			t.Errorf("added nurse's login: %d", res.StatusCode)
		}
	})
}
