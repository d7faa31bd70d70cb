// Package charts draws home measurement series (blood pressure, heart rate,
// weight, glucose, ...) as accessible SVG for the citizen pages. It does no
// HTTP and no storage: the caller loads the points, translates every text and
// passes them in a Chart; Render returns one <svg> element that can be served
// as a file or inlined into an HTML page.
//
// The output is built for a strict Content-Security-Policy (style-src 'self')
// and for assistive technology:
//
//   - the root element has role="img" and aria-labelledby pointing at a
//     <title> and a <desc> that are its first children;
//   - it carries no <script>, no event handlers, no <style> element and no
//     style attribute: all styling is presentation attributes (fill=,
//     stroke=, font-size=, ...), which a CSP does not block;
//   - it is legible on a phone and never wider than its container: the
//     root has width="100%", a fixed height and no viewBox, so text is drawn
//     at 13 CSS px whatever the width, while the plot (bands, grid, lines,
//     markers, date labels) is placed in percentages of the width and
//     stretches from a 280 px phone column to a desktop page; everything
//     at a fixed position (the legend, value labels) is laid out to fit
//     Chart.Width;
//   - series colours have at least 3:1 contrast against white and series
//     differ by dash pattern and point marker too, not by colour alone; a
//     legend names every series and band.
//
// A role="img" chart is one opaque picture to a screen reader: the caller
// should say what it shows in Description and offer the same data as a table.
//
// Long series stay small: Render reduces every series with Downsample to at
// most two points (the minimum and the maximum) per two horizontal pixels of
// a plot 1000 px wide, so ten years of daily readings still draw every
// extreme value in well under 150 KB.
//
// Numbers, dates and month names are written as package locale writes them
// for the chart's language.
//
// A chart without points is not an error: Render draws the axes, the bands
// and the legend around an empty plot area, with Chart.NoData (if given)
// written in its middle. Only an inconsistent Chart is refused, with an error
// wrapping ErrInvalid.
package charts

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"regexp"
	"time"

	"github.com/omahoito/omahoito/internal/locale"
)

// ErrInvalid is wrapped by the error Render returns for an inconsistent
// Chart: a size out of range, To before From, a band with Low above High,
// or an unusable ID.
var ErrInvalid = errors.New("charts: invalid chart")

// Default and allowed sizes, in CSS pixels. DefaultWidth is the page
// column of a 320 px phone (WCAG 1.4.10) less 20 px padding on each side.
const (
	DefaultWidth  = 280
	DefaultHeight = 320
	minWidth      = 240
	minHeight     = 160
	maxSide       = 4000
)

// Point is one measurement value at one time.
type Point struct {
	At    time.Time
	Value float64
}

// Series is one line of the chart, e.g. "Systolic" of a blood pressure
// chart. Name is shown in the legend and must already be translated.
// Points need not be sorted; non-finite values and points outside
// [Chart.From, Chart.To] are left out.
type Series struct {
	Name   string
	Points []Point
}

// Band is a value range shaded behind the lines, such as a blood pressure
// target or the glucose target range 4–10 mmol/L. Label is shown in the
// legend and must already be translated.
type Band struct {
	Low, High float64
	Label     string
}

// Chart describes one chart. Every text in it is shown as given: the caller
// translates it.
type Chart struct {
	// Title and Description become the SVG's <title> and <desc>, its
	// accessible name. Title is not drawn: the page shows its own heading.
	Title, Description string
	// Unit labels the y axis, e.g. "mmHg".
	Unit string
	// From and To bound the time axis (7 d, 30 d, 90 d, 1 y). A zero From
	// or To is taken from the earliest or latest point ("all").
	From, To time.Time
	// Location places the date ticks (midnights, months); nil means
	// Europe/Helsinki (locale.Helsinki).
	Location *time.Location
	Series   []Series
	Bands    []Band
	// Width is the narrowest width in CSS pixels the chart is laid out
	// for, default 280: the legend wraps to fit it and the date labels are
	// spaced for it. The chart is drawn across the whole width of its
	// container; a container narrower than Width cuts off the end of long
	// legend rows. Height is the drawn height in CSS pixels, default 320.
	Width, Height float64
	// Lang selects how numbers and dates are written: "fi" (default, also
	// for ""), "sv" or "en"; a region suffix ("sv-FI") is ignored and any
	// other language gets English (locale.Best).
	Lang string
	// NoData is written in the middle of the plot when no point is left to
	// draw, e.g. "No measurements in this period". Empty means nothing.
	NoData string
	// ID prefixes the ids of <title> and <desc>. It must be unique within
	// an HTML page that inlines several charts; it may hold ASCII letters,
	// digits, '-' and '_' and must start with a letter. Empty means an id
	// derived from Title, Description and Unit.
	ID string
}

var idPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,63}$`)

// Render draws the chart and returns one complete <svg> element (no XML
// declaration). It fails only for an inconsistent chart (ErrInvalid).
func Render(c Chart) (svg []byte, err error) {
	if err := c.normalize(); err != nil {
		return nil, err
	}
	return draw(prepare(c), c), nil
}

// normalize fills defaults in place and checks the chart.
func (c *Chart) normalize() error {
	if c.Width == 0 {
		c.Width = DefaultWidth
	}
	if c.Height == 0 {
		c.Height = DefaultHeight
	}
	if !inRange(c.Width, minWidth, maxSide) || !inRange(c.Height, minHeight, maxSide) {
		return fmt.Errorf("%w: size %v×%v outside %d–%d × %d–%d",
			ErrInvalid, c.Width, c.Height, minWidth, maxSide, minHeight, maxSide)
	}
	if !c.From.IsZero() && !c.To.IsZero() && c.To.Before(c.From) {
		return fmt.Errorf("%w: To is before From", ErrInvalid)
	}
	for i, b := range c.Bands {
		if !finite(b.Low) || !finite(b.High) || b.Low > b.High {
			return fmt.Errorf("%w: band %d: low %v, high %v", ErrInvalid, i, b.Low, b.High)
		}
	}
	if c.ID == "" {
		c.ID = defaultID(c)
	}
	if !idPattern.MatchString(c.ID) {
		return fmt.Errorf("%w: id %q", ErrInvalid, c.ID)
	}
	if c.Location == nil {
		c.Location = locale.Helsinki
	}
	c.Lang = locale.Best(c.Lang).String()
	return nil
}

func defaultID(c *Chart) string {
	h := fnv.New32a()
	for _, s := range []string{c.Title, c.Description, c.Unit} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return fmt.Sprintf("chart-%08x", h.Sum32())
}

func inRange(v, lo, hi float64) bool { return v >= lo && v <= hi }

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
