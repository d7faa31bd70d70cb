package transfer

import (
	"errors"
	"fmt"
	"time"
)

// Refusals of a transfer request; each leaves nothing changed.
var (
	// ErrUnknownRegion: the target is no region of the directory.
	ErrUnknownRegion = errors.New("unknown target region")
	// ErrSameRegion: the person lives in the target region already.
	ErrSameRegion = errors.New("the person's home region is the target already")
	// ErrNotInSource: the person's home region is not the operator's.
	ErrNotInSource = errors.New("the person is not in the source region")
	// ErrAlreadyMoving: a transfer of the person is under way.
	ErrAlreadyMoving = errors.New("the person is already being moved")
	// ErrNotOperator: the caller is not an operator of the source region.
	ErrNotOperator = errors.New("only an operator of the source region starts a transfer")
)

// Step is how far a transfer has come; each is safe to repeat, and a
// transfer resumed after a crash starts again at the step it had reached.
type Step string

// The steps, in order (DESIGN §12).
const (
	StepFreeze  Step = "freeze"  // writes refused, reads go on
	StepCopy    Step = "copy"    // every class copied into the target by id
	StepVerify  Step = "verify"  // counts and digests equal per class
	StepSwitch  Step = "switch"  // the person index names the target (the commit point)
	StepEnd     Step = "end"     // the source's grants end with reason "moved"; both registers log it
	StepRelease Step = "release" // the source copy removed, the freeze lifted
	StepDone    Step = "done"
)

// Steps lists the steps in the order they run.
var Steps = []Step{StepFreeze, StepCopy, StepVerify, StepSwitch, StepEnd, StepRelease, StepDone}

// After reports whether s comes after t: a rerun skips what is done.
func (s Step) After(t Step) bool { return index(s) > index(t) }

// Committed reports whether the switch has been made: from then on the
// target is the person's home and a rerun goes forward, never back.
func (s Step) Committed() bool { return index(s) > index(StepSwitch) }

func index(s Step) int {
	for i, x := range Steps {
		if x == s {
			return i
		}
	}
	return -1
}

// Class is a kind of data a transfer moves.
type Class string

// The classes, each copied and verified on its own.
const (
	ClassMeasurements Class = "measurements" // every version
	ClassFiles        Class = "files"        // metadata, every version; content
	ClassConsents     Class = "consents"     // grants and requests, ended in the target
	ClassAccessLog    Class = "access-log"   // the person's entries, imported into the target's chain
)

// Classes lists the classes in the order they are copied.
var Classes = []Class{ClassMeasurements, ClassFiles, ClassConsents, ClassAccessLog}

// Tally is what one class holds on one side: how many items and a digest
// of their canonical content in id order.
type Tally struct {
	Count  int
	Digest []byte
}

// Request is an operator's wish to move one person.
type Request struct {
	PersonID   string
	Source     string // the operator's region, the person's home
	Target     string
	OperatorID string
}

// Facts are what the rules of a request look at, read from the directory
// and the person index when the request is made.
type Facts struct {
	OperatorRegion string          // the region of the operator making it
	Regions        map[string]bool // the regions of the directory
	HomeRegion     string          // the person's home region now; "" when unknown
	Moving         bool            // a transfer of the person is under way
}

// Check applies the rules of a transfer request: an operator of the
// source region, a known target other than the person's home, a person
// whose home is the source and who is not being moved already.
func Check(r Request, f Facts) error {
	switch {
	case r.Source == "" || r.Source != f.OperatorRegion:
		return ErrNotOperator
	case !f.Regions[r.Target]:
		return fmt.Errorf("%w: %q", ErrUnknownRegion, r.Target)
	case f.HomeRegion == "" || f.HomeRegion != r.Source && f.HomeRegion != r.Target:
		return ErrNotInSource
	case f.HomeRegion == r.Target:
		return ErrSameRegion
	case f.Moving:
		return ErrAlreadyMoving
	}
	return nil
}

// Transfer is one person's move as the platform keeps it.
type Transfer struct {
	ID         string
	PersonID   string
	Source     string
	Target     string
	OperatorID string
	Step       Step            // the step reached: done up to the one before it
	InSource   map[Class]Tally // what the source held, counted at the verify step
	InTarget   map[Class]Tally // what the target holds, counted at the verify step
	Error      string          // the last attempt's failure, for the operator
	Attempts   int
	Started    time.Time
	Finished   time.Time // zero while under way
}
