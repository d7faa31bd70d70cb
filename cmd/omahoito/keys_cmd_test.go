package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/blob"
	"github.com/omahoito/omahoito/store/sqlite"
	"github.com/omahoito/omahoito/store/storetest"
)

func runKeys(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), append([]string{"keys"}, args...), &out, &errOut)
	t.Logf("omahoito keys %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errOut.String())
	return out.String(), errOut.String(), code
}

// bucketObjects is every object of the bucket under dir, by path.
func bucketObjects(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	objs := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		objs[p] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// filesWithOnly is the files service over the data directory's database
// and bucket with a ring holding the one key in keyFile.
func filesWithOnly(t *testing.T, dir, id, keyFile string) *record.Files {
	t.Helper()
	ctx := context.Background()
	raw, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	key, err := blob.ParseMasterKey(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	ring, err := blob.NewMasterKeys(id, map[string][]byte{id: key})
	if err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(ctx, filepath.Join(dir, "omahoito.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	bucket, err := blob.Open(ctx, "file://"+filepath.ToSlash(filepath.Join(dir, "files")), ring)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bucket.Close() })
	return &record.Files{Store: s, Content: blob.RecordContent{Store: bucket}}
}

// Files written under the development key A are rewrapped to a new key B:
// afterwards B alone reads them byte for byte and A reads none, the
// content in the bucket is the same bytes, and a second run finds nothing.
func TestKeysRotate(t *testing.T) {
	dir := t.TempDir()
	a := devApp(t, dir, &syncBuffer{})
	storetest.MustSeedPeople(t, a.store, "anna")
	pdf := addFile(t, a.files, "kirje.pdf", filePDF)
	text := addFile(t, a.files, "muistio.txt", fileText)
	a.Close()
	keyA := filepath.Join(dir, devMasterKeyFile)
	idA := pdf.MasterKeyID
	before := bucketObjects(t, filepath.Join(dir, "files"))
	if len(before) != 2 {
		t.Fatalf("bucket holds %d objects, want the 2 files", len(before))
	}

	keyB := writeMasterKey(t, t.TempDir(), "b.key", 0xb)
	cfg := writeFile(t, t.TempDir(), "omahoito.json", `{"files_master_keys": [
	  {"key_file": "`+keyA+`"}, {"id": "B", "key_file": "`+keyB+`"}], "files_master_key_current": "B"}`, 0o600)
	out, _, code := runKeys(t, "rotate", "--data", dir, "--config", cfg)
	if code != 0 || !strings.Contains(out, "rewrapped 2 files from "+idA+" to B") {
		t.Fatalf("exit %d, stdout %q; want the two files rewrapped from %s to B", code, out, idA)
	}

	onlyB := filesWithOnly(t, dir, "B", keyB)
	for _, f := range []struct {
		id   string
		want []byte
	}{{pdf.ID, filePDF}, {text.ID, fileText}} {
		if got, err := readFile(t, onlyB, f.id); err != nil || !bytes.Equal(got, f.want) {
			t.Errorf("file %s with key B only: %q (%v), want the bytes written", f.id, got, err)
		}
	}
	if _, err := readFile(t, filesWithOnly(t, dir, idA, keyA), pdf.ID); err == nil {
		t.Error("the old key still reads a rotated file: its data key was not rewrapped")
	}
	after := bucketObjects(t, filepath.Join(dir, "files"))
	if len(after) != len(before) {
		t.Errorf("bucket objects %d after, %d before", len(after), len(before))
	}
	for p, b := range before {
		if !bytes.Equal(after[p], b) {
			t.Errorf("content %s changed by the rotation", p)
		}
	}

	out, _, code = runKeys(t, "rotate", "--data", dir, "--config", cfg)
	if code != 0 || !strings.Contains(out, "rewrapped 0 files from "+idA+" to B") {
		t.Errorf("second run: exit %d, stdout %q; want 0 files rewrapped", code, out)
	}
}

// A key file that is missing stops the rotation with one line naming it;
// without configured keys (development) there is nothing to rotate.
func TestKeysRotateRefusalsAndNothingToDo(t *testing.T) {
	dir := t.TempDir()
	good := writeMasterKey(t, dir, "a.key", 0xa)
	cfg := writeFile(t, dir, "omahoito.json", `{"files_master_keys": [
	  {"id": "A", "key_file": "`+good+`"}, {"id": "B", "key_file": "`+filepath.Join(dir, "b.key")+`"}], "files_master_key_current": "B"}`, 0o600)
	_, errOut, code := runKeys(t, "rotate", "--data", dir, "--config", cfg)
	if code == 0 || !strings.Contains(errOut, "b.key") || !strings.Contains(errOut, "files_master_keys #2") ||
		strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Errorf("missing key file: exit %d, stderr %q; want one line naming files_master_keys #2 and its file", code, errOut)
	}

	out, _, code := runKeys(t, "rotate", "--data", dir)
	if code != 0 || !strings.Contains(out, "nothing to rotate") || !strings.Contains(out, "files_master_keys") {
		t.Errorf("development: exit %d, stdout %q; want an explanation that there is nothing to rotate", code, out)
	}
	if _, err := os.Stat(filepath.Join(dir, devMasterKeyFile)); !os.IsNotExist(err) {
		t.Errorf("keys rotate created a development key (%v)", err)
	}

	one := writeFile(t, dir, "one.json", `{"files_master_keys": [{"id": "A", "key_file": "`+good+`"}]}`, 0o600)
	if out, _, code := runKeys(t, "rotate", "--data", dir, "--config", one); code != 0 || !strings.Contains(out, "only the current key A") {
		t.Errorf("one key: exit %d, stdout %q; want nothing to rotate", code, out)
	}
	if _, _, code := runKeys(t, "turn"); code != 2 {
		t.Errorf("unknown keys subcommand: exit %d, want 2", code)
	}
}

// A rotation of more than a batch reports each committed batch of 500,
// then the total.
func TestKeysRotateProgressPerBatch(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "omahoito.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	storetest.MustSeedPeople(t, s, "anna")
	ring, err := blob.NewMasterKeys("B", map[string][]byte{"A": bytes.Repeat([]byte{0xa}, 32), "B": bytes.Repeat([]byte{0xb}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	onlyA, err := blob.NewMasterKeys("A", map[string][]byte{"A": bytes.Repeat([]byte{0xa}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	const n = 2*rewrapBatch + 1
	for i := range n {
		_, wrapped, id, err := onlyA.NewDataKey()
		if err != nil {
			t.Fatal(err)
		}
		f := record.File{ID: fmt.Sprintf("f%04d", i), PersonID: "anna", Version: 1, Name: "a.txt", Type: record.MediaText,
			Size: 1, SHA256: make([]byte, 32), ContentKey: fmt.Sprintf("files/%04d", i), DataKey: wrapped, MasterKeyID: id,
			CreatedAt: time.Now(), UpdatedAt: time.Now(), EnteredBy: record.ActorOf(annaCitizen)}
		if err := s.CreateFile(ctx, f, record.DefaultMaxPersonSize); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	got, err := rewrapFrom(ctx, s, ring, "A", &out)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if err != nil || got != n || len(lines) != 2 || !strings.Contains(lines[0], "500 files") || !strings.Contains(lines[1], "1000 files") {
		t.Errorf("rewrapped %d (%v), progress %q; want %d and a line at 500 and 1000", got, err, out.String(), n)
	}
}
