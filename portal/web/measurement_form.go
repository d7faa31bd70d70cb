package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/internal/locale"
	"github.com/omahoito/omahoito/record"
)

// Field ids of the measurement form: the input ids and names, and what
// the error summary links to.
const (
	fieldValue     = "value"
	fieldSystolic  = "systolic"
	fieldDiastolic = "diastolic"
	fieldUnit      = "unit"
	fieldDate      = "date"
	fieldTime      = "time"
	fieldNote      = "note"
)

// fieldOrder is the order of the fields on the form, and of the error summary.
var fieldOrder = []string{fieldValue, fieldSystolic, fieldDiastolic, fieldUnit, fieldDate, fieldTime, fieldNote}

// formIdentifierSystem names the identifiers the form gives new
// measurements, so that a form sent twice stores one measurement.
const formIdentifierSystem = "urn:omahoito:form"

// idPattern matches the ids the portal makes (auth.NewID) and the form
// tokens: 32 hex digits. Anything else from a request is not used in a link.
var idPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

func newFormToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// formValues is the form as typed, kept as text so that a refused form
// comes back exactly as it was sent.
type formValues struct {
	Value, Systolic, Diastolic, Unit, Date, Time, Note string
	Token                                              string // new measurements: makes a repeated send idempotent
}

// fieldErrors maps a field id to its translated message.
type fieldErrors map[string]string

func postedValues(c *gin.Context) formValues {
	v := formValues{
		Value: c.PostForm(fieldValue), Systolic: c.PostForm(fieldSystolic), Diastolic: c.PostForm(fieldDiastolic),
		Unit: c.PostForm(fieldUnit), Date: c.PostForm(fieldDate), Time: c.PostForm(fieldTime),
		Note: strings.ReplaceAll(c.PostForm(fieldNote), "\r\n", "\n"), Token: c.PostForm("token"),
	}
	if !idPattern.MatchString(v.Token) {
		v.Token = newFormToken()
	}
	return v
}

// defaultValues is an empty form for a measurement taken now.
func defaultValues(now time.Time) formValues {
	local := now.In(locale.Helsinki)
	return formValues{Date: local.Format("2006-01-02"), Time: local.Format("15:04"), Token: newFormToken()}
}

// valuesOf fills the form with a stored measurement, for correcting it.
func valuesOf(m record.Measurement, lang locale.Lang) formValues {
	local := m.At.In(locale.Helsinki)
	v := formValues{Date: local.Format("2006-01-02"), Time: local.Format("15:04"), Note: m.Note}
	if m.Kind == record.BloodPressure {
		v.Systolic, v.Diastolic = lang.FormatInput(m.Value), lang.FormatInput(m.Diastolic)
	} else {
		v.Value = lang.FormatInput(m.Value)
	}
	return v
}

// relang rewrites the typed numbers from the language they were typed in
// (from) into the page's new one, so that 6,5 typed in Finnish reads 6.5
// in English. A number that cannot be read is left as typed.
func (v formValues) relang(from, to locale.Lang) formValues {
	for _, s := range []*string{&v.Value, &v.Systolic, &v.Diastolic} {
		typed := strings.TrimSpace(*s)
		if typed == "" || (from.DecimalComma() && locale.AmbiguousThousands(typed)) {
			continue
		}
		if n, err := from.ParseNumber(typed); err == nil {
			*s = to.FormatInput(n)
		}
	}
	return v
}

// input turns the typed form into a record.Input, or says what is wrong
// with it: every field at once. What cannot be read is reported here;
// record's rules (ranges, the future, the note) are then checked on each
// part that could be read, so one error does not hide another.
func (v formValues) input(spec record.Spec, t translator, now time.Time) (record.Input, fieldErrors) {
	errs := fieldErrors{}
	in := record.Input{Kind: spec.Kind, Note: v.Note}
	if spec.Kind == record.BloodPressure {
		in.Value = readNumber(v.Systolic, fieldSystolic, spec, t, errs)
		in.Diastolic = readNumber(v.Diastolic, fieldDiastolic, spec, t, errs)
	} else {
		in.Value = readNumber(v.Value, fieldValue, spec, t, errs)
	}
	if len(spec.Conversions) > 0 {
		in.Unit = v.Unit
		if !acceptsUnit(spec, v.Unit) {
			errs[fieldUnit] = t.T(msgMeasErrorUnit)
		}
	}
	in.At = readMoment(v, t, errs)
	if v.Token != "" {
		in.Identifier = formIdentifierSystem + "|" + v.Token
	}
	for field, msg := range ruleErrors(in, spec, errs, t, now) {
		if errs[field] == "" {
			errs[field] = msg
		}
	}
	return in, errs
}

// ruleErrors checks record's rules on each part of in that was read
// without error, the others replaced by values the rules accept: the
// values, the time and the note are checked apart. The person's birth date
// is the service's to check, when the whole form is right.
func ruleErrors(in record.Input, spec record.Spec, read fieldErrors, t translator, now time.Time) fieldErrors {
	ok := record.Input{Kind: spec.Kind, Value: spec.Range.Min, At: now.Add(-time.Hour)}
	if spec.Diastolic != nil {
		ok.Value, ok.Diastolic = spec.Range.Max, spec.Diastolic.Min
	}
	var probes []record.Input
	if read[fieldValue] == "" && read[fieldSystolic] == "" && read[fieldDiastolic] == "" && read[fieldUnit] == "" {
		p := ok
		p.Value, p.Diastolic, p.Unit = in.Value, in.Diastolic, in.Unit
		probes = append(probes, p)
	}
	if read[fieldDate] == "" && read[fieldTime] == "" {
		p := ok
		p.At = in.At
		probes = append(probes, p)
	}
	p := ok
	p.Note = in.Note
	probes = append(probes, p)
	errs := fieldErrors{}
	for _, p := range probes {
		if _, err := record.Normalize(p, now); err != nil {
			fe, _ := ruleError(err, spec, t)
			for field, msg := range fe {
				errs[field] = msg
			}
		}
	}
	return errs
}

func acceptsUnit(spec record.Spec, unit string) bool {
	for _, u := range spec.Units() {
		if u == unit {
			return true
		}
	}
	return false
}

// readNumber reads one number field. It refuses rather than guesses: a
// fraction for a kind kept in whole numbers (64,5 beats a minute), and in
// Finnish and Swedish a point before three digits (12.000), which may be
// a thousands separator or a decimal point.
func readNumber(s, field string, spec record.Spec, t translator, errs fieldErrors) float64 {
	typed := strings.TrimSpace(s)
	if typed == "" {
		errs[field] = t.T(msgMeasErrorRequired)
		return 0
	}
	if t.lang.DecimalComma() && locale.AmbiguousThousands(typed) {
		whole, frac, _ := strings.Cut(typed, ".")
		errs[field] = t.T(msgMeasErrorAmbiguous, map[string]string{"Typed": typed, "Plain": whole + frac, "Grouped": whole + " " + frac})
		return 0
	}
	v, err := t.lang.ParseNumber(typed)
	switch {
	case err != nil:
		errs[field] = t.T(msgMeasErrorNumber, map[string]string{"Example": t.lang.FormatNumber(6.5, 1)})
	case spec.Decimals == 0 && locale.HasFraction(typed):
		errs[field] = t.T(msgMeasErrorWhole)
	}
	return v
}

func readMoment(v formValues, t translator, errs fieldErrors) time.Time {
	day, dayErr := locale.ParseDate(v.Date)
	clock, clockErr := locale.ParseClock(v.Time)
	if dayErr != nil {
		errs[fieldDate] = t.T(msgMeasErrorDate)
	}
	if clockErr != nil {
		errs[fieldTime] = t.T(msgMeasErrorTime)
	}
	if dayErr != nil || clockErr != nil {
		return time.Time{}
	}
	return locale.AtClock(day, clock)
}

// timeRuleMessages say what is wrong with a measurement's time.
var timeRuleMessages = map[record.Rule]msgID{
	record.RuleBeforeBirth: msgMeasErrorBeforebirth,
	record.RuleTooEarly:    msgMeasErrorTooearly,
	record.RuleFuture:      msgMeasErrorFuture,
}

// ruleError turns record's refusal into a message on the field it names.
// ok is false for an error that is not a rule violation.
func ruleError(err error, spec record.Spec, t translator) (fieldErrors, bool) {
	var fe *record.FieldError
	if !errors.As(err, &fe) {
		return nil, false
	}
	value := fieldValue
	if spec.Kind == record.BloodPressure {
		value = fieldSystolic
	}
	switch fe.Field {
	case record.FieldUnit:
		return fieldErrors{fieldUnit: t.T(msgMeasErrorUnit)}, true
	case record.FieldValue:
		if fe.Rule == record.RuleSystolicAboveDiastolic {
			return fieldErrors{fieldSystolic: t.T(msgMeasErrorSystolic)}, true
		}
		return fieldErrors{value: ruleRangeMessage(fe, spec, t)}, true
	case record.FieldDiastolic:
		return fieldErrors{fieldDiastolic: ruleRangeMessage(fe, spec, t)}, true
	case record.FieldTime:
		id, ok := timeRuleMessages[fe.Rule]
		if !ok {
			id = msgMeasErrorDate
		}
		return fieldErrors{fieldDate: t.T(id)}, true
	case record.FieldNote:
		if fe.Rule == record.RuleNotText {
			return fieldErrors{fieldNote: t.T(msgMeasErrorNotetext)}, true
		}
		return fieldErrors{fieldNote: t.T(msgMeasErrorNote, map[string]int{"Max": record.MaxNoteLength})}, true
	}
	return fieldErrors{value: t.T(msgMeasErrorInvalid)}, true
}

// ruleRangeMessage says the plausible range in the unit the value was
// typed in: a glucose reading in mg/dL is told the range in mg/dL, as
// record gives it (FieldError.Range in FieldError.Unit).
func ruleRangeMessage(fe *record.FieldError, spec record.Spec, t translator) string {
	if fe.Rule != record.RuleRange {
		return t.T(msgMeasErrorInvalid)
	}
	data := rangeData(fe.Range, spec, t)
	data["Unit"] = unitDisplay(spec, fe.Unit, t)
	return t.T(msgMeasErrorRange, data)
}

func rangeData(r record.Range, spec record.Spec, t translator) map[string]string {
	return map[string]string{
		"Min":  t.lang.FormatNumber(r.Min, decimalsOf(r.Min)),
		"Max":  t.lang.FormatNumber(r.Max, decimalsOf(r.Max)),
		"Unit": unitLabel(spec, t),
	}
}

// decimalsOf is 1 for a number with a fraction (0.5), else 0.
func decimalsOf(v float64) int {
	if v != float64(int64(v)) {
		return 1
	}
	return 0
}

// formField is one labelled input with its hint and error.
type formField struct {
	ID, Label, Hint, Value, Error string
}

// DescribedBy lists the ids of the hint and the error, for aria-describedby.
func (f formField) DescribedBy() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.ID+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, f.ID+"-error")
	}
	return strings.Join(ids, " ")
}

type unitOption struct {
	Value, Label string
	Selected     bool
}

type summaryItem struct{ Href, Text string }

// measurementFormPage adds a measurement or corrects one.
type measurementFormPage struct {
	layout
	Heading     string
	Action      string
	Kind        string
	Token       string // new measurements only
	Version     int    // corrections only: the version being corrected
	BP          bool
	Value       formField
	Systolic    formField
	Diastolic   formField
	Unit        formField
	Units       []unitOption // empty: the kind has one unit
	Date        formField
	Time        formField
	Note        formField
	MaxNote     int
	Errors      []summaryItem
	Problem     string // a message about the whole form, e.g. a conflicting change
	SubmitLabel string
	CancelHref  string
	FormLang    string         // the language the numbers were typed in
	Languages   []languageLink // re-render the form, as typed, in another language
}

// measurementForm builds the form page for spec from typed values and errors.
func measurementForm(l layout, spec record.Spec, v formValues, errs fieldErrors) measurementFormPage {
	unit := unitLabel(spec, l.translator)
	hint := l.T(msgMeasHintRange, rangeData(spec.Range, spec, l.translator))
	if spec.Decimals > 0 {
		hint += " " + l.T(msgMeasHintDecimals, map[string]string{"Example": l.lang.FormatNumber(6.5, 1)})
	}
	p := measurementFormPage{
		layout: l, Kind: string(spec.Kind), Token: v.Token, BP: spec.Kind == record.BloodPressure, MaxNote: record.MaxNoteLength,
		Date:       formField{ID: fieldDate, Label: l.T(msgMeasFieldDate), Value: v.Date, Error: errs[fieldDate]},
		Time:       formField{ID: fieldTime, Label: l.T(msgMeasFieldTime), Value: v.Time, Error: errs[fieldTime]},
		Note:       formField{ID: fieldNote, Label: l.T(msgMeasFieldNote), Hint: l.T(msgMeasHintNote, map[string]int{"Max": record.MaxNoteLength}), Value: v.Note, Error: errs[fieldNote]},
		CancelHref: kindHref(spec.Kind),
		FormLang:   l.lang.String(),
	}
	if p.BP {
		dia := l.T(msgMeasHintRange, rangeData(*spec.Diastolic, spec, l.translator))
		p.Systolic = formField{ID: fieldSystolic, Label: l.T(msgMeasFieldSystolic, map[string]string{"Unit": unit}), Hint: hint, Value: v.Systolic, Error: errs[fieldSystolic]}
		p.Diastolic = formField{ID: fieldDiastolic, Label: l.T(msgMeasFieldDiastolic, map[string]string{"Unit": unit}), Hint: dia, Value: v.Diastolic, Error: errs[fieldDiastolic]}
	} else {
		p.Value = formField{ID: fieldValue, Label: valueLabel(spec, l.translator), Hint: hint, Value: v.Value, Error: errs[fieldValue]}
	}
	if len(spec.Conversions) > 0 {
		p.Unit = formField{ID: fieldUnit, Label: l.T(msgMeasFieldUnit), Value: v.Unit, Error: errs[fieldUnit]}
		p.Units = unitOptions(spec, v.Unit)
	}
	p.Errors = summary(p, errs)
	return p
}

// valueLabel names the value field: the kind, with its unit unless the
// form lets the person choose the unit.
func valueLabel(spec record.Spec, t translator) string {
	name := kindName(spec.Kind, t)
	if len(spec.Conversions) > 0 {
		return name
	}
	return name + " (" + unitLabel(spec, t) + ")"
}

func unitOptions(spec record.Spec, chosen string) []unitOption {
	if chosen == "" {
		chosen = spec.Unit
	}
	opts := []unitOption{{Value: spec.Unit, Label: spec.UnitDisplay, Selected: chosen == spec.Unit}}
	for _, c := range spec.Conversions {
		opts = append(opts, unitOption{Value: c.Unit, Label: c.Display, Selected: chosen == c.Unit})
	}
	return opts
}

// summary lists the errors in form order, each linking to its field.
func summary(p measurementFormPage, errs fieldErrors) []summaryItem {
	fields := map[string]formField{
		fieldValue: p.Value, fieldSystolic: p.Systolic, fieldDiastolic: p.Diastolic,
		fieldUnit: p.Unit, fieldDate: p.Date, fieldTime: p.Time, fieldNote: p.Note,
	}
	var items []summaryItem
	for _, id := range fieldOrder {
		if msg := errs[id]; msg != "" && fields[id].ID != "" {
			items = append(items, summaryItem{Href: "#" + id, Text: fields[id].Label + ": " + msg})
		}
	}
	return items
}
