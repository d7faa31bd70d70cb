package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/record"
)

// ConsentStores is what the consent conformance suite needs of an
// implementation: the consent store, and the people grants belong to.
type ConsentStores interface {
	auth.Store
	consent.Store
}

// RunConsent runs the consent.Store conformance subtests on the stores
// that open returns (a new, empty, migrated store for each call, closed
// when t ends); each must implement consent.Store.
func RunConsent(t *testing.T, open func(t *testing.T) Stores) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s ConsentStores)
	}{
		{"GrantRoundTrip", testGrantRoundTrip},
		{"AskRoundTrip", testAskRoundTrip},
		{"GrantsInForceAtTheEdges", testGrantsInForce},
		{"GrantsToProfessionalAndUnit", testGrantsTo},
		{"UpdateGrantOptimistic", testUpdateGrant},
		{"ConcurrentUpdateGrant", testConcurrentUpdateGrant},
		{"ApproveAskInSameTransaction", testApproveAsk},
		{"ConcurrentApproveAsk", testConcurrentApproveAsk},
		{"DeclineAsk", testDeclineAsk},
		{"OnePendingAskPerProfessional", testOnePendingAsk},
		{"ListingOrder", testConsentOrder},
		{"NotFoundAndConflict", testConsentNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := open(t).(ConsentStores)
			if !ok {
				t.Fatalf("the store does not implement consent.Store")
			}
			MustSeedPeople(t, s, "person-1", "person-2")
			tc.fn(t, s)
		})
	}
}

// t0 is the moment the consent tests call now.
var t0 = time.Date(2026, time.March, 1, 8, 0, 0, 0, time.UTC)

// Demo directory entries that grants name.
const (
	nurse   = "pro-kainuu-nurse"
	doctor  = "pro-kainuu-doctor"
	kajaani = "unit-kainuu-kajaani"
	sotkamo = "unit-kainuu-sotkamo"
)

// NewGrant is an active version-1 grant of personID to grantee for a year
// from start, of every measurement, given by the person and created at
// start.
func NewGrant(id, personID string, grantee consent.Grantee, start time.Time) consent.Grant {
	return consent.Grant{
		ID: id, PersonID: personID, Region: "kainuu", Grantee: grantee,
		Scope:   consent.Scope{Classes: []consent.ClassScope{{Class: record.ClassMeasurements}}},
		Start:   start,
		End:     start.AddDate(1, 0, 0),
		Purpose: consent.PurposeTreatment,
		GivenBy: record.Actor{Kind: record.ActorPerson, ID: personID}, CreatedAt: start,
		Status: consent.StatusActive, Version: 1,
	}
}

// NewAsk is a pending request of professionalID to personID for a year of
// every measurement, made at at.
func NewAsk(id, personID, professionalID string, at time.Time) consent.Ask {
	return consent.Ask{
		ID: id, PersonID: personID, ProfessionalID: professionalID,
		Scope:  consent.Scope{Classes: []consent.ClassScope{{Class: record.ClassMeasurements}}},
		Months: 12, Reason: "verenpaineen seuranta", CreatedAt: at, Status: consent.AskPending,
	}
}

func toPro(id string) consent.Grantee {
	return consent.Grantee{Kind: consent.GranteeProfessional, ID: id}
}

func toUnit(id string) consent.Grantee {
	return consent.Grantee{Kind: consent.GranteeUnit, ID: id}
}

// testGrantRoundTrip: every field comes back as written, times in UTC to
// the microsecond; no end, no window and no items come back as such.
func testGrantRoundTrip(t *testing.T, s ConsentStores) {
	ctx := context.Background()
	helsinki := time.FixedZone("EET", 2*60*60)
	full := consent.Grant{
		ID: "grant-full", PersonID: "person-1", Region: "kainuu", Grantee: toUnit(kajaani),
		Scope: consent.Scope{
			Classes: []consent.ClassScope{
				{Class: record.ClassMeasurements, Items: []string{string(record.BloodPressure), string(record.BodyWeight)}},
				{Class: record.ClassFiles, Items: []string{"file-1", "file-ä"}},
			},
			Window: record.Window{From: time.Date(2024, 1, 1, 0, 0, 0, 0, helsinki), To: time.Date(2025, 7, 1, 12, 30, 0, 123456789, time.UTC)},
		},
		Start:   time.Date(2026, 3, 1, 10, 0, 0, 999999999, helsinki),
		End:     time.Date(2027, 3, 1, 10, 0, 0, 0, helsinki),
		Purpose: consent.PurposeTreatment,
		GivenBy: record.Actor{Kind: record.ActorPerson, ID: "person-2", OnBehalfOf: "person-1"}, CreatedAt: t0,
		Status: consent.StatusRevoked, RevokedAt: t0.Add(time.Hour + time.Microsecond),
		RevokedBy: record.Actor{Kind: record.ActorPerson, ID: "person-2", OnBehalfOf: "person-1"},
		EndedAt:   t0.Add(2 * time.Hour), EndReason: consent.EndLeftUnit, Version: 7,
	}
	bare := NewGrant("grant-bare", "person-1", toPro(nurse), t0.Add(-time.Hour))
	bare.End, bare.Version = time.Time{}, 0
	must(t, s.CreateGrant(ctx, full, ""))
	must(t, s.CreateGrant(ctx, bare, ""))

	want := full
	want.Version = 1 // a new grant is version 1, whatever it said
	want.Scope.Window = record.Window{From: time.Date(2023, 12, 31, 22, 0, 0, 0, time.UTC), To: time.Date(2025, 7, 1, 12, 30, 0, 123456000, time.UTC)}
	want.Start = time.Date(2026, 3, 1, 8, 0, 0, 999999000, time.UTC)
	want.End = time.Date(2027, 3, 1, 8, 0, 0, 0, time.UTC)
	got, err := s.Grant(ctx, full.ID)
	must(t, err)
	sameGrant(t, "full grant", got, want)

	wantBare := bare
	wantBare.Version = 1
	got, err = s.Grant(ctx, bare.ID)
	must(t, err)
	sameGrant(t, "grant without end, window or items", got, wantBare)
	if !got.End.IsZero() || got.Scope.Classes[0].Items != nil {
		t.Errorf("bare grant: end %v, items %#v; want zero and nil", got.End, got.Scope.Classes[0].Items)
	}

	all, err := s.Grants(ctx, "person-1")
	must(t, err)
	if len(all) != 2 {
		t.Fatalf("Grants: got %d, want 2", len(all))
	}
	sameGrant(t, "listed full grant", all[0], want) // created later: first
	sameGrant(t, "listed bare grant", all[1], wantBare)
}

func testAskRoundTrip(t *testing.T, s ConsentStores) {
	ctx := context.Background()
	a := NewAsk("ask-1", "person-1", nurse, t0.Add(123456789*time.Nanosecond))
	a.Scope = consent.Scope{
		Classes: []consent.ClassScope{{Class: record.ClassMeasurements, Items: []string{string(record.BloodPressure)}}, {Class: record.ClassFiles}},
		Window:  record.Window{From: t0.AddDate(-1, 0, 0)},
	}
	a.Months, a.Reason = 0, "Tarvitsen kotimittaukset – “lainausmerkit” ja 'heittomerkit'"
	must(t, s.CreateAsk(ctx, a))
	got, err := s.Ask(ctx, a.ID)
	must(t, err)
	want := a
	want.CreatedAt = t0.Add(123456 * time.Microsecond)
	sameAsk(t, "pending ask", got, want)
}

// testGrantsInForce: start is inclusive, end exclusive, a grant without
// end never expires, revoked and ended grants and other people's are out.
func testGrantsInForce(t *testing.T, s ConsentStores) {
	ctx := context.Background()
	year := NewGrant("g-year", "person-1", toPro(nurse), t0)
	open := NewGrant("g-open", "person-1", toUnit(kajaani), t0.Add(time.Hour))
	open.End = time.Time{}
	revoked := NewGrant("g-revoked", "person-1", toPro(doctor), t0.Add(-time.Hour))
	revoked.Status, revoked.RevokedAt = consent.StatusRevoked, t0
	revoked.RevokedBy = record.Actor{Kind: record.ActorPerson, ID: "person-1"}
	ended := NewGrant("g-ended", "person-1", toUnit(sotkamo), t0.Add(-time.Hour))
	ended.Status, ended.EndedAt, ended.EndReason = consent.StatusEnded, t0, consent.EndMoved
	other := NewGrant("g-other", "person-2", toPro(nurse), t0.Add(-time.Hour))
	for _, g := range []consent.Grant{year, open, revoked, ended, other} {
		must(t, s.CreateGrant(ctx, g, ""))
	}
	end := year.End
	cases := []struct {
		at   time.Time
		want []string
	}{
		{t0.Add(-time.Microsecond), nil},
		{t0, []string{"g-year"}},
		{t0.Add(time.Hour - time.Microsecond), []string{"g-year"}},
		{t0.Add(time.Hour), []string{"g-open", "g-year"}},
		{end.Add(-time.Microsecond), []string{"g-open", "g-year"}},
		{end, []string{"g-open"}},
		{end.AddDate(50, 0, 0), []string{"g-open"}},
	}
	for _, c := range cases {
		gs, err := s.GrantsInForce(ctx, "person-1", c.at)
		must(t, err)
		if got := grantIDs(gs); !slices.Equal(got, c.want) {
			t.Errorf("GrantsInForce at %s: got %v, want %v", c.at.Format(time.RFC3339Nano), got, c.want)
		}
		for _, g := range gs {
			if !g.InForce(c.at) {
				t.Errorf("GrantsInForce at %s returned %s, which is not in force", c.at.Format(time.RFC3339Nano), g.ID)
			}
		}
	}
	// A zone other than UTC is the same instant.
	gs, err := s.GrantsInForce(ctx, "person-1", t0.In(time.FixedZone("EET", 2*60*60)))
	must(t, err)
	if got := grantIDs(gs); !slices.Equal(got, []string{"g-year"}) {
		t.Errorf("GrantsInForce at t0 in +02:00: got %v, want [g-year]", got)
	}
}

// testGrantsTo: a professional sees the grants naming them and their
// unit, in force; never another grantee's, nor a unit grant whose id
// happens to be the professional's.
func testGrantsTo(t *testing.T, s ConsentStores) {
	ctx := context.Background()
	grants := []consent.Grant{
		NewGrant("g-nurse", "person-1", toPro(nurse), t0),
		NewGrant("g-kajaani", "person-2", toUnit(kajaani), t0.Add(time.Minute)),
		NewGrant("g-doctor", "person-1", toPro(doctor), t0),
		NewGrant("g-sotkamo", "person-1", toUnit(sotkamo), t0),
		NewGrant("g-kind-mixup", "person-1", toUnit(nurse), t0), // a unit id equal to the nurse's
		NewGrant("g-later", "person-2", toPro(nurse), t0.Add(24*time.Hour)),
	}
	revoked := NewGrant("g-nurse-revoked", "person-2", toPro(nurse), t0)
	revoked.Status, revoked.RevokedAt = consent.StatusRevoked, t0
	grants = append(grants, revoked)
	for _, g := range grants {
		must(t, s.CreateGrant(ctx, g, ""))
	}
	now := t0.Add(time.Hour)
	cases := []struct {
		pro, unit string
		want      []string
	}{
		{nurse, kajaani, []string{"g-kajaani", "g-nurse"}},
		{nurse, "", []string{"g-nurse"}},
		{"", kajaani, []string{"g-kajaani"}},
		{doctor, sotkamo, []string{"g-doctor", "g-sotkamo"}},
		{"pro-oulu-nurse", "unit-oulu-keskusta", nil},
		{"", "", nil},
	}
	for _, c := range cases {
		gs, err := s.GrantsTo(ctx, c.pro, c.unit, now, 10)
		must(t, err)
		if got := grantIDs(gs); !slices.Equal(got, c.want) {
			t.Errorf("GrantsTo(%q, %q): got %v, want %v", c.pro, c.unit, got, c.want)
		}
	}
	gs, err := s.GrantsTo(ctx, nurse, kajaani, t0.Add(25*time.Hour), 10)
	must(t, err)
	if got, want := grantIDs(gs), []string{"g-later", "g-kajaani", "g-nurse"}; !slices.Equal(got, want) {
		t.Errorf("GrantsTo a day later: got %v, want %v", got, want)
	}
	// The bound counts persons, not grants: person-2's two grants (the
	// newest of all among them) come together, person-1's are left out.
	gs, err = s.GrantsTo(ctx, nurse, kajaani, t0.Add(25*time.Hour), 1)
	must(t, err)
	if got, want := grantIDs(gs), []string{"g-later", "g-kajaani"}; !slices.Equal(got, want) {
		t.Errorf("GrantsTo of one person: got %v, want %v", got, want)
	}
}

// testUpdateGrant: a revocation writes over the version read; a second
// writer holding the same version, or one skipping a version, is refused
// and changes nothing.
func testUpdateGrant(t *testing.T, s ConsentStores) {
	ctx := context.Background()
	must(t, s.CreateGrant(ctx, NewGrant("g-1", "person-1", toPro(nurse), t0), ""))
	read, err := s.Grant(ctx, "g-1")
	must(t, err)

	revoked := read
	revoked.Status, revoked.RevokedAt, revoked.Version = consent.StatusRevoked, t0.Add(time.Hour), 2
	revoked.RevokedBy = record.Actor{Kind: record.ActorPerson, ID: "person-1"}
	must(t, s.UpdateGrant(ctx, revoked))
	got, err := s.Grant(ctx, "g-1")
	must(t, err)
	sameGrant(t, "after revocation", got, revoked)

	stale := read
	stale.Status, stale.EndedAt, stale.EndReason, stale.Version = consent.StatusEnded, t0.Add(2*time.Hour), consent.EndMoved, 2
	wantErr(t, s.UpdateGrant(ctx, stale), consent.ErrConflict, "update from a version already replaced")
	stale.Version = 4
	wantErr(t, s.UpdateGrant(ctx, stale), consent.ErrConflict, "update skipping a version")
	got, err = s.Grant(ctx, "g-1")
	must(t, err)
	sameGrant(t, "after refused updates", got, revoked)

	inForce, err := s.GrantsInForce(ctx, "person-1", t0.Add(2*time.Hour))
	must(t, err)
	if len(inForce) != 0 {
		t.Errorf("GrantsInForce after revocation: got %v, want none", grantIDs(inForce))
	}
	missing := revoked
	missing.ID, missing.Version = "g-missing", 2
	wantErr(t, s.UpdateGrant(ctx, missing), consent.ErrNotFound, "update of an unknown grant")
}

// testConcurrentUpdateGrant: two writers of the same version: exactly one
// wins, and what is stored is the winner's.
func testConcurrentUpdateGrant(t *testing.T, s ConsentStores) {
	ctx := context.Background()
	must(t, s.CreateGrant(ctx, NewGrant("g-1", "person-1", toPro(nurse), t0), ""))
	read, err := s.Grant(ctx, "g-1")
	must(t, err)
	updates := make([]consent.Grant, 2)
	for i := range updates {
		updates[i] = read
		updates[i].Version = 2
		updates[i].Status, updates[i].EndedAt, updates[i].EndReason = consent.StatusEnded, t0.Add(time.Hour), fmt.Sprintf("reason-%d", i)
	}
	winner := race(t, len(updates), consent.ErrConflict, func(i int) error { return s.UpdateGrant(ctx, updates[i]) })
	got, err := s.Grant(ctx, "g-1")
	must(t, err)
	sameGrant(t, "after the race", got, updates[winner])
}

// testApproveAsk: approving writes the grant and marks the request in one
// transaction; a refused approval leaves no grant behind.
func testApproveAsk(t *testing.T, s ConsentStores) {
	ctx := context.Background()
	ask := NewAsk("ask-1", "person-1", nurse, t0)
	must(t, s.CreateAsk(ctx, ask))
	g := NewGrant("g-approved", "person-1", toPro(nurse), t0.Add(time.Hour))
	must(t, s.CreateGrant(ctx, g, ask.ID))
	got, err := s.Ask(ctx, ask.ID)
	must(t, err)
	want := ask
	want.Status, want.DecidedAt, want.GrantID = consent.AskApproved, g.CreatedAt, g.ID
	sameAsk(t, "approved ask", got, want)
	_, err = s.Grant(ctx, g.ID)
	must(t, err)

	again := NewGrant("g-again", "person-1", toPro(nurse), t0.Add(2*time.Hour))
	wantErr(t, s.CreateGrant(ctx, again, ask.ID), consent.ErrConflict, "approving an approved request")
	notStored(t, s, again.ID)

	must(t, s.CreateAsk(ctx, NewAsk("ask-2", "person-2", nurse, t0)))
	theirs := NewGrant("g-theirs", "person-1", toPro(nurse), t0.Add(2*time.Hour))
	wantErr(t, s.CreateGrant(ctx, theirs, "ask-2"), consent.ErrConflict, "approving another person's request")
	notStored(t, s, theirs.ID)
	pending, err := s.Ask(ctx, "ask-2")
	must(t, err)
	sameAsk(t, "another person's request after a refused approval", pending, NewAsk("ask-2", "person-2", nurse, t0))

	unknown := NewGrant("g-unknown", "person-1", toPro(nurse), t0.Add(2*time.Hour))
	wantErr(t, s.CreateGrant(ctx, unknown, "ask-missing"), consent.ErrNotFound, "approving an unknown request")
	notStored(t, s, unknown.ID)
}

// testConcurrentApproveAsk: one request approved from several goroutines
// at once becomes exactly one grant.
func testConcurrentApproveAsk(t *testing.T, s ConsentStores) {
	ctx := context.Background()
	must(t, s.CreateAsk(ctx, NewAsk("ask-1", "person-1", nurse, t0)))
	const n = 6
	winner := race(t, n, consent.ErrConflict, func(i int) error {
		return s.CreateGrant(ctx, NewGrant(fmt.Sprintf("g-%d", i), "person-1", toPro(nurse), t0.Add(time.Hour)), "ask-1")
	})
	gs, err := s.Grants(ctx, "person-1")
	must(t, err)
	want := fmt.Sprintf("g-%d", winner)
	if got := grantIDs(gs); !slices.Equal(got, []string{want}) {
		t.Errorf("grants after the race: got %v, want only the winner's %s", got, want)
	}
	a, err := s.Ask(ctx, "ask-1")
	must(t, err)
	if a.Status != consent.AskApproved || a.GrantID != want {
		t.Errorf("request after the race: %s with grant %q, want approved with %s", a.Status, a.GrantID, want)
	}
}

func testDeclineAsk(t *testing.T, s ConsentStores) {
	ctx := context.Background()
	ask := NewAsk("ask-1", "person-1", nurse, t0)
	must(t, s.CreateAsk(ctx, ask))
	must(t, s.DeclineAsk(ctx, ask.ID, t0.Add(time.Hour)))
	got, err := s.Ask(ctx, ask.ID)
	must(t, err)
	want := ask
	want.Status, want.DecidedAt = consent.AskDeclined, t0.Add(time.Hour)
	sameAsk(t, "declined ask", got, want)

	wantErr(t, s.DeclineAsk(ctx, ask.ID, t0.Add(2*time.Hour)), consent.ErrConflict, "declining twice")
	g := NewGrant("g-1", "person-1", toPro(nurse), t0.Add(2*time.Hour))
	wantErr(t, s.CreateGrant(ctx, g, ask.ID), consent.ErrConflict, "approving a declined request")
	notStored(t, s, g.ID)
	got, err = s.Ask(ctx, ask.ID)
	must(t, err)
	sameAsk(t, "declined ask after refused changes", got, want)

	must(t, s.CreateAsk(ctx, NewAsk("ask-2", "person-1", nurse, t0)))
	must(t, s.CreateGrant(ctx, g, "ask-2"))
	wantErr(t, s.DeclineAsk(ctx, "ask-2", t0.Add(3*time.Hour)), consent.ErrConflict, "declining an approved request")
	wantErr(t, s.DeclineAsk(ctx, "ask-missing", t0), consent.ErrNotFound, "declining an unknown request")
}

// testConsentOrder: listings are newest first, and ids in byte order
// between equal times, on both databases.
func testConsentOrder(t *testing.T, s ConsentStores) {
	ctx := context.Background()
	for _, c := range []struct {
		id  string
		off time.Duration
	}{{"g-b", 0}, {"g-new", 2 * time.Hour}, {"G-upper", 0}, {"g-a", 0}, {"g-old", -time.Hour}} {
		must(t, s.CreateGrant(ctx, NewGrant(c.id, "person-1", toPro(nurse), t0.Add(c.off)), ""))
	}
	must(t, s.CreateGrant(ctx, NewGrant("g-other", "person-2", toPro(nurse), t0), ""))
	gs, err := s.Grants(ctx, "person-1")
	must(t, err)
	if got, want := grantIDs(gs), []string{"g-new", "G-upper", "g-a", "g-b", "g-old"}; !slices.Equal(got, want) {
		t.Errorf("Grants order: got %v, want %v", got, want)
	}
	for _, c := range []struct {
		id, person, pro string
		off             time.Duration
	}{{"a-b", "person-1", nurse, 0}, {"a-new", "person-1", doctor, time.Hour}, {"A-upper", "person-2", nurse, 0},
		{"a-a", "person-1", nurse, 0}, {"a-old", "person-2", nurse, -time.Hour}} {
		must(t, s.CreateAsk(ctx, NewAsk(c.id, c.person, c.pro, t0.Add(c.off))))
		if c.id == "a-b" || c.id == "A-upper" {
			// One request waits at a time per professional and person:
			// answer it before the nurse asks the same person again.
			must(t, s.DeclineAsk(ctx, c.id, t0.Add(c.off)))
		}
	}
	asks, err := s.Asks(ctx, "person-1")
	must(t, err)
	if got, want := askIDs(asks), []string{"a-new", "a-a", "a-b"}; !slices.Equal(got, want) {
		t.Errorf("Asks order: got %v, want %v", got, want)
	}
	asks, err = s.AsksBy(ctx, nurse)
	must(t, err)
	if got, want := askIDs(asks), []string{"A-upper", "a-a", "a-b", "a-old"}; !slices.Equal(got, want) {
		t.Errorf("AsksBy order: got %v, want %v", got, want)
	}
}

func testConsentNotFound(t *testing.T, s ConsentStores) {
	ctx := context.Background()
	_, err := s.Grant(ctx, "missing")
	wantErr(t, err, consent.ErrNotFound, "Grant")
	_, err = s.Ask(ctx, "missing")
	wantErr(t, err, consent.ErrNotFound, "Ask")
	for what, list := range map[string]func() (int, error){
		"Grants":        func() (int, error) { gs, err := s.Grants(ctx, "person-1"); return len(gs), err },
		"GrantsInForce": func() (int, error) { gs, err := s.GrantsInForce(ctx, "person-1", t0); return len(gs), err },
		"GrantsTo":      func() (int, error) { gs, err := s.GrantsTo(ctx, nurse, kajaani, t0, 10); return len(gs), err },
		"Asks":          func() (int, error) { as, err := s.Asks(ctx, "person-1"); return len(as), err },
		"AsksBy":        func() (int, error) { as, err := s.AsksBy(ctx, nurse); return len(as), err },
	} {
		if n, err := list(); err != nil || n != 0 {
			t.Errorf("%s of an empty store: %d, %v; want none and no error", what, n, err)
		}
	}
	wantErr(t, s.CreateGrant(ctx, NewGrant("g-nobody", "nobody", toPro(nurse), t0), ""), consent.ErrNotFound, "grant of an unknown person")
	wantErr(t, s.CreateAsk(ctx, NewAsk("a-nobody", "nobody", nurse, t0)), consent.ErrNotFound, "request to an unknown person")

	must(t, s.CreateGrant(ctx, NewGrant("g-1", "person-1", toPro(nurse), t0), ""))
	dup := NewGrant("g-1", "person-2", toPro(doctor), t0)
	wantErr(t, s.CreateGrant(ctx, dup, ""), consent.ErrConflict, "grant with a taken id")
	must(t, s.CreateAsk(ctx, NewAsk("a-1", "person-1", nurse, t0)))
	wantErr(t, s.CreateAsk(ctx, NewAsk("a-1", "person-2", doctor, t0)), consent.ErrConflict, "request with a taken id")
	got, err := s.Grant(ctx, "g-1")
	must(t, err)
	if got.PersonID != "person-1" {
		t.Errorf("grant g-1 belongs to %s after a refused duplicate, want person-1", got.PersonID)
	}
}

// race runs fn(0..n-1) at once and returns the one i that succeeded; every
// other must fail with loser.
func race(t *testing.T, n int, loser error, fn func(i int) error) int {
	t.Helper()
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Go(func() {
			start.Wait()
			errs[i] = fn(i)
		})
	}
	start.Done()
	done.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("racers %d and %d both succeeded", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, loser):
			t.Errorf("racer %d: got %v, want %v", i, err, loser)
		}
	}
	if winner < 0 {
		t.Fatal("no racer succeeded")
	}
	return winner
}

func notStored(tb testing.TB, s ConsentStores, grantID string) {
	tb.Helper()
	_, err := s.Grant(context.Background(), grantID)
	wantErr(tb, err, consent.ErrNotFound, "grant "+grantID+" of a refused create")
}

// sameGrant compares every field; times must also be in UTC.
func sameGrant(tb testing.TB, what string, got, want consent.Grant) {
	tb.Helper()
	for _, tm := range []time.Time{got.Start, got.End, got.CreatedAt, got.RevokedAt, got.EndedAt, got.Scope.Window.From, got.Scope.Window.To} {
		if !tm.IsZero() && tm.Location() != time.UTC {
			tb.Errorf("%s: time %s not in UTC", what, tm)
		}
	}
	if !reflect.DeepEqual(normGrant(got), normGrant(want)) {
		tb.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func sameAsk(tb testing.TB, what string, got, want consent.Ask) {
	tb.Helper()
	if got.CreatedAt.Location() != time.UTC || (!got.DecidedAt.IsZero() && got.DecidedAt.Location() != time.UTC) {
		tb.Errorf("%s: times not in UTC", what)
	}
	g, w := got, want
	g.CreatedAt, w.CreatedAt = utc(g.CreatedAt), utc(w.CreatedAt)
	g.DecidedAt, w.DecidedAt = utc(g.DecidedAt), utc(w.DecidedAt)
	g.Scope, w.Scope = normScope(g.Scope), normScope(w.Scope)
	if !reflect.DeepEqual(g, w) {
		tb.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// normGrant makes equal instants equal values for reflect.DeepEqual; the
// want side has already been truncated to the microsecond by the test.
func normGrant(g consent.Grant) consent.Grant {
	g.Start, g.End, g.CreatedAt = utc(g.Start), utc(g.End), utc(g.CreatedAt)
	g.RevokedAt, g.EndedAt = utc(g.RevokedAt), utc(g.EndedAt)
	g.Scope = normScope(g.Scope)
	return g
}

func normScope(s consent.Scope) consent.Scope {
	s.Window.From, s.Window.To = utc(s.Window.From), utc(s.Window.To)
	return s
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

func grantIDs(gs []consent.Grant) []string {
	return ids(gs, func(g consent.Grant) string { return g.ID })
}

func askIDs(as []consent.Ask) []string {
	return ids(as, func(a consent.Ask) string { return a.ID })
}

// One request waits at a time from one professional to one person; once
// it is answered, another may be sent, and other professionals are free.
func testOnePendingAsk(t *testing.T, s ConsentStores) {
	ctx := context.Background()
	must(t, s.CreateAsk(ctx, NewAsk("ask-1", "person-1", nurse, t0)))
	wantErr(t, s.CreateAsk(ctx, NewAsk("ask-2", "person-1", nurse, t0.Add(time.Minute))), consent.ErrConflict, "a second pending request")
	must(t, s.CreateAsk(ctx, NewAsk("ask-3", "person-1", doctor, t0.Add(time.Minute))))
	must(t, s.CreateAsk(ctx, NewAsk("ask-4", "person-2", nurse, t0.Add(time.Minute))))
	must(t, s.DeclineAsk(ctx, "ask-1", t0.Add(time.Hour)))
	must(t, s.CreateAsk(ctx, NewAsk("ask-5", "person-1", nurse, t0.Add(2*time.Hour))))
}
