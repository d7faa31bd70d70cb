package browsertest

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// phonePage wraps body in a page that has a viewport meta tag and test.css.
func phonePage(body string) string {
	return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Reflow</title><link rel="stylesheet" href="/test.css"></head>
<body><main><h1>Reflow</h1>` + body + `</main></body></html>`
}

// reflowErrors visits page and returns what Reflow reports on it.
func reflowErrors(t *testing.T, ctx context.Context, page string) []string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(serve(t, page))); err != nil {
		t.Fatal(err)
	}
	rec := &recordTB{TB: t}
	Reflow(rec, ctx)
	// The window gets its size back.
	if w := run(t, ctx, "width", chromedp.Evaluate[int]("window.innerWidth")); w != 1280 {
		t.Errorf("after Reflow the window is %d px wide, want 1280", w)
	}
	return rec.errors
}

func TestReflowPassesAPageThatFits(t *testing.T) {
	table := `<div class="scroll" role="region" tabindex="0" aria-label="Readings"><table><tr><td>1</td></tr></table></div>`
	if errs := reflowErrors(t, New(t), phonePage(`<p>Text that wraps as it should on a narrow screen.</p>`+table)); len(errs) > 0 {
		t.Errorf("Reflow failed a page that fits: %q", errs)
	}
}

func TestReflowNamesWhatSticksOut(t *testing.T) {
	ctx := New(t)
	long := strings.Repeat("x", 80)
	for _, c := range []struct{ name, body, want string }{
		{"wide box", `<div class="wide" id="box">box</div>`, `div#box.wide is 500 px wide and reaches`},
		{"pushed right", `<p class="push">pushed</p>`, `p.push is 200 px wide and reaches`},
		{"long word", `<p id="word">` + long + `</p>`, `p#word is `},
		{"svg", `<svg width="600" height="20" role="img" aria-label="wide"></svg>`, `svg is 600 px wide`},
	} {
		t.Run(c.name, func(t *testing.T) {
			errs := reflowErrors(t, ctx, phonePage(c.body))
			if len(errs) != 1 {
				t.Fatalf("Reflow reported %d errors, want 1: %q", len(errs), errs)
			}
			for _, want := range []string{"does not fit a 320 px wide screen", "the page scrolls sideways", c.want} {
				if !strings.Contains(errs[0], want) {
					t.Errorf("report lacks %q:\n%s", want, errs[0])
				}
			}
			// Only the culprit is named, not main or its heading.
			if strings.Contains(errs[0], "- main") || strings.Contains(errs[0], "- h1") {
				t.Errorf("report names more than the culprit:\n%s", errs[0])
			}
		})
	}
}

func TestReflowNeedsTheViewportMeta(t *testing.T) {
	page := strings.Replace(phonePage("<p>No meta</p>"), `<meta name="viewport" content="width=device-width, initial-scale=1">`, "", 1)
	errs := reflowErrors(t, New(t), page)
	if len(errs) != 1 || !strings.Contains(errs[0], `lacks <meta name="viewport" content="width=device-width, initial-scale=1">: a phone lays it out 980 px wide`) {
		t.Errorf("Reflow on a page without a viewport meta tag reported %q", errs)
	}
}

func TestLegibleSVG(t *testing.T) {
	// Drawn at half size by the viewBox: 16 user units are 8 CSS px.
	svg := `<svg id="c" width="300" height="100" viewBox="0 0 600 200" role="img" aria-label="chart">
<text x="10" y="50" font-size="16">small</text>
<text x="10" y="180" font-size="30">big</text>
<text x="580" y="120" font-size="30">cut</text>
</svg>`
	ctx := New(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(serve(t, phonePage(svg)))); err != nil {
		t.Fatal(err)
	}
	texts := SVGTexts(t, ctx, "#c")
	if len(texts) != 3 {
		t.Fatalf("SVGTexts found %d texts, want 3: %+v", len(texts), texts)
	}
	for i, want := range []float64{8, 15, 15} {
		if got := texts[i].FontSize; got != want {
			t.Errorf("%q drawn at %v px, want %v", texts[i].Text, got, want)
		}
	}
	rec := &recordTB{TB: t}
	LegibleSVG(rec, ctx, "#c")
	if len(rec.errors) != 1 {
		t.Fatalf("LegibleSVG reported %d errors, want 1: %q", len(rec.errors), rec.errors)
	}
	report := rec.errors[0]
	for _, want := range []string{`"small" is drawn at 8.0 px, under 12 px`, `"cut" at 298.0–`} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	if strings.Contains(report, `"big"`) {
		t.Errorf("report names the legible text:\n%s", report)
	}
}

// A visually hidden text is positioned absolutely: inside a scrolling
// region that is not positioned, it escapes the region and widens the page.
func TestReflowFindsHiddenTextThatEscapesAScrollingRegion(t *testing.T) {
	table := `<div class="scroll" role="region" tabindex="0" aria-label="Readings"><table><tr>
<td>1</td><td class="last"><a href="/e">Edit<span class="hidden"> 1.1.2026</span></a></td></tr></table></div>`
	errs := reflowErrors(t, New(t), phonePage(table))
	if len(errs) != 1 || !strings.Contains(errs[0], "span.hidden is 1 px wide and reaches") {
		t.Errorf("Reflow reported %q, want the escaping span", errs)
	}
}
