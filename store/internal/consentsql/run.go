package consentsql

import (
	"context"
	"fmt"
	"time"

	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/store/internal/sqlq"
)

// Tx is one write transaction of a store, on its driver: the writes below
// are then the same for both stores. Errors are the driver's, unmapped;
// the store maps what these functions return with its one error mapper.
type Tx interface {
	// Exec runs a statement and returns the number of rows it affected.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	// QueryRow runs a query of one row.
	QueryRow(ctx context.Context, query string, args ...any) sqlq.Scanner
}

// RunCreateGrant is consent.Store.CreateGrant inside tx: it inserts g
// (version 1) and, when ask is not empty, marks that request of g's person
// approved into g. A request that is not pending or is another person's is
// ErrConflict, and tx must then be rolled back: the grant goes with it.
func RunCreateGrant(ctx context.Context, d sqlq.Dialect, tx Tx, g consent.Grant, ask string) error {
	query, args := InsertGrant(d, g)
	if _, err := tx.Exec(ctx, query, args...); err != nil {
		return err
	}
	if ask == "" {
		return nil
	}
	query, args = ApproveAsk(d, ask, g.PersonID, g.ID, g.CreatedAt)
	n, err := tx.Exec(ctx, query, args...)
	if err != nil || n > 0 {
		return err
	}
	status, person, err := askState(ctx, d, tx, ask)
	if err != nil {
		return err
	}
	if person != g.PersonID {
		return fmt.Errorf("%w: request for consent %s is another person's", consent.ErrConflict, ask)
	}
	return fmt.Errorf("%w: request for consent %s is %s, not pending", consent.ErrConflict, ask, status)
}

// RunUpdateGrant is consent.Store.UpdateGrant inside tx: g replaces version
// g.Version-1. Another version stored is ErrConflict; no such grant, a
// missing row (the store maps it to ErrNotFound).
func RunUpdateGrant(ctx context.Context, d sqlq.Dialect, tx Tx, g consent.Grant) error {
	query, args := UpdateGrant(d, g)
	n, err := tx.Exec(ctx, query, args...)
	if err != nil || n > 0 {
		return err
	}
	var version int
	if err := tx.QueryRow(ctx, GrantVersion(d), g.ID).Scan(&version); err != nil {
		return err
	}
	return fmt.Errorf("%w: grant %s: version %d is not one more than the stored version %d",
		consent.ErrConflict, g.ID, g.Version, version)
}

// RunDeclineAsk is consent.Store.DeclineAsk inside tx. A request no longer
// pending is ErrConflict; no such request, a missing row.
func RunDeclineAsk(ctx context.Context, d sqlq.Dialect, tx Tx, id string, at time.Time) error {
	query, args := DeclineAsk(d, id, at)
	n, err := tx.Exec(ctx, query, args...)
	if err != nil || n > 0 {
		return err
	}
	status, _, err := askState(ctx, d, tx, id)
	if err != nil {
		return err
	}
	return fmt.Errorf("%w: request for consent %s is %s, not pending", consent.ErrConflict, id, status)
}

func askState(ctx context.Context, d sqlq.Dialect, tx Tx, id string) (status, person string, err error) {
	err = tx.QueryRow(ctx, AskState(d), id).Scan(&status, &person)
	return status, person, err
}
