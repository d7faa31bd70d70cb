// Package storetest is the conformance suite that every implementation of
// the domain stores (store/sqlite, store/postgres) must pass, so that both
// databases behave alike: same results, same order, same sentinel errors.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/omahoito/omahoito/auth"
)

// RunAll runs every domain's conformance suite on the stores that open
// returns: a new, empty, migrated store for each call, closed when t ends.
// A store package has one conformance test, which calls RunAll; a new
// domain adds its suite here and both databases run it.
func RunAll(t *testing.T, open func(t *testing.T) Stores) {
	t.Run("auth", func(t *testing.T) { Run(t, func(t *testing.T) auth.Store { return open(t) }) })
	t.Run("record", func(t *testing.T) { RunRecords(t, open) })
	t.Run("consent", func(t *testing.T) { RunConsent(t, open) })
	t.Run("audit", func(t *testing.T) { RunAudit(t, open) })
	t.Run("files", func(t *testing.T) { RunFiles(t, open) })
	t.Run("directory", func(t *testing.T) { RunDirectory(t, open) })
	t.Run("copy", func(t *testing.T) { RunCopy(t, open) })
	t.Run("moving", func(t *testing.T) { RunMoving(t, open) })
	t.Run("home", func(t *testing.T) { RunHome(t, open) })
}

// Run runs the auth.Store conformance subtests. open must return a new,
// empty, migrated store for each call and close it when t ends.
func Run(t *testing.T, open func(t *testing.T) auth.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s auth.Store)
	}{
		{"Ping", testPing},
		{"PersonRoundTrip", testPersonRoundTrip},
		{"PersonTimesInUTCToTheMicrosecond", testPersonTimes},
		{"PersonConflict", testPersonConflict},
		{"PersonUnknownRegion", testPersonUnknownRegion},
		{"NotFound", testNotFound},
		{"PutIdempotent", testPutIdempotent},
		{"PutConflict", testPutConflict},
		{"PutProfessionalRejectsUnknownRole", testBadRole},
		{"RegionsOrderedByID", testRegionsOrder},
		{"SearchProfessionals", testSearchProfessionals},
		{"SearchCareUnits", testSearchCareUnits},
		{"ProfessionalByUsername", testProfessionalByUsername},
		{"ConcurrentCreatePerson", testConcurrentCreatePerson},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

// MustSeedDemo puts auth.DemoDirectory into s.
func MustSeedDemo(tb testing.TB, s auth.Store) auth.Demo {
	tb.Helper()
	d := auth.DemoDirectory()
	ctx := context.Background()
	for _, r := range d.Regions {
		must(tb, s.PutRegion(ctx, r))
	}
	for _, u := range d.CareUnits {
		must(tb, s.PutCareUnit(ctx, u))
	}
	for _, p := range d.Professionals {
		must(tb, s.PutProfessional(ctx, p))
	}
	return d
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func wantErr(tb testing.TB, err, target error, what string) {
	tb.Helper()
	if !errors.Is(err, target) {
		tb.Fatalf("%s: got error %v, want one wrapping %q", what, err, target)
	}
}

// person is a sealed person in the demo region kainuu. The key and sealed
// bytes include zero and high bytes, which must survive as they are.
func person(id string, key byte) auth.SealedPerson {
	return auth.SealedPerson{
		ID:         id,
		HetuKey:    []byte{key, 0x00, 0xff, 0x10, 0x80, key},
		HetuSealed: []byte{0x00, 0x01, 0xfe, 0xff, key},
		GivenName:  "Äijä",
		FamilyName: "Öhman-Ylönen",
		BirthDate:  time.Date(1990, time.January, 1, 0, 0, 0, 0, time.UTC),
		HomeRegion: "kainuu",
		CreatedAt:  time.Date(2025, time.March, 4, 5, 6, 7, 123456000, time.UTC),
	}
}

func testPing(t *testing.T, s auth.Store) {
	must(t, s.Ping(context.Background()))
}

func testPersonRoundTrip(t *testing.T, s auth.Store) {
	ctx := context.Background()
	MustSeedDemo(t, s)
	want := person("person-1", 1)
	must(t, s.CreatePerson(ctx, want))
	byKey, err := s.PersonByHetuKey(ctx, want.HetuKey)
	must(t, err)
	samePerson(t, "by hetu key", byKey, want)
	byID, err := s.PersonByID(ctx, want.ID)
	must(t, err)
	samePerson(t, "by id", byID, want)

	old := person("person-1800s", 2)
	old.BirthDate = time.Date(1850, time.December, 31, 0, 0, 0, 0, time.UTC)
	must(t, s.CreatePerson(ctx, old))
	got, err := s.PersonByID(ctx, old.ID)
	must(t, err)
	samePerson(t, "born in the 1800s", got, old)
}

// testPersonTimes: a store keeps CreatedAt in UTC to the microsecond (the
// precision of PostgreSQL), whatever the zone it was given in.
func testPersonTimes(t *testing.T, s auth.Store) {
	ctx := context.Background()
	MustSeedDemo(t, s)
	p := person("person-zone", 3)
	helsinki := time.FixedZone("EEST", 3*60*60)
	p.CreatedAt = time.Date(2025, time.June, 30, 23, 59, 59, 999999999, helsinki)
	p.BirthDate = time.Date(2016, time.May, 2, 0, 0, 0, 0, time.UTC)
	must(t, s.CreatePerson(ctx, p))
	got, err := s.PersonByID(ctx, p.ID)
	must(t, err)
	want := p
	want.CreatedAt = time.Date(2025, time.June, 30, 20, 59, 59, 999999000, time.UTC)
	samePerson(t, "created in +03:00 with nanoseconds", got, want)
}

func samePerson(tb testing.TB, what string, got, want auth.SealedPerson) {
	tb.Helper()
	if got.ID != want.ID || got.GivenName != want.GivenName || got.FamilyName != want.FamilyName ||
		got.HomeRegion != want.HomeRegion {
		tb.Errorf("%s: got %+v, want %+v", what, got, want)
	}
	if !bytes.Equal(got.HetuKey, want.HetuKey) || !bytes.Equal(got.HetuSealed, want.HetuSealed) {
		tb.Errorf("%s: hetu bytes changed: got %x/%x, want %x/%x", what,
			got.HetuKey, got.HetuSealed, want.HetuKey, want.HetuSealed)
	}
	sameTime(tb, what+": birth date", got.BirthDate, want.BirthDate)
	sameTime(tb, what+": created at", got.CreatedAt, want.CreatedAt)
}

func sameTime(tb testing.TB, what string, got, want time.Time) {
	tb.Helper()
	if !got.Equal(want) || got.Location() != time.UTC {
		tb.Errorf("%s: got %s (%s), want %s in UTC", what,
			got.Format(time.RFC3339Nano), got.Location(), want.Format(time.RFC3339Nano))
	}
}

func testPersonConflict(t *testing.T, s auth.Store) {
	ctx := context.Background()
	MustSeedDemo(t, s)
	first := person("person-1", 1)
	must(t, s.CreatePerson(ctx, first))

	sameKey := person("person-2", 1)
	wantErr(t, s.CreatePerson(ctx, sameKey), auth.ErrConflict, "same hetu key, new id")
	sameID := person("person-1", 2)
	wantErr(t, s.CreatePerson(ctx, sameID), auth.ErrConflict, "same id, new hetu key")

	got, err := s.PersonByHetuKey(ctx, first.HetuKey)
	must(t, err)
	samePerson(t, "after conflicts", got, first)
	_, err = s.PersonByHetuKey(ctx, sameID.HetuKey)
	wantErr(t, err, auth.ErrNotFound, "key of the refused insert")
}

func testPersonUnknownRegion(t *testing.T, s auth.Store) {
	ctx := context.Background()
	MustSeedDemo(t, s)
	p := person("person-1", 1)
	p.HomeRegion = "atlantis"
	wantErr(t, s.CreatePerson(ctx, p), auth.ErrNotFound, "person in unknown region")
	_, err := s.PersonByID(ctx, p.ID)
	wantErr(t, err, auth.ErrNotFound, "person not inserted")
}

func testNotFound(t *testing.T, s auth.Store) {
	ctx := context.Background()
	MustSeedDemo(t, s)
	_, err := s.PersonByHetuKey(ctx, []byte{1, 2, 3})
	wantErr(t, err, auth.ErrNotFound, "PersonByHetuKey")
	_, err = s.PersonByID(ctx, "nobody")
	wantErr(t, err, auth.ErrNotFound, "PersonByID")
	_, err = s.Region(ctx, "atlantis")
	wantErr(t, err, auth.ErrNotFound, "Region")
	_, err = s.CareUnit(ctx, "nowhere")
	wantErr(t, err, auth.ErrNotFound, "CareUnit")
	_, err = s.Professional(ctx, "nobody")
	wantErr(t, err, auth.ErrNotFound, "Professional")
	_, err = s.ProfessionalByUsername(ctx, "nobody")
	wantErr(t, err, auth.ErrNotFound, "ProfessionalByUsername")
	wantErr(t, s.PutCareUnit(ctx, auth.CareUnit{ID: "u", RegionID: "atlantis", OID: "1.2.3", Name: "x"}),
		auth.ErrNotFound, "care unit in unknown region")
}

func testPutIdempotent(t *testing.T, s auth.Store) {
	ctx := context.Background()
	d := MustSeedDemo(t, s)
	MustSeedDemo(t, s) // a second seeding changes nothing
	checkDirectory(t, s, d)

	d.Regions[0].Name, d.Regions[0].RegistrarName = "Kainuu (uusi nimi)", "Kainuun rekisterinpitäjä"
	d.CareUnits[1].Name, d.CareUnits[1].OID = "Sotkamon sote-keskus", "1.2.246.10.99990001.10.9"
	pro := &d.Professionals[0]
	pro.Title, pro.FamilyName, pro.Terhikki = "terveydenhoitaja", "Heikkinen-Älä", ""
	pro.CareUnitID = "unit-kainuu-sotkamo"
	must(t, s.PutRegion(ctx, d.Regions[0]))
	must(t, s.PutCareUnit(ctx, d.CareUnits[1]))
	must(t, s.PutProfessional(ctx, *pro))
	checkDirectory(t, s, d)

	pro.Terhikki = "10000000001"
	must(t, s.PutProfessional(ctx, *pro))
	checkDirectory(t, s, d)
}

// checkDirectory reads every entry of d back from s.
func checkDirectory(tb testing.TB, s auth.Store, d auth.Demo) {
	tb.Helper()
	ctx := context.Background()
	regions, err := s.Regions(ctx)
	must(tb, err)
	if !slices.Equal(regions, d.Regions) {
		tb.Errorf("Regions: got %+v, want %+v", regions, d.Regions)
	}
	for _, want := range d.Regions {
		got, err := s.Region(ctx, want.ID)
		checkEqual(tb, "Region", got, want, err)
	}
	for _, want := range d.CareUnits {
		got, err := s.CareUnit(ctx, want.ID)
		checkEqual(tb, "CareUnit", got, want, err)
	}
	for _, want := range d.Professionals {
		got, err := s.Professional(ctx, want.ID)
		checkEqual(tb, "Professional", got, want, err)
	}
}

func checkEqual[T comparable](tb testing.TB, what string, got, want T, err error) {
	tb.Helper()
	if err != nil {
		tb.Errorf("%s: %v", what, err)
	} else if got != want {
		tb.Errorf("%s: got %+v, want %+v", what, got, want)
	}
}

func testPutConflict(t *testing.T, s auth.Store) {
	ctx := context.Background()
	d := MustSeedDemo(t, s)
	pro := d.Professionals[0]
	pro.ID = "pro-other"
	pro.Terhikki = "19999999999"
	wantErr(t, s.PutProfessional(ctx, pro), auth.ErrConflict, "professional with a taken username")
	pro.Username, pro.Terhikki = "someone-else", d.Professionals[1].Terhikki
	wantErr(t, s.PutProfessional(ctx, pro), auth.ErrConflict, "professional with a taken Terhikki number")
	unit := d.CareUnits[0]
	unit.ID = "unit-other"
	wantErr(t, s.PutCareUnit(ctx, unit), auth.ErrConflict, "care unit with a taken OID")
	checkDirectory(t, s, d)
}

func testBadRole(t *testing.T, s auth.Store) {
	ctx := context.Background()
	d := MustSeedDemo(t, s)
	pro := d.Professionals[0]
	pro.Role = "admin"
	if err := s.PutProfessional(ctx, pro); err == nil {
		t.Fatal("PutProfessional with role admin: no error")
	}
	checkDirectory(t, s, d)
}

func testRegionsOrder(t *testing.T, s auth.Store) {
	ctx := context.Background()
	ids := []string{"uusimaa", "kainuu", "pirkanmaa", "oulu", "Ahvenanmaa"}
	for _, id := range ids {
		must(t, s.PutRegion(ctx, auth.Region{ID: id, Name: "Region " + id, RegistrarOID: "1.2.3." + id, RegistrarName: id}))
	}
	regions, err := s.Regions(ctx)
	must(t, err)
	var got []string
	for _, r := range regions {
		got = append(got, r.ID)
	}
	want := []string{"Ahvenanmaa", "kainuu", "oulu", "pirkanmaa", "uusimaa"} // byte order
	if !slices.Equal(got, want) {
		t.Errorf("Regions order: got %v, want %v", got, want)
	}
}

func testSearchProfessionals(t *testing.T, s auth.Store) {
	ctx := context.Background()
	MustSeedDemo(t, s)
	cases := []struct{ region, terhikki, name string }{
		{"oulu", "", ""},
		{"kainuu", "", ""},
		{"oulu", "10000000003", ""},
		{"kainuu", "10000000003", ""}, // another region's professional
		{"oulu", "1000000000", ""},    // Terhikki is exact, not a prefix
		{"oulu", "", "vä"},
		{"oulu", "", "VÄISÄ"},
		{"oulu", "", "Mä"},
		{"oulu", "", "hel"},          // given name
		{"oulu", "", "äisänen"},      // a prefix, not a substring
		{"kainuu", "", "k"},          // family names Korhonen; none given
		{"kainuu", "", "%"},          // wildcards are literal
		{"kainuu", "", "_"},          //
		{"oulu", "10000000004", "m"}, // both must match
		{"oulu", "10000000004", "v"},
		{"atlantis", "", ""},
	}
	want := [][]string{
		{"pro-oulu-doctor", "op-oulu", "pro-oulu-nurse"},
		{"pro-kainuu-nurse", "pro-kainuu-doctor", "op-kainuu"},
		{"pro-oulu-nurse"},
		nil,
		nil,
		{"pro-oulu-nurse"},
		{"pro-oulu-nurse"},
		{"pro-oulu-doctor"},
		{"pro-oulu-nurse"},
		nil,
		{"pro-kainuu-doctor"},
		nil,
		nil,
		{"pro-oulu-doctor"},
		nil,
		nil,
	}
	for i, c := range cases {
		pros, err := s.SearchProfessionals(ctx, c.region, c.terhikki, c.name)
		must(t, err)
		got := ids(pros, func(p auth.Professional) string { return p.ID })
		if !slices.Equal(got, want[i]) {
			t.Errorf("SearchProfessionals(%q, %q, %q) = %v, want %v", c.region, c.terhikki, c.name, got, want[i])
		}
	}
}

func testSearchCareUnits(t *testing.T, s auth.Store) {
	ctx := context.Background()
	MustSeedDemo(t, s)
	must(t, s.PutCareUnit(ctx, auth.CareUnit{ID: "unit-kainuu-aanekoski", RegionID: "kainuu",
		OID: "1.2.246.10.99990001.10.3", Name: "Äänekosken 100% sote_asema"}))
	cases := []struct{ region, oid, name string }{
		{"kainuu", "", ""},
		{"oulu", "", ""},
		{"kainuu", "1.2.246.10.99990001.10.2", ""},
		{"oulu", "1.2.246.10.99990001.10.2", ""}, // another region's unit
		{"kainuu", "1.2.246.10.99990001.10", ""}, // OID is exact
		{"kainuu", "", "TERVEYS"},
		{"kainuu", "", "kajaani"},
		{"kainuu", "", "ÄÄNE"},
		{"kainuu", "", "0%"},
		{"kainuu", "", "e_a"},
		{"kainuu", "", "%"},
		{"kainuu", "", "_"},
		{"kainuu", "1.2.246.10.99990001.10.1", "sotkamo"},
		{"atlantis", "", ""},
	}
	want := [][]string{
		{"unit-kainuu-kajaani", "unit-kainuu-sotkamo", "unit-kainuu-aanekoski"}, // byte order: ä after z
		{"unit-oulu-kontinkangas", "unit-oulu-keskusta"},                        // Kontinkankaan < Oulun
		{"unit-kainuu-sotkamo"},
		nil,
		nil,
		{"unit-kainuu-kajaani", "unit-kainuu-sotkamo"},
		{"unit-kainuu-kajaani"},
		{"unit-kainuu-aanekoski"},
		{"unit-kainuu-aanekoski"},
		{"unit-kainuu-aanekoski"},
		{"unit-kainuu-aanekoski"},
		{"unit-kainuu-aanekoski"},
		nil,
		nil,
	}
	for i, c := range cases {
		units, err := s.SearchCareUnits(ctx, c.region, c.oid, c.name)
		must(t, err)
		got := ids(units, func(u auth.CareUnit) string { return u.ID })
		if !slices.Equal(got, want[i]) {
			t.Errorf("SearchCareUnits(%q, %q, %q) = %v, want %v", c.region, c.oid, c.name, got, want[i])
		}
	}
	units, err := s.SearchCareUnits(ctx, "kainuu", "", "kajaanin")
	must(t, err)
	if len(units) != 1 || units[0] != auth.DemoDirectory().CareUnits[0] {
		t.Errorf("SearchCareUnits fields: got %+v", units)
	}
}

func ids[T any](items []T, id func(T) string) []string {
	var out []string
	for _, it := range items {
		out = append(out, id(it))
	}
	return out
}

func testProfessionalByUsername(t *testing.T, s auth.Store) {
	ctx := context.Background()
	d := MustSeedDemo(t, s)
	for _, want := range d.Professionals {
		got, err := s.ProfessionalByUsername(ctx, want.Username)
		checkEqual(t, "ProfessionalByUsername "+want.Username, got, want, err)
	}
	_, err := s.ProfessionalByUsername(ctx, "KAINUU-NURSE")
	wantErr(t, err, auth.ErrNotFound, "username in other case")
}

// testConcurrentCreatePerson: a first login of one person racing with
// itself creates exactly one row; every loser sees ErrConflict.
func testConcurrentCreatePerson(t *testing.T, s auth.Store) {
	ctx := context.Background()
	MustSeedDemo(t, s)
	const n = 8
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Go(func() {
			start.Wait()
			errs[i] = s.CreatePerson(ctx, person(fmt.Sprintf("racer-%d", i), 7))
		})
	}
	start.Done()
	done.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("racers %d and %d both created the person", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, auth.ErrConflict):
			t.Errorf("racer %d: got %v, want ErrConflict", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no racer created the person")
	}
	got, err := s.PersonByHetuKey(ctx, person("", 7).HetuKey)
	must(t, err)
	if want := fmt.Sprintf("racer-%d", winner); got.ID != want {
		t.Errorf("stored person %s, want the winner %s", got.ID, want)
	}
}
