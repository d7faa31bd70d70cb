package web

import (
	"strings"

	"github.com/omahoito/omahoito/record"
)

// kindName is the kind's name in the page language.
func kindName(k record.Kind, t translator) string {
	return t.T("meas.kind." + strings.ReplaceAll(string(k), "-", ""))
}

// unitLabel is the kind's canonical unit as people read it.
func unitLabel(spec record.Spec, t translator) string {
	if spec.Kind == record.Steps {
		return t.T("meas.unit.steps")
	}
	return spec.UnitDisplay
}

func kindHref(k record.Kind) string            { return "/measurements/k/" + string(k) }
func measurementHref(id, action string) string { return "/measurements/m/" + id + "/" + action }

// valueText is a measurement's value without the unit: 128/82, 6,0.
func valueText(m record.Measurement, spec record.Spec, lang string) string {
	v := formatNumber(m.Value, spec.Decimals, lang)
	if spec.Kind == record.BloodPressure {
		return v + "/" + formatNumber(m.Diastolic, spec.Decimals, lang)
	}
	return v
}

// valueWithUnit is a measurement's value with its unit: 128/82 mmHg.
func valueWithUnit(m record.Measurement, spec record.Spec, t translator) string {
	return valueText(m, spec, t.lang) + "\u00a0" + unitLabel(spec, t)
}

// valueColumns heads the value columns of a kind's table.
func valueColumns(spec record.Spec, t translator) []string {
	unit := map[string]string{"Unit": unitLabel(spec, t)}
	if spec.Kind == record.BloodPressure {
		return []string{t.T("meas.field.systolic", unit), t.T("meas.field.diastolic", unit)}
	}
	return []string{t.T("meas.col.value", unit)}
}

// valueCells are one measurement's cells under valueColumns.
func valueCells(m record.Measurement, spec record.Spec, lang string) []string {
	if spec.Kind == record.BloodPressure {
		return []string{formatNumber(m.Value, spec.Decimals, lang), formatNumber(m.Diastolic, spec.Decimals, lang)}
	}
	return []string{formatNumber(m.Value, spec.Decimals, lang)}
}

// measurementRow is one line of a kind's table.
type measurementRow struct {
	At                                timeView
	Values                            []string
	Note                              string
	EditHref, DeleteHref, HistoryHref string
}

func rowOf(m record.Measurement, spec record.Spec, lang string) measurementRow {
	return measurementRow{
		At: formatTime(m.At, lang), Values: valueCells(m, spec, lang), Note: m.Note,
		EditHref: measurementHref(m.ID, "edit"), DeleteHref: measurementHref(m.ID, "delete"),
		HistoryHref: measurementHref(m.ID, "history"),
	}
}

// countText counts measurements in words: "1 mittaus", "5 mittausta".
// The one form is for exactly one in all three languages (CLDR "one").
func countText(n int, t translator) string {
	id := "meas.count.other"
	if n == 1 {
		id = "meas.count.one"
	}
	return t.T(id, map[string]string{"N": formatNumber(float64(n), 0, t.lang)})
}

// notice is the polite status line after a change: ?added=1 and so on.
func notice(query func(string) string, t translator) string {
	for _, key := range []string{"added", "updated", "deleted"} {
		if query(key) == "1" {
			return t.T("meas.notice." + key)
		}
	}
	return ""
}
