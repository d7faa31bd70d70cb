package record

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Sentinel errors; wrap with %w, match with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrInvalid  = errors.New("invalid")
	ErrConflict = errors.New("version conflict") // an update or delete against a stale version
	ErrDenied   = errors.New("access denied")
)

// FieldError names the field that broke a rule; it wraps ErrInvalid. Field
// is a FHIR-style path (e.g. "Observation.valueQuantity.value") so both the
// API and the pages can point at it.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }
func (e *FieldError) Unwrap() error { return ErrInvalid }

func invalid(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// MaxNoteLength is the longest note, in characters.
const MaxNoteLength = 1000

// FutureTolerance is how far in the future a measurement time may be, to
// allow for clocks that run a little fast.
const FutureTolerance = 5 * time.Minute

// Earliest is the earliest plausible time of a home measurement.
var Earliest = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// SourceKind says how a measurement arrived.
type SourceKind string

// Sources of a measurement.
const (
	SourceManual SourceKind = "manual" // typed on the portal's page
	SourceDevice SourceKind = "device" // sent by an app or device through the API
)

// Source is where a measurement came from.
type Source struct {
	Kind   SourceKind
	Client string // API client (app or device) id; empty for manual entries
}

// Measurement is one home measurement, one version of it.
type Measurement struct {
	ID         string
	PersonID   string
	Kind       Kind
	Value      float64 // in the kind's canonical unit; systolic for blood pressure
	Diastolic  float64 // blood pressure only
	At         time.Time
	Note       string
	EnteredBy  string // principal who entered it: the person, or later someone on their behalf
	Source     Source
	Identifier string // client-supplied "system|value": the same one twice stores once

	Version int       // 1 on create, +1 on every change
	Updated time.Time // when this version was written
	Deleted bool      // deleted versions stay in the history
}

// Input is a measurement as a person or client gives it, before conversion.
type Input struct {
	Kind       Kind
	Value      float64
	Diastolic  float64 // blood pressure only
	Unit       string  // empty: the canonical unit
	At         time.Time
	Note       string
	Identifier string
}

// Normalize checks in against the kind's rules and returns the measurement
// in canonical units. It does not set ids, owner or version.
func Normalize(in Input, now time.Time) (Measurement, error) {
	spec, ok := SpecOf(in.Kind)
	if !ok {
		return Measurement{}, invalid("Observation.code", "unknown measurement kind %q", in.Kind)
	}
	unit := in.Unit
	if unit == "" {
		unit = spec.Unit
	}
	m := Measurement{Kind: in.Kind, At: in.At.UTC(), Note: in.Note, Identifier: in.Identifier}
	var err error
	if m.Value, err = canonicalValue(spec, in.Value, unit, "Observation.valueQuantity", spec.Range); err != nil {
		return Measurement{}, err
	}
	if spec.Diastolic != nil {
		if err := normalizeDiastolic(spec, in, unit, &m); err != nil {
			return Measurement{}, err
		}
	}
	return m, checkCommon(m, now)
}

func normalizeDiastolic(spec Spec, in Input, unit string, m *Measurement) error {
	var err error
	if m.Diastolic, err = canonicalValue(spec, in.Diastolic, unit, "Observation.component[1].valueQuantity", *spec.Diastolic); err != nil {
		return err
	}
	if m.Value <= m.Diastolic {
		return invalid("Observation.component[0].valueQuantity.value",
			"systolic pressure %g must be above diastolic pressure %g", m.Value, m.Diastolic)
	}
	return nil
}

func canonicalValue(spec Spec, v float64, unit, field string, r Range) (float64, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, invalid(field+".value", "not a number")
	}
	c, ok := spec.Canonical(v, unit)
	if !ok {
		return 0, invalid(field+".unit", "unit %q is not accepted for %s (use %v)", unit, spec.Kind, spec.Units())
	}
	if !r.Contains(c) {
		return 0, invalid(field+".value", "%g %s is outside the plausible range %g–%g %s",
			c, spec.UnitDisplay, r.Min, r.Max, spec.UnitDisplay)
	}
	return c, nil
}

func checkCommon(m Measurement, now time.Time) error {
	if m.At.IsZero() {
		return invalid("Observation.effectiveDateTime", "the time of the measurement is missing")
	}
	if m.At.Before(Earliest) {
		return invalid("Observation.effectiveDateTime", "the time %s is before %d", m.At.Format(time.RFC3339), Earliest.Year())
	}
	if m.At.After(now.Add(FutureTolerance)) {
		return invalid("Observation.effectiveDateTime", "the time %s is in the future", m.At.Format(time.RFC3339))
	}
	if n := utf8.RuneCountInString(m.Note); n > MaxNoteLength {
		return invalid("Observation.note", "the note is %d characters; at most %d are allowed", n, MaxNoteLength)
	}
	if !isText(m.Note) {
		return invalid("Observation.note", "the note is not valid text (control characters other than line breaks and tabs are not allowed)")
	}
	if !isText(m.Identifier) || strings.ContainsAny(m.Identifier, "\n\t") {
		return invalid("Observation.identifier", "the identifier is not valid text")
	}
	return nil
}

// isText accepts valid UTF-8 without control characters other than line
// breaks and tabs. PostgreSQL refuses NUL outright, and a note is for people.
func isText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return false
		}
	}
	return true
}
