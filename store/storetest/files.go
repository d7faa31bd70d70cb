package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/record"
)

// FileStores is what the file conformance suite needs of an
// implementation: the file metadata store, and the people files belong to.
type FileStores interface {
	auth.Store
	record.FileStore
}

// RunFiles runs the record.FileStore conformance subtests on the stores
// that open returns (a new, empty, migrated store for each call, closed
// when t ends); each must implement record.FileStore.
func RunFiles(t *testing.T, open func(t *testing.T) Stores) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s FileStores)
	}{
		{"RoundTrip", testFileRoundTrip},
		{"CreateConflicts", testFileCreateConflicts},
		{"UpdateKeepsVersions", testFileUpdateKeepsVersions},
		{"UpdateKeepsContent", testFileUpdateKeepsContent},
		{"UpdateStaleOrMissing", testFileUpdateStaleOrMissing},
		{"OtherPersonNotFound", testFileOtherPerson},
		{"DeleteHidesButKeepsHistory", testFileDelete},
		{"ListOrderAndChosenIDs", testFilesOrder},
		{"SizeExcludesDeleted", testFilesSize},
		{"ContentKeys", testContentKeys},
		{"RewrapInBatchesAndRestart", testRewrap},
		{"RewrapRefusesSameKey", testRewrapSameKey},
		{"ConcurrentUpdate", testConcurrentFileUpdate},
		{"QuotaWithTheInsert", testFileQuota},
		{"ConcurrentCreatesKeepTheQuota", testConcurrentFileQuota},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := open(t).(FileStores)
			if !ok {
				t.Fatalf("the store does not implement record.FileStore")
			}
			MustSeedPeople(t, s, "p1", "p2")
			tc.fn(t, s)
		})
	}
}

// NewFile returns a version-1 PDF of personID with id, created at
// created, under master key "k1". Its byte fields include zero and high
// bytes, which must survive as they are.
func NewFile(personID, id string, created time.Time) record.File {
	return record.File{
		ID: id, PersonID: personID, Version: 1,
		Name: "lähete.pdf", Title: "Lähete", Description: "Yksityisen klinikan lähete",
		Type: record.MediaPDF, Size: 1234,
		SHA256:     append([]byte{0x00, 0xff}, bytes.Repeat([]byte(id), 2)...),
		ContentKey: "files/" + id, DataKey: append([]byte{0x80, 0x00}, id...), MasterKeyID: "k1",
		CreatedAt: created, UpdatedAt: created,
		EnteredBy: record.Actor{Kind: record.ActorPerson, ID: personID},
	}
}

func getFile(tb testing.TB, s record.FileStore, personID, id string) record.File {
	tb.Helper()
	f, err := s.File(context.Background(), personID, id)
	must(tb, err)
	return f
}

func fileHistory(tb testing.TB, s record.FileStore, personID, id string) []record.File {
	tb.Helper()
	h, err := s.FileHistory(context.Background(), personID, id)
	must(tb, err)
	return h
}

func fileIDs(tb testing.TB, s record.FileStore, personID string, chosen []string) []string {
	tb.Helper()
	fs, err := s.Files(context.Background(), personID, chosen)
	must(tb, err)
	return ids(fs, func(f record.File) string { return f.ID })
}

// sameFile compares every field; times must be equal instants in UTC.
func sameFile(tb testing.TB, what string, got, want record.File) {
	tb.Helper()
	sameTime(tb, what+": CreatedAt", got.CreatedAt, want.CreatedAt)
	sameTime(tb, what+": UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	if !bytes.Equal(got.SHA256, want.SHA256) || !bytes.Equal(got.DataKey, want.DataKey) {
		tb.Errorf("%s: bytes changed: SHA256 %x, DataKey %x; want %x, %x", what,
			got.SHA256, got.DataKey, want.SHA256, want.DataKey)
	}
	// The rest is compared with the bytes and times, checked above, cleared.
	got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	got.SHA256, got.DataKey, want.SHA256, want.DataKey = nil, nil, nil, nil
	if !reflect.DeepEqual(got, want) {
		tb.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// testFileRoundTrip: every field comes back as written, times in UTC to
// the microsecond whatever the zone they were given in.
func testFileRoundTrip(t *testing.T, s FileStores) {
	ctx := context.Background()
	helsinki := time.FixedZone("EEST", 3*60*60)
	f := NewFile("p1", "f-1", time.Date(2026, time.May, 2, 10, 11, 12, 123456789, helsinki))
	f.UpdatedAt = f.CreatedAt.Add(time.Hour)
	f.Type, f.Size, f.Name = record.MediaHEIC, 20<<20, "ihottuma 'kuva'.heic"
	f.EnteredBy = record.Actor{Kind: record.ActorPerson, ID: "p2", OnBehalfOf: "p1"}
	must(t, s.CreateFile(ctx, f, noQuota))

	want := f
	want.CreatedAt = time.Date(2026, time.May, 2, 7, 11, 12, 123456000, time.UTC)
	want.UpdatedAt = want.CreatedAt.Add(time.Hour)
	sameFile(t, "File", getFile(t, s, "p1", "f-1"), want)
	h := fileHistory(t, s, "p1", "f-1")
	if len(h) != 1 {
		t.Fatalf("history of a new file has %d versions, want 1", len(h))
	}
	sameFile(t, "history[0]", h[0], want)
	owner, err := s.FileOwner(ctx, "f-1")
	must(t, err)
	if owner != "p1" {
		t.Errorf("FileOwner: %q, want p1", owner)
	}
	_, err = s.FileOwner(ctx, "f-none")
	wantErr(t, err, record.ErrNotFound, "FileOwner of an unknown file")
	_, err = s.File(ctx, "p1", "f-none")
	wantErr(t, err, record.ErrNotFound, "File of an unknown file")
	_, err = s.FileHistory(ctx, "p1", "f-none")
	wantErr(t, err, record.ErrNotFound, "FileHistory of an unknown file")
}

// testFileCreateConflicts: an id or a content key stored twice is a
// conflict, an unknown person is not found, and none of them stores a
// thing.
func testFileCreateConflicts(t *testing.T, s FileStores) {
	ctx := context.Background()
	f := NewFile("p1", "f-1", base)
	must(t, s.CreateFile(ctx, f, noQuota))
	sameID := NewFile("p1", "f-1", base)
	sameID.ContentKey = "files/other"
	wantErr(t, s.CreateFile(ctx, sameID, noQuota), record.ErrConflict, "CreateFile with a stored id")
	sameKey := NewFile("p1", "f-2", base)
	sameKey.ContentKey = f.ContentKey
	wantErr(t, s.CreateFile(ctx, sameKey, noQuota), record.ErrConflict, "CreateFile with a stored content key")
	wantErr(t, s.CreateFile(ctx, NewFile("p-none", "f-3", base), noQuota), record.ErrNotFound, "CreateFile of an unknown person")
	if got := fileIDs(t, s, "p1", nil); !slices.Equal(got, []string{"f-1"}) {
		t.Errorf("files after refused creates: %v, want [f-1]", got)
	}
	sameFile(t, "the first file", getFile(t, s, "p1", "f-1"), f)
	named, err := s.ContentKeys(ctx, []string{"files/other", "files/f-3"})
	must(t, err)
	if len(named) != 0 {
		t.Errorf("refused creates left content keys %v", named)
	}
}

// edit is f as the citizen renames and redescribes it: the next version.
func edit(f record.File, title string) record.File {
	f.Version++
	f.Title, f.Description, f.Name = title, "kuvaus "+title, title+".pdf"
	f.UpdatedAt = f.UpdatedAt.Add(time.Hour)
	f.EnteredBy = record.Actor{Kind: record.ActorPerson, ID: "p2", OnBehalfOf: f.PersonID}
	return f
}

func testFileUpdateKeepsVersions(t *testing.T, s FileStores) {
	ctx := context.Background()
	v1 := NewFile("p1", "f-1", base)
	must(t, s.CreateFile(ctx, v1, noQuota))
	v2 := edit(v1, "Laboratoriotulokset")
	must(t, s.UpdateFile(ctx, v2))
	v3 := edit(v2, "Tulokset 2025")
	must(t, s.UpdateFile(ctx, v3))
	sameFile(t, "current", getFile(t, s, "p1", "f-1"), v3)
	h := fileHistory(t, s, "p1", "f-1")
	if len(h) != 3 {
		t.Fatalf("history has %d versions, want 3", len(h))
	}
	for i, want := range []record.File{v3, v2, v1} {
		sameFile(t, fmt.Sprintf("history[%d]", i), h[i], want)
	}
	if got := fileIDs(t, s, "p1", nil); !slices.Equal(got, []string{"f-1"}) {
		t.Errorf("files after updates: %v, want the one file once", got)
	}
}

// testFileUpdateKeepsContent: an update changes what the citizen edits,
// never where the content is or how it is encrypted, so a stale read can
// neither point a file at other content nor undo a key rotation.
func testFileUpdateKeepsContent(t *testing.T, s FileStores) {
	ctx := context.Background()
	v1 := NewFile("p1", "f-1", base)
	must(t, s.CreateFile(ctx, v1, noQuota))
	v2 := edit(v1, "Uusi nimi")
	v2.ContentKey, v2.DataKey, v2.MasterKeyID = "files/elsewhere", []byte("old wrapping"), "k0"
	v2.Size, v2.SHA256, v2.Type, v2.CreatedAt = 1, []byte{1}, record.MediaText, base.Add(time.Hour)
	must(t, s.UpdateFile(ctx, v2))
	want := edit(v1, "Uusi nimi")
	sameFile(t, "current", getFile(t, s, "p1", "f-1"), want)
	sameFile(t, "history[0]", fileHistory(t, s, "p1", "f-1")[0], want)
}

func testFileUpdateStaleOrMissing(t *testing.T, s FileStores) {
	ctx := context.Background()
	v1 := NewFile("p1", "f-1", base)
	must(t, s.CreateFile(ctx, v1, noQuota))
	v2 := edit(v1, "Toinen")
	must(t, s.UpdateFile(ctx, v2))
	for _, version := range []int{1, 2, 4} {
		stale := edit(v1, "Vanhentunut")
		stale.Version = version
		wantErr(t, s.UpdateFile(ctx, stale), record.ErrConflict, fmt.Sprintf("update as version %d", version))
	}
	missing := edit(NewFile("p1", "f-none", base), "Ei ole")
	wantErr(t, s.UpdateFile(ctx, missing), record.ErrNotFound, "update of an unknown file")
	sameFile(t, "current after refused updates", getFile(t, s, "p1", "f-1"), v2)
	if h := fileHistory(t, s, "p1", "f-1"); len(h) != 2 {
		t.Errorf("history has %d versions after refused updates, want 2", len(h))
	}
}

// testFileOtherPerson: a file is found only with its own person's id,
// whatever another person asks for or tries to write.
func testFileOtherPerson(t *testing.T, s FileStores) {
	ctx := context.Background()
	f := NewFile("p1", "f-1", base)
	must(t, s.CreateFile(ctx, f, noQuota))
	_, err := s.File(ctx, "p2", "f-1")
	wantErr(t, err, record.ErrNotFound, "File of another person")
	_, err = s.FileHistory(ctx, "p2", "f-1")
	wantErr(t, err, record.ErrNotFound, "FileHistory of another person")
	stolen := edit(f, "Varastettu")
	stolen.PersonID = "p2"
	wantErr(t, s.UpdateFile(ctx, stolen), record.ErrNotFound, "UpdateFile of another person's file")
	if got := fileIDs(t, s, "p2", []string{"f-1"}); len(got) != 0 {
		t.Errorf("Files of p2 chosen by p1's id: %v, want none", got)
	}
	sameFile(t, "p1's file after the attempts", getFile(t, s, "p1", "f-1"), f)
}

func testFileDelete(t *testing.T, s FileStores) {
	ctx := context.Background()
	keep, gone := NewFile("p1", "f-keep", base), NewFile("p1", "f-gone", base.Add(time.Hour))
	must(t, s.CreateFile(ctx, keep, noQuota))
	must(t, s.CreateFile(ctx, gone, noQuota))
	del := gone
	del.Version, del.Deleted, del.UpdatedAt = 2, true, gone.UpdatedAt.Add(time.Minute)
	must(t, s.UpdateFile(ctx, del))
	if got := fileIDs(t, s, "p1", nil); !slices.Equal(got, []string{"f-keep"}) {
		t.Errorf("files after delete: %v, want [f-keep]", got)
	}
	if got := fileIDs(t, s, "p1", []string{"f-gone", "f-keep"}); !slices.Equal(got, []string{"f-keep"}) {
		t.Errorf("chosen files after delete: %v, want [f-keep]", got)
	}
	sameFile(t, "deleted file", getFile(t, s, "p1", "f-gone"), del)
	h := fileHistory(t, s, "p1", "f-gone")
	if len(h) != 2 || !h[0].Deleted || h[1].Deleted {
		t.Errorf("history after delete: %+v, want the deletion then the original", h)
	}
}

// testFilesOrder: newest first, ids ascending between equal times; chosen
// ids narrow the list, more of them than one SQLite query takes.
func testFilesOrder(t *testing.T, s FileStores) {
	ctx := context.Background()
	for _, f := range []record.File{
		NewFile("p1", "f-b", base), NewFile("p1", "f-a", base),
		NewFile("p1", "f-new", base.Add(time.Hour)), NewFile("p1", "f-old", base.Add(-time.Hour)),
		NewFile("p2", "f-p2", base.Add(2*time.Hour)),
	} {
		must(t, s.CreateFile(ctx, f, noQuota))
	}
	if got, want := fileIDs(t, s, "p1", nil), []string{"f-new", "f-a", "f-b", "f-old"}; !slices.Equal(got, want) {
		t.Errorf("Files: %v, want %v", got, want)
	}
	if got := fileIDs(t, s, "p1", []string{}); len(got) != 0 {
		t.Errorf("Files with no chosen ids: %v, want none", got)
	}
	// The chosen ids span several chunks; p2's id and unknown ids give nothing.
	var chosen []string
	for i := range 1200 {
		chosen = append(chosen, fmt.Sprintf("f-unknown-%04d", i))
	}
	chosen[3], chosen[600], chosen[1100], chosen[700] = "f-b", "f-old", "f-new", "f-p2"
	if got, want := fileIDs(t, s, "p1", chosen), []string{"f-new", "f-b", "f-old"}; !slices.Equal(got, want) {
		t.Errorf("Files with chosen ids: %v, want %v", got, want)
	}
}

func testFilesSize(t *testing.T, s FileStores) {
	ctx := context.Background()
	size := func(person string) int64 {
		t.Helper()
		n, err := s.FilesSize(ctx, person)
		must(t, err)
		return n
	}
	if n := size("p1"); n != 0 {
		t.Errorf("size with no files: %d, want 0", n)
	}
	big, small, gone, other := NewFile("p1", "f-big", base), NewFile("p1", "f-small", base),
		NewFile("p1", "f-gone", base), NewFile("p2", "f-other", base)
	big.Size, small.Size, gone.Size, other.Size = 400<<20, 7, 1000, 50
	for _, f := range []record.File{big, small, gone, other} {
		must(t, s.CreateFile(ctx, f, noQuota))
	}
	del := gone
	del.Version, del.Deleted = 2, true
	must(t, s.UpdateFile(ctx, del))
	must(t, s.UpdateFile(ctx, edit(big, "Iso"))) // a new version counts once
	if n := size("p1"); n != 400<<20+7 {
		t.Errorf("size of p1's files: %d, want %d", n, 400<<20+7)
	}
}

// testContentKeys: every key any version of any file names is reported,
// deleted files included, and no other; more keys than one SQLite query
// takes.
func testContentKeys(t *testing.T, s FileStores) {
	ctx := context.Background()
	live, gone := NewFile("p1", "f-live", base), NewFile("p2", "f-gone", base)
	must(t, s.CreateFile(ctx, live, noQuota))
	must(t, s.CreateFile(ctx, gone, noQuota))
	del := gone
	del.Version, del.Deleted = 2, true
	must(t, s.UpdateFile(ctx, del))
	var keys []string
	for i := range 1200 {
		keys = append(keys, fmt.Sprintf("tmp/orphan-%04d", i))
	}
	keys[10], keys[900] = live.ContentKey, gone.ContentKey
	named, err := s.ContentKeys(ctx, keys)
	must(t, err)
	// A deleted file's content is no one's any more: the sweeper removes it.
	want := map[string]bool{live.ContentKey: true}
	if len(named) != len(want) || !named[live.ContentKey] {
		t.Errorf("ContentKeys: %v, want %v", named, want)
	}
	none, err := s.ContentKeys(ctx, nil)
	must(t, err)
	if len(none) != 0 {
		t.Errorf("ContentKeys of no keys: %v", none)
	}
}

// rewrapTo is a wrap function to master key k2 that fails on call
// failOn (0: never) and counts its calls.
func rewrapTo(calls *int, failOn int) func([]byte) ([]byte, string, error) {
	return func(old []byte) ([]byte, string, error) {
		*calls++
		if *calls == failOn {
			return nil, "", errors.New("key service unreachable")
		}
		return append([]byte("k2:"), old...), "k2", nil
	}
}

// testRewrap: a rotation stopped in its second batch leaves the first
// batch's files on the new key and the rest wholly on the old one; run
// again, it finishes, and a third run finds nothing to do. A file on
// another master key is never touched.
func testRewrap(t *testing.T, s FileStores) {
	ctx := context.Background()
	var originals []record.File
	for i := range 5 {
		f := NewFile("p1", fmt.Sprintf("f-%d", i), base)
		must(t, s.CreateFile(ctx, f, noQuota))
		originals = append(originals, f)
	}
	must(t, s.UpdateFile(ctx, edit(originals[1], "Kahdesti")))
	must(t, s.UpdateFile(ctx, edit(edit(originals[1], "Kahdesti"), "Kolmesti")))
	other := NewFile("p2", "f-other", base)
	other.MasterKeyID = "k0"
	must(t, s.CreateFile(ctx, other, noQuota))

	calls := 0
	n, err := s.RewrapDataKeys(ctx, "k1", 3, rewrapTo(&calls, 5))
	if err == nil || n != 3 {
		t.Fatalf("rotation failing in its second batch: %d files, error %v; want 3 and the error", n, err)
	}
	if onNew := filesOnKey(t, s, originals); onNew != 3 {
		t.Errorf("%d files on the new key after the failed batch, want the first batch's 3", onNew)
	}
	n, err = s.RewrapDataKeys(ctx, "k1", 3, rewrapTo(&calls, 0))
	must(t, err)
	if n != 2 || filesOnKey(t, s, originals) != 5 {
		t.Errorf("rerun rewrapped %d files, want the 2 left; all 5 on the new key", n)
	}
	calls = 0
	n, err = s.RewrapDataKeys(ctx, "k1", 3, rewrapTo(&calls, 0))
	must(t, err)
	if n != 0 || calls != 0 {
		t.Errorf("third run rewrapped %d files with %d wraps, want none", n, calls)
	}
	sameFile(t, "file on another master key", getFile(t, s, "p2", "f-other"), other)
}

// filesOnKey counts the files whose every version is rewrapped to k2, and
// fails when a file is half on each key or wrapped twice.
func filesOnKey(tb testing.TB, s FileStores, originals []record.File) int {
	tb.Helper()
	onNew := 0
	for _, f := range originals {
		versions := append(fileHistory(tb, s, f.PersonID, f.ID), getFile(tb, s, f.PersonID, f.ID))
		rewrapped := versions[0].MasterKeyID == "k2"
		want, wantID := f.DataKey, "k1"
		if rewrapped {
			onNew, want, wantID = onNew+1, append([]byte("k2:"), f.DataKey...), "k2"
		}
		for _, v := range versions {
			if v.MasterKeyID != wantID || !bytes.Equal(v.DataKey, want) {
				tb.Errorf("file %s version %d: key %s %q, want every version on %s %q",
					f.ID, v.Version, v.MasterKeyID, v.DataKey, wantID, want)
			}
		}
	}
	return onNew
}

// testRewrapSameKey: a wrapping that names the key being replaced is
// refused instead of rewrapping forever; a batch of 0 is refused.
func testRewrapSameKey(t *testing.T, s FileStores) {
	ctx := context.Background()
	f := NewFile("p1", "f-1", base)
	must(t, s.CreateFile(ctx, f, noQuota))
	same := func(old []byte) ([]byte, string, error) { return old, "k1", nil }
	if _, err := s.RewrapDataKeys(ctx, "k1", 10, same); err == nil {
		t.Error("a rewrap to the same master key: no error")
	}
	calls := 0
	if _, err := s.RewrapDataKeys(ctx, "k1", 0, rewrapTo(&calls, 0)); err == nil || calls != 0 {
		t.Errorf("batch of 0: error %v after %d wraps, want an error before any", err, calls)
	}
	sameFile(t, "file after refused rotations", getFile(t, s, "p1", "f-1"), f)
}

// testConcurrentFileUpdate: several writers of the same version: exactly
// one wins, and what is stored is the winner's.
func testConcurrentFileUpdate(t *testing.T, s FileStores) {
	ctx := context.Background()
	v1 := NewFile("p1", "f-1", base)
	must(t, s.CreateFile(ctx, v1, noQuota))
	updates := make([]record.File, 8)
	for i := range updates {
		updates[i] = edit(v1, fmt.Sprintf("Otsikko %d", i))
	}
	winner := race(t, len(updates), record.ErrConflict, func(i int) error { return s.UpdateFile(ctx, updates[i]) })
	sameFile(t, "after the race", getFile(t, s, "p1", "f-1"), updates[winner])
	if h := fileHistory(t, s, "p1", "f-1"); len(h) != 2 {
		t.Errorf("history after the race has %d versions, want 2", len(h))
	}
}

// noQuota is a person's limit no test reaches.
const noQuota = 1 << 50

// testFileQuota: a file that would take its person over the limit is
// refused with the figures and not stored; exactly at the limit is kept;
// deleted files and other people's do not count.
func testFileQuota(t *testing.T, s FileStores) {
	ctx := context.Background()
	first := NewFile("p1", "f-1", base) // 1234 bytes
	must(t, s.CreateFile(ctx, first, 3000))
	must(t, s.CreateFile(ctx, NewFile("p2", "f-other", base), 3000))
	over := NewFile("p1", "f-2", base)
	over.Size = 3000 - 1234 + 1
	err := s.CreateFile(ctx, over, 3000)
	var q *record.QuotaError
	if !errors.As(err, &q) || !errors.Is(err, record.ErrQuota) || q.Used != 1234 || q.Size != over.Size || q.Limit != 3000 {
		t.Fatalf("a file over the quota: %v; want a QuotaError with used 1234, size %d, limit 3000", err, over.Size)
	}
	if ids := fileIDs(t, s, "p1", nil); len(ids) != 1 {
		t.Errorf("after the refusal p1 has files %v", ids)
	}
	over.Size--
	must(t, s.CreateFile(ctx, over, 3000))
	gone := edit(over, "Poistettu")
	gone.Deleted = true
	must(t, s.UpdateFile(ctx, gone))
	again := NewFile("p1", "f-3", base)
	again.Size = over.Size
	must(t, s.CreateFile(ctx, again, 3000))
}

// testConcurrentFileQuota: eight uploads of one person at once, each of
// which fits alone and any two of which do not: exactly one is stored.
func testConcurrentFileQuota(t *testing.T, s FileStores) {
	ctx := context.Background()
	files := make([]record.File, 8)
	for i := range files {
		files[i] = NewFile("p1", fmt.Sprintf("f-%d", i), base)
		files[i].Size = 600
	}
	winner := race(t, len(files), record.ErrQuota, func(i int) error { return s.CreateFile(ctx, files[i], 1000) })
	if ids := fileIDs(t, s, "p1", nil); len(ids) != 1 || ids[0] != files[winner].ID {
		t.Errorf("after the race p1 has files %v, want only %s", ids, files[winner].ID)
	}
}
