package consent

import (
	"context"
	"time"
)

// Store is the persistence of grants and requests for consent.
// Implementations wrap ErrNotFound and ErrConflict.
type Store interface {
	// CreateGrant inserts g (Version 1). When ask is not empty, the
	// request of that id is marked approved with g.ID in the same
	// transaction; ErrConflict when it is no longer pending or is another
	// person's, ErrNotFound when there is none (nothing is stored then).
	CreateGrant(ctx context.Context, g Grant, ask string) error
	Grant(ctx context.Context, id string) (Grant, error)
	// UpdateGrant writes g over version g.Version-1; else ErrConflict.
	UpdateGrant(ctx context.Context, g Grant) error
	// Grants lists all of a person's grants, newest first.
	Grants(ctx context.Context, personID string) ([]Grant, error)
	// GrantsInForce lists a person's grants that are active, started and
	// not past their end at now: what Decide needs, in one indexed query.
	GrantsInForce(ctx context.Context, personID string, now time.Time) ([]Grant, error)
	// GrantsTo lists active grants, started and not past their end at now,
	// to the professional or to the unit, newest first: a professional's
	// patients. It bounds the persons, not the grants: every such grant of
	// at most people persons, those whose newest such grant is the newest
	// (ties by person id).
	GrantsTo(ctx context.Context, professionalID, unitID string, now time.Time, people int) ([]Grant, error)

	// CreateAsk stores a pending request; ErrConflict when one from the
	// same professional to the same person is already pending.
	CreateAsk(ctx context.Context, a Ask) error
	Ask(ctx context.Context, id string) (Ask, error)
	// DeclineAsk marks a pending request declined; ErrConflict when it is
	// no longer pending.
	DeclineAsk(ctx context.Context, id string, at time.Time) error
	// Asks lists a person's requests, newest first.
	Asks(ctx context.Context, personID string) ([]Ask, error)
	// AsksBy lists a professional's requests, newest first.
	AsksBy(ctx context.Context, professionalID string) ([]Ask, error)
}
