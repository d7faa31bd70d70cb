package main

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/omahoito/omahoito/internal/browsertest"
)

// TestBrowserChartOnAPhone: the blood-pressure chart (and an empty one), as drawn by Chromium
// on a 360 px phone and on a 320 px screen, has every text at 12 px or
// more inside the chart, the chart inside the screen, and its lines pass
// through its point markers (the lines are stretched to the width, the
// markers are not). Screenshots of the page on a phone and on a desktop go
// to OMAHOITO_SCREENSHOT_DIR when it is set.
func TestBrowserChartOnAPhone(t *testing.T) {
	ctx := browsertest.New(t)
	a := MustStartApp(t, "sqlite")
	browserCitizenLogin(t, ctx, a)
	screenshot(t, ctx, "home-desktop.png")
	today := time.Now().In(mustHelsinki())
	for i, bp := range [][2]string{{"142", "91"}, {"135", "88"}, {"127", "84"}, {"151", "79"}, {"138", "86"}} {
		browserAddBP(t, ctx, a, bp[0], bp[1], today.AddDate(0, 0, -5*(5-i)).Format("2006-01-02"), "")
	}
	screenshot(t, ctx, "kind-desktop.png")
	checkChartDrawing(t, ctx)

	for _, width := range []int{360, browsertest.ReflowWidth} {
		restore := browsertest.Phone(t, ctx, width)
		browsertest.LegibleSVG(t, ctx, ".chart > svg")
		checkChartDrawing(t, ctx)
		if width == 360 {
			screenshot(t, ctx, "kind-phone.png")
			elementShot(t, ctx, ".chart", "chart-phone.png")
			browsertest.Visit(t, ctx, a.URL+"/measurements")
			browsertest.Phone(t, ctx, width)
			screenshot(t, ctx, "overview-phone.png")
			browsertest.Visit(t, ctx, a.URL+"/measurements/k/blood-pressure")
			browsertest.Phone(t, ctx, width)
		}
		restore()
	}

	// An empty chart, in English: its message and legend fit too.
	browsertest.Visit(t, ctx, a.URL+"/measurements/k/glucose?lang=en")
	restore := browsertest.Phone(t, ctx, browsertest.ReflowWidth)
	browsertest.LegibleSVG(t, ctx, ".chart > svg")
	elementShot(t, ctx, ".chart", "chart-empty-phone.png")
	restore()
}

// elementShot saves a picture of the element sel at twice the size, to look
// at closely, under OMAHOITO_SCREENSHOT_DIR when it is set.
func elementShot(tb testing.TB, ctx context.Context, sel, name string) {
	tb.Helper()
	dir := os.Getenv(envScreenshots)
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.ScreenshotScale(chromedp.CSS(sel), 2))
	if err != nil {
		tb.Fatalf("screenshot of %s: %v", sel, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// chartDrawingJS measures the chart as drawn: for each series, how far
// (in CSS px) the farthest point of its line is from the centre of its
// point marker, and how tall the plot of the lines is against the chart.
const chartDrawingJS = `(() => {
	const root = document.querySelector(".chart > svg");
	const plot = root.querySelector("svg[preserveAspectRatio=none]");
	const paths = Array.from(plot.querySelectorAll("path"));
	const groups = Array.from(root.children).filter(g => g.tagName === "g" && g.querySelector(":scope > svg"));
	const off = paths.map((p, i) => {
		const m = p.getScreenCTM();
		const nums = p.getAttribute("d").replace("M", "").trim().split(/\s+/).map(Number);
		const markers = Array.from(groups[i].querySelectorAll(":scope > svg")).map(s => s.getScreenCTM());
		let worst = markers.length === nums.length / 2 ? 0 : 1e9;
		for (let j = 0; j < nums.length / 2 && j < markers.length; j++) {
			const pt = new DOMPoint(nums[2*j], nums[2*j+1]).matrixTransform(m);
			worst = Math.max(worst, Math.hypot(pt.x - markers[j].e, pt.y - markers[j].f));
		}
		return worst;
	});
	return { off, plot: plot.getBoundingClientRect().height, chart: root.getBoundingClientRect().height,
		height: Number(root.getAttribute("height")) };
})()`

// chartDrawing is what chartDrawingJS measures.
type chartDrawing struct {
	Off                 []float64 // per line, CSS px
	Plot, Chart, Height float64   // drawn heights, and the chart's height attribute
}

// checkChartDrawing checks that the chart is drawn at its own height and
// that every line passes within a pixel of its markers.
func checkChartDrawing(tb testing.TB, ctx context.Context) {
	tb.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[chartDrawing](chartDrawingJS))
	if err != nil {
		tb.Fatalf("measure the chart: %v", err)
	}
	if got.Chart != got.Height || got.Plot <= 0 || got.Plot >= got.Chart {
		tb.Errorf("chart drawn %v px tall (its height is %v), lines' plot %v px", got.Chart, got.Height, got.Plot)
	}
	if len(got.Off) != 2 {
		tb.Errorf("chart draws %d lines, want systolic and diastolic", len(got.Off))
	}
	for i, off := range got.Off {
		if off > 1 || math.IsNaN(off) {
			tb.Errorf("line %d passes %.1f px from its point markers", i+1, off)
		}
	}
}
