package transfer

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"math"
	"slices"
	"time"

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
		d.str(string(m.EnteredBy.Kind))
		d.str(m.EnteredBy.ID)
		d.str(m.EnteredBy.OnBehalfOf)
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
		d.str(string(f.EnteredBy.Kind))
		d.str(f.EnteredBy.ID)
		d.str(f.EnteredBy.OnBehalfOf)
		d.bool(f.Deleted)
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

func (d *digest) bool(b bool) {
	if b {
		d.int(1)
	} else {
		d.int(0)
	}
}

func (d *digest) sum() []byte { return d.h.Sum(nil) }
