package consent

import (
	"errors"
	"time"

	"github.com/omahoito/omahoito/record"
)

// Sentinel errors of the consent model; stores wrap ErrNotFound and
// ErrConflict, the Service wraps the rest with a reason.
var (
	ErrNotFound = errors.New("consent not found")
	ErrConflict = errors.New("consent changed meanwhile")
	// ErrInvalid is a grant or request that breaks a rule (an end before
	// the start, an empty scope, a grantee outside the citizen's region).
	ErrInvalid = errors.New("invalid consent")
	// ErrDenied is a caller who may not do what they asked with a consent
	// (revoking another person's, a professional writing one).
	ErrDenied = errors.New("not permitted")
)

// GranteeKind says whom a grant names.
type GranteeKind string

// Kinds of grantee.
const (
	GranteeProfessional GranteeKind = "professional" // one named professional
	GranteeUnit         GranteeKind = "unit"         // every professional whose current unit it is
)

// Grantee is the one professional or care unit a grant lets in.
type Grantee struct {
	Kind GranteeKind
	ID   string // auth.Professional.ID or auth.CareUnit.ID
}

// Status of a grant. Expiry is not a status: it is derived from the period.
type Status string

// Statuses of a grant.
const (
	StatusActive  Status = "active"
	StatusRevoked Status = "revoked" // by the citizen (RevokedAt, RevokedBy)
	StatusEnded   Status = "ended"   // by the platform (EndedAt, EndReason)
)

// Reasons a grant ended.
const (
	EndMoved    = "moved"     // the citizen moved to another region
	EndLeftUnit = "left-unit" // the grantee left the unit
)

// PurposeTreatment is the only purpose of a grant today.
const PurposeTreatment = "treatment"

// ClassScope is one class of data a grant covers; Items narrows it to
// chosen kinds (measurements: record.Kind codes) or chosen files (file
// ids). Empty Items: everything of the class.
type ClassScope struct {
	Class record.Class
	Items []string
}

// Scope is what a grant covers: one or more classes, and optionally only
// data whose time falls in Window.
type Scope struct {
	Classes []ClassScope
	Window  record.Window
}

// Grant is a citizen's permission for one grantee to read chosen data for
// a period: [Start, End), End zero meaning until revoked.
type Grant struct {
	ID        string
	PersonID  string // whose data
	Region    string // the citizen's home region when given; grantee must be of it
	Grantee   Grantee
	Scope     Scope
	Start     time.Time // inclusive
	End       time.Time // exclusive; zero: until revoked
	Purpose   string
	GivenBy   record.Actor
	CreatedAt time.Time
	Status    Status
	RevokedAt time.Time
	RevokedBy record.Actor
	EndedAt   time.Time
	EndReason string
	Version   int // optimistic concurrency: a store updates only the version it read
}

// InForce reports whether g is active and now is inside its period.
func (g Grant) InForce(now time.Time) bool {
	return g.Status == StatusActive && !now.Before(g.Start) && (g.End.IsZero() || now.Before(g.End))
}

// Expired reports whether g's period is over (whatever its status).
func (g Grant) Expired(now time.Time) bool { return !g.End.IsZero() && !now.Before(g.End) }
