package charts

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"github.com/omahoito/omahoito/internal/locale"
)

// frame is the vertical geometry of a chart, in CSS pixels from the top.
type frame struct {
	plotTop, plotBottom float64
}

func (f frame) plotHeight() float64 { return f.plotBottom - f.plotTop }

// labelRise is how far a value label's baseline sits above its grid line.
const labelRise = 3

// draw writes the chart. Horizontal positions of the plot are fractions of
// the width, written as percentages (or, for lines, in a stretched
// plotUnits-wide coordinate system); vertical positions are CSS pixels.
func draw(l layout, c Chart) []byte {
	var w svgWriter
	w.Grow(8<<10 + 24*l.drawnPoints())
	w.root(c)
	leg := newLegend(l, c)
	rows := leg.rows(c.Width - 2*margin)
	legendBottom := margin + leg.height(rows)
	f := frame{
		plotTop:    legendBottom + margin/2 + textAscent + labelRise,
		plotBottom: c.Height - margin - textHeight - tickLength,
	}
	f.plotTop = min(f.plotTop, f.plotBottom-minPlotHeight)
	leg.draw(&w, rows, margin)
	for i, b := range c.Bands {
		w.band(f, l, b, bandStyleOf(i))
	}
	yTicks := l.valueTicks(c, f)
	w.valueGrid(f, l, yTicks)
	xTicks := l.dateTicks(c)
	w.dateGrid(f, l, xTicks)
	w.axis(f)
	w.lines(f, l)
	if showMarkers(l, c) {
		w.markers(f, l)
	}
	w.valueLabels(f, l, yTicks, c.Unit)
	w.dateLabels(f, l, xTicks, c.Width)
	if l.points == 0 && c.NoData != "" {
		w.text(`x="50%" y="`+num((f.plotTop+f.plotBottom)/2)+`" text-anchor="middle" dominant-baseline="middle"`, c.NoData)
	}
	w.WriteString("</svg>")
	return w.Bytes()
}

// maxDateTicks keeps the time axis uncluttered however short the labels.
const maxDateTicks = 7

// minPlotHeight keeps a plot visible under a legend of many rows.
const minPlotHeight = 40

func (l layout) drawnPoints() int {
	n := 0
	for _, s := range l.series {
		n += len(s)
	}
	return n
}

// fx is the fraction of the width at which x (Unix seconds) is drawn.
func (l layout) fx(x float64) float64 {
	return xPad + (1-2*xPad)*(x-l.xMin)/(l.xMax-l.xMin)
}

// y is the vertical position of value v.
func (l layout) y(f frame, v float64) float64 {
	return f.plotBottom - (v-l.yMin)/(l.yMax-l.yMin)*f.plotHeight()
}

func (l layout) valueTicks(c Chart, f frame) []tick {
	if !l.hasY {
		return nil
	}
	want := max(2, int(f.plotHeight()/valueTickGap))
	return valueTicks{want: want, lang: locale.Lang(c.Lang)}.Ticks(l.yMin, l.yMax)
}

func (l layout) dateTicks(c Chart) []tick {
	if !l.hasX {
		return nil
	}
	d := dateTicks{loc: c.Location, lang: locale.Lang(c.Lang), max: maxDateTicks, width: c.Width}
	return d.Ticks(l.xMin, l.xMax)
}

// showMarkers tells whether points are far enough apart on average, at the
// narrowest width, to mark each one: it also makes a lone point visible.
func showMarkers(l layout, c Chart) bool {
	most := 0
	for _, xys := range l.series {
		most = max(most, len(xys))
	}
	return most > 0 && float64(most*markerGap) <= c.Width
}

// svgWriter appends SVG markup.
type svgWriter struct{ bytes.Buffer }

// root writes the root start tag, <title>, <desc> and a white background.
// The presentation attributes on the root are inherited by every element.
func (w *svgWriter) root(c Chart) {
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="100%%" height="%s"`+
		` role="img" aria-labelledby="%s-title %s-desc" font-family="%s" font-size="%d"`+
		` fill="%s" stroke-linejoin="round">`,
		num(c.Height), c.ID, c.ID, fontFamily, fontSize, hex(inkColor))
	fmt.Fprintf(w, `<title id="%s-title">`, c.ID)
	xml.EscapeText(w, []byte(c.Title))
	fmt.Fprintf(w, `</title><desc id="%s-desc">`, c.ID)
	xml.EscapeText(w, []byte(c.Description))
	w.WriteString("</desc>\n")
	fmt.Fprintf(w, `<rect width="100%%" height="100%%" fill="%s"/>`+"\n", hex(white))
}

// text writes a <text> element with the given attributes and content.
func (w *svgWriter) text(attrs, s string) {
	w.WriteString("<text ")
	w.WriteString(attrs)
	w.WriteByte('>')
	xml.EscapeText(w, []byte(s))
	w.WriteString("</text>\n")
}

// band shades a band across the plot and strokes its edges.
func (w *svgWriter) band(f frame, l layout, b Band, s bandStyle) {
	y0 := clamp(l.y(f, b.High), f.plotTop, f.plotBottom)
	y1 := clamp(l.y(f, b.Low), f.plotTop, f.plotBottom)
	fmt.Fprintf(w, `<rect y="%s" width="100%%" height="%s" fill="%s"/>`, num(y0), num(y1-y0), hex(s.fill))
	fmt.Fprintf(w, `<g stroke="%s" stroke-width="%d"><line x2="100%%" y1="%s" y2="%s"/><line x2="100%%" y1="%s" y2="%s"/></g>`+"\n",
		hex(s.edge), bandEdge, num(y0), num(y0), num(y1), num(y1))
}

func (w *svgWriter) valueGrid(f frame, l layout, ticks []tick) {
	w.WriteString(`<g stroke="` + hex(gridColor) + `" stroke-width="1">`)
	for _, t := range ticks {
		y := num(l.y(f, t.Value))
		w.WriteString(`<line x2="100%" y1="` + y + `" y2="` + y + `"/>`)
	}
	w.WriteString("</g>\n")
}

func (w *svgWriter) dateGrid(f frame, l layout, ticks []tick) {
	w.WriteString(`<g stroke="` + hex(gridColor) + `" stroke-width="1">`)
	for _, t := range ticks {
		x := pct(l.fx(t.Value))
		fmt.Fprintf(w, `<line x1="%s" x2="%s" y1="%s" y2="%s"/>`, x, x, num(f.plotTop), num(f.plotBottom))
	}
	w.WriteString("</g>\n<g stroke=\"" + hex(inkColor) + `" stroke-width="1">`)
	for _, t := range ticks {
		x := pct(l.fx(t.Value))
		fmt.Fprintf(w, `<line x1="%s" x2="%s" y1="%s" y2="%s"/>`, x, x, num(f.plotBottom), num(f.plotBottom+tickLength))
	}
	w.WriteString("</g>\n")
}

// axis draws the time axis along the bottom of the plot.
func (w *svgWriter) axis(f frame) {
	y := num(f.plotBottom)
	fmt.Fprintf(w, `<line x2="100%%" y1="%s" y2="%s" stroke="%s" stroke-width="1"/>`+"\n", y, y, hex(inkColor))
}

// lines draws the series in a coordinate system stretched to the width;
// non-scaling-stroke keeps line widths and dashes in CSS pixels.
func (w *svgWriter) lines(f frame, l layout) {
	h := num(f.plotHeight())
	fmt.Fprintf(w, `<svg y="%s" width="100%%" height="%s" viewBox="0 0 %d %s" preserveAspectRatio="none" fill="none">`,
		num(f.plotTop), h, plotUnits, h)
	var b []byte
	for i, xys := range l.series {
		if len(xys) < 2 {
			continue
		}
		s := styleOf(i)
		fmt.Fprintf(w, `<path stroke="%s" stroke-width="%d"`, hex(s.color), lineWidth)
		if s.dashes != "" {
			w.WriteString(` stroke-dasharray="` + s.dashes + `"`)
		}
		w.WriteString(` vector-effect="non-scaling-stroke" d="`)
		for j, p := range xys {
			b = b[:0]
			if j == 0 {
				b = append(b, 'M')
			} else {
				b = append(b, ' ')
			}
			b = strconv.AppendFloat(b, round1(l.fx(p.X)*plotUnits), 'f', -1, 64)
			b = append(b, ' ')
			b = strconv.AppendFloat(b, round1(l.y(f, p.Y)-f.plotTop), 'f', -1, 64)
			w.Write(b)
		}
		w.WriteString(`"/>`)
	}
	w.WriteString("</svg>\n")
}

// markers draws each point's marker at its place, unstretched.
func (w *svgWriter) markers(f frame, l layout) {
	for i, xys := range l.series {
		s := styleOf(i)
		w.glyphGroup(s)
		for _, p := range xys {
			fmt.Fprintf(w, `<svg x="%s" y="%s" overflow="visible"><path d="%s"/></svg>`,
				pct(l.fx(p.X)), num(l.y(f, p.Y)), s.glyph.path)
		}
		w.WriteString("</g>\n")
	}
}

// glyphGroup opens a <g> that paints the series' markers.
func (w *svgWriter) glyphGroup(s seriesStyle) {
	if s.glyph.filled {
		fmt.Fprintf(w, `<g fill="%s">`, hex(s.color))
		return
	}
	fmt.Fprintf(w, `<g fill="none" stroke="%s" stroke-width="1.5">`, hex(s.color))
}

// valueLabels writes the value labels inside the plot, at its left edge
// just above their grid lines, with a white halo over the lines; the top
// label carries the unit.
func (w *svgWriter) valueLabels(f frame, l layout, ticks []tick, unit string) {
	fmt.Fprintf(w, `<g stroke="%s" stroke-width="%d" paint-order="stroke">`, hex(white), haloWidth)
	at := func(y float64) string { return `x="2" y="` + num(y-labelRise) + `"` }
	if len(ticks) == 0 && unit != "" {
		w.text(at(f.plotTop), unit)
	}
	for i, t := range ticks {
		label := t.Label
		if i == len(ticks)-1 && unit != "" {
			label += " " + unit
		}
		w.text(at(l.y(f, t.Value)), label)
	}
	w.WriteString("</g>\n")
}

// dateLabels centres each label under its tick; where that would cut it
// off at an edge of the narrowest plot, it starts or ends at the tick.
func (w *svgWriter) dateLabels(f frame, l layout, ticks []tick, width float64) {
	y := num(f.plotBottom + tickLength + textAscent)
	for _, t := range ticks {
		fx := l.fx(t.Value)
		_, _, anchor := labelExtent(fx*width, textWidth(t.Label), width)
		w.text(`x="`+pct(fx)+`" y="`+y+`" text-anchor="`+anchor+`"`, t.Label)
	}
}

func clamp(v, lo, hi float64) float64 { return min(max(v, lo), hi) }

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// num writes a length in CSS pixels, to a tenth of a pixel.
func num(v float64) string { return strconv.FormatFloat(round1(v), 'f', -1, 64) }

// pct writes a fraction of the width as a percentage.
func pct(f float64) string { return strconv.FormatFloat(math.Round(f*1e5)/1e3, 'f', -1, 64) + "%" }

func hex(c color.RGBA) string { return fmt.Sprintf("#%02X%02X%02X", c.R, c.G, c.B) }
