package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/omahoito/omahoito/auth"
)

// MovingStores are stores that keep, in the person index, the move of a
// person's data under way (auth.Mover).
type MovingStores interface {
	auth.Store
	auth.Mover
}

// RunMoving runs the auth.Mover conformance subtests. open must return a
// new, empty, migrated store for each call.
func RunMoving(t *testing.T, open func(t *testing.T) Stores) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s MovingStores)
	}{
		{"NewPersonIsNotMoving", testNotMoving},
		{"BeginMoveIsReadWithThePerson", testBeginMove},
		{"BeginMoveAgainIsARerun", testBeginMoveRerun},
		{"BeginMoveElsewhereConflicts", testBeginMoveElsewhere},
		{"BeginMoveRefusesHomeUnknownRegionAndPerson", testBeginMoveRefused},
		{"EndMoveClearsAndIsIdempotent", testEndMove},
		{"ConcurrentBeginMovesOneWins", testConcurrentBeginMoves},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := open(t).(MovingStores)
			if !ok {
				t.Fatalf("the store does not implement auth.Mover")
			}
			MustSeedDemo(t, s)
			must(t, s.CreatePerson(context.Background(), person("person-1", 1)))
			tc.fn(t, s)
		})
	}
}

// moveAt is when the test moves begin, in +03:00 with nanoseconds: a
// store keeps it in UTC to the microsecond.
var moveAt = time.Date(2026, time.March, 1, 12, 30, 15, 123456789, time.FixedZone("EET", 2*60*60))

// wantMoving checks the move state of person-1 read both by id and by
// hetu key: to is empty when no move is under way.
func wantMoving(tb testing.TB, s MovingStores, what, to string, since time.Time) {
	tb.Helper()
	ctx := context.Background()
	byID, err := s.PersonByID(ctx, "person-1")
	must(tb, err)
	byKey, err := s.PersonByHetuKey(ctx, person("person-1", 1).HetuKey)
	must(tb, err)
	for _, p := range []auth.SealedPerson{byID, byKey} {
		if p.MovingTo != to || p.Moving() != (to != "") {
			tb.Fatalf("%s: moving to %q, want %q", what, p.MovingTo, to)
		}
		if to == "" {
			if !p.MovingSince.IsZero() {
				tb.Fatalf("%s: moving since %s with no move under way", what, p.MovingSince)
			}
			continue
		}
		sameTime(tb, what+": moving since", p.MovingSince, since.UTC().Truncate(time.Microsecond))
		if p.HomeRegion != "kainuu" {
			tb.Fatalf("%s: home region %q changed by the move", what, p.HomeRegion)
		}
	}
}

func testNotMoving(t *testing.T, s MovingStores) {
	wantMoving(t, s, "new person", "", time.Time{})
}

func testBeginMove(t *testing.T, s MovingStores) {
	must(t, s.BeginMove(context.Background(), "person-1", "oulu", moveAt))
	wantMoving(t, s, "after BeginMove", "oulu", moveAt)
}

// testBeginMoveRerun: a transfer step repeated after a crash begins the
// same move again; it succeeds and the move keeps its first time.
func testBeginMoveRerun(t *testing.T, s MovingStores) {
	ctx := context.Background()
	must(t, s.BeginMove(ctx, "person-1", "oulu", moveAt))
	must(t, s.BeginMove(ctx, "person-1", "oulu", moveAt.Add(time.Hour)))
	wantMoving(t, s, "after a rerun", "oulu", moveAt)
}

func testBeginMoveElsewhere(t *testing.T, s MovingStores) {
	ctx := context.Background()
	must(t, s.PutRegion(ctx, auth.Region{ID: "lappi", Name: "Lapin hyvinvointialue", RegistrarOID: "1.2.3", RegistrarName: "Lappi"}))
	must(t, s.BeginMove(ctx, "person-1", "oulu", moveAt))
	wantErr(t, s.BeginMove(ctx, "person-1", "lappi", moveAt.Add(time.Minute)), auth.ErrConflict, "a second move elsewhere")
	wantMoving(t, s, "after the refused move", "oulu", moveAt)
}

func testBeginMoveRefused(t *testing.T, s MovingStores) {
	ctx := context.Background()
	wantErr(t, s.BeginMove(ctx, "person-1", "kainuu", moveAt), auth.ErrConflict, "a move to the home region")
	wantErr(t, s.BeginMove(ctx, "person-1", "atlantis", moveAt), auth.ErrNotFound, "a move to no region")
	wantErr(t, s.BeginMove(ctx, "no-one", "oulu", moveAt), auth.ErrNotFound, "a move of no one")
	wantMoving(t, s, "after refused moves", "", time.Time{})
}

func testEndMove(t *testing.T, s MovingStores) {
	ctx := context.Background()
	must(t, s.BeginMove(ctx, "person-1", "oulu", moveAt))
	must(t, s.EndMove(ctx, "person-1"))
	wantMoving(t, s, "after EndMove", "", time.Time{})
	must(t, s.EndMove(ctx, "person-1"))
	wantMoving(t, s, "after EndMove again", "", time.Time{})
	wantErr(t, s.EndMove(ctx, "no-one"), auth.ErrNotFound, "EndMove of no one")

	// Once ended, a new move may begin, and it has its own time.
	later := moveAt.Add(24 * time.Hour)
	must(t, s.BeginMove(ctx, "person-1", "oulu", later))
	wantMoving(t, s, "a new move after the end", "oulu", later)
}

// testConcurrentBeginMoves: two moves of one person to two regions begun
// at once: exactly one is under way, the other is refused.
func testConcurrentBeginMoves(t *testing.T, s MovingStores) {
	ctx := context.Background()
	must(t, s.PutRegion(ctx, auth.Region{ID: "lappi", Name: "Lapin hyvinvointialue", RegistrarOID: "1.2.3", RegistrarName: "Lappi"}))
	for round := range 5 {
		targets := []string{"oulu", "lappi"}
		errs := make([]error, len(targets))
		var wg sync.WaitGroup
		for i, target := range targets {
			wg.Go(func() { errs[i] = s.BeginMove(ctx, "person-1", target, moveAt) })
		}
		wg.Wait()
		p, err := s.PersonByID(ctx, "person-1")
		must(t, err)
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
				if p.MovingTo != targets[i] {
					t.Fatalf("round %d: the move to %s succeeded but the index says %q", round, targets[i], p.MovingTo)
				}
			default:
				wantErr(t, err, auth.ErrConflict, "the losing move")
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d moves succeeded (%v), want exactly one", round, won, errs)
		}
		must(t, s.EndMove(ctx, "person-1"))
	}
}
