package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/omahoito/omahoito/internal/browsertest"
)

// envScreenshots names a directory where the measurement browser test
// leaves a screenshot of the blood-pressure page, for looking at the chart.
const envScreenshots = "OMAHOITO_SCREENSHOT_DIR"

// TestBrowserBloodPressure: a citizen logs in through the real pages, adds
// blood-pressure readings, sees them in the chart and the table, corrects
// one, reads its history and deletes it; axe checks every page on the way.
func TestBrowserBloodPressure(t *testing.T) {
	ctx := browsertest.New(t)
	a := MustStartApp(t, "sqlite")
	browserCitizenLogin(t, ctx, a)

	browsertest.Click(t, ctx, `a[href="/measurements"]`)
	waitFor(t, ctx, "h1", "Kotimittaukset")
	browsertest.Click(t, ctx, `form[action="/measurements/new"] button`)
	waitFor(t, ctx, "h1", "Verenpaine: uusi mittaus")

	// A rule broken: the summary names the field, the field says why.
	browsertest.Type(t, ctx, "#systolic", "80")
	browsertest.Type(t, ctx, "#diastolic", "90")
	browsertest.Click(t, ctx, `form.measurement button[type="submit"]`)
	waitFor(t, ctx, ".error-summary", "Yläpaineen on oltava suurempi kuin alapaineen")
	if got := attr(t, ctx, "#systolic", "aria-invalid"); got != "true" {
		t.Errorf("systolic aria-invalid = %q", got)
	}
	screenshot(t, ctx, "refused.png")

	// Earlier days first, so the chart has a line; then this morning's,
	// much higher: the value axis has to grow to draw it.
	today := time.Now().In(mustHelsinki())
	for i, bp := range [][2]string{{"142", "91"}, {"135", "88"}, {"127", "84"}, {"131", "79"}} {
		day := today.AddDate(0, 0, -2*(4-i)).Format("2006-01-02")
		browserAddBP(t, ctx, a, bp[0], bp[1], day, "")
	}
	usualTop := topValueTick(t, ctx, 142)
	if usualTop < 120 || usualTop > 142 {
		t.Errorf("with readings up to 142 the value axis is labelled up to %v", usualTop)
	}
	browserAddBP(t, ctx, a, "171", "82", "", "aamulla")

	if n := count(t, ctx, `.chart svg[role="img"] title`); n != 1 {
		t.Errorf("chart: %d svg titles, want one role=img chart with a title", n)
	}
	if desc := textContent(t, ctx, ".chart svg desc"); !strings.Contains(desc, "Yläpaine 127–171 mmHg") {
		t.Errorf("chart description = %q", desc)
	}
	if top := topValueTick(t, ctx, 171); top <= usualTop || top < 150 {
		t.Errorf("after a reading of 171 the value axis is labelled up to %v, before it %v", top, usualTop)
	}
	if n := count(t, ctx, "#measurements tbody tr"); n != 5 {
		t.Errorf("table has %d rows, want 5", n)
	}
	if row := browsertest.Text(t, ctx, "#measurements tbody tr"); !strings.Contains(row, "171") || !strings.Contains(row, "82") || !strings.Contains(row, "aamulla") {
		t.Errorf("newest row = %q", row)
	}
	if cur := browsertest.Text(t, ctx, `.ranges a[aria-current="true"]`); cur != "30 päivää" {
		t.Errorf("current range = %q", cur)
	}
	screenshot(t, ctx, "blood-pressure.png")

	// Correct the newest reading.
	browsertest.Click(t, ctx, `#measurements tbody tr:first-child a[href$="/edit"]`)
	waitFor(t, ctx, "h1", "Verenpaine: korjaa mittaus")
	if v := value(t, ctx, "#systolic"); v != "171" {
		t.Errorf("edit form systolic = %q", v)
	}
	setValue(t, ctx, "#systolic", "")
	browsertest.Type(t, ctx, "#systolic", "132")
	browsertest.Click(t, ctx, `form.measurement button[type="submit"]`)
	waitFor(t, ctx, "[role=status]", "Korjaus tallennettiin")
	if row := browsertest.Text(t, ctx, "#measurements tbody tr"); !strings.Contains(row, "132") {
		t.Errorf("corrected row = %q", row)
	}
	if desc := textContent(t, ctx, ".chart svg desc"); !strings.Contains(desc, "Yläpaine 127–142 mmHg") {
		t.Errorf("chart description after the correction = %q", desc)
	}
	if top := topValueTick(t, ctx, 142); top != usualTop {
		t.Errorf("after correcting 171 to 132 the value axis is labelled up to %v, want %v again", top, usualTop)
	}

	browsertest.Click(t, ctx, `#measurements tbody tr:first-child a[href$="/history"]`)
	waitFor(t, ctx, "h1", "Verenpaine: mittauksen historia")
	screenshot(t, ctx, "history.png")
	hist := browsertest.Text(t, ctx, "table")
	for _, want := range []string{"132/82", "171/82", "Voimassa", "Aiempi versio", "Sinä", "Kirjattu käsin"} {
		if !strings.Contains(hist, want) {
			t.Errorf("history lacks %q: %s", want, hist)
		}
	}

	browsertest.Click(t, ctx, ".breadcrumb a")
	waitFor(t, ctx, "h1", "Verenpaine")
	browsertest.Click(t, ctx, `#measurements tbody tr:first-child a[href$="/delete"]`)
	waitFor(t, ctx, "h1", "Poistetaanko mittaus?")
	browsertest.Click(t, ctx, `button.danger`)
	waitFor(t, ctx, "[role=status]", "Mittaus poistettiin")
	if n := count(t, ctx, "#measurements tbody tr"); n != 4 {
		t.Errorf("after delete the table has %d rows, want 4", n)
	}

	// A kind without readings, in English: an empty chart that says so.
	browsertest.Visit(t, ctx, a.URL+"/measurements/k/glucose?lang=en")
	if got := textContent(t, ctx, ".chart svg"); !strings.Contains(got, "No measurements in this time range") ||
		!strings.Contains(got, "Target range 4–10 mmol/l") {
		t.Errorf("empty glucose chart says %q", got)
	}
	screenshot(t, ctx, "glucose-empty.png")
}

func browserCitizenLogin(t *testing.T, ctx context.Context, a *testApp) {
	t.Helper()
	browsertest.Visit(t, ctx, a.URL+"/")
	browsertest.Click(t, ctx, `a[href="/login"]`)
	waitFor(t, ctx, "h1", "Citizen login")
	browsertest.Type(t, ctx, "#hetu", testHetu)
	browsertest.Type(t, ctx, "#given_name", "Maija")
	browsertest.Type(t, ctx, "#family_name", "Meikäläinen")
	browsertest.Click(t, ctx, `button[type="submit"]`)
	waitFor(t, ctx, "h1", "Hei, Maija Meikäläinen!")
}

// browserAddBP fills the blood-pressure form (day "" keeps today) and
// waits for the kind page's notice.
func browserAddBP(t *testing.T, ctx context.Context, a *testApp, sys, dia, day, note string) {
	t.Helper()
	browsertest.Visit(t, ctx, a.URL+"/measurements/new?kind=blood-pressure")
	setValue(t, ctx, "#systolic", "")
	setValue(t, ctx, "#diastolic", "")
	browsertest.Type(t, ctx, "#systolic", sys)
	browsertest.Type(t, ctx, "#diastolic", dia)
	if day != "" {
		setValue(t, ctx, "#date", day)
		setValue(t, ctx, "#time", "07:30")
	}
	if note != "" {
		browsertest.Type(t, ctx, "#note", note)
	}
	browsertest.Click(t, ctx, `form.measurement button[type="submit"]`)
	waitFor(t, ctx, "[role=status]", "Mittaus tallennettiin")
}

func setValue(tb testing.TB, ctx context.Context, sel, v string) {
	tb.Helper()
	js := `(() => { const e = document.querySelector(` + jsString(sel) + `); e.value = ` + jsString(v) + `; return e.value; })()`
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](js)); err != nil || got != v {
		tb.Fatalf("set %s to %q: got %q, %v", sel, v, got, err)
	}
}

func value(tb testing.TB, ctx context.Context, sel string) string {
	tb.Helper()
	v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		tb.Fatalf("value of %s: %v", sel, err)
	}
	return v
}

func count(tb testing.TB, ctx context.Context, sel string) int {
	tb.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+jsString(sel)+`).length`))
	if err != nil {
		tb.Fatalf("count %s: %v", sel, err)
	}
	return n
}

// valueAxis is the value-axis labels the chart draws, as numbers from the
// lowest: the <text>s that are a number, the top one followed by the unit
// ("150 mmHg"). The date labels ("9.11.") and the legend are not.
func valueAxis(tb testing.TB, ctx context.Context) []float64 {
	tb.Helper()
	js := `Array.from(document.querySelectorAll(".chart > svg text"))
		.map(e => /^([0-9]+(?:,[0-9]+)?)( mmHg)?$/.exec(e.textContent.trim())).filter(m => m)
		.map(m => Number(m[1].replace(",", "."))).sort((a, b) => a - b)`
	labels, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](js))
	if err != nil || len(labels) < 2 {
		tb.Fatalf("value axis labels of the chart: %v, %v", labels, err)
	}
	return labels
}

// topValueTick is the highest value-axis label. It fails the test unless
// the axis reaches the highest reading: the next label up would be above it.
func topValueTick(tb testing.TB, ctx context.Context, highest float64) float64 {
	tb.Helper()
	labels := valueAxis(tb, ctx)
	top, step := labels[len(labels)-1], labels[len(labels)-1]-labels[len(labels)-2]
	if top+step <= highest {
		tb.Errorf("value axis labelled %v does not reach the highest reading %v", labels, highest)
	}
	return top
}

// textContent reads text that is not rendered, such as an SVG <desc>.
func textContent(tb testing.TB, ctx context.Context, sel string) string {
	tb.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(`+jsString(sel)+`).textContent`))
	if err != nil {
		tb.Fatalf("text of %s: %v", sel, err)
	}
	return v
}

// screenshot saves the page under envScreenshots, when it is set.
func screenshot(tb testing.TB, ctx context.Context, name string) {
	tb.Helper()
	if dir := os.Getenv(envScreenshots); dir != "" {
		browsertest.Screenshot(tb, ctx, filepath.Join(dir, name))
	}
}
