package charts

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strings"
	"sync"
	"testing"
	"time"
)

// svgDoc is what the tests learn by walking the output with encoding/xml.
type svgDoc struct {
	root     xml.StartElement
	first    []string          // names of the root's first two child elements
	texts    map[string]string // character data of elements by id
	elements map[string]int    // element counts by local name
	attrs    map[string]int    // attribute counts by local name
	fills    map[string]int    // fill attribute values
}

// mustParse walks svg with encoding/xml and fails the test on any error.
func mustParse(tb testing.TB, svg []byte) svgDoc {
	tb.Helper()
	d := svgDoc{texts: map[string]string{}, elements: map[string]int{}, attrs: map[string]int{}, fills: map[string]int{}}
	dec := xml.NewDecoder(bytes.NewReader(svg))
	depth, id := 0, ""
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
			if depth == 0 {
				d.root = tok.Copy()
			} else if depth == 1 && len(d.first) < 2 {
				d.first = append(d.first, tok.Name.Local)
			}
			depth++
			d.elements[tok.Name.Local]++
			id = ""
			for _, a := range tok.Attr {
				d.attrs[a.Name.Local]++
				switch a.Name.Local {
				case "id":
					id = a.Value
				case "fill":
					d.fills[a.Value]++
				}
			}
		case xml.CharData:
			if id != "" {
				d.texts[id] += string(tok)
			}
		case xml.EndElement:
			depth--
			id = ""
		}
	}
	if depth != 0 {
		tb.Fatalf("unbalanced elements, depth %d at end", depth)
	}
	return d
}

func (d svgDoc) attr(name string) string {
	for _, a := range d.root.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// bpChart is a blood pressure chart of n daily readings ending at t0+n days.
func bpChart(n int) Chart {
	sys := daily(n, func(i int) float64 { return 135 + 12*math.Sin(float64(i)/5) })
	dia := daily(n, func(i int) float64 { return 85 + 7*math.Cos(float64(i)/7) })
	return Chart{
		Title:       "Verenpaine",
		Description: "Kotimittaukset",
		Unit:        "mmHg",
		From:        t0.Add(-time.Hour),
		To:          t0.AddDate(0, 0, n),
		Series:      []Series{{Name: "Yläpaine", Points: sys}, {Name: "Alapaine", Points: dia}},
		Bands:       []Band{{Low: 70, High: 135, Label: "Tavoite"}},
		Lang:        "fi",
	}
}

func mustRender(tb testing.TB, c Chart) []byte {
	tb.Helper()
	svg, err := Render(c)
	if err != nil {
		tb.Fatalf("Render: %v", err)
	}
	return svg
}

func TestRenderIsAccessibleSVG(t *testing.T) {
	c := bpChart(30)
	c.Title = `Blood pressure <&> "home"`
	c.Description = "Systolic & diastolic, 30 days < 1 month"
	c.ID = "bp"
	svg := mustRender(t, c)
	if !bytes.HasPrefix(svg, []byte("<svg ")) {
		t.Fatalf("output does not start with <svg: %.40q", svg)
	}
	d := mustParse(t, svg)
	if d.root.Name.Local != "svg" || d.root.Name.Space != "http://www.w3.org/2000/svg" {
		t.Fatalf("root is %v", d.root.Name)
	}
	checks := map[string]string{
		"role":            "img",
		"aria-labelledby": "bp-title bp-desc",
		"height":          "320",
		"width":           "100%",
	}
	for name, want := range checks {
		if got := d.attr(name); got != want {
			t.Errorf("root %s = %q, want %q", name, got, want)
		}
	}
	if d.attr("viewBox") != "" {
		t.Errorf("root has a viewBox %q: text would shrink with the page", d.attr("viewBox"))
	}
	if strings.Join(d.first, ",") != "title,desc" {
		t.Errorf("first children = %v, want title, desc", d.first)
	}
	if d.texts["bp-title"] != c.Title || d.texts["bp-desc"] != c.Description {
		t.Errorf("title %q, desc %q", d.texts["bp-title"], d.texts["bp-desc"])
	}
}

func TestRenderHasNoStyleOrScript(t *testing.T) {
	c := bpChart(3650)
	c.Series = append(c.Series, Series{Name: "Pulssi", Points: daily(20, func(int) float64 { return 70 })})
	c.Bands = append(c.Bands, Band{Low: 60, High: 100, Label: "Pulssi normaali"})
	svg := mustRender(t, c)
	d := mustParse(t, svg)
	for _, el := range []string{"style", "script", "foreignObject", "image", "a"} {
		if d.elements[el] > 0 {
			t.Errorf("output has %d <%s> elements", d.elements[el], el)
		}
	}
	for name, n := range d.attrs {
		if name == "style" || strings.HasPrefix(strings.ToLower(name), "on") || name == "href" {
			t.Errorf("output has %d %s= attributes", n, name)
		}
	}
	if bytes.Contains(svg, []byte("style=")) {
		t.Error(`output contains "style="`)
	}
	if d.attrs["font-size"] == 0 || d.attrs["stroke"] == 0 || d.attrs["stroke-dasharray"] == 0 {
		t.Errorf("presentation attributes missing: %v", d.attrs)
	}
}

func TestRenderDrawsBand(t *testing.T) {
	c := bpChart(30)
	fill := colorHex(bandStyles[0].fill)
	with := mustParse(t, mustRender(t, c))
	// The band behind the plot and its legend thumbnail.
	if with.fills[fill] < 2 {
		t.Errorf("band fill %s used %d times, want at least 2", fill, with.fills[fill])
	}
	c.Bands = nil
	without := mustParse(t, mustRender(t, c))
	if without.fills[fill] != 0 {
		t.Errorf("band fill %s drawn without a band", fill)
	}
}

func TestRenderLongSeriesKeepsSpikeAndDipAndStaysSmall(t *testing.T) {
	c := bpChart(3650)
	const spike, dip = 262.5, 38.5
	c.Series[0].Points[1234].Value = spike
	c.Series[1].Points[2345].Value = dip
	if err := c.normalize(); err != nil {
		t.Fatal(err)
	}
	l := prepare(c)
	if !hasY(l.series[0], spike) || !hasY(l.series[1], dip) {
		t.Error("spike or dip lost in downsampling")
	}
	for i, xys := range l.series {
		if len(xys) > 2*plotBuckets {
			t.Errorf("series %d: %d points drawn, want at most %d", i, len(xys), 2*plotBuckets)
		}
	}
	if l.yMax < spike || l.yMin > dip {
		t.Errorf("y range %v..%v does not hold %v and %v", l.yMin, l.yMax, dip, spike)
	}
	svg := mustRender(t, c)
	mustParse(t, svg)
	if len(svg) >= 150<<10 {
		t.Errorf("svg is %d bytes, want < 150 KB", len(svg))
	}
	// The y axis is labelled up to the spike's range.
	if !bytes.Contains(svg, []byte(">250 mmHg<")) || !bytes.Contains(svg, []byte(">50<")) {
		t.Error("y tick labels do not reach the spike and the dip")
	}
}

func hasY(xys []xy, y float64) bool {
	for _, p := range xys {
		if p.Y == y {
			return true
		}
	}
	return false
}

func TestRenderEmptyChart(t *testing.T) {
	for _, c := range []Chart{
		{Title: "Verensokeri", Unit: "mmol/l"},
		{Title: "Verensokeri", Unit: "mmol/l", NoData: "Ei mittauksia", Bands: []Band{{Low: 4, High: 10, Label: "Tavoite"}},
			From: t0, To: t0.AddDate(0, 0, 30), Series: []Series{{Name: "Glukoosi"}}},
		{Title: "NaN only", Series: []Series{{Name: "x", Points: []Point{{At: t0, Value: math.NaN()}}}}},
	} {
		svg := mustRender(t, c)
		d := mustParse(t, svg)
		if d.attr("role") != "img" {
			t.Errorf("%q: no role", c.Title)
		}
		if c.NoData != "" && !bytes.Contains(svg, []byte(">"+c.NoData+"<")) {
			t.Errorf("%q: no-data text missing", c.Title)
		}
	}
}

func TestRenderOnePoint(t *testing.T) {
	c := Chart{Title: "Paino", Unit: "kg", Series: []Series{{Name: "Paino", Points: []Point{{At: t0, Value: 72.4}}}}}
	svg := mustRender(t, c)
	mustParse(t, svg)
	// A lone point needs a marker to be seen.
	if n := bytes.Count(svg, []byte(`fill="`+colorHex(seriesStyles[0].color)+`"`)); n < 2 {
		t.Errorf("marker not drawn (%d fills in the series colour)", n)
	}
}

func TestRenderFiltersPointsOutsideRange(t *testing.T) {
	c := bpChart(100)
	c.From, c.To = t0.AddDate(0, 0, 10), t0.AddDate(0, 0, 20)
	if err := c.normalize(); err != nil {
		t.Fatal(err)
	}
	l := prepare(c)
	if l.points != 2*11 {
		t.Errorf("visible points = %d, want 22", l.points)
	}
}

func TestRenderDateLabelsFollowLang(t *testing.T) {
	c := bpChart(365)
	for lang, want := range map[string]string{"fi": ">huhti 2025<", "sv": ">apr 2025<", "en": ">Apr 2025<", "sv-FI": ">apr 2025<", "": ">huhti 2025<", "de": ">Apr 2025<"} {
		c.Lang = lang
		if svg := mustRender(t, c); !bytes.Contains(svg, []byte(want)) {
			t.Errorf("lang %q: no %s tick label", lang, want)
		}
	}
}

func TestRenderDecimalComma(t *testing.T) {
	c := Chart{Title: "Glukoosi", Unit: "mmol/l", Series: []Series{{Name: "Glukoosi",
		Points: daily(10, func(i int) float64 { return 5 + float64(i)/20 })}}}
	c.Lang = "fi"
	if svg := mustRender(t, c); !bytes.Contains(svg, []byte(">5,2<")) || bytes.Contains(svg, []byte(">5.2<")) {
		t.Errorf("fi: no decimal comma in value labels")
	}
}

func TestRenderRejectsInvalidChart(t *testing.T) {
	for name, c := range map[string]Chart{
		"to before from": {From: t0, To: t0.Add(-time.Hour)},
		"tiny":           {Width: 10, Height: 10},
		"huge":           {Width: 1e6},
		"NaN width":      {Width: math.NaN()},
		"band reversed":  {Bands: []Band{{Low: 10, High: 4}}},
		"band NaN":       {Bands: []Band{{Low: math.NaN(), High: 4}}},
		"bad id":         {ID: `x" onload="alert(1)`},
	} {
		if _, err := Render(c); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

func TestRenderIDsDifferPerChart(t *testing.T) {
	a, b := bpChart(7), bpChart(7)
	b.Title = "Pulssi"
	da, db := mustParse(t, mustRender(t, a)), mustParse(t, mustRender(t, b))
	if da.attr("aria-labelledby") == db.attr("aria-labelledby") {
		t.Error("two different charts share element ids")
	}
}

func TestRenderConcurrently(t *testing.T) {
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			c := bpChart(100 * (i + 1))
			if _, err := Render(c); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// TestColoursContrast checks WCAG 1.4.11: 3:1 against white for lines,
// band edges and text (4.5:1).
func TestColoursContrast(t *testing.T) {
	for i, s := range seriesStyles {
		if r := contrast(s.color, white); r < 3 {
			t.Errorf("series colour %d %s: contrast %.2f < 3", i, colorHex(s.color), r)
		}
	}
	for i, s := range bandStyles {
		if r := contrast(s.edge, white); r < 3 {
			t.Errorf("band edge %d %s: contrast %.2f < 3", i, colorHex(s.edge), r)
		}
	}
	if r := contrast(inkColor, white); r < 4.5 {
		t.Errorf("text colour: contrast %.2f < 4.5", r)
	}
	// Text inside a band must stay readable on the band fill.
	for i, s := range bandStyles {
		if r := contrast(inkColor, s.fill); r < 4.5 {
			t.Errorf("text on band fill %d: contrast %.2f < 4.5", i, r)
		}
	}
}
