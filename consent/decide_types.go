package consent

import (
	"time"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/record"
)

// Actor is who asks, as the directory knows them at the moment of access:
// a professional's current unit and region, not those of their login.
type Actor struct {
	Kind     auth.Kind
	ID       string // professional id (operators too); a citizen's person id
	UnitID   string
	RegionID string
}

// Request is what Decide is asked: an actor, a patient, an action and what
// is touched.
type Request struct {
	Actor         Actor
	PatientID     string
	PatientRegion string // the patient's home region now
	Action        record.Action
	Class         record.Class
	Kinds         []record.Kind // measurements touched; empty: any the grants allow
	FileID        string        // the file touched, for ClassFiles
	DataTime      time.Time     // the time of the data touched; zero: unknown
}

// Reason says why Decide denied; the access log keeps it, the caller never
// sees it.
type Reason string

// Reasons for a denial, from the most to the least specific.
const (
	ReasonNone          Reason = ""
	ReasonNotProfession Reason = "not-a-professional" // a citizen on another's record, an operator
	ReasonOtherRegion   Reason = "other-region"       // the actor is not of the patient's home region
	ReasonNoGrant       Reason = "no-grant"           // no grant names the actor or their unit
	ReasonRevoked       Reason = "revoked"            // the grant that would have covered it is revoked
	ReasonEnded         Reason = "ended"              // ... ended (moved, left unit)
	ReasonNotStarted    Reason = "not-started"        // ... starts later
	ReasonExpired       Reason = "expired"            // ... is past its end
	ReasonOutsideScope  Reason = "outside-scope"      // grants in force cover other classes, kinds, files or times
)

// Decision is Decide's answer. When Permit, Grants names the grants used
// (in the order given) and Scope is what the request may see: the union of
// those grants' allowances for the class, which narrows store queries.
type Decision struct {
	Permit bool
	Grants []string
	Scope  record.Scope
	Files  FileView // for ClassFiles: the files visible
	Reason Reason
}

// FileView is what a permitted files request may see: all files, or those
// named.
type FileView struct {
	All bool
	IDs []string
}
