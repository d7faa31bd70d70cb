package web

import (
	"net/url"

	"github.com/omahoito/omahoito/record"
)

// kindNames name each kind; a kind missing here shows its id in capitals,
// and the tests walk record.Specs() to keep that from happening.
var kindNames = map[record.Kind]msgID{
	record.BloodPressure:    msgMeasKindBloodpressure,
	record.HeartRate:        msgMeasKindHeartrate,
	record.BodyWeight:       msgMeasKindBodyweight,
	record.BodyHeight:       msgMeasKindBodyheight,
	record.BMI:              msgMeasKindBmi,
	record.BodyTemperature:  msgMeasKindBodytemperature,
	record.OxygenSaturation: msgMeasKindOxygensaturation,
	record.Glucose:          msgMeasKindGlucose,
	record.INR:              msgMeasKindInr,
	record.PeakFlow:         msgMeasKindPeakflow,
	record.Steps:            msgMeasKindSteps,
}

// kindName is the kind's name in the page language.
func kindName(k record.Kind, t translator) string {
	id, ok := kindNames[k]
	if !ok {
		return string(k)
	}
	return t.T(id)
}

// unitLabel is the kind's canonical unit as people read it.
func unitLabel(spec record.Spec, t translator) string {
	if spec.Kind == record.Steps {
		return t.T(msgMeasUnitSteps)
	}
	return spec.UnitDisplay
}

// unitDisplay is how people write a unit the kind accepts (mg/dl for
// mg/dL); the UCUM code itself for one it does not know.
func unitDisplay(spec record.Spec, unit string, t translator) string {
	if unit == "" || unit == spec.Unit {
		return unitLabel(spec, t)
	}
	for _, c := range spec.Conversions {
		if c.Unit == unit {
			return c.Display
		}
	}
	return unit
}

func kindHref(k record.Kind) string { return "/measurements/k/" + url.PathEscape(string(k)) }
func measurementHref(id, action string) string {
	return "/measurements/m/" + url.PathEscape(id) + "/" + action
}

// valueText is a measurement's value without the unit: 128/82, 6,0.
func valueText(m record.Measurement, spec record.Spec, t translator) string {
	v := t.lang.FormatNumber(m.Value, spec.Decimals)
	if spec.Kind == record.BloodPressure {
		return v + "/" + t.lang.FormatNumber(m.Diastolic, spec.Decimals)
	}
	return v
}

// valueWithUnit is a measurement's value with its unit: 128/82 mmHg.
func valueWithUnit(m record.Measurement, spec record.Spec, t translator) string {
	return valueText(m, spec, t) + "\u00a0" + unitLabel(spec, t)
}

// enteredText is the value as it was typed or sent, when that was in
// another unit than the canonical one: 108 mg/dl. Empty otherwise.
func enteredText(m record.Measurement, spec record.Spec, t translator) string {
	e := m.AsEntered
	if e.Unit == "" || e.Unit == spec.Unit {
		return ""
	}
	v := t.lang.FormatInput(e.Value)
	if spec.Kind == record.BloodPressure {
		v += "/" + t.lang.FormatInput(e.Diastolic)
	}
	return v + "\u00a0" + unitDisplay(spec, e.Unit, t)
}

// valueColumns heads the value columns of a kind's table.
func valueColumns(spec record.Spec, t translator) []string {
	unit := map[string]string{"Unit": unitLabel(spec, t)}
	if spec.Kind == record.BloodPressure {
		return []string{t.T(msgMeasFieldSystolic, unit), t.T(msgMeasFieldDiastolic, unit)}
	}
	return []string{t.T(msgMeasColValue, unit)}
}

// valueCells are one measurement's cells under valueColumns.
func valueCells(m record.Measurement, spec record.Spec, t translator) []string {
	if spec.Kind == record.BloodPressure {
		return []string{t.lang.FormatNumber(m.Value, spec.Decimals), t.lang.FormatNumber(m.Diastolic, spec.Decimals)}
	}
	return []string{t.lang.FormatNumber(m.Value, spec.Decimals)}
}

// measurementRow is one line of a kind's table.
type measurementRow struct {
	At                                timeView
	Values                            []string
	Note                              string
	EditHref, DeleteHref, HistoryHref string
}

func rowOf(m record.Measurement, spec record.Spec, t translator) measurementRow {
	return measurementRow{
		At: t.moment(m.At), Values: valueCells(m, spec, t), Note: m.Note,
		EditHref: measurementHref(m.ID, "edit"), DeleteHref: measurementHref(m.ID, "delete"),
		HistoryHref: measurementHref(m.ID, "history"),
	}
}

// countText counts measurements in words, in the plural form the
// language needs: "1 mittaus", "5 mittausta".
func countText(n int, t translator) string { return t.Count(msgMeasCount, n) }

// noticeView is the polite status line after a change, with a link to the
// history of a measurement just deleted (it is no longer in the table).
type noticeView struct {
	Text, HistoryHref string
}

// notices are the status lines, by the query parameter that asks for one.
var notices = []struct {
	key string
	msg msgID
}{{"added", msgMeasNoticeAdded}, {"updated", msgMeasNoticeUpdated}, {"deleted", msgMeasNoticeDeleted}}

// notice reads ?added=1 and so on; ?deleted=1&m=<id> links to the history.
func notice(query func(string) string, t translator) *noticeView {
	for _, n := range notices {
		if query(n.key) != "1" {
			continue
		}
		v := &noticeView{Text: t.T(n.msg)}
		if id := query("m"); n.key == "deleted" && idPattern.MatchString(id) {
			v.HistoryHref = measurementHref(id, "history")
		}
		return v
	}
	return nil
}
