package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/omahoito/omahoito/auth"
)

// HomeStores are stores that move a person's home region in the person
// index, the switch of a transfer (docs/regions.md, step 4).
type HomeStores interface {
	auth.Store
	SetHomeRegion(ctx context.Context, personID, from, to string) error
}

// RunHome runs the SetHomeRegion conformance subtests. open must return a
// new, empty, migrated store for each call.
func RunHome(t *testing.T, open func(t *testing.T) Stores) {
	s, ok := open(t).(HomeStores)
	if !ok {
		t.Fatalf("the store has no SetHomeRegion")
	}
	MustSeedDemo(t, s)
	ctx := context.Background()
	must(t, s.CreatePerson(ctx, person("person-1", 1)))
	home := func(what, want string) {
		t.Helper()
		p, err := s.PersonByID(ctx, "person-1")
		must(t, err)
		if p.HomeRegion != want {
			t.Fatalf("%s: home region %q, want %q", what, p.HomeRegion, want)
		}
	}
	if err := s.SetHomeRegion(ctx, "person-1", "oulu", "oulu"); !errors.Is(err, auth.ErrConflict) {
		t.Errorf("from a region that is not the home: %v, want ErrConflict", err)
	}
	home("after a refused switch", "kainuu")
	must(t, s.SetHomeRegion(ctx, "person-1", "kainuu", "oulu"))
	home("after the switch", "oulu")
	if err := s.SetHomeRegion(ctx, "person-1", "kainuu", "oulu"); err != nil {
		t.Errorf("the same switch again: %v, want a rerun", err)
	}
	home("after the rerun", "oulu")
	if err := s.SetHomeRegion(ctx, "person-1", "kainuu", "kainuu"); !errors.Is(err, auth.ErrConflict) {
		t.Errorf("from the old home after the switch: %v, want ErrConflict", err)
	}
	home("after a stale switch", "oulu")
	if err := s.SetHomeRegion(ctx, "no-one", "kainuu", "oulu"); !errors.Is(err, auth.ErrNotFound) {
		t.Errorf("no such person: %v, want ErrNotFound", err)
	}
	if err := s.SetHomeRegion(ctx, "person-1", "oulu", "no-such-region"); err == nil {
		t.Error("an unknown region became the home")
	}
	home("after an unknown region", "oulu")
}
