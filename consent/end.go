package consent

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// endAttempts bounds how often EndGrants reads the grants again when a
// grant changed between its read and its update (the citizen revoked it
// meanwhile): each round ends what is still active.
const endAttempts = 5

// EndGrants ends every active grant of the person that has not run out at
// now, with reason (EndMoved when their data moved to another region), as
// the platform ends a grant: Status ended, EndedAt now. It returns how many
// it ended; a grant revoked or ended meanwhile is left as it is, so that
// running it again ends none twice.
func EndGrants(ctx context.Context, s Store, personID, reason string, now time.Time) (int, error) {
	ended := 0
	for range endAttempts {
		n, err := endActive(ctx, s, personID, reason, now)
		ended += n
		if !errors.Is(err, ErrConflict) {
			return ended, err
		}
	}
	return ended, fmt.Errorf("end the grants of %s: %w", personID, ErrConflict)
}

// endActive ends the active grants as read now; ErrConflict when one
// changed since the read, after ending the others.
func endActive(ctx context.Context, s Store, personID, reason string, now time.Time) (int, error) {
	gs, err := s.Grants(ctx, personID)
	if err != nil {
		return 0, err
	}
	n := 0
	var conflict error
	for _, g := range gs {
		if g.Status != StatusActive || g.Expired(now) {
			continue
		}
		g.Status, g.EndedAt, g.EndReason = StatusEnded, now, reason
		g.Version++
		switch err := s.UpdateGrant(ctx, g); {
		case errors.Is(err, ErrConflict):
			conflict = err
		case err != nil:
			return n, err
		default:
			n++
		}
	}
	return n, conflict
}
