package auth

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors of the identity model; stores wrap them with %w.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("already exists")
)

// Region is a wellbeing services county on the shared platform. Its
// registrar (rekisterinpitäjä) is the controller of its residents' data.
type Region struct {
	ID            string // short slug, e.g. "kainuu"
	Name          string // e.g. "Kainuun hyvinvointialue"
	RegistrarOID  string // SOTE organisation register OID of the registrar
	RegistrarName string
}

// CareUnit is an organisational unit (e.g. a health centre) of a region.
type CareUnit struct {
	ID       string // random internal id
	RegionID string
	OID      string // SOTE organisation register OID
	Name     string
}

// Role is what a professional login may do.
type Role string

// Roles of professional logins.
const (
	RoleProfessional Role = "professional" // sees patients under consent
	RoleOperator     Role = "operator"     // runs the region: transfers, reports
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool { return r == RoleProfessional || r == RoleOperator }

// TerhikkiSystem is the FHIR identifier system of Valvira's register of
// health care professionals.
const TerhikkiSystem = "urn:oid:1.2.246.537.26"

// Professional is a person who logs in through their organisation.
type Professional struct {
	ID         string // random internal id
	Username   string // login name at the organisation's identity provider
	Terhikki   string // registration number; empty for operators without one
	GivenName  string
	FamilyName string
	Title      string // e.g. "sairaanhoitaja"
	Role       Role
	CareUnitID string
	RegionID   string
}

// Person is a citizen. The hetu is held in clear only in memory; at rest it
// is sealed (encrypted) with a keyed hash beside it for lookup.
type Person struct {
	ID         string // random internal id; the only id in URLs
	Hetu       Hetu
	GivenName  string
	FamilyName string
	BirthDate  time.Time
	HomeRegion string // Region.ID
	CreatedAt  time.Time
	// MovingTo is the region the person's data is being moved to, empty
	// when no move is under way; MovingSince is when the move began.
	// While a move is under way the person's data is read, never written.
	MovingTo    string
	MovingSince time.Time
}

// Moving reports whether a move of the person's data is under way.
func (p Person) Moving() bool { return p.MovingTo != "" }

// SealedPerson is a Person as a store keeps it: no clear hetu.
type SealedPerson struct {
	ID         string
	HetuKey    []byte // HMAC-SHA256 of the hetu: unique, for lookup
	HetuSealed []byte // AES-GCM ciphertext of the hetu
	GivenName  string
	FamilyName string
	BirthDate  time.Time
	HomeRegion string
	CreatedAt  time.Time
	// MovingTo and MovingSince are the move under way, if any (Person).
	// CreatePerson ignores them: a new person is not moving.
	MovingTo    string
	MovingSince time.Time
}

// Moving reports whether a move of the person's data is under way.
func (p SealedPerson) Moving() bool { return p.MovingTo != "" }

// Mover marks in the person index that a person's data is being moved to
// another region (docs/regions.md, step 1 "freeze"), and clears the mark.
// Implementations return errors wrapping ErrNotFound and ErrConflict.
type Mover interface {
	// BeginMove marks the person's data as being moved to the region
	// target since at. ErrConflict when a move to another region is under
	// way or target is the home region already; the same target again is
	// a rerun and changes nothing (the move keeps its first time).
	// ErrNotFound when there is no such person or region.
	BeginMove(ctx context.Context, personID, target string, at time.Time) error
	// EndMove clears the move under way; with none it changes nothing.
	// ErrNotFound when there is no such person.
	EndMove(ctx context.Context, personID string) error
}

// Store is the persistence the identity model needs. Implementations return
// errors wrapping ErrNotFound and ErrConflict.
type Store interface {
	// PersonByHetuKey finds a person by the keyed hash of their hetu.
	PersonByHetuKey(ctx context.Context, key []byte) (SealedPerson, error)
	PersonByID(ctx context.Context, id string) (SealedPerson, error)
	// CreatePerson inserts p; ErrConflict when the hetu key or id exists.
	CreatePerson(ctx context.Context, p SealedPerson) error

	// Directory: regions, care units and professionals. The Put methods
	// insert or update by ID (Region.ID, CareUnit.ID, Professional.ID).
	PutRegion(ctx context.Context, r Region) error
	PutCareUnit(ctx context.Context, u CareUnit) error
	PutProfessional(ctx context.Context, p Professional) error
	Regions(ctx context.Context) ([]Region, error)
	Region(ctx context.Context, id string) (Region, error)
	CareUnit(ctx context.Context, id string) (CareUnit, error)
	Professional(ctx context.Context, id string) (Professional, error)
	ProfessionalByUsername(ctx context.Context, username string) (Professional, error)
	// SearchProfessionals lists a region's professionals whose Terhikki
	// number equals terhikki (when not empty) and whose given or family name
	// starts with name, case-insensitively (when not empty); ordered by
	// family name, given name, id.
	SearchProfessionals(ctx context.Context, regionID, terhikki, name string) ([]Professional, error)
	// SearchCareUnits lists a region's care units by OID (exact) and name
	// (case-insensitive substring); ordered by name, id.
	SearchCareUnits(ctx context.Context, regionID, oid, name string) ([]CareUnit, error)

	// Ping checks that the database answers.
	Ping(ctx context.Context) error
}
