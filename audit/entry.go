package audit

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors of the access log.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("the chain moved meanwhile")
	// ErrUnavailable is a log that cannot be written: the caller must not
	// return the data (fail closed).
	ErrUnavailable = errors.New("access log unavailable")
)

// Outcome of the access an entry records.
type Outcome string

// Outcomes.
const (
	Permit Outcome = "permit"
	Deny   Outcome = "deny"
)

// Actor is who acted, as they were named at the moment of access: the log
// keeps the name and unit of that day, not of today.
type Actor struct {
	Kind     string // citizen, professional, operator
	ID       string
	Name     string
	Title    string // the role in words, e.g. "sairaanhoitaja"
	UnitID   string
	UnitName string
	Client   string // the API client acting for them; empty on the portal's own pages
}

// Entry is one access. Seq and Hash are set when it is appended.
type Entry struct {
	Register   string // the region whose register holds the patient's data
	Seq        int64  // 1, 2, ... within the register
	Time       time.Time
	RequestID  string
	Actor      Actor
	OnBehalfOf string   // the person acted for, when not the actor themself
	PatientID  string   // whose data
	Action     string   // read, search, history, download, export, transfer
	Class      string   // measurements, patient, files, consents, ...
	Kinds      []string // the kinds touched
	IDs        []string // the items touched, when few
	Count      int      // how many items left
	Grants     []string // the grants the permission rests on
	Purpose    string   // treatment
	Outcome    Outcome
	Reason     string // for a denial: why (never shown to the actor)
	Imported   bool   // copied from another register in a transfer
	Hash       []byte // SHA-256(previous hash || Canonical(entry))
}

// Checkpoint is a signed head of a register's chain at one moment.
type Checkpoint struct {
	Register  string
	Seq       int64
	Head      []byte
	Time      time.Time
	KeyID     string
	Signature []byte // ed25519 over CheckpointMessage
}

// Cursor pages through a person's entries, newest first.
type Cursor struct {
	Time     time.Time
	Seq      int64
	Register string // seqs are per register: the three together are unique
}

// Query selects a person's entries.
type Query struct {
	PatientID string
	From, To  time.Time // [From, To); zero: open
	Limit     int
	After     *Cursor
	// WithCopies includes the entries imported in a transfer whose
	// originals the same store holds (one database for every register).
	// Left false, each access shows once: by its original. Entries
	// imported from another deployment, whose originals are elsewhere,
	// show either way.
	WithCopies bool
}

// Store keeps the chains. Implementations wrap ErrNotFound and ErrConflict.
type Store interface {
	// AppendEntries appends es (in order, same register) after the head
	// seq prev in one transaction; ErrConflict when the register's head is
	// no longer prev (another process appended), so the caller reloads.
	AppendEntries(ctx context.Context, register string, prev int64, es []Entry) error
	// Head returns the register's last entry's seq and hash; zero and nil
	// for an empty register.
	Head(ctx context.Context, register string) (int64, []byte, error)
	// Entries lists a register's entries with seq > after in seq order,
	// at most limit.
	Entries(ctx context.Context, register string, after int64, limit int) ([]Entry, error)
	// PatientEntries lists a person's entries in every register, newest
	// first.
	PatientEntries(ctx context.Context, q Query) ([]Entry, error)
	PutCheckpoint(ctx context.Context, c Checkpoint) error
	// LastCheckpoint is the register's newest checkpoint; ErrNotFound when none.
	LastCheckpoint(ctx context.Context, register string) (Checkpoint, error)
	// Registers lists the registers that have entries or checkpoints.
	Registers(ctx context.Context) ([]string, error)
}
