package audit

import (
	"crypto/sha256"
	"encoding/binary"
)

// HashSize is the length of an entry's hash and of a checkpoint's head.
const HashSize = sha256.Size

// canonicalTag opens every canonical entry: a change of the format gets a
// new tag, so old and new entries never hash alike by accident.
const canonicalTag = "omahoito-audit-entry/1"

// Canonical is the byte form of e that its hash covers: every field but
// Hash in a fixed order, each string and list length-prefixed (8 bytes, big
// endian), numbers as 8 bytes big endian, the time as microseconds since
// 1970 in UTC (what both databases keep), a boolean as one byte. Two
// different entries never have the same canonical form; a nil list and an
// empty one are the same.
func Canonical(e Entry) []byte {
	var c canon
	c.str(canonicalTag)
	c.str(e.Register)
	c.int(e.Seq)
	c.int(e.Time.UnixMicro())
	c.str(e.RequestID)
	a := e.Actor
	for _, s := range []string{a.Kind, a.ID, a.Name, a.Title, a.UnitID, a.UnitName, a.Client} {
		c.str(s)
	}
	c.str(e.OnBehalfOf)
	c.str(e.PatientID)
	c.str(e.Action)
	c.str(e.Class)
	c.list(e.Kinds)
	c.list(e.IDs)
	c.int(int64(e.Count))
	c.list(e.Grants)
	c.str(e.Purpose)
	c.str(string(e.Outcome))
	c.str(e.Reason)
	c.bool(e.Imported)
	return c.b
}

// Chain is the hash of e after the hash prev: SHA-256(prev || Canonical(e)).
// The first entry of a register follows 32 zero bytes (Genesis).
func Chain(prev []byte, e Entry) []byte {
	h := sha256.New()
	h.Write(prev)
	h.Write(Canonical(e))
	return h.Sum(nil)
}

// Genesis is the hash before a register's first entry: 32 zero bytes.
func Genesis() []byte { return make([]byte, HashSize) }

type canon struct{ b []byte }

func (c *canon) int(v int64) { c.b = binary.BigEndian.AppendUint64(c.b, uint64(v)) }

func (c *canon) str(s string) {
	c.int(int64(len(s)))
	c.b = append(c.b, s...)
}

func (c *canon) list(l []string) {
	c.int(int64(len(l)))
	for _, s := range l {
		c.str(s)
	}
}

func (c *canon) bool(v bool) {
	if v {
		c.b = append(c.b, 1)
	} else {
		c.b = append(c.b, 0)
	}
}
