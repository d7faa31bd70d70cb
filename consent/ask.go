package consent

import "time"

// AskStatus is where a professional's request for consent stands.
type AskStatus string

// Statuses of a request for consent.
const (
	AskPending  AskStatus = "pending"
	AskApproved AskStatus = "approved" // Grant names the grant it became
	AskDeclined AskStatus = "declined"
)

// Ask is a professional's request to a citizen for consent: what, for how
// long, and why. The citizen approves it into a grant to that professional
// or declines it.
type Ask struct {
	ID             string
	PersonID       string
	ProfessionalID string
	Scope          Scope
	Months         int    // the period asked for, from approval; 0: until revoked
	Reason         string // short, the professional's words
	CreatedAt      time.Time
	Status         AskStatus
	DecidedAt      time.Time
	GrantID        string
}
