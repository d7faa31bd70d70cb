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

// SessionClient is the client named as the source of measurements sent to
// the API with the portal's own session rather than an app's token.
const SessionClient = "portal-session"

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
	EnteredBy  Actor // who wrote this version, and on whose behalf
	Source     Source
	AsEntered  AsEntered // the value and unit as typed or sent, when not the canonical unit
	Identifier string    // client-supplied "system|value": the same one twice stores once

	Version int       // 1 on create, +1 on every change
	Updated time.Time // when this version was written
	Deleted bool      // deleted versions stay in the history
}

// AsEntered keeps a value given in another unit than the canonical one
// (glucose in mg/dL, weight in lb) exactly as it was given, so the history
// can show it beside the converted value. Zero when the canonical unit was used.
type AsEntered struct {
	Value     float64
	Diastolic float64 // blood pressure only
	Unit      string  // UCUM code as given; empty: the canonical unit was used
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
		return Measurement{}, &FieldError{Field: FieldKind, Rule: RuleUnknownKind, Msg: fmt.Sprintf("unknown measurement kind %q", in.Kind)}
	}
	unit := in.Unit
	if unit == "" {
		unit = spec.Unit
	}
	m := Measurement{Kind: in.Kind, At: in.At.UTC(), Note: in.Note, Identifier: in.Identifier}
	fail := func(err *FieldError) (Measurement, error) { err.Kind = in.Kind; return Measurement{}, err }
	if unit != spec.Unit {
		m.AsEntered = AsEntered{Value: in.Value, Diastolic: in.Diastolic, Unit: unit}
	}
	var err *FieldError
	if m.Value, err = canonicalValue(spec, in.Value, unit, FieldValue, spec.Range); err != nil {
		return fail(err)
	}
	if spec.Diastolic != nil {
		if err := normalizeDiastolic(spec, in, unit, &m); err != nil {
			return fail(err)
		}
	}
	if err := checkCommon(m, now); err != nil {
		return fail(err)
	}
	return m, nil
}

func normalizeDiastolic(spec Spec, in Input, unit string, m *Measurement) *FieldError {
	var err *FieldError
	if m.Diastolic, err = canonicalValue(spec, in.Diastolic, unit, FieldDiastolic, *spec.Diastolic); err != nil {
		return err
	}
	if m.Value <= m.Diastolic {
		return &FieldError{Field: FieldValue, Rule: RuleSystolicAboveDiastolic, Msg: fmt.Sprintf(
			"systolic pressure %g must be above diastolic pressure %g", m.Value, m.Diastolic)}
	}
	return nil
}

// canonicalValue converts v to the canonical unit and checks the range. A
// value out of range is reported in the unit it was given in: a reading
// typed in mg/dL is told the range in mg/dL.
func canonicalValue(spec Spec, v float64, unit string, field Field, r Range) (float64, *FieldError) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, &FieldError{Field: field, Rule: RuleNotANumber, Msg: "not a number"}
	}
	c, ok := spec.Canonical(v, unit)
	if !ok {
		return 0, &FieldError{Field: FieldUnit, Rule: RuleUnit, Unit: unit,
			Msg: fmt.Sprintf("unit %q is not accepted for %s (use %v)", unit, spec.Kind, spec.Units())}
	}
	if !r.Contains(c) {
		given, display := spec.RangeIn(r, unit)
		return 0, &FieldError{Field: field, Rule: RuleRange, Range: given, Unit: unit, Msg: fmt.Sprintf(
			"%g %s is outside the plausible range %g–%g %s", v, display, given.Min, given.Max, display)}
	}
	return c, nil
}

func checkCommon(m Measurement, now time.Time) *FieldError {
	switch {
	case m.At.IsZero():
		return &FieldError{Field: FieldTime, Rule: RuleMissing, Msg: "the time of the measurement is missing"}
	case m.At.Before(Earliest):
		return &FieldError{Field: FieldTime, Rule: RuleTooEarly, Msg: fmt.Sprintf("the time %s is before %d", m.At.Format(time.RFC3339), Earliest.Year())}
	case m.At.After(now.Add(FutureTolerance)):
		return &FieldError{Field: FieldTime, Rule: RuleFuture, Msg: fmt.Sprintf("the time %s is in the future", m.At.Format(time.RFC3339))}
	}
	if n := utf8.RuneCountInString(m.Note); n > MaxNoteLength {
		return &FieldError{Field: FieldNote, Rule: RuleTooLong, Msg: fmt.Sprintf("the note is %d characters; at most %d are allowed", n, MaxNoteLength)}
	}
	if !isText(m.Note) {
		return &FieldError{Field: FieldNote, Rule: RuleNotText, Msg: "the note is not valid text (control characters other than line breaks and tabs are not allowed)"}
	}
	if !isText(m.Identifier) || strings.ContainsAny(m.Identifier, "\n\t") {
		return &FieldError{Field: FieldIdentifier, Rule: RuleNotText, Msg: "the identifier is not valid text"}
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
