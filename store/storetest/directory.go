package storetest

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/omahoito/omahoito/auth"
)

// DirectoryStores are stores that keep the directory up to date from a
// file (omahoito directory import).
type DirectoryStores interface {
	auth.Store
	auth.DirectoryImporter
}

// RunDirectory runs the auth.DirectoryImporter conformance subtests. open
// must return a new, empty, migrated store for each call.
func RunDirectory(t *testing.T, open func(t *testing.T) Stores) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s DirectoryStores)
	}{
		{"ImportThenAgainChangesNothing", testImportIdempotent},
		{"ImportUpdatesDeactivatesAndBringsBack", testImportUpdates},
		{"ImportLeavesOtherRegionsAlone", testImportOtherRegions},
		{"ImportIsAllOrNothing", testImportAllOrNothing},
		{"ConcurrentImportsTakeTurns", testConcurrentImports},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := open(t).(DirectoryStores)
			if !ok {
				t.Fatalf("the store does not implement auth.DirectoryImporter")
			}
			tc.fn(t, s)
		})
	}
}

// DemoFile is the demo directory as an import file gives it.
func DemoFile() auth.Directory {
	d := auth.DemoDirectory()
	return auth.Directory{Regions: d.Regions, CareUnits: d.CareUnits, Professionals: d.Professionals}
}

func mustImport(tb testing.TB, s DirectoryStores, d auth.Directory) auth.DirectoryReport {
	tb.Helper()
	r, err := s.ImportDirectory(context.Background(), d)
	if err != nil {
		tb.Fatalf("import: %v", err)
	}
	return r
}

func wantReport(tb testing.TB, what string, got, want auth.DirectoryReport) {
	tb.Helper()
	if got != want {
		tb.Fatalf("%s: report %+v, want %+v", what, got, want)
	}
}

func testImportIdempotent(t *testing.T, s DirectoryStores) {
	d := DemoFile()
	wantReport(t, "first import", mustImport(t, s, d), auth.DirectoryReport{
		Regions: auth.Counts{Added: 2}, CareUnits: auth.Counts{Added: 4}, Professionals: auth.Counts{Added: 6},
	})
	checkDirectory(t, s, auth.DemoDirectory())
	second := mustImport(t, s, DemoFile())
	wantReport(t, "second import", second, auth.DirectoryReport{
		Regions: auth.Counts{Unchanged: 2}, CareUnits: auth.Counts{Unchanged: 4}, Professionals: auth.Counts{Unchanged: 6},
	})
	if second.Changed() {
		t.Fatal("a second import of the same file reports a change")
	}
	checkDirectory(t, s, auth.DemoDirectory())
}

// withoutPro is d less the professional with id.
func withoutPro(d auth.Directory, id string) auth.Directory {
	d.Professionals = slices.DeleteFunc(slices.Clone(d.Professionals), func(p auth.Professional) bool { return p.ID == id })
	return d
}

func testImportUpdates(t *testing.T, s DirectoryStores) {
	ctx := context.Background()
	mustImport(t, s, DemoFile())
	next := withoutPro(DemoFile(), "pro-kainuu-doctor")
	nurse := &next.Professionals[0]
	nurse.FamilyName, nurse.CareUnitID, nurse.Title = "Heikkinen-Oja", "unit-kainuu-sotkamo", "terveydenhoitaja"
	next.CareUnits[0].Name = "Kajaanin pääterveysasema"
	next.Professionals = append(next.Professionals, auth.Professional{ID: "pro-kainuu-new", Username: "kainuu-new",
		Terhikki: "10000000099", GivenName: "Uusi", FamilyName: "Hoitaja", Title: "sairaanhoitaja",
		Role: auth.RoleProfessional, CareUnitID: "unit-kainuu-kajaani", RegionID: "kainuu"})
	wantReport(t, "changed file", mustImport(t, s, next), auth.DirectoryReport{
		Regions:       auth.Counts{Unchanged: 2},
		CareUnits:     auth.Counts{Updated: 1, Unchanged: 3},
		Professionals: auth.Counts{Added: 1, Updated: 1, Unchanged: 4, Deactivated: 1},
	})
	got, err := s.Professional(ctx, "pro-kainuu-nurse")
	checkEqual(t, "updated nurse", got, *nurse, err)
	if u, err := s.CareUnit(ctx, "unit-kainuu-kajaani"); err != nil || u.Name != "Kajaanin pääterveysasema" {
		t.Fatalf("renamed unit: %+v, %v", u, err)
	}

	// The doctor left: no login, not found, not offered for consent; the
	// row keeps the id.
	_, err = s.ProfessionalByUsername(ctx, "kainuu-doctor")
	wantErr(t, err, auth.ErrNotFound, "deactivated professional's login")
	_, err = s.Professional(ctx, "pro-kainuu-doctor")
	wantErr(t, err, auth.ErrNotFound, "deactivated professional by id")
	found, err := s.SearchProfessionals(ctx, "kainuu", "10000000002", "")
	must(t, err)
	if len(found) != 0 {
		t.Fatalf("search finds the deactivated professional: %+v", found)
	}

	wantReport(t, "changed file again", mustImport(t, s, next), auth.DirectoryReport{
		Regions: auth.Counts{Unchanged: 2}, CareUnits: auth.Counts{Unchanged: 4}, Professionals: auth.Counts{Unchanged: 6},
	})

	// A later file that names the doctor again brings them back, same id.
	back := next
	back.Professionals = append(slices.Clone(next.Professionals), auth.DemoDirectory().Professionals[1])
	wantReport(t, "doctor back", mustImport(t, s, back), auth.DirectoryReport{
		Regions: auth.Counts{Unchanged: 2}, CareUnits: auth.Counts{Unchanged: 4}, Professionals: auth.Counts{Updated: 1, Unchanged: 6},
	})
	got, err = s.ProfessionalByUsername(ctx, "kainuu-doctor")
	checkEqual(t, "doctor back", got, auth.DemoDirectory().Professionals[1], err)
}

// A file of one region leaves the other regions' professionals as they are,
// so that each region can keep its own file.
func testImportOtherRegions(t *testing.T, s DirectoryStores) {
	ctx := context.Background()
	mustImport(t, s, DemoFile())
	d := DemoFile()
	kainuu := auth.Directory{Regions: d.Regions[:1], CareUnits: d.CareUnits[:2]}
	for _, p := range d.Professionals {
		if p.RegionID == "kainuu" && p.ID != "op-kainuu" {
			kainuu.Professionals = append(kainuu.Professionals, p)
		}
	}
	wantReport(t, "kainuu's file", mustImport(t, s, kainuu), auth.DirectoryReport{
		Regions:       auth.Counts{Unchanged: 1, Kept: 1},
		CareUnits:     auth.Counts{Unchanged: 2, Kept: 2},
		Professionals: auth.Counts{Unchanged: 2, Deactivated: 1},
	})
	for _, name := range []string{"oulu-nurse", "oulu-doctor", "oulu-operator"} {
		if _, err := s.ProfessionalByUsername(ctx, name); err != nil {
			t.Fatalf("%s after kainuu's file: %v", name, err)
		}
	}
	_, err := s.ProfessionalByUsername(ctx, "kainuu-operator")
	wantErr(t, err, auth.ErrNotFound, "kainuu's operator missing from kainuu's file")
}

// A file the database refuses, or an invalid one, changes nothing, though
// the items before the refused one were good.
func testImportAllOrNothing(t *testing.T, s DirectoryStores) {
	ctx := context.Background()
	mustImport(t, s, DemoFile())
	d := DemoFile()
	bad := auth.Directory{Regions: d.Regions[:1], CareUnits: d.CareUnits[:2], Professionals: d.Professionals[:2]}
	bad.Regions[0].Name = "Uusi nimi"
	bad.CareUnits = slices.Clone(bad.CareUnits)
	bad.CareUnits[1].Name = "Uusi yksikkö"
	// oulu-nurse, who is not in this file, has this username already.
	bad.Professionals = append(slices.Clone(bad.Professionals), auth.Professional{ID: "pro-x", Username: "oulu-nurse",
		Terhikki: "10000000077", FamilyName: "X", Role: auth.RoleProfessional, CareUnitID: "unit-kainuu-kajaani"})
	_, err := s.ImportDirectory(ctx, bad)
	wantErr(t, err, auth.ErrConflict, "username of a professional outside the file")
	checkDirectory(t, s, auth.DemoDirectory())
	if _, err := s.ProfessionalByUsername(ctx, "kainuu-operator"); err != nil {
		t.Fatalf("refused import deactivated kainuu's operator: %v", err)
	}

	moved := DemoFile()
	moved.CareUnits[0].RegionID = "oulu"
	moved.Regions[0].Name = "Uusi nimi"
	_, err = s.ImportDirectory(ctx, moved)
	wantErr(t, err, auth.ErrInvalidDirectory, "care unit moved to another region")
	invalid := DemoFile()
	invalid.Professionals[3].CareUnitID = "unit-nowhere"
	_, err = s.ImportDirectory(ctx, invalid)
	wantErr(t, err, auth.ErrInvalidDirectory, "professional of an unknown care unit")
	checkDirectory(t, s, auth.DemoDirectory())
}

// Imports of the same file at once take turns: exactly one adds, the
// others find everything there.
func testConcurrentImports(t *testing.T, s DirectoryStores) {
	const n = 4
	reports := make([]auth.DirectoryReport, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reports[i], errs[i] = s.ImportDirectory(context.Background(), DemoFile())
		}()
	}
	wg.Wait()
	added := 0
	for i := range n {
		must(t, errs[i])
		if reports[i].Changed() {
			added++
			wantReport(t, "the import that added", reports[i], auth.DirectoryReport{
				Regions: auth.Counts{Added: 2}, CareUnits: auth.Counts{Added: 4}, Professionals: auth.Counts{Added: 6},
			})
		}
	}
	if added != 1 {
		t.Fatalf("%d of %d concurrent imports of one file report changes, want 1: %+v", added, n, reports)
	}
	checkDirectory(t, s, auth.DemoDirectory())
}
