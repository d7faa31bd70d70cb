package consent

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/record"
)

// While a person's data is being moved to another region (docs/regions.md,
// step 1 "freeze"), every write to it is refused with record.ErrMoving,
// the owner's too, before anything is written; reads go on. The person
// index says whether a move is under way, read at each write: the move
// begins and ends between requests, never during one's decision.

// ownerDecision is the gate's answer to the citizen on their own record:
// everything, unlogged, except a write while their data is being moved.
func (s *Service) ownerDecision(ctx context.Context, req record.Request) (record.Decision, error) {
	if req.Action != record.ActionWrite {
		return record.Decision{Scope: record.Everything}, nil
	}
	if err := s.notMoving(ctx, req.PersonID); err != nil {
		return record.Decision{}, err
	}
	return record.Decision{Scope: record.Everything}, nil
}

// notMoving loads the person and refuses with record.ErrMoving when their
// data is being moved; a person not found is not refused here (the write
// itself finds no one).
func (s *Service) notMoving(ctx context.Context, personID string) error {
	p, err := s.People.PersonByID(ctx, personID)
	if err != nil {
		return ignoreNotFound(err)
	}
	return refuseWhileMoving(p)
}

// refuseWhileMoving is record.ErrMoving when p's data is being moved.
func refuseWhileMoving(p auth.SealedPerson) error {
	if !p.Moving() {
		return nil
	}
	return fmt.Errorf("%w: to %s since %s", record.ErrMoving, p.MovingTo, p.MovingSince.Format(time.RFC3339))
}

func ignoreNotFound(err error) error {
	if errors.Is(err, auth.ErrNotFound) {
		return nil
	}
	return fmt.Errorf("load person: %w", err)
}
