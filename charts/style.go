package charts

import (
	"image/color"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// seriesStyle is how one series is told apart: colour, dash and marker.
type seriesStyle struct {
	color  color.RGBA
	dashes []vg.Length
	glyph  draw.GlyphDrawer
}

// seriesStyles cycle over the series. Every colour has at least 3:1 contrast
// against white (WCAG 1.4.11) and stays distinct with red-green colour
// blindness (after Okabe & Ito); dashes and markers differ as well.
var seriesStyles = []seriesStyle{
	{rgb(0x00, 0x5A, 0x9C), nil, draw.CircleGlyph{}},                          // blue, solid, dot
	{rgb(0xB8, 0x45, 0x00), []vg.Length{7, 4}, draw.PyramidGlyph{}},           // vermilion, dashed, triangle
	{rgb(0x00, 0x70, 0x55), []vg.Length{2, 3}, draw.BoxGlyph{}},               // bluish green, dotted, square
	{rgb(0x9B, 0x3D, 0x78), []vg.Length{9, 3, 2, 3}, draw.CrossGlyph{}},       // reddish purple, dash-dot, cross
	{rgb(0x33, 0x33, 0x33), []vg.Length{12, 4}, draw.PlusGlyph{}},             // near black, long dash, plus
	{rgb(0x6B, 0x55, 0x00), []vg.Length{4, 2, 4, 2, 10, 2}, draw.RingGlyph{}}, // dark yellow, mixed, ring
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

// Sizes in CSS pixels (one vg point is one SVG user unit, one CSS pixel at
// the default size).
const (
	fontSize     = 13
	lineWidth    = 2
	bandEdge     = 1
	glyphRadius  = 3.5
	margin       = 10
	markerGap    = 8  // draw point markers when points are at least this far apart on average
	tickLabelGap = 90 // room per date label
	valueTickGap = 55 // room per value label
)

// fontFamily is the SVG font-family: gonum measures text with Liberation
// Sans, and Arial is metric-compatible with it.
const (
	gonumFamily = "Liberation Sans"
	fontFamily  = "Liberation Sans, Arial, Helvetica, sans-serif"
)

var sansFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

func rgb(r, g, b uint8) color.RGBA { return color.RGBA{R: r, G: g, B: b, A: 0xFF} }

func styleOf(i int) seriesStyle { return seriesStyles[i%len(seriesStyles)] }

func bandStyleOf(i int) bandStyle { return bandStyles[i%len(bandStyles)] }

func (s seriesStyle) line() draw.LineStyle {
	return draw.LineStyle{Color: s.color, Width: lineWidth, Dashes: s.dashes}
}

func (s seriesStyle) marker() draw.GlyphStyle {
	return draw.GlyphStyle{Color: s.color, Radius: glyphRadius, Shape: s.glyph}
}

// textStyle returns the text style used for all chart text.
func textStyle(h text.Handler, x draw.XAlignment, y draw.YAlignment) text.Style {
	return text.Style{
		Color:   inkColor,
		Font:    font.From(sansFont, fontSize),
		XAlign:  x,
		YAlign:  y,
		Handler: h,
	}
}
