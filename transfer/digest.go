package transfer

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"math"
	"slices"
	"time"

	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/record"
)

// The verify step compares what the source holds of a class with what the
// target holds: a count, and a SHA-256 over each item's canonical form in
// a fixed order. The form holds what a transfer keeps as it was and leaves
// out what it rightly changes (where file content is stored and under
// which key); it encodes times in UTC to the microsecond, the precision
// both databases keep, so a store's way of returning times changes
// nothing.

// MeasurementsTally counts and digests every version of measurements, in
// (id, version) order whatever order they come in.
func MeasurementsTally(versions []record.Measurement) Tally {
	sorted := slices.SortedFunc(slices.Values(versions), func(a, b record.Measurement) int {
		return cmp.Or(cmp.Compare(a.ID, b.ID), cmp.Compare(a.Version, b.Version))
	})
	d := newDigest("omahoito-transfer/measurements/1")
	for _, m := range sorted {
		d.str(m.ID)
		d.int(int64(m.Version))
		d.str(m.PersonID)
		d.str(string(m.Kind))
		d.float(m.Value)
		d.float(m.Diastolic)
		d.time(m.At)
		d.str(m.Note)
		d.actor(m.EnteredBy)
		d.str(string(m.Source.Kind))
		d.str(m.Source.Client)
		d.float(m.AsEntered.Value)
		d.float(m.AsEntered.Diastolic)
		d.str(m.AsEntered.Unit)
		d.str(m.Identifier)
		d.time(m.Updated)
		d.bool(m.Deleted)
	}
	return Tally{Count: len(sorted), Digest: d.sum()}
}

// FilesTally counts and digests every version of files' metadata, in (id,
// version) order: the content by its size and plaintext SHA-256, which the
// target checks when it reads the content back. Where the content is
// stored (ContentKey) and the wrapped data key are the target's own.
func FilesTally(versions []record.File) Tally {
	sorted := slices.SortedFunc(slices.Values(versions), func(a, b record.File) int {
		return cmp.Or(cmp.Compare(a.ID, b.ID), cmp.Compare(a.Version, b.Version))
	})
	d := newDigest("omahoito-transfer/files/1")
	for _, f := range sorted {
		d.str(f.ID)
		d.int(int64(f.Version))
		d.str(f.PersonID)
		d.str(f.Name)
		d.str(f.Title)
		d.str(f.Description)
		d.str(string(f.Type))
		d.int(f.Size)
		d.bytes(f.SHA256)
		d.time(f.CreatedAt)
		d.time(f.UpdatedAt)
		d.actor(f.EnteredBy)
		d.bool(f.Deleted)
	}
	return Tally{Count: len(sorted), Digest: d.sum()}
}

// ConsentsTally counts and digests grants in id order: as given and, if
// so, revoked. How a grant ended is left out: the target keeps every grant
// as ended, with reason "moved", and a grant's version counts the changes
// of its own register.
func ConsentsTally(grants []consent.Grant) Tally {
	sorted := slices.SortedFunc(slices.Values(grants), func(a, b consent.Grant) int { return cmp.Compare(a.ID, b.ID) })
	d := newDigest("omahoito-transfer/consents/1")
	for _, g := range sorted {
		d.str(g.ID)
		d.str(g.PersonID)
		d.str(g.Region)
		d.str(string(g.Grantee.Kind))
		d.str(g.Grantee.ID)
		d.int(int64(len(g.Scope.Classes)))
		for _, c := range g.Scope.Classes {
			d.str(string(c.Class))
			d.int(int64(len(c.Items)))
			for _, it := range c.Items {
				d.str(it)
			}
		}
		d.time(g.Scope.Window.From)
		d.time(g.Scope.Window.To)
		d.time(g.Start)
		d.time(g.End)
		d.str(g.Purpose)
		d.actor(g.GivenBy)
		d.time(g.CreatedAt)
		d.time(g.RevokedAt)
		d.actor(g.RevokedBy)
	}
	return Tally{Count: len(sorted), Digest: d.sum()}
}

// digest writes fields length-prefixed, so that no two different items
// encode alike ("ab","c" and "a","bc" differ).
type digest struct {
	h   hash.Hash
	buf [8]byte
}

func newDigest(tag string) *digest {
	d := &digest{h: sha256.New()}
	d.str(tag)
	return d
}

func (d *digest) int(v int64) {
	binary.BigEndian.PutUint64(d.buf[:], uint64(v))
	d.h.Write(d.buf[:])
}

func (d *digest) bytes(b []byte) {
	d.int(int64(len(b)))
	d.h.Write(b)
}

func (d *digest) str(s string) { d.bytes([]byte(s)) }

func (d *digest) float(f float64) { d.int(int64(math.Float64bits(f))) }

// time is UTC microseconds; the zero time is its own value.
func (d *digest) time(t time.Time) {
	if t.IsZero() {
		d.int(math.MinInt64)
		return
	}
	d.int(t.UnixMicro())
}

func (d *digest) actor(a record.Actor) {
	d.str(string(a.Kind))
	d.str(a.ID)
	d.str(a.OnBehalfOf)
}

func (d *digest) bool(b bool) {
	if b {
		d.int(1)
	} else {
		d.int(0)
	}
}

func (d *digest) sum() []byte { return d.h.Sum(nil) }
