package record_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/blob"
	"github.com/omahoito/omahoito/store/sqlite"
	"github.com/omahoito/omahoito/store/storetest"
)

// filesWorld is the files service over real SQLite and a real encrypted
// bucket on disk, for anna and ben.
type filesWorld struct {
	files *record.Files
	dir   string // the bucket's directory
}

func newFilesWorld(t *testing.T, lim record.Limits) filesWorld {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	storetest.MustSeedPeople(t, s, "anna", "ben")
	keys, err := blob.NewMasterKeys("k1", map[string][]byte{"k1": bytes.Repeat([]byte{7}, blob.KeySize)})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bucket, err := blob.Open(ctx, "file://"+dir+"?create_dir=1", keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bucket.Close() })
	return filesWorld{files: &record.Files{Store: s, Content: blob.RecordContent{Store: bucket}, Limits: lim}, dir: dir}
}

var (
	annaOwner = auth.Principal{Kind: auth.KindCitizen, PersonID: "anna"}
	aPDF      = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
)

func (w filesWorld) add(t *testing.T, name string, body []byte) (record.File, error) {
	t.Helper()
	return w.files.Add(context.Background(), annaOwner, "anna", record.Upload{Name: name, Title: "Kirje", Body: bytes.NewReader(body)})
}

func readAll(t *testing.T, rc io.ReadCloser) []byte {
	t.Helper()
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A citizen's PDF goes in and comes out byte for byte; its type is the
// sniffed one, its name only a display name; at rest it is not plaintext.
func TestFileRoundTrip(t *testing.T) {
	w := newFilesWorld(t, record.Limits{})
	ctx := context.Background()
	f, err := w.add(t, "../../etc/passwd.pdf", aPDF)
	if err != nil {
		t.Fatal(err)
	}
	if f.Type != record.MediaPDF || f.Name != "passwd.pdf" || f.Size != int64(len(aPDF)) {
		t.Errorf("stored %+v", f)
	}
	got, rc, err := w.files.Open(ctx, annaOwner, "anna", f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if b := readAll(t, rc); !bytes.Equal(b, aPDF) || got.ID != f.ID {
		t.Errorf("read back %q", b)
	}
	at, err := os.ReadFile(filepath.Join(w.dir, filepath.FromSlash(f.ContentKey)))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(at, []byte("/Catalog")) {
		t.Errorf("the content at rest holds the plaintext")
	}
	list, err := w.files.List(ctx, annaOwner, "anna")
	if err != nil || len(list) != 1 || list[0].ID != f.ID {
		t.Errorf("list %+v, %v", list, err)
	}
}

// Refused uploads store nothing: an executable named .pdf, a file over the
// size limit, a file over the person's quota, and anyone but the owner.
func TestFileRefusalsStoreNothing(t *testing.T) {
	w := newFilesWorld(t, record.Limits{MaxFileSize: 200, MaxPersonSize: 250})
	ctx := context.Background()
	if _, err := w.add(t, "invoice.pdf", append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 100)...)); !errors.Is(err, record.ErrFileType) {
		t.Errorf("an executable named .pdf: %v, want ErrFileType", err)
	}
	if _, err := w.add(t, "big.txt", []byte(strings.Repeat("a", 201))); !errors.Is(err, record.ErrFileTooLarge) {
		t.Errorf("over the file size: %v, want ErrFileTooLarge", err)
	}
	if _, err := w.add(t, "first.txt", []byte(strings.Repeat("a", 200))); err != nil {
		t.Fatal(err)
	}
	var quota *record.QuotaError
	if _, err := w.add(t, "second.txt", []byte(strings.Repeat("b", 100))); !errors.As(err, &quota) || !errors.Is(err, record.ErrQuota) {
		t.Errorf("over the quota: %v, want a QuotaError", err)
	}
	pro := auth.Principal{Kind: auth.KindProfessional, ProfessionalID: "pro-kainuu-nurse"}
	if _, err := w.files.Add(ctx, pro, "anna", record.Upload{Name: "x.txt", Body: strings.NewReader("hello")}); !errors.Is(err, record.ErrDenied) {
		t.Errorf("a professional adding a file: %v, want denied", err)
	}
	if _, err := w.files.List(ctx, pro, "anna"); !errors.Is(err, record.ErrDenied) {
		t.Errorf("a professional listing without consent: %v, want denied", err)
	}
	list, _ := w.files.List(ctx, annaOwner, "anna")
	if len(list) != 1 || list[0].Name != "first.txt" {
		t.Errorf("files after the refusals: %+v; want only first.txt", list)
	}
	entries, _ := os.ReadDir(filepath.Join(w.dir, "tmp"))
	if len(entries) != 0 {
		t.Errorf("%d temporary objects left behind", len(entries))
	}
}

// Content changed on disk fails loudly and never returns wrong bytes.
func TestFileTamperedContentFails(t *testing.T) {
	w := newFilesWorld(t, record.Limits{})
	f, err := w.add(t, "note.txt", []byte("Verenpaine aamulla 128/84."))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(w.dir, filepath.FromSlash(f.ContentKey))
	at, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	at[len(at)-5] ^= 1
	if err := os.WriteFile(path, at, 0o600); err != nil {
		t.Fatal(err)
	}
	_, rc, err := w.files.Open(context.Background(), annaOwner, "anna", f.ID)
	if err == nil {
		b, rerr := io.ReadAll(rc)
		rc.Close()
		if rerr == nil {
			t.Fatalf("a tampered file read back as %q", b)
		}
		err = rerr
	}
	if !errors.Is(err, blob.ErrCorrupt) {
		t.Errorf("reading a tampered file: %v, want ErrCorrupt", err)
	}
}

// A title change keeps the earlier version; a deleted file is gone.
func TestFileDescribeAndDelete(t *testing.T) {
	w := newFilesWorld(t, record.Limits{})
	ctx := context.Background()
	f, err := w.add(t, "kuva.txt", []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	g, err := w.files.Describe(ctx, annaOwner, "anna", f.ID, 1, "Uusi otsikko", "Kuvaus")
	if err != nil || g.Version != 2 || g.Title != "Uusi otsikko" {
		t.Fatalf("describe: %+v, %v", g, err)
	}
	if _, err := w.files.Describe(ctx, annaOwner, "anna", f.ID, 1, "Vanha", ""); !errors.Is(err, record.ErrConflict) {
		t.Errorf("describing a stale version: %v, want a conflict", err)
	}
	if _, err := w.files.Delete(ctx, annaOwner, "anna", f.ID, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := w.files.Get(ctx, annaOwner, "anna", f.ID); !errors.Is(err, record.ErrGone) {
		t.Errorf("a deleted file: %v, want gone", err)
	}
}

// Under a consent that names one file, a professional sees that file and
// no other, and each read is told to the gate for the access log.
func TestFileScopeNamesChosenFiles(t *testing.T) {
	w := newFilesWorld(t, record.Limits{})
	ctx := context.Background()
	chosen, err := w.add(t, "a.txt", []byte("chosen"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := w.add(t, "b.txt", []byte("other"))
	if err != nil {
		t.Fatal(err)
	}
	gate := &scoped{scope: record.Scope{Allowances: []record.Allowance{{Kinds: []record.Kind{record.Kind(chosen.ID)}}}}}
	w.files.Access = gate
	pro := auth.Principal{Kind: auth.KindProfessional, ProfessionalID: "pro-kainuu-nurse"}
	list, err := w.files.List(ctx, pro, "anna")
	if err != nil || len(list) != 1 || list[0].ID != chosen.ID {
		t.Fatalf("the professional's list: %+v, %v; want the chosen file only", list, err)
	}
	if _, rc, err := w.files.Open(ctx, pro, "", chosen.ID); err != nil {
		t.Errorf("opening the chosen file by id: %v", err)
	} else if b := readAll(t, rc); string(b) != "chosen" {
		t.Errorf("read %q", b)
	}
	if _, _, err := w.files.Open(ctx, pro, "", other.ID); !errors.Is(err, record.ErrNotFound) {
		t.Errorf("opening another file: %v, want not found", err)
	}
	var actions []record.Action
	for _, r := range gate.done {
		actions = append(actions, r.Action)
	}
	if len(gate.done) != 3 || gate.done[1].Action != record.ActionDownload || !gate.done[2].OutOfScope {
		t.Errorf("the gate heard %v (%+v); want the listing, the download and a refused attempt", actions, gate.done)
	}
}

// failedPromote is content whose move to the final key never happens, as
// when the process dies between the record's commit and the move.
type failedPromote struct{ record.Content }

func (failedPromote) Promote(context.Context, string) (string, error) {
	return "", errors.New("the process died before the move")
}

// An upload whose record is committed has succeeded even if the move of
// its content was cut short: it is listed once and reads back whole.
func TestFileReadableBeforeItsMove(t *testing.T) {
	w := newFilesWorld(t, record.Limits{})
	w.files.Content = failedPromote{w.files.Content}
	ctx := context.Background()
	f, err := w.add(t, "kirje.pdf", aPDF)
	if err != nil {
		t.Fatalf("an upload whose record is stored was reported failed: %v", err)
	}
	_, rc, err := w.files.Open(ctx, annaOwner, "anna", f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if b := readAll(t, rc); !bytes.Equal(b, aPDF) {
		t.Errorf("read back %q", b)
	}
}

// A deleted file's content leaves the bucket; its record's history stays.
func TestFileDeleteRemovesContent(t *testing.T) {
	w := newFilesWorld(t, record.Limits{})
	ctx := context.Background()
	f, err := w.add(t, "kirje.pdf", aPDF)
	if err != nil {
		t.Fatal(err)
	}
	at := filepath.Join(w.dir, filepath.FromSlash(f.ContentKey))
	if _, err := os.Stat(at); err != nil {
		t.Fatalf("the content is not at its key: %v", err)
	}
	if _, err := w.files.Delete(ctx, annaOwner, "anna", f.ID, f.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(at); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a deleted file's content is still in the bucket: %v", err)
	}
	if _, _, err := w.files.Open(ctx, annaOwner, "anna", f.ID); !errors.Is(err, record.ErrGone) {
		t.Errorf("reading a deleted file: %v, want ErrGone", err)
	}
}
