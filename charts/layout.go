package charts

import (
	"math"
	"slices"
	"time"
)

// xy is a drawn point: x in Unix seconds, y the value.
type xy struct{ X, Y float64 }

// layout is what is drawn: the visible, sorted, downsampled points of every
// series in plot coordinates (x in Unix seconds) and the axis ranges.
type layout struct {
	series     [][]xy // one per Chart.Series, possibly empty
	xMin, xMax float64
	yMin, yMax float64
	hasX, hasY bool // false: no range could be found, draw no tick labels
	points     int  // visible points before downsampling, all series
}

// yPadFraction is the share of the value span added above and below.
const yPadFraction = 0.06

// plotBuckets is how many time buckets Downsample keeps two points of (the
// lowest and the highest): one bucket per two CSS pixels of a plot up to
// 1000 px wide, whatever the width the chart is laid out for, as it
// stretches to its container.
const plotBuckets = 500

// prepare selects, sorts and downsamples the points and finds the ranges.
func prepare(c Chart) layout {
	var l layout
	buckets := plotBuckets
	first, last := c.From, c.To
	for _, s := range c.Series {
		pts := visible(s.Points, c.From, c.To)
		l.points += len(pts)
		if len(pts) > 0 {
			first = earlier(first, pts[0].At, c.From.IsZero())
			last = later(last, pts[len(pts)-1].At, c.To.IsZero())
		}
		l.series = append(l.series, toXYs(Downsample(pts, buckets)))
	}
	l.setX(first, last)
	l.setY(c.Bands)
	return l
}

// visible returns the finite points within [from, to] (a zero bound is
// open) in time order, as a new slice.
func visible(points []Point, from, to time.Time) []Point {
	out := make([]Point, 0, len(points))
	for _, p := range points {
		if !finite(p.Value) || p.At.IsZero() {
			continue
		}
		if (!from.IsZero() && p.At.Before(from)) || (!to.IsZero() && p.At.After(to)) {
			continue
		}
		out = append(out, p)
	}
	slices.SortStableFunc(out, func(a, b Point) int { return a.At.Compare(b.At) })
	return out
}

// earlier returns t when it is before cur, or when cur is open (zero or
// to be taken from the data).
func earlier(cur, t time.Time, open bool) time.Time {
	if open && (cur.IsZero() || t.Before(cur)) {
		return t
	}
	return cur
}

func later(cur, t time.Time, open bool) time.Time {
	if open && (cur.IsZero() || t.After(cur)) {
		return t
	}
	return cur
}

func toXYs(points []Point) []xy {
	xys := make([]xy, len(points))
	for i, p := range points {
		xys[i].X = unixSeconds(p.At)
		xys[i].Y = p.Value
	}
	return xys
}

func unixSeconds(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}

func fromUnixSeconds(s float64) time.Time {
	sec, frac := math.Modf(s)
	return time.Unix(int64(sec), int64(frac*1e9))
}

// setX sets the time range; a range of one instant is widened to a day.
func (l *layout) setX(first, last time.Time) {
	if first.IsZero() || last.IsZero() {
		l.xMin, l.xMax = 0, 1
		return
	}
	if !last.After(first) {
		first, last = first.Add(-12*time.Hour), last.Add(12*time.Hour)
	}
	l.xMin, l.xMax, l.hasX = unixSeconds(first), unixSeconds(last), true
}

// setY sets the value range to cover every drawn point and every band,
// with some room above and below.
func (l *layout) setY(bands []Band) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, xys := range l.series {
		for _, p := range xys {
			lo, hi = math.Min(lo, p.Y), math.Max(hi, p.Y)
		}
	}
	dataLo := lo
	for _, b := range bands {
		lo, hi = math.Min(lo, b.Low), math.Max(hi, b.High)
	}
	if lo > hi {
		l.yMin, l.yMax = 0, 1
		return
	}
	pad := (hi - lo) * yPadFraction
	if pad == 0 {
		pad = math.Max(math.Abs(hi)*yPadFraction, 1)
	}
	l.yMin, l.yMax, l.hasY = lo-pad, hi+pad, true
	if l.yMin < 0 && dataLo >= 0 && lo >= 0 {
		l.yMin = 0 // no negative axis for values that cannot be negative
	}
}
