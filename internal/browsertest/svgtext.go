package browsertest

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// MinTextPx is the smallest font size, in CSS px as drawn, that the tests
// accept for text in a chart: 12 px stays legible on a phone.
const MinTextPx = 12

//go:embed svgtext.js
var svgTextJS string

// DrawnText is one <text> of an SVG as the browser draws it, in CSS px
// from the top left corner of the viewport.
type DrawnText struct {
	Text string `json:"text"`
	// FontSize is the computed font size times the scale of every
	// transform and viewBox above the element: the size a person sees.
	FontSize float64 `json:"fontSize"`
	Left     float64 `json:"left"`
	Top      float64 `json:"top"`
	Right    float64 `json:"right"`
	Bottom   float64 `json:"bottom"`
	// The box of the outermost <svg>, which clips what is outside it.
	SVGLeft   float64 `json:"svgLeft"`
	SVGTop    float64 `json:"svgTop"`
	SVGRight  float64 `json:"svgRight"`
	SVGBottom float64 `json:"svgBottom"`
	// Viewport is the width of the viewport.
	Viewport float64 `json:"viewport"`
}

// SVGTexts returns every <text> of the first SVG that matches the CSS
// selector sel, as drawn at the current viewport. It fails the test when
// no element matches.
func SVGTexts(tb testing.TB, ctx context.Context, sel string) []DrawnText {
	tb.Helper()
	expr := "(" + strings.TrimSpace(svgTextJS) + ")(" + jsonString(sel) + ")"
	texts := run(tb, ctx, "texts of "+sel, chromedp.Evaluate[*[]DrawnText](expr))
	if texts == nil {
		tb.Fatalf("browsertest: no element matches %s", sel)
	}
	return *texts
}

// LegibleSVG checks the SVG that matches sel as drawn at the current
// viewport: it has text, every text is at least MinTextPx, lies within
// the SVG (which would cut it off) and the SVG within the viewport. It
// fails the test (without stopping it) listing the texts that are not.
func LegibleSVG(tb testing.TB, ctx context.Context, sel string) {
	tb.Helper()
	texts := SVGTexts(tb, ctx, sel)
	if len(texts) == 0 {
		tb.Errorf("%s draws no text", sel)
		return
	}
	var b strings.Builder
	if t := texts[0]; t.SVGLeft < 0 || t.SVGRight > t.Viewport+0.5 {
		fmt.Fprintf(&b, "\n- the SVG spans %.1f–%.1f px of a %v px viewport", t.SVGLeft, t.SVGRight, t.Viewport)
	}
	for _, t := range texts {
		if t.FontSize < MinTextPx {
			fmt.Fprintf(&b, "\n- %q is drawn at %.1f px, under %d px", t.Text, t.FontSize, MinTextPx)
		}
		if !t.inside() {
			fmt.Fprintf(&b, "\n- %q at %.1f–%.1f × %.1f–%.1f px is cut off by the SVG at %.1f–%.1f × %.1f–%.1f px",
				t.Text, t.Left, t.Right, t.Top, t.Bottom, t.SVGLeft, t.SVGRight, t.SVGTop, t.SVGBottom)
		}
	}
	if b.Len() > 0 {
		tb.Errorf("%s is not legible at a %v px viewport:%s", sel, texts[0].Viewport, b.String())
	}
}

// inside tells whether the text's box lies within the SVG's, to half a
// pixel.
func (t DrawnText) inside() bool {
	const slack = 0.5
	return t.Left >= t.SVGLeft-slack && t.Right <= t.SVGRight+slack &&
		t.Top >= t.SVGTop-slack && t.Bottom <= t.SVGBottom+slack
}

// jsonString quotes s as a JavaScript string literal.
func jsonString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}
