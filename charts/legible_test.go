package charts

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/omahoito/omahoito/internal/locale"
)

// drawnText is one <text> as a browser would draw it at a display width.
type drawnText struct {
	label       string
	size        float64 // font size in CSS px as drawn
	left, right float64 // horizontal extent in CSS px
	y           string  // the baseline as written
	stretched   bool    // inside a viewport that scales its content
}

// layoutAt walks svg with encoding/xml and places every text as drawn when
// the chart is displayed width CSS px wide: a viewBox scales font sizes by
// width / viewBox width, percentages are of width, and the text width is
// gonum's measure of Liberation Sans at the drawn size.
func layoutAt(tb testing.TB, svg []byte, width float64) []drawnText {
	tb.Helper()
	type scope struct {
		fontSize, scale float64
		anchor          string
		stretched       bool
	}
	stack := []scope{{fontSize: 16, scale: 1, anchor: "start"}} // the browser's defaults
	var out []drawnText
	var cur *drawnText
	var curX, curAnchor string
	dec := xml.NewDecoder(bytes.NewReader(svg))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatalf("svg is not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			s := stack[len(stack)-1]
			attrs := map[string]string{}
			for _, a := range tok.Attr {
				attrs[a.Name.Local] = a.Value
			}
			if vb := attrs["viewBox"]; vb != "" {
				f := strings.Fields(vb)
				vbw, _ := strconv.ParseFloat(f[2], 64)
				if len(stack) == 1 {
					s.scale = width / vbw
				} else {
					s.stretched = true
				}
			}
			if fs, ok := attrs["font-size"]; ok {
				v, err := strconv.ParseFloat(strings.TrimSuffix(fs, "px"), 64)
				if err != nil {
					tb.Fatalf("font-size %q", fs)
				}
				s.fontSize = v
			}
			if a, ok := attrs["text-anchor"]; ok {
				s.anchor = a
			}
			stack = append(stack, s)
			if tok.Name.Local == "text" {
				out = append(out, drawnText{size: s.fontSize * s.scale, stretched: s.stretched, y: attrs["y"]})
				cur, curX, curAnchor = &out[len(out)-1], attrs["x"], s.anchor
			}
		case xml.CharData:
			if cur != nil {
				cur.label += string(tok)
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			if tok.Name.Local == "text" && cur != nil {
				place(tb, cur, curX, curAnchor, width, stack[len(stack)-1].scale)
				cur = nil
			}
		}
	}
	return out
}

func place(tb testing.TB, t *drawnText, x, anchor string, width, scale float64) {
	var px float64
	if p, ok := strings.CutSuffix(x, "%"); ok {
		v, _ := strconv.ParseFloat(p, 64)
		px = v / 100 * width
	} else {
		v, _ := strconv.ParseFloat(x, 64)
		px = v * scale
	}
	w := textWidth(t.label) * t.size / fontSize
	switch anchor {
	case "middle":
		t.left, t.right = px-w/2, px+w/2
	case "end":
		t.left, t.right = px-w, px
	default:
		t.left, t.right = px, px+w
	}
}

// legibilityCharts are charts a citizen sees, in every language.
func legibilityCharts() map[string]Chart {
	out := map[string]Chart{}
	for _, lang := range []string{"fi", "sv", "en"} {
		for _, days := range []int{7, 30, 90, 365, 3650} {
			c := bpChart(days)
			c.Lang = lang
			out[fmt.Sprintf("%s bp %d d", lang, days)] = c
		}
		g := Chart{Title: "Glukoosi", Unit: "mmol/l", Lang: lang, Series: []Series{{Name: "Plasman glukoosipitoisuus (paastoarvo)",
			Points: daily(40, func(i int) float64 { return 5 + float64(i%9)/3 })}},
			Bands: []Band{{Low: 4, High: 10, Label: "Tavoitealue 4–10 mmol/l kotimittauksissa"}}}
		out[lang+" glucose, long legend"] = g
		out[lang+" empty"] = Chart{Title: "Paino", Unit: "kg", Lang: lang, NoData: "Ei mittauksia tältä ajalta",
			From: t0, To: t0.AddDate(0, 0, 30)}
	}
	return out
}

// TestChartLegibleOnPhone: on a phone's page column (280 CSS px at 320 px
// with the page padding, 300 px, 320 px at 360 px) every text of the chart
// is drawn at 12 px or more, nothing is cut off at the edges, the date
// labels do not overlap, and the chart asks for no width of its own
// (WCAG 1.4.10: no sideways scrolling at 320 px).
func TestChartLegibleOnPhone(t *testing.T) {
	for name, c := range legibilityCharts() {
		svg := mustRender(t, c)
		d := mustParse(t, svg)
		if d.attr("width") != "100%" {
			t.Errorf("%s: root width %q, want 100%%", name, d.attr("width"))
		}
		for _, width := range []float64{280, 300, 320, 1000} {
			texts := layoutAt(t, svg, width)
			if len(texts) < 3 {
				t.Fatalf("%s: only %d texts drawn", name, len(texts))
			}
			checkTexts(t, fmt.Sprintf("%s at %v px", name, width), texts, width)
		}
	}
}

func checkTexts(t *testing.T, name string, texts []drawnText, width float64) {
	t.Helper()
	var axis []drawnText
	bottom := 0.0
	for _, tx := range texts {
		y, _ := strconv.ParseFloat(tx.y, 64)
		bottom = max(bottom, y)
	}
	for _, tx := range texts {
		if tx.size < 12 {
			t.Errorf("%s: %q drawn at %.1f px, want at least 12", name, tx.label, tx.size)
		}
		if tx.stretched {
			t.Errorf("%s: %q is inside a stretched viewport", name, tx.label)
		}
		if tx.left < -0.5 || tx.right > width+0.5 {
			t.Errorf("%s: %q spans %.0f..%.0f px, cut off outside 0..%v", name, tx.label, tx.left, tx.right, width)
		}
		if y, _ := strconv.ParseFloat(tx.y, 64); y == bottom && isDateLabel(tx.label) {
			axis = append(axis, tx)
		}
	}
	for i := 1; i < len(axis); i++ {
		if axis[i].left < axis[i-1].right+4 && axis[i].right > axis[i-1].left {
			t.Errorf("%s: date labels %q and %q overlap", name, axis[i-1].label, axis[i].label)
		}
	}
}

// isDateLabel tells the time axis labels (the lowest texts) from a
// no-data text by what they hold: a day, a month name or a year.
func isDateLabel(s string) bool {
	if strings.HasSuffix(s, ".") {
		return true
	}
	for _, l := range []string{"fi", "sv", "en"} {
		for m := time.January; m <= time.December; m++ {
			if strings.Contains(s, monthOf(l, m)) {
				return true
			}
		}
	}
	v, err := strconv.Atoi(s)
	return err == nil && v >= 1970 && v <= 2100
}

func TestLegibilityCheckCatchesShrunkText(t *testing.T) {
	// The chart as it was drawn before: a 720-unit viewBox scaled to the
	// page, with 13-unit text.
	old := []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 720 320" width="100%" font-size="13"><text x="10" y="20">120</text></svg>`)
	texts := layoutAt(t, old, 300)
	if len(texts) != 1 || math.Abs(texts[0].size-13*300.0/720) > 1e-9 {
		t.Fatalf("drawn %+v, want 5.4 px text", texts)
	}
}

func monthOf(lang string, m time.Month) string {
	return locale.Best(lang).MonthShort(m)
}
