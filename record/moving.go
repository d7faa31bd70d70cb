package record

import "errors"

// ErrMoving refuses a write to a person's data while it is being moved to
// another region (docs/regions.md, step 1 "freeze"): the data is read as
// before, and written again once the move is done. It is not a denial:
// the same write is allowed after the move.
var ErrMoving = errors.New("the person's data is being moved to another region")
