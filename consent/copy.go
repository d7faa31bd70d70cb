package consent

import (
	"context"
	"slices"

	"github.com/omahoito/omahoito/record"
)

// CopyStore is what an import copies grants into ("copy into a
// register", docs/regions.md): insert-if-absent by id, all or nothing in
// one transaction.
type CopyStore interface {
	// CopyGrants stores each grant of gs absent by id as it is (an import
	// gives them ended, reason EndMoved). A grant present with the same
	// person, grantee, scope, period and creation is counted present,
	// whatever its state here; one with other content is
	// record.ErrOtherContent and nothing is stored.
	CopyGrants(ctx context.Context, gs []Grant) (record.CopyCount, error)
}

// SameGrant reports whether a and b are the same grant in what a transfer
// package carries of it: whose, to whom, of what, for when, given when.
// Its state (active, revoked, ended) is each register's own.
func SameGrant(a, b Grant) bool {
	return a.ID == b.ID && a.PersonID == b.PersonID && a.Grantee == b.Grantee &&
		sameScope(a.Scope, b.Scope) && a.Start.Equal(b.Start) && a.End.Equal(b.End) &&
		a.CreatedAt.Equal(b.CreatedAt)
}

// sameScope compares scopes; no items and an empty list of items are the
// same (everything of the class).
func sameScope(a, b Scope) bool {
	if len(a.Classes) != len(b.Classes) || !a.Window.From.Equal(b.Window.From) || !a.Window.To.Equal(b.Window.To) {
		return false
	}
	for i := range a.Classes {
		if a.Classes[i].Class != b.Classes[i].Class || !slices.Equal(a.Classes[i].Items, b.Classes[i].Items) {
			return false
		}
	}
	return true
}
