package consent

import (
	"context"

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
