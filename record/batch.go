package record

import "time"

// IdentifierKey is a measurement's (person, client identifier) pair: the
// key under which a create is idempotent.
type IdentifierKey struct{ PersonID, Identifier string }

// Key returns m's identifier key; ok is false when m has no identifier.
func (m Measurement) Key() (IdentifierKey, bool) {
	return IdentifierKey{m.PersonID, m.Identifier}, m.Identifier != ""
}

// SplitKnown is the idempotency rule of Store.CreateMeasurements, shared by
// the stores and applied inside their transaction: it returns the
// measurements of ms to insert, and fills existing, by index into ms, with
// the stored measurement (from stored) or the earlier one in ms that has
// the same identifier key. An identifier that names a stored (not deleted)
// or earlier reading with other content is an error (an EntryError
// wrapping ErrIdentifierReused): the store must then insert nothing, so
// that a batch stays all or nothing.
func SplitKnown(ms []Measurement, stored map[IdentifierKey]Measurement, existing map[int]Measurement) ([]Measurement, error) {
	fresh := make([]Measurement, 0, len(ms))
	first := map[IdentifierKey]int{}
	for i, m := range ms {
		if k, ok := m.Key(); ok {
			if old, ok := stored[k]; ok {
				existing[i] = old
				if !old.Deleted && !SameReading(old, m) {
					return nil, &EntryError{Index: i, Err: ErrIdentifierReused}
				}
				continue
			}
			if j, ok := first[k]; ok {
				existing[i] = asStored(ms[j])
				if !SameReading(ms[j], m) {
					return nil, &EntryError{Index: i, Err: ErrIdentifierReused}
				}
				continue
			}
			first[k] = i
		}
		fresh = append(fresh, m)
	}
	return fresh, nil
}

// asStored is m as a store gives it back: times in UTC to the microsecond.
func asStored(m Measurement) Measurement {
	m.At = m.At.UTC().Truncate(time.Microsecond)
	m.Updated = m.Updated.UTC().Truncate(time.Microsecond)
	return m
}
