package web

import (
	"context"
	"html/template"
	"math"
	"strings"
	"time"

	"github.com/omahoito/omahoito/charts"
	"github.com/omahoito/omahoito/internal/locale"
	"github.com/omahoito/omahoito/portal"
	"github.com/omahoito/omahoito/record"
)

// chartView is a rendered chart for the kind page; SVG is empty when the
// chart could not be drawn (the table below it still has the data).
type chartView struct {
	SVG template.HTML
}

// Target bands. Home blood pressure: the Finnish Current Care guideline
// (Käypä hoito) treats below 135/85 mmHg at home as the goal; the bands
// start at 100 and 60 mmHg, below which low pressure deserves attention.
// Glucose: 4–10 mmol/l, the usual home-meter target range.
var targetBands = map[record.Kind][]struct {
	low, high float64
	msg       msgID
}{
	record.BloodPressure: {{100, 135, msgMeasChartBandSystolic}, {60, 85, msgMeasChartBandDiastolic}},
	record.Glucose:       {{4, 10, msgMeasChartBandGlucose}},
}

// bandDescriptions say in words what the bands show.
var bandDescriptions = map[record.Kind]msgID{
	record.BloodPressure: msgMeasChartDescBp,
	record.Glucose:       msgMeasChartDescGlucose,
}

// chart draws the period's measurements (newest first) as inline SVG.
func (s *Pages) chart(ctx context.Context, spec record.Spec, ms []record.Measurement, per period, now time.Time, t translator) chartView {
	name := kindName(spec.Kind, t)
	unit := unitLabel(spec, t)
	series := chartSeries(spec, ms, t)
	c := charts.Chart{
		Title:       t.T(msgMeasChartTitle, map[string]string{"Kind": name, "Period": per.Label}),
		Description: chartDescription(spec, series, len(ms), per, t),
		Unit:        unit, From: per.From, To: per.To, Location: locale.Helsinki,
		Series: series, Lang: t.lang.String(), NoData: t.T(msgMeasChartNodata),
		ID: "chart-" + string(spec.Kind),
	}
	if c.To.IsZero() && !c.From.IsZero() { // chosen dates with no end: up to now, as the presets
		c.To = periodEnd(now)
		if c.To.Before(c.From) {
			c.To = c.From.AddDate(0, 0, 1)
		}
	}
	for _, b := range targetBands[spec.Kind] {
		c.Bands = append(c.Bands, charts.Band{Low: b.low, High: b.high, Label: t.T(b.msg)})
	}
	svg, err := charts.Render(c)
	if err != nil {
		s.Log.ErrorContext(ctx, "draw measurement chart", "kind", spec.Kind, "points", len(ms), "err", err,
			"request_id", portal.RequestID(ctx))
		return chartView{}
	}
	return chartView{SVG: template.HTML(svg)} // #nosec G203 -- charts.Render escapes every text it writes
}

func chartSeries(spec record.Spec, ms []record.Measurement, t translator) []charts.Series {
	if spec.Kind != record.BloodPressure {
		s := charts.Series{Name: kindName(spec.Kind, t), Points: make([]charts.Point, len(ms))}
		for i, m := range ms {
			s.Points[i] = charts.Point{At: m.At, Value: m.Value}
		}
		return []charts.Series{s}
	}
	sys := charts.Series{Name: t.T(msgMeasChartSystolic), Points: make([]charts.Point, len(ms))}
	dia := charts.Series{Name: t.T(msgMeasChartDiastolic), Points: make([]charts.Point, len(ms))}
	for i, m := range ms {
		sys.Points[i] = charts.Point{At: m.At, Value: m.Value}
		dia.Points[i] = charts.Point{At: m.At, Value: m.Diastolic}
	}
	return []charts.Series{sys, dia}
}

// chartDescription is the chart's <desc>: what it covers, each series'
// lowest and highest value, the target bands, and where the table is.
func chartDescription(spec record.Spec, series []charts.Series, count int, per period, t translator) string {
	parts := []string{t.T(msgMeasChartDesc, map[string]string{"Kind": kindName(spec.Kind, t), "Period": per.Label, "Count": countText(count, t)})}
	for _, s := range series {
		if len(s.Points) == 0 {
			continue
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, p := range s.Points {
			lo, hi = math.Min(lo, p.Value), math.Max(hi, p.Value)
		}
		parts = append(parts, t.T(msgMeasChartDescSeries, map[string]string{
			"Name": s.Name, "Min": t.lang.FormatNumber(lo, spec.Decimals),
			"Max": t.lang.FormatNumber(hi, spec.Decimals), "Unit": unitLabel(spec, t),
		}))
	}
	if id, ok := bandDescriptions[spec.Kind]; ok {
		parts = append(parts, t.T(id))
	}
	parts = append(parts, t.T(msgMeasChartDescTable))
	return strings.Join(parts, " ")
}
