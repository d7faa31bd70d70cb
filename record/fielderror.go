package record

// Field names what in a measurement broke a rule, in record's own terms:
// the API maps it to a FHIR path (fhir), the pages to a form field
// (portal/web). Nothing matches on message or path text.
type Field string

// Fields of a measurement.
const (
	FieldKind       Field = "kind"
	FieldValue      Field = "value" // the value; systolic for blood pressure
	FieldDiastolic  Field = "diastolic"
	FieldUnit       Field = "unit"
	FieldTime       Field = "time"
	FieldNote       Field = "note"
	FieldIdentifier Field = "identifier"
)

// Rule names which rule was broken, so a page can say it in the reader's
// language.
type Rule string

// Rules of a measurement.
const (
	RuleUnknownKind            Rule = "unknown-kind"
	RuleNotANumber             Rule = "not-a-number"
	RuleUnit                   Rule = "unit"
	RuleRange                  Rule = "range"
	RuleSystolicAboveDiastolic Rule = "systolic-above-diastolic"
	RuleMissing                Rule = "missing"
	RuleTooEarly               Rule = "too-early"
	RuleFuture                 Rule = "future"
	RuleBeforeBirth            Rule = "before-birth"
	RuleTooLong                Rule = "too-long"
	RuleNotText                Rule = "not-text"
	RuleKindChange             Rule = "kind-change"
)

// FieldError names the field and the rule an input broke; it wraps
// ErrInvalid. For RuleRange, Range is the plausible range in Unit, the
// unit the value was given in (empty: the canonical unit).
type FieldError struct {
	Field Field
	Rule  Rule
	Kind  Kind // the measurement's kind, when known: blood pressure maps to components
	Msg   string
	Range Range
	Unit  string
}

func (e *FieldError) Error() string { return string(e.Field) + ": " + e.Msg }
func (e *FieldError) Unwrap() error { return ErrInvalid }
