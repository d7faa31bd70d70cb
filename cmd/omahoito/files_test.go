package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/storetest"
)

var (
	annaCitizen = auth.Principal{Kind: auth.KindCitizen, PersonID: "anna"}
	filePDF     = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	fileText    = []byte("Kontrolliaika 12.3. klo 10, ota lähete mukaan.\n")
)

// writeMasterKey writes a 32-byte master key of fill bytes, base64, 0600.
func writeMasterKey(tb testing.TB, dir, name string, fill byte) string {
	tb.Helper()
	return writeFile(tb, dir, name, base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{fill}, 32))+"\n", 0o600)
}

// devApp builds the app on SQLite under dir with no configuration, as
// serve would, without serving it.
func devApp(tb testing.TB, dir string, logs *syncBuffer) *app {
	tb.Helper()
	cfg := Config{DataDir: dir, BaseURL: "http://127.0.0.1:1"}
	cfg.applyDefaults()
	a, err := newApp(context.Background(), cfg, slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

func addFile(tb testing.TB, files *record.Files, name string, body []byte) record.File {
	tb.Helper()
	f, err := files.Add(context.Background(), annaCitizen, "anna", record.Upload{Name: name, Title: name, Body: bytes.NewReader(body)})
	if err != nil {
		tb.Fatalf("add %s: %v", name, err)
	}
	return f
}

func readFile(tb testing.TB, files *record.Files, id string) ([]byte, error) {
	tb.Helper()
	_, rc, err := files.Open(context.Background(), annaCitizen, "anna", id)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var b bytes.Buffer
	_, err = b.ReadFrom(rc)
	return b.Bytes(), err
}

func TestFilesConfigDefaults(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{DataDir: dir}
	u, err := cfg.filesURL()
	if want := "file://" + filepath.ToSlash(dir) + "/files?create_dir=1&dir_file_mode=0700"; err != nil || u != want {
		t.Errorf("files_url default %q (%v), want %q", u, err, want)
	}
	if lim, err := cfg.fileLimits(); err != nil || lim != record.DefaultLimits() {
		t.Errorf("limits %+v (%v), want the defaults", lim, err)
	}
	if g, err := cfg.sweepGrace(); err != nil || g != time.Hour {
		t.Errorf("files_sweep_grace default %v (%v), want 1h", g, err)
	}
	t.Setenv("OMAHOITO_FILES_URL", "s3://bucket?region=eu-north-1")
	t.Setenv("OMAHOITO_FILE_MAX_SIZE", "1000")
	t.Setenv("OMAHOITO_FILES_SWEEP_GRACE", "2h")
	cfg, err = loadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	lim, _ := cfg.fileLimits()
	g, _ := cfg.sweepGrace()
	if cfg.FilesURL != "s3://bucket?region=eu-north-1" || lim.MaxFileSize != 1000 || lim.MaxPersonSize != record.DefaultMaxPersonSize || g != 2*time.Hour {
		t.Errorf("environment not applied: url %q, limits %+v, grace %v", cfg.FilesURL, lim, g)
	}
}

// Every file setting the process cannot run with refuses the start with
// one line naming the setting.
func TestFilesConfigRefusals(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "test") // so the S3 client asks the endpoint, not the instance metadata
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	dir := t.TempDir()
	good := writeMasterKey(t, dir, "good.key", 1)
	open := writeMasterKey(t, dir, "open.key", 2)
	if err := os.Chmod(open, 0o644); err != nil {
		t.Fatal(err)
	}
	openBucket := filepath.Join(dir, "open-bucket")
	if err := os.Mkdir(openBucket, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(openBucket, 0o755); err != nil {
		t.Fatal(err)
	}
	real := `"hetu_key_file": "` + writeMasterKey(t, dir, "hetu.key", 3) + `", "audit_signing_key": "` + mustAuditKey(t) + `",
	  "citizen_issuer": {"issuer": "https://b.example/x", "client_id": "a"}, "professional_issuer": {"issuer": "https://b.example/y", "client_id": "a"}`
	cases := map[string]struct{ json, want string }{
		"real issuers, no keys":    {`{` + real + `}`, "files_master_keys is required"},
		"negative file size":       {`{"file_max_size": -1}`, "file_max_size must be more than 0"},
		"negative person size":     {`{"person_max_size": -5}`, "person_max_size must be more than 0"},
		"file over person":         {`{"file_max_size": 2000, "person_max_size": 1000}`, "file_max_size 2000 is more than person_max_size 1000"},
		"file over default person": {`{"file_max_size": 600000000}`, "is more than person_max_size"},
		"grace not a duration":     {`{"files_sweep_grace": "soon"}`, `files_sweep_grace is "soon"`},
		"grace too short":          {`{"files_sweep_grace": "1s"}`, `files_sweep_grace is "1s"`},
		"unreachable S3":           {`{"files_url": "s3://files?region=eu-north-1&endpoint=http://127.0.0.1:1&use_path_style=true"}`, "files_url (OMAHOITO_FILES_URL): file storage is unavailable"},
		"unknown scheme":           {`{"files_url": "ftp://files.example/x"}`, "files_url"},
		"bucket dir missing":       {`{"files_url": "file://` + filepath.ToSlash(dir) + `/none"}`, "files_url"},
		"bucket dir open":          {`{"files_url": "file://` + filepath.ToSlash(openBucket) + `"}`, "chmod 700"},
		"key file missing":         {`{"files_master_keys": [{"id": "a", "key_file": "` + good + `"}, {"id": "b", "key_file": "/nonexistent/b.key"}], "files_master_key_current": "b"}`, "files_master_keys #2: key_file"},
		"key file open":            {`{"files_master_keys": [{"key_file": "` + open + `"}]}`, "chmod 600"},
		"key not base64":           {`{"files_master_keys": [{"key_file": "` + writeFile(t, dir, "bad.key", "not a key", 0o600) + `"}]}`, "files_master_keys #1"},
		"current not listed":       {`{"files_master_keys": [{"id": "a", "key_file": "` + good + `"}], "files_master_key_current": "c"}`, `files_master_key_current is "c"`},
		"two keys no current":      {`{"files_master_keys": [{"id": "a", "key_file": "` + good + `"}, {"id": "b", "key_file": "` + good + `"}]}`, "files_master_key_current"},
		"id twice":                 {`{"files_master_keys": [{"id": "a", "key_file": "` + good + `"}, {"id": "a", "key_file": "` + good + `"}], "files_master_key_current": "a"}`, "id a is listed twice"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			p := writeFile(t, dir, strings.ReplaceAll(name, " ", "_")+".json", tc.json, 0o600)
			code := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--config", p}, &out, &errOut)
			if code == 0 || !strings.Contains(errOut.String(), tc.want) || strings.Count(strings.TrimSpace(errOut.String()), "\n") != 0 {
				t.Errorf("exit %d, stderr %q; want a one-line error containing %q", code, errOut.String(), tc.want)
			}
		})
	}
}

// A development start generates the master key (0600) and the bucket
// directory (0700), makes a directory left open private, and keeps the
// key across starts: files written before stay readable.
func TestFilesDevelopmentStart(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "files"), 0o755); err != nil { // an older start, a wide umask
		t.Fatal(err)
	}
	a := devApp(t, dir, &syncBuffer{})
	storetest.MustSeedPeople(t, a.store, "anna")
	f := addFile(t, a.files, "kirje.pdf", filePDF)
	a.Close()
	for name, want := range map[string]os.FileMode{devMasterKeyFile: 0o600, "files": 0o700} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: mode %v (%v), want %v", name, st.Mode().Perm(), err, want)
		}
	}
	key, _ := os.ReadFile(filepath.Join(dir, devMasterKeyFile))
	a = devApp(t, dir, &syncBuffer{})
	defer a.Close()
	if again, _ := os.ReadFile(filepath.Join(dir, devMasterKeyFile)); !bytes.Equal(key, again) {
		t.Fatal("a second start replaced the master key: every file would become unreadable")
	}
	if got, err := readFile(t, a.files, f.ID); err != nil || !bytes.Equal(got, filePDF) {
		t.Errorf("after a restart the file reads %q (%v)", got, err)
	}
}

// The sweeper removes content no record names once it is older than the
// grace, keeps every file's content, and logs the count; closing the app
// stops it.
func TestFilesSweeper(t *testing.T) {
	dir := t.TempDir()
	logs := &syncBuffer{}
	a := devApp(t, dir, logs)
	defer a.Close()
	storetest.MustSeedPeople(t, a.store, "anna")
	f := addFile(t, a.files, "kirje.pdf", filePDF)
	orphan, err := a.content.Put(context.Background(), bytes.NewReader(fileText), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := a.content.Put(context.Background(), bytes.NewReader(fileText), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * time.Hour)
	orphanPath := filepath.Join(dir, "files", filepath.FromSlash(orphan.TempKey))
	if err := os.Chtimes(orphanPath, old, old); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(filepath.Join(dir, "files", filepath.FromSlash(f.ContentKey)), old, old); err != nil {
		t.Fatal(err)
	}
	a.startSweeper(context.Background(), time.Hour) // the first sweep runs at once
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), `"msg":"files swept"`) {
		if time.Now().After(deadline) {
			t.Fatalf("no sweep logged: %s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), `"removed":1`) {
		t.Errorf("sweep log %s, want removed 1", logs.String())
	}
	if _, err := os.Stat(orphanPath); !os.IsNotExist(err) {
		t.Errorf("old content without a record was kept (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "files", filepath.FromSlash(fresh.TempKey))); err != nil {
		t.Errorf("content within the grace (an upload on its way) was swept: %v", err)
	}
	if got, err := readFile(t, a.files, f.ID); err != nil || !bytes.Equal(got, filePDF) {
		t.Errorf("a file's content was swept: %q (%v)", got, err)
	}
}
