package fhir

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/omahoito/omahoito/record"
)

// ErrMalformed marks input that is not FHIR at all (broken JSON, a value
// of the wrong type, a name R4 does not define in any case, the wrong
// resourceType): 400, where a broken rule is 422.
var ErrMalformed = errors.New("not a valid FHIR resource")

// FieldError is input refused at one element, named by its FHIR path
// (e.g. "Observation.valueQuantity.code" or
// "Bundle.entry[3].resource.performer"). It wraps record.ErrInvalid, so the
// API's error table treats it like a record rule (422), and ErrMalformed
// as well when the body is not a valid resource at all (400).
type FieldError struct {
	Path      string
	Msg       string
	Malformed bool
}

func (e *FieldError) Error() string { return e.Path + ": " + e.Msg }

func (e *FieldError) Unwrap() []error {
	if e.Malformed {
		return []error{record.ErrInvalid, ErrMalformed}
	}
	return []error{record.ErrInvalid}
}

// malformed is a FieldError for input that is not FHIR.
func malformed(field, format string, args ...any) error {
	return &FieldError{Path: field, Msg: fmt.Sprintf(format, args...), Malformed: true}
}

// FromRecord turns a *record.FieldError about an Observation into a
// *FieldError naming the FHIR path of the field (blood pressure values
// live in components); other errors are returned as they are.
func FromRecord(err error) error {
	var fe *record.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	return &FieldError{Path: observationPath(fe.Field, fe.Kind), Msg: fe.Msg}
}

// observationPath is the element of an Observation that holds field.
func observationPath(field record.Field, kind record.Kind) string {
	spec, _ := record.SpecOf(kind)
	bp := spec.Diastolic != nil
	switch field {
	case record.FieldKind:
		return "Observation.code"
	case record.FieldValue:
		if bp {
			return componentPath(0) + ".valueQuantity.value"
		}
		return "Observation.valueQuantity.value"
	case record.FieldDiastolic:
		return componentPath(1) + ".valueQuantity.value"
	case record.FieldUnit:
		if bp {
			return componentPath(0) + ".valueQuantity.code"
		}
		return "Observation.valueQuantity.code"
	case record.FieldTime:
		return "Observation.effectiveDateTime"
	case record.FieldNote:
		return "Observation.note"
	case record.FieldIdentifier:
		return "Observation.identifier[0].value"
	}
	return "Observation"
}

func componentPath(i int) string { return "Observation.component[" + strconv.Itoa(i) + "]" }
