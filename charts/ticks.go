package charts

import (
	"math"
	"strconv"
	"time"

	"github.com/omahoito/omahoito/internal/locale"
)

// tick is a labelled position on an axis, in the axis' data unit.
type tick struct {
	Value float64
	Label string
}

// tickUnit is the calendar unit of a date tick step.
type tickUnit int

const (
	day tickUnit = iota
	week
	month
	year
)

// tickStep is a candidate distance between labelled date ticks.
type tickStep struct {
	unit tickUnit
	n    int
}

// tickSteps are tried in order; the first one giving few enough ticks wins.
var tickSteps = []tickStep{
	{day, 1}, {day, 2}, {week, 1}, {week, 2},
	{month, 1}, {month, 2}, {month, 3}, {month, 6},
	{year, 1}, {year, 2}, {year, 5}, {year, 10}, {year, 20}, {year, 50}, {year, 100},
}

// dateTicks labels the time axis at calendar boundaries (midnights,
// Mondays, first days of months or years) in loc, with at most max labels,
// and, when width is set, no more than fit side by side in width CSS px.
type dateTicks struct {
	loc   *time.Location
	lang  locale.Lang
	max   int
	width float64
}

// Ticks returns the ticks within [lo, hi] (Unix seconds).
func (d dateTicks) Ticks(lo, hi float64) []tick {
	from, to := fromUnixSeconds(lo).In(d.loc), fromUnixSeconds(hi).In(d.loc)
	for _, s := range tickSteps {
		times := s.times(from, to, d.max)
		if len(times) == 0 {
			break // the range holds no calendar boundary at all
		}
		if len(times) > d.max {
			continue
		}
		ticks := d.label(s.unit, times)
		if d.fit(ticks, lo, hi) {
			return ticks
		}
		// A tick at the very end of the range (a period that ends at
		// midnight) squeezes its label against the one before: leave it
		// out rather than halve the labels.
		if n := len(ticks); n > 2 && d.fit(ticks[:n-1], lo, hi) {
			return ticks[:n-1]
		}
	}
	return []tick{{Value: lo, Label: d.lang.DayMonth(from)}}
}

// fit reports whether the labels, placed as the chart places them in a
// plot of d.width CSS px, leave at least labelGap between each other.
func (d dateTicks) fit(ticks []tick, lo, hi float64) bool {
	if d.width == 0 {
		return true
	}
	right := math.Inf(-1)
	for _, t := range ticks {
		x := (xPad + (1-2*xPad)*(t.Value-lo)/(hi-lo)) * d.width
		l, r, _ := labelExtent(x, textWidth(t.Label), d.width)
		if l < right+labelGap {
			return false
		}
		right = r
	}
	return true
}

// labelExtent places a label of width w for a tick at x in a plot of the
// given width: centred under it, or starting or ending at it where
// centring would cut it off at an edge.
func labelExtent(x, w, width float64) (left, right float64, anchor string) {
	switch {
	case x-w/2 < 0:
		return x, x + w, "start"
	case x+w/2 > width:
		return x - w, x, "end"
	}
	return x - w/2, x + w/2, "middle"
}

// labelGap is the least space between two date labels, in CSS px.
const labelGap = 12

// times returns the tick times of step s within [from, to], stopping once
// there are more than limit.
func (s tickStep) times(from, to time.Time, limit int) []time.Time {
	var out []time.Time
	for t := s.first(from); !t.After(to); t = s.next(t) {
		if len(out) > limit {
			break
		}
		out = append(out, t)
	}
	return out
}

// first returns the first tick of step s at or after t. Ticks are aligned
// to the calendar, not to t, so that they stay put as the range slides:
// every n-th day or Monday counted from 1970, months and years divisible
// by n.
func (s tickStep) first(t time.Time) time.Time {
	y, m, d := t.Date()
	loc := t.Location()
	var f time.Time
	switch s.unit {
	case day:
		d -= mod(dayNumber(y, m, d), s.n)
		f = time.Date(y, m, d, 0, 0, 0, 0, loc)
	case week:
		d -= (int(t.Weekday()) + 6) % 7 // back to Monday
		d -= 7 * mod((dayNumber(y, m, d)-mondayZero)/7, s.n)
		f = time.Date(y, m, d, 0, 0, 0, 0, loc)
	case month:
		f = time.Date(y, m-time.Month(mod(int(m)-1, s.n)), 1, 0, 0, 0, 0, loc)
	case year:
		f = time.Date(y-mod(y, s.n), 1, 1, 0, 0, 0, 0, loc)
	}
	for f.Before(t) {
		f = s.next(f)
	}
	return f
}

// mondayZero is the day number of Monday 5 January 1970.
const mondayZero = 4

// dayNumber counts days from 1 January 1970 to a calendar date.
func dayNumber(y int, m time.Month, d int) int {
	return int(time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Unix() / 86400)
}

func mod(a, n int) int { return ((a % n) + n) % n }

func (s tickStep) next(t time.Time) time.Time {
	switch s.unit {
	case day:
		return t.AddDate(0, 0, s.n)
	case week:
		return t.AddDate(0, 0, 7*s.n)
	case month:
		return t.AddDate(0, s.n, 0)
	default:
		return t.AddDate(s.n, 0, 0)
	}
}

func (d dateTicks) label(u tickUnit, times []time.Time) []tick {
	ticks := make([]tick, len(times))
	for i, t := range times {
		ticks[i].Value = unixSeconds(t)
		switch u {
		case day, week:
			ticks[i].Label = d.lang.DayMonth(t)
		case month:
			ticks[i].Label = d.monthLabel(t, i == 0 || t.Month() == time.January)
		default:
			ticks[i].Label = strconv.Itoa(t.Year())
		}
	}
	return ticks
}

// monthLabel: fi "maalis", with the year "maalis 2025".
func (d dateTicks) monthLabel(t time.Time, withYear bool) string {
	name := d.lang.MonthShort(t.Month())
	if withYear {
		return name + " " + strconv.Itoa(t.Year())
	}
	return name
}

// valueTicks labels the value axis at round numbers (1, 2, 2.5 or 5 times
// a power of ten), about want of them, written as the language writes
// numbers (6,5 and 12 000 in Finnish and Swedish).
type valueTicks struct {
	want int
	lang locale.Lang
}

// Ticks returns the ticks within [lo, hi].
func (v valueTicks) Ticks(lo, hi float64) []tick {
	step, decimals := niceStep(lo, hi, max(v.want, 1))
	var ticks []tick
	first, last := tickRange(lo, hi, step)
	for k := first; k <= last; k++ {
		x := k * step
		if k == 0 {
			x = 0 // not -0
		}
		ticks = append(ticks, tick{Value: x, Label: v.lang.FormatNumber(x, decimals)})
	}
	return ticks
}

// niceStep returns the smallest round step that labels [lo, hi] with at
// most want+1 ticks, and the decimals its multiples need.
func niceStep(lo, hi float64, want int) (step float64, decimals int) {
	raw := (hi - lo) / float64(want)
	if !(raw > 0) || math.IsInf(raw, 0) {
		return 1, 0
	}
	exp := int(math.Floor(math.Log10(raw)))
	pow := math.Pow10(exp)
	for _, c := range []struct {
		m     float64
		extra int // decimals beyond those of pow
	}{{1, 0}, {2, 0}, {2.5, 1}, {5, 0}, {10, -1}, {20, -1}} {
		step = c.m * pow
		if first, last := tickRange(lo, hi, step); last-first <= float64(want) {
			return step, max(0, c.extra-exp)
		}
	}
	return step, max(0, -1-exp)
}

// tickRange returns the first and last multiples of step within [lo, hi],
// forgiving rounding errors such as -0.6/0.2 = -2.9999999999999996.
func tickRange(lo, hi, step float64) (first, last float64) {
	const eps = 1e-9
	return math.Ceil(lo/step - eps), math.Floor(hi/step + eps)
}
