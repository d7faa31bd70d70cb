package auth

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"
)

// ErrBadKey is returned when key material is missing or of the wrong size.
var ErrBadKey = errors.New("bad key material")

// Keys protect the hetu at rest: one key for the lookup hash, another for
// encryption, so a leak of the lookup column alone reveals nothing.
type Keys struct {
	lookup []byte
	aead   cipher.AEAD
}

// KeySize is the length of the master key that NewKeys derives both keys from.
const KeySize = 32

// NewKeys derives the lookup and encryption keys from a 32-byte master key.
func NewKeys(master []byte) (*Keys, error) {
	if len(master) != KeySize {
		return nil, fmt.Errorf("%w: master key is %d bytes, want %d", ErrBadKey, len(master), KeySize)
	}
	block, err := aes.NewCipher(derive(master, "omahoito hetu encryption v1"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Keys{lookup: derive(master, "omahoito hetu lookup v1"), aead: aead}, nil
}

func derive(master []byte, purpose string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// LookupKey is the keyed hash under which a hetu is found.
func (k *Keys) LookupKey(h Hetu) []byte {
	m := hmac.New(sha256.New, k.lookup)
	m.Write([]byte(h.Value()))
	return m.Sum(nil)
}

// Seal encrypts a hetu; the nonce is prepended to the ciphertext.
func (k *Keys) Seal(h Hetu) []byte {
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return k.aead.Seal(nonce, nonce, []byte(h.Value()), []byte("hetu"))
}

// Open decrypts what Seal produced and validates it again.
func (k *Keys) Open(sealed []byte) (Hetu, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n {
		return Hetu{}, fmt.Errorf("%w: sealed hetu too short", ErrBadKey)
	}
	plain, err := k.aead.Open(nil, sealed[:n], sealed[n:], []byte("hetu"))
	if err != nil {
		return Hetu{}, fmt.Errorf("%w: cannot open sealed hetu: %v", ErrBadKey, err)
	}
	return ParseHetu(string(plain))
}

// NewID returns a random internal id: 128 bits, hex encoded.
func NewID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return fmt.Sprintf("%x", b)
}

// People finds and registers citizens.
type People struct {
	Store Store
	Keys  *Keys
	Now   func() time.Time
}

// Registration is what an identity provider told us about a citizen.
type Registration struct {
	Hetu       Hetu
	GivenName  string
	FamilyName string
	Region     string // home region for a first login; empty means the default
}

// FindOrRegister returns the person with reg.Hetu, registering them on their
// first login in reg.Region. A concurrent first login of the same person
// loses the insert race with ErrConflict and then finds the winner's row.
func (p *People) FindOrRegister(ctx context.Context, reg Registration) (Person, bool, error) {
	key := p.Keys.LookupKey(reg.Hetu)
	found, err := p.Store.PersonByHetuKey(ctx, key)
	if err == nil {
		person, err := p.open(found)
		return person, false, err
	}
	if !errors.Is(err, ErrNotFound) {
		return Person{}, false, err
	}
	if _, err := p.Store.Region(ctx, reg.Region); err != nil {
		return Person{}, false, fmt.Errorf("home region %q: %w", reg.Region, err)
	}
	sealed := SealedPerson{
		ID: NewID(), HetuKey: key, HetuSealed: p.Keys.Seal(reg.Hetu),
		GivenName: reg.GivenName, FamilyName: reg.FamilyName,
		BirthDate: reg.Hetu.BirthDate(), HomeRegion: reg.Region, CreatedAt: p.now(),
	}
	err = p.Store.CreatePerson(ctx, sealed)
	if errors.Is(err, ErrConflict) {
		return p.FindOrRegister(ctx, reg)
	}
	if err != nil {
		return Person{}, false, err
	}
	person, err := p.open(sealed)
	return person, true, err
}

// FindByHetu finds a registered person by their personal identity code,
// without registering anyone. ErrNotFound when no one has it.
func (p *People) FindByHetu(ctx context.Context, h Hetu) (Person, error) {
	found, err := p.Store.PersonByHetuKey(ctx, p.Keys.LookupKey(h))
	if err != nil {
		return Person{}, err
	}
	return p.open(found)
}

// Person loads a person by internal id.
func (p *People) Person(ctx context.Context, id string) (Person, error) {
	sp, err := p.Store.PersonByID(ctx, id)
	if err != nil {
		return Person{}, err
	}
	return p.open(sp)
}

func (p *People) open(sp SealedPerson) (Person, error) {
	h, err := p.Keys.Open(sp.HetuSealed)
	if err != nil {
		return Person{}, err
	}
	return Person{
		ID: sp.ID, Hetu: h, GivenName: sp.GivenName, FamilyName: sp.FamilyName,
		BirthDate: sp.BirthDate, HomeRegion: sp.HomeRegion, CreatedAt: sp.CreatedAt,
		MovingTo: sp.MovingTo, MovingSince: sp.MovingSince,
	}, nil
}

func (p *People) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now().UTC()
}
