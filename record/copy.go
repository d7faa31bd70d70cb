package record

import (
	"bytes"
	"context"
	"errors"
)

// ErrOtherContent is a copy refused because a record with the same id
// (and version) exists with other content: an import never overwrites.
var ErrOtherContent = errors.New("exists with other content")

// CopyCount is what a copy did: rows it added, and rows it found already
// there with the same content.
type CopyCount struct {
	Added, Present int
}

// CopyStore is what an import copies into ("copy into a register",
// docs/regions.md): insert-if-absent by id, all or nothing in one
// transaction, so a rerun adds nothing twice and a conflict changes
// nothing.
type CopyStore interface {
	// CopyMeasurements stores every version of ms that is absent by (id,
	// version), each measurement's newest version becoming its current
	// one. A version stored with other content, or an id of another
	// person, is ErrOtherContent and nothing is stored.
	CopyMeasurements(ctx context.Context, ms []Measurement) (CopyCount, error)
	// CopyFiles stores the metadata of each file of fs absent by id, as
	// its current version and its history, and returns the ids it added
	// (whose content the caller then promotes). A file stored with other
	// content, or an id of another person, is ErrOtherContent and nothing
	// is stored. The person's quota is not applied: the source applied it.
	CopyFiles(ctx context.Context, fs []File) (added []string, err error)
}

// SameVersion reports whether a and b are the same version of a
// measurement in what a transfer package carries of it (the FHIR
// Observation): who entered it and the value as entered are not carried.
func SameVersion(a, b Measurement) bool {
	return a.ID == b.ID && a.PersonID == b.PersonID && a.Version == b.Version &&
		a.Kind == b.Kind && a.Value == b.Value && a.Diastolic == b.Diastolic &&
		a.At.Equal(b.At) && a.Note == b.Note && a.Identifier == b.Identifier &&
		a.Updated.Equal(b.Updated) && a.Deleted == b.Deleted
}

// SameFile reports whether a and b are the same version of a file in
// what a transfer package carries of it (the DocumentReference and the
// content's size and SHA-256); the content key and data key are each
// store's own.
func SameFile(a, b File) bool {
	return a.ID == b.ID && a.PersonID == b.PersonID && a.Version == b.Version &&
		a.Name == b.Name && a.Title == b.Title && a.Type == b.Type &&
		a.Size == b.Size && bytes.Equal(a.SHA256, b.SHA256)
}
