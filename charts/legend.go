package charts

import "fmt"

// legendEntry is one legend item: a thumbnail and its text.
type legendEntry struct {
	label string
	thumb func(w *svgWriter, x, y float64) // draws thumbWidth wide, centred on y
}

// legend lays its entries out left to right above the plot, wrapping into
// more rows when they do not fit the width the chart is laid out for.
type legend struct {
	entries []legendEntry
}

const (
	thumbWidth = 28
	thumbGap   = 6  // between thumbnail and text
	entryGap   = 20 // between entries
	rowGap     = 4
)

// newLegend lists the series and then the bands.
func newLegend(l layout, c Chart) legend {
	var leg legend
	markers := showMarkers(l, c)
	for i, s := range c.Series {
		leg.entries = append(leg.entries, legendEntry{label: s.Name, thumb: seriesThumb(styleOf(i), markers)})
	}
	for i, b := range c.Bands {
		leg.entries = append(leg.entries, legendEntry{label: b.Label, thumb: bandThumb(bandStyleOf(i))})
	}
	return leg
}

func entryWidth(e legendEntry) float64 {
	return thumbWidth + thumbGap + textWidth(e.label)
}

// rows splits the entries into rows that fit width.
func (l legend) rows(width float64) [][]legendEntry {
	var rows [][]legendEntry
	var x float64
	for _, e := range l.entries {
		w := entryWidth(e)
		if len(rows) == 0 || (x > 0 && x+w > width) {
			rows = append(rows, nil)
			x = 0
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], e)
		x += w + entryGap
	}
	return rows
}

// height is the vertical space rows need.
func (l legend) height(rows [][]legendEntry) float64 {
	n := float64(len(rows))
	if n == 0 {
		return 0
	}
	return n*textHeight + (n-1)*rowGap
}

// draw draws the rows from the top left corner (left, left).
func (l legend) draw(w *svgWriter, rows [][]legendEntry, left float64) {
	top := left
	for _, row := range rows {
		x := left
		mid := top + textHeight/2
		for _, e := range row {
			e.thumb(w, x, mid)
			w.text(`x="`+num(x+thumbWidth+thumbGap)+`" y="`+num(top+textAscent)+`"`, e.label)
			x += entryWidth(e) + entryGap
		}
		top += textHeight + rowGap
	}
}

// seriesThumb draws a line sample, with the marker when the chart has them.
func seriesThumb(s seriesStyle, markers bool) func(*svgWriter, float64, float64) {
	return func(w *svgWriter, x, y float64) {
		fmt.Fprintf(w, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="%s" stroke-width="%d"`,
			num(x), num(x+thumbWidth), num(y), num(y), hex(s.color), lineWidth)
		if s.dashes != "" {
			w.WriteString(` stroke-dasharray="` + s.dashes + `"`)
		}
		w.WriteString("/>")
		if markers {
			w.glyphGroup(s)
			fmt.Fprintf(w, `<path transform="translate(%s %s)" d="%s"/></g>`, num(x+thumbWidth/2), num(y), s.glyph.path)
		}
	}
}

// bandThumb draws a filled box with the band's edges.
func bandThumb(s bandStyle) func(*svgWriter, float64, float64) {
	return func(w *svgWriter, x, y float64) {
		h := textHeight * 3 / 5
		top, bottom := num(y-h/2), num(y+h/2)
		fmt.Fprintf(w, `<rect x="%s" y="%s" width="%d" height="%s" fill="%s"/>`, num(x), top, thumbWidth, num(h), hex(s.fill))
		fmt.Fprintf(w, `<path d="M%s %sh%dM%s %sh%d" stroke="%s" stroke-width="%d"/>`,
			num(x), top, thumbWidth, num(x), bottom, thumbWidth, hex(s.edge), bandEdge)
	}
}
