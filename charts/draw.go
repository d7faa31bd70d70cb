package charts

import (
	"bytes"
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// drawSVG draws the prepared chart with gonum's SVG backend and returns its
// raw output, to be cleaned up by finish.
func drawSVG(l layout, c Chart) ([]byte, error) {
	canvas := vgsvg.New(vg.Length(c.Width), vg.Length(c.Height))
	dc := draw.New(canvas)
	dc.SetColor(white)
	dc.Fill(dc.Rectangle.Path())
	inner := draw.Crop(dc, margin, -margin, margin, -margin)

	p := newPlot(l, c)
	leg := newLegend(l, c, p)
	if lh := leg.height(inner.Max.X - inner.Min.X); lh > 0 {
		leg.draw(inner)
		inner = draw.Crop(inner, 0, 0, 0, -(lh + margin))
	}
	p.Draw(inner)

	var buf bytes.Buffer
	buf.Grow(64 << 10)
	if _, err := canvas.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("charts: write svg: %w", err)
	}
	return buf.Bytes(), nil
}

// newPlot builds the gonum plot: axes, grid, bands, series, no-data text.
func newPlot(l layout, c Chart) *plot.Plot {
	p := plot.New()
	p.BackgroundColor = nil // the whole canvas is already white
	setAxes(p, l, c)
	for i, b := range c.Bands {
		p.Add(bandPlotter{band: b, style: bandStyleOf(i)})
	}
	grid := plotter.NewGrid()
	grid.Vertical = draw.LineStyle{Color: gridColor, Width: 1}
	grid.Horizontal = grid.Vertical
	p.Add(grid)
	markers := showMarkers(l, c)
	for i, xys := range l.series {
		s := styleOf(i)
		p.Add(&plotter.Line{XYs: xys, LineStyle: s.line()})
		if markers {
			p.Add(&plotter.Scatter{XYs: xys, GlyphStyle: s.marker()})
		}
	}
	if l.points == 0 && c.NoData != "" {
		p.Add(noData{text: c.NoData, style: textStyle(p.TextHandler, draw.XCenter, draw.YCenter)})
	}
	return p
}

// setAxes sets ranges, ticks and text styles of both axes.
func setAxes(p *plot.Plot, l layout, c Chart) {
	p.X.Min, p.X.Max = l.xMin, l.xMax
	p.Y.Min, p.Y.Max = l.yMin, l.yMax
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Color = inkColor
		a.Width = 1
		a.Tick.Color = inkColor
		a.Tick.Width = 1
		a.Tick.Length = 5
		a.Tick.Label.Font = textStyle(p.TextHandler, 0, 0).Font
		a.Tick.Label.Color = inkColor
	}
	p.Y.Label.Text = c.Unit
	p.Y.Label.TextStyle = textStyle(p.TextHandler, draw.XCenter, draw.YBottom)
	p.X.Tick.Marker = plot.ConstantTicks{}
	if l.hasX {
		maxTicks := max(2, int((c.Width-2*margin-60)/tickLabelGap))
		p.X.Tick.Marker = dateTicks{loc: c.Location, lang: c.Lang, max: maxTicks}
	}
	p.Y.Tick.Marker = plot.ConstantTicks{}
	if l.hasY {
		p.Y.Tick.Marker = valueTicks{want: max(2, int(c.Height/valueTickGap)), comma: c.Lang != "en"}
	}
}

// showMarkers tells whether points are far enough apart on average to mark
// each one: it also makes a lone point visible.
func showMarkers(l layout, c Chart) bool {
	most := 0
	for _, xys := range l.series {
		most = max(most, len(xys))
	}
	return most > 0 && float64(most*markerGap) <= c.Width
}

// newLegend lists the series and then the bands.
func newLegend(l layout, c Chart, p *plot.Plot) legend {
	leg := legend{style: textStyle(p.TextHandler, draw.XLeft, draw.YCenter)}
	markers := showMarkers(l, c)
	for i, s := range c.Series {
		leg.entries = append(leg.entries, legendEntry{label: s.Name, thumb: seriesThumb(styleOf(i), markers)})
	}
	for i, b := range c.Bands {
		leg.entries = append(leg.entries, legendEntry{label: b.Label, thumb: bandThumb(bandStyleOf(i))})
	}
	return leg
}

// bandPlotter shades a band across the whole width of the plot.
type bandPlotter struct {
	band  Band
	style bandStyle
}

// Plot implements plot.Plotter.
func (b bandPlotter) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	y0 := min(max(trY(b.band.Low), c.Min.Y), c.Max.Y)
	y1 := min(max(trY(b.band.High), c.Min.Y), c.Max.Y)
	fillBand(c, b.style, c.Min.X, c.Max.X, y0, y1)
}

// noData writes a text in the middle of an empty plot.
type noData struct {
	text  string
	style draw.TextStyle
}

// Plot implements plot.Plotter.
func (n noData) Plot(c draw.Canvas, _ *plot.Plot) {
	c.FillText(n.style, c.Center(), n.text)
}
