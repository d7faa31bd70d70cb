package charts

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
)

// glyph is a point marker: an SVG path around (0, 0), filled or stroked.
type glyph struct {
	path   string
	filled bool
}

var (
	dot      = glyph{"M-3.5 0a3.5 3.5 0 1 0 7 0a3.5 3.5 0 1 0-7 0z", true}
	triangle = glyph{"M0-4.2L3.9 2.6H-3.9z", true}
	square   = glyph{"M-3.2-3.2h6.4v6.4h-6.4z", true}
	cross    = glyph{"M-3.2-3.2L3.2 3.2M-3.2 3.2L3.2-3.2", false}
	plus     = glyph{"M-4 0H4M0-4V4", false}
	ring     = glyph{"M-3.5 0a3.5 3.5 0 1 0 7 0a3.5 3.5 0 1 0-7 0z", false}
)

// seriesStyle is how one series is told apart: colour, dash and marker.
type seriesStyle struct {
	color  color.RGBA
	dashes string // stroke-dasharray in CSS px; "" is solid
	glyph  glyph
}

// seriesStyles cycle over the series. Every colour has at least 3:1 contrast
// against white (WCAG 1.4.11) and stays distinct with red-green colour
// blindness (after Okabe & Ito); dashes and markers differ as well.
var seriesStyles = []seriesStyle{
	{rgb(0x00, 0x5A, 0x9C), "", dot},              // blue, solid, dot
	{rgb(0xB8, 0x45, 0x00), "7 4", triangle},      // vermilion, dashed, triangle
	{rgb(0x00, 0x70, 0x55), "2 3", square},        // bluish green, dotted, square
	{rgb(0x9B, 0x3D, 0x78), "9 3 2 3", cross},     // reddish purple, dash-dot, cross
	{rgb(0x33, 0x33, 0x33), "12 4", plus},         // near black, long dash, plus
	{rgb(0x6B, 0x55, 0x00), "4 2 4 2 10 2", ring}, // dark yellow, mixed, ring
}

// bandStyle is a band's light fill and its darker edge lines; the edges
// carry the 3:1 contrast, the fill is a background.
type bandStyle struct {
	fill, edge color.RGBA
}

var bandStyles = []bandStyle{
	{rgb(0xDD, 0xF0, 0xDF), rgb(0x2E, 0x7D, 0x32)}, // green
	{rgb(0xFB, 0xEC, 0xCC), rgb(0x8A, 0x5A, 0x00)}, // amber
	{rgb(0xE3, 0xE6, 0xF5), rgb(0x3F, 0x51, 0xB5)}, // indigo
}

var (
	inkColor  = rgb(0x1A, 0x1A, 0x1A) // text and axes
	gridColor = rgb(0xDD, 0xDD, 0xDD)
	white     = rgb(0xFF, 0xFF, 0xFF)
)

// Sizes in CSS pixels. The root <svg> has no viewBox, so one user unit is
// one CSS pixel at every width: text is drawn at fontSize whatever the
// width of the page, and only the plot stretches.
const (
	fontSize     = 13 // at least 12 px as drawn, also on a 320 px phone
	lineWidth    = 2
	bandEdge     = 1
	margin       = 8
	tickLength   = 5
	markerGap    = 8  // draw point markers when points are at least this far apart on average
	valueTickGap = 55 // room per value label
	haloWidth    = 3  // white outline that keeps value labels readable over lines
)

// plotUnits is the width of the stretched coordinate system in which lines
// are drawn; xPad keeps the first and last points off the edges.
const (
	plotUnits = 1000
	xPad      = 0.015
)

// fontFamily is the SVG font-family: text is measured with gonum's
// Liberation Sans, and Arial is metric-compatible with it.
const fontFamily = "Liberation Sans, Arial, Helvetica, sans-serif"

var textFont = text.Style{
	Font:    font.From(font.Font{Typeface: "Liberation", Variant: "Sans"}, fontSize),
	Handler: plot.DefaultTextHandler,
}

// textWidth is the drawn width of s in CSS pixels.
func textWidth(s string) float64 { return float64(textFont.Width(s)) }

// Font extents in CSS pixels.
var (
	textAscent = float64(textFont.FontExtents().Ascent)
	textHeight = float64(textFont.FontExtents().Height)
)

func rgb(r, g, b uint8) color.RGBA { return color.RGBA{R: r, G: g, B: b, A: 0xFF} }

func styleOf(i int) seriesStyle { return seriesStyles[i%len(seriesStyles)] }

func bandStyleOf(i int) bandStyle { return bandStyles[i%len(bandStyles)] }
