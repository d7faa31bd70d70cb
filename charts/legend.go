package charts

import (
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// legendEntry is one legend item: a thumbnail and its text.
type legendEntry struct {
	label string
	thumb func(c draw.Canvas) // draws into a thumbWidth × row height canvas
}

// legend lays its entries out left to right above the plot, wrapping into
// more rows when they do not fit.
type legend struct {
	entries []legendEntry
	style   text.Style
}

const (
	thumbWidth = 28
	thumbGap   = 6  // between thumbnail and text
	entryGap   = 20 // between entries
	rowGap     = 4
)

func (l legend) rowHeight() vg.Length {
	return l.style.FontExtents().Height
}

func (l legend) entryWidth(e legendEntry) vg.Length {
	return thumbWidth + thumbGap + l.style.Width(e.label)
}

// rows splits the entries into rows that fit width.
func (l legend) rows(width vg.Length) [][]legendEntry {
	var rows [][]legendEntry
	var x vg.Length
	for _, e := range l.entries {
		w := l.entryWidth(e)
		if len(rows) == 0 || (x > 0 && x+w > width) {
			rows = append(rows, nil)
			x = 0
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], e)
		x += w + entryGap
	}
	return rows
}

// height is the vertical space the legend needs in a canvas of width.
func (l legend) height(width vg.Length) vg.Length {
	n := vg.Length(len(l.rows(width)))
	if n == 0 {
		return 0
	}
	return n*l.rowHeight() + (n-1)*rowGap
}

// draw draws the legend from the top left corner of c.
func (l legend) draw(c draw.Canvas) {
	h := l.rowHeight()
	top := c.Max.Y
	for _, row := range l.rows(c.Max.X - c.Min.X) {
		x := c.Min.X
		for _, e := range row {
			cell := c
			cell.Min = vg.Point{X: x, Y: top - h}
			cell.Max = vg.Point{X: x + thumbWidth, Y: top}
			e.thumb(cell)
			c.FillText(l.style, vg.Point{X: x + thumbWidth + thumbGap, Y: top - h/2}, e.label)
			x += l.entryWidth(e) + entryGap
		}
		top -= h + rowGap
	}
}

// seriesThumb draws a line sample, with the marker when the chart has them.
func seriesThumb(s seriesStyle, markers bool) func(draw.Canvas) {
	return func(c draw.Canvas) {
		y := c.Center().Y
		c.StrokeLine2(s.line(), c.Min.X, y, c.Max.X, y)
		if markers {
			c.DrawGlyph(s.marker(), c.Center())
		}
	}
}

// bandThumb draws a filled box with the band's edges.
func bandThumb(s bandStyle) func(draw.Canvas) {
	return func(c draw.Canvas) {
		inset := (c.Max.Y - c.Min.Y) / 5
		lo, hi := c.Min.Y+inset, c.Max.Y-inset
		fillBand(c, s, c.Min.X, c.Max.X, lo, hi)
	}
}

// fillBand fills the rectangle x0..x1 × y0..y1 and strokes its top and
// bottom edges.
func fillBand(c draw.Canvas, s bandStyle, x0, x1, y0, y1 vg.Length) {
	c.FillPolygon(s.fill, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
	edge := draw.LineStyle{Color: s.edge, Width: bandEdge}
	c.StrokeLine2(edge, x0, y0, x1, y0)
	c.StrokeLine2(edge, x0, y1, x1, y1)
}
