package authsql

import (
	"fmt"
	"time"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/store/internal/sqlq"
)

// BeginMove marks the person's data as being moved to target since at,
// when no move is under way: arguments bound. It changes no row when a
// move is under way already (to target or elsewhere), when target is the
// person's home region, or when there is no such person; MoveRefused then
// tells which.
func BeginMove(d sqlq.Dialect, personID, target string, at time.Time) (string, []any) {
	return d.Rebind(`
		UPDATE people SET moving_to = ?, moving_since = ?
		WHERE id = ? AND moving_to IS NULL AND home_region <> ?`),
		[]any{target, d.Time(at), personID, target}
}

// EndMove clears the move under way, if any: argument the person's id.
func EndMove(d sqlq.Dialect) string {
	return d.Rebind(`UPDATE people SET moving_to = NULL, moving_since = NULL WHERE id = ?`)
}

// MoveRefused says why BeginMove changed no row, given the person as they
// are now: nil for a rerun (the same target already under way), else an
// error wrapping auth.ErrConflict.
func MoveRefused(p auth.SealedPerson, target string) error {
	switch {
	case p.MovingTo == target:
		return nil
	case p.MovingTo != "":
		return fmt.Errorf("%w: a move to %s is already under way", auth.ErrConflict, p.MovingTo)
	case p.HomeRegion == target:
		return fmt.Errorf("%w: %s is already the home region", auth.ErrConflict, target)
	}
	// The row changed between the update and the read (a move ended
	// meanwhile): the caller tries again.
	return fmt.Errorf("%w: the person's move state changed meanwhile", auth.ErrConflict)
}

// nullTime is a nullable time column of either dialect: zero when NULL.
type nullTime struct{ sqlq.Time }

// Scan implements sql.Scanner.
func (t *nullTime) Scan(src any) error {
	if src == nil {
		t.Time = sqlq.Time{}
		return nil
	}
	return t.Time.Scan(src)
}
