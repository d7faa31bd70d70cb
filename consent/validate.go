package consent

import (
	"fmt"
	"slices"
	"time"

	"github.com/omahoito/omahoito/record"
)

// ClockSkew is how far in the past a new grant may start: the citizen's
// "now" reaches the server a little late.
const ClockSkew = time.Minute

// RuleError is a rule a grant or request for consent breaks, naming the
// form field so a page can show the message beside it. It wraps
// ErrInvalid. The message is plain English and holds no personal data.
type RuleError struct {
	Field string // grantee, person, region, scope, window, start, end, purpose, ...
	Msg   string
}

// Error says which field breaks which rule.
func (e *RuleError) Error() string { return fmt.Sprintf("%v: %s: %s", ErrInvalid, e.Field, e.Msg) }

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *RuleError) Unwrap() error { return ErrInvalid }

// DefaultEnd is the end of a grant that names none: twelve months after
// start (AddDate normalises, so 29 February ends on 1 March).
func DefaultEnd(start time.Time) time.Time { return start.AddDate(0, 12, 0) }

// ValidateGrant checks the rules a new grant must meet before it is stored
// and returns the first one broken as a *RuleError, or nil. Whether the
// grantee exists and is of the citizen's region is the directory's to say:
// the caller checks it.
func ValidateGrant(g Grant, now time.Time) error {
	for _, check := range []func(Grant, time.Time) *RuleError{checkGrantee, checkWhose, checkScope, checkPeriod, checkPurpose} {
		if e := check(g, now); e != nil {
			return e
		}
	}
	return nil
}

func checkGrantee(g Grant, _ time.Time) *RuleError {
	switch {
	case g.Grantee.Kind != GranteeProfessional && g.Grantee.Kind != GranteeUnit:
		return &RuleError{Field: "grantee", Msg: "choose a professional or a care unit"}
	case g.Grantee.ID == "":
		return &RuleError{Field: "grantee", Msg: "the grantee has no id"}
	}
	return nil
}

func checkWhose(g Grant, _ time.Time) *RuleError {
	switch {
	case g.PersonID == "":
		return &RuleError{Field: "person", Msg: "the grant names no person whose data it covers"}
	case g.Region == "":
		return &RuleError{Field: "region", Msg: "the grant names no home region"}
	}
	return nil
}

func checkScope(g Grant, _ time.Time) *RuleError {
	if len(g.Scope.Classes) == 0 {
		return &RuleError{Field: "scope", Msg: "choose at least one class of data"}
	}
	seen := make([]record.Class, 0, len(g.Scope.Classes))
	for _, cs := range g.Scope.Classes {
		if slices.Contains(seen, cs.Class) {
			return &RuleError{Field: "scope", Msg: fmt.Sprintf("the class %q is chosen twice", cs.Class)}
		}
		seen = append(seen, cs.Class)
		if e := checkClass(cs); e != nil {
			return e
		}
	}
	w := g.Scope.Window
	if !w.From.IsZero() && !w.To.IsZero() && !w.To.After(w.From) {
		return &RuleError{Field: "window", Msg: "the end of the data window must be after its start"}
	}
	return nil
}

// checkClass: a grant covers measurements or files (the other classes
// are not the citizen's to give), with known kinds and no item twice.
func checkClass(cs ClassScope) *RuleError {
	switch cs.Class {
	case record.ClassMeasurements, record.ClassFiles:
	default:
		return &RuleError{Field: "scope", Msg: fmt.Sprintf("the class %q cannot be granted: choose measurements or files", cs.Class)}
	}
	for i, it := range cs.Items {
		switch {
		case it == "":
			return &RuleError{Field: "scope", Msg: fmt.Sprintf("an empty item is chosen in %s", cs.Class)}
		case slices.Contains(cs.Items[:i], it):
			return &RuleError{Field: "scope", Msg: fmt.Sprintf("the item %q is chosen twice in %s", it, cs.Class)}
		}
		if _, known := record.SpecOf(record.Kind(it)); cs.Class == record.ClassMeasurements && !known {
			return &RuleError{Field: "scope", Msg: fmt.Sprintf("%q is not a kind of measurement", it)}
		}
	}
	return nil
}

func checkPeriod(g Grant, now time.Time) *RuleError {
	switch {
	case g.Start.IsZero():
		return &RuleError{Field: "start", Msg: "the grant has no start"}
	case g.Start.Before(now.Add(-ClockSkew)):
		return &RuleError{Field: "start", Msg: "a grant cannot start in the past"}
	case !g.End.IsZero() && !g.End.After(g.Start):
		return &RuleError{Field: "end", Msg: "the end must be after the start"}
	}
	return nil
}

func checkPurpose(g Grant, _ time.Time) *RuleError {
	if g.Purpose != PurposeTreatment {
		return &RuleError{Field: "purpose", Msg: fmt.Sprintf("the purpose must be %q", PurposeTreatment)}
	}
	return nil
}
