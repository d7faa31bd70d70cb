package storetest

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/record"
)

// CopyStores is what the copy suite needs: people, measurements, files
// and the copy into a register.
type CopyStores interface {
	Stores
	record.FileStore
	record.CopyStore
	consent.Store
	consent.CopyStore
	audit.Store
	audit.ImportStore
}

// RunCopy runs the record.CopyStore conformance subtests: a copy run
// twice stores once, and other content under an existing id is refused
// with nothing changed.
func RunCopy(t *testing.T, open func(t *testing.T) Stores) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s CopyStores)
	}{
		{"MeasurementsTwiceStoreOnce", testCopyMeasurementsTwice},
		{"MeasurementOtherContentRefused", testCopyMeasurementOtherContent},
		{"MeasurementOfAnotherPersonRefused", testCopyMeasurementOtherPerson},
		{"FilesTwiceStoreOnce", testCopyFilesTwice},
		{"FileOtherContentRefused", testCopyFileOtherContent},
		{"GrantsTwiceStoreOnce", testCopyGrantsTwice},
		{"GrantOtherContentRefused", testCopyGrantOtherContent},
		{"ImportedEntriesTwiceAppendOnce", testImportedEntriesTwice},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := open(t).(CopyStores)
			if !ok {
				t.Fatalf("the store does not implement record.CopyStore")
			}
			MustSeedPeople(t, s, "p1", "p2")
			tc.fn(t, s)
		})
	}
}

// copiedVersions is m-1 in three versions (the last one deleted) and m-2
// in one, given newest first so that the copy cannot rely on order.
func copiedVersions() []record.Measurement {
	v1 := BloodPressure("p1", "m-1", base, 128, 84)
	v2 := v1
	v2.Version, v2.Value, v2.Updated = 2, 129, v1.Updated.Add(time.Hour)
	v3 := v2
	v3.Version, v3.Deleted, v3.Updated = 3, true, v2.Updated.Add(time.Hour)
	other := weight("p1", "m-2", base.Add(time.Hour), 71.5)
	other.Note, other.Identifier = "aamulla", "urn:app|1"
	return []record.Measurement{v3, other, v1, v2}
}

func testCopyMeasurementsTwice(t *testing.T, s CopyStores) {
	ctx := context.Background()
	ms := copiedVersions()
	n, err := s.CopyMeasurements(ctx, ms)
	must(t, err)
	if n != (record.CopyCount{Added: 4}) {
		t.Errorf("first copy: %+v, want 4 added", n)
	}
	n, err = s.CopyMeasurements(ctx, ms)
	must(t, err)
	if n != (record.CopyCount{Present: 4}) {
		t.Errorf("second copy: %+v, want 4 present, none added", n)
	}
	h, err := s.MeasurementHistory(ctx, "p1", "m-1")
	must(t, err)
	if len(h) != 3 || h[0].Version != 3 || !h[0].Deleted || h[1].Value != 129 {
		t.Errorf("history of m-1 after two copies: %+v; want versions 3 (deleted), 2, 1 once each", h)
	}
	cur, err := s.Measurement(ctx, "p1", "m-1")
	if err == nil && (cur.Version != 3 || !cur.Deleted) {
		t.Errorf("current m-1: version %d deleted %v; want the newest copied version, 3, deleted", cur.Version, cur.Deleted)
	}
	found, err := s.SearchMeasurements(ctx, record.Query{PersonID: "p1", Scope: record.Scope{All: true}})
	must(t, err)
	if len(found) != 1 || found[0].ID != "m-2" || found[0].Identifier != "urn:app|1" || found[0].Note != "aamulla" {
		t.Errorf("search after the copy: %+v; want m-2 alone (m-1 is deleted)", found)
	}
}

func testCopyMeasurementOtherContent(t *testing.T, s CopyStores) {
	ctx := context.Background()
	ms := copiedVersions()
	_, err := s.CopyMeasurements(ctx, ms[1:3]) // m-2 and m-1 version 1
	must(t, err)
	changed := ms[2]
	changed.Value = 200
	again := []record.Measurement{ms[0], ms[3], changed} // new versions 2 and 3 with a changed 1
	if _, err := s.CopyMeasurements(ctx, again); !errors.Is(err, record.ErrOtherContent) {
		t.Fatalf("copy with version 1 changed: %v, want ErrOtherContent", err)
	}
	h, err := s.MeasurementHistory(ctx, "p1", "m-1")
	must(t, err)
	if len(h) != 1 || h[0].Value != 128 {
		t.Errorf("history after the refused copy: %+v; want version 1 alone, unchanged", h)
	}
}

func testCopyMeasurementOtherPerson(t *testing.T, s CopyStores) {
	ctx := context.Background()
	_, err := s.CopyMeasurements(ctx, []record.Measurement{BloodPressure("p2", "m-1", base, 120, 80)})
	must(t, err)
	theirs := BloodPressure("p1", "m-1", base, 120, 80)
	theirs.Version = 2
	mine := weight("p1", "m-9", base, 70)
	if _, err := s.CopyMeasurements(ctx, []record.Measurement{mine, theirs}); !errors.Is(err, record.ErrOtherContent) {
		t.Fatalf("copy of another person's measurement id: %v, want ErrOtherContent", err)
	}
	if h, err := s.MeasurementHistory(ctx, "p1", "m-9"); len(h) != 0 {
		t.Errorf("m-9 was stored by a refused copy: %+v (%v)", h, err)
	}
	owner, err := s.MeasurementOwner(ctx, "m-1")
	must(t, err)
	if owner != "p2" {
		t.Errorf("m-1 is now %s's, want p2's still", owner)
	}
}

func copiedFiles() []record.File {
	a := NewFile("p1", "f-1", base)
	a.Name, a.Title = "kirje.pdf", "Kirje"
	b := NewFile("p1", "f-2", base.Add(time.Minute))
	b.Version, b.Name = 3, "kuva.png"
	return []record.File{a, b}
}

func testCopyFilesTwice(t *testing.T, s CopyStores) {
	ctx := context.Background()
	fs := copiedFiles()
	added, err := s.CopyFiles(ctx, fs)
	must(t, err)
	if len(added) != 2 {
		t.Errorf("first copy added %v, want both", added)
	}
	again := copiedFiles()
	again[0].ContentKey, again[0].DataKey = "final/other", []byte("another wrapping") // each upload's own
	added, err = s.CopyFiles(ctx, again)
	must(t, err)
	if len(added) != 0 {
		t.Errorf("second copy added %v, want none", added)
	}
	list, err := s.Files(ctx, "p1", nil)
	must(t, err)
	if len(list) != 2 {
		t.Fatalf("%d files after two copies, want 2", len(list))
	}
	got := getFile(t, s, "p1", "f-2")
	if got.Version != 3 || got.ContentKey != fs[1].ContentKey {
		t.Errorf("f-2: version %d key %s; want version 3 as copied, under its first key", got.Version, got.ContentKey)
	}
	if h := fileHistory(t, s, "p1", "f-1"); len(h) != 1 || h[0].ContentKey != fs[0].ContentKey {
		t.Errorf("history of f-1: %+v; want the first copy once", h)
	}
}

func testCopyFileOtherContent(t *testing.T, s CopyStores) {
	ctx := context.Background()
	fs := copiedFiles()
	_, err := s.CopyFiles(ctx, fs[:1])
	must(t, err)
	changed := fs[0]
	changed.SHA256 = []byte("another content's digest........")
	if _, err := s.CopyFiles(ctx, []record.File{fs[1], changed}); !errors.Is(err, record.ErrOtherContent) {
		t.Fatalf("copy with f-1 of other content: %v, want ErrOtherContent", err)
	}
	theirs := NewFile("p2", "f-1", base)
	if _, err := s.CopyFiles(ctx, []record.File{theirs}); !errors.Is(err, record.ErrOtherContent) {
		t.Errorf("copy of f-1 as another person's: %v, want ErrOtherContent", err)
	}
	if list, err := s.Files(ctx, "p1", nil); err != nil || len(list) != 1 {
		t.Errorf("files after the refused copies: %d (%v), want f-1 alone", len(list), err)
	}
	if got := getFile(t, s, "p1", "f-1"); string(got.SHA256) != string(fs[0].SHA256) {
		t.Errorf("f-1 changed by a refused copy")
	}
}

// movedGrants are two grants of p1 as an import gives them: ended, reason
// moved.
func movedGrants() []consent.Grant {
	var gs []consent.Grant
	for i, grantee := range []consent.Grantee{
		{Kind: consent.GranteeProfessional, ID: "pro-kainuu-nurse"}, {Kind: consent.GranteeUnit, ID: "unit-kajaani"},
	} {
		g := NewGrant("g-"+string(rune('a'+i)), "p1", grantee, base.Add(time.Duration(i)*time.Hour))
		g.Status, g.EndedAt, g.EndReason = consent.StatusEnded, base.Add(48*time.Hour), consent.EndMoved
		gs = append(gs, g)
	}
	return gs
}

func testCopyGrantsTwice(t *testing.T, s CopyStores) {
	ctx := context.Background()
	n, err := s.CopyGrants(ctx, movedGrants())
	must(t, err)
	if n != (record.CopyCount{Added: 2}) {
		t.Errorf("first copy: %+v, want 2 added", n)
	}
	again := movedGrants()
	again[0].EndedAt = again[0].EndedAt.Add(time.Hour) // a later import's time
	n, err = s.CopyGrants(ctx, again)
	must(t, err)
	if n != (record.CopyCount{Present: 2}) {
		t.Errorf("second copy: %+v, want 2 present", n)
	}
	gs, err := s.Grants(ctx, "p1")
	must(t, err)
	if len(gs) != 2 {
		t.Fatalf("%d grants after two copies, want 2", len(gs))
	}
	for _, g := range gs {
		if g.Status != consent.StatusEnded || g.EndReason != consent.EndMoved || !g.EndedAt.Equal(base.Add(48*time.Hour)) {
			t.Errorf("grant %s: %s %q at %v; want ended, moved, at the first copy's time", g.ID, g.Status, g.EndReason, g.EndedAt)
		}
	}
	if in, err := s.GrantsInForce(ctx, "p1", base.Add(time.Hour)); err != nil || len(in) != 0 {
		t.Errorf("%d copied grants in force (%v), want none", len(in), err)
	}
}

func testCopyGrantOtherContent(t *testing.T, s CopyStores) {
	ctx := context.Background()
	gs := movedGrants()
	_, err := s.CopyGrants(ctx, gs[:1])
	must(t, err)
	changed := gs[0]
	changed.Grantee.ID = "pro-kainuu-doctor"
	if _, err := s.CopyGrants(ctx, []consent.Grant{gs[1], changed}); !errors.Is(err, record.ErrOtherContent) {
		t.Fatalf("copy with g-a to another grantee: %v, want ErrOtherContent", err)
	}
	stored, err := s.Grants(ctx, "p1")
	must(t, err)
	if len(stored) != 1 || stored[0].Grantee != gs[0].Grantee {
		t.Errorf("grants after the refused copy: %+v; want g-a alone, unchanged", stored)
	}
}

// importedEntries are two entries of register kainuu of deployment north,
// as an import gives them.
func importedEntries() ([]audit.Entry, []audit.Source) {
	var es []audit.Entry
	var srcs []audit.Source
	for i := range 2 {
		es = append(es, audit.Entry{Time: base.Add(time.Duration(i) * time.Minute), PatientID: "p1", Action: "read",
			Class: string(record.ClassMeasurements), Count: i + 1, Outcome: audit.Permit,
			Actor: audit.Actor{Kind: "professional", ID: "pro-kainuu-nurse", Name: "Aino Heikkinen"}})
		srcs = append(srcs, audit.Source{Register: "north/kainuu", Seq: int64(7 + i), Hash: bytes.Repeat([]byte{byte(i + 1)}, 32)})
	}
	return es, srcs
}

func testImportedEntriesTwice(t *testing.T, s CopyStores) {
	ctx := context.Background()
	own := audit.ChainImported("oulu", 0, nil, []audit.Entry{{Time: base, PatientID: "p2", Action: "read", Outcome: audit.Permit}})
	own[0].Imported = false
	own[0].Hash = audit.Chain(audit.Genesis(), own[0])
	must(t, s.AppendEntries(ctx, "oulu", 0, own))
	es, srcs := importedEntries()
	n, err := s.AppendImported(ctx, "oulu", es, srcs)
	must(t, err)
	if n != 2 {
		t.Errorf("first import appended %d, want 2", n)
	}
	n, err = s.AppendImported(ctx, "oulu", es, srcs)
	must(t, err)
	if n != 0 {
		t.Errorf("second import appended %d, want none", n)
	}
	// The same source in another register is that register's to import.
	n, err = s.AppendImported(ctx, "kainuu", es[:1], srcs[:1])
	must(t, err)
	if n != 1 {
		t.Errorf("import into kainuu appended %d, want 1", n)
	}
	stored, err := s.Entries(ctx, "oulu", 0, 10)
	must(t, err)
	if len(stored) != 3 {
		t.Fatalf("oulu holds %d entries, want its own and the two imported once", len(stored))
	}
	prev := audit.Genesis()
	for i, e := range stored {
		if e.Seq != int64(i+1) || e.Imported != (i > 0) || !bytes.Equal(e.Hash, audit.Chain(prev, e)) {
			t.Errorf("entry %d: seq %d imported %v, chain holds %v", i, e.Seq, e.Imported, bytes.Equal(e.Hash, audit.Chain(prev, e)))
		}
		prev = e.Hash
	}
}
