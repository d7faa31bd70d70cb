package browsertest

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// ReflowWidth is the viewport width in CSS px at which WCAG 1.4.10 (Reflow)
// requires a page to read without scrolling sideways: a 1280 px window at
// 400 % zoom, or a small phone.
const ReflowWidth = 320

// phoneHeight is the height of the emulated phone screens.
const phoneHeight = 640

//go:embed reflow.js
var reflowJS string

// reflowReport is what reflow.js measures.
type reflowReport struct {
	ViewportMeta string      `json:"viewportMeta"`
	ClientWidth  float64     `json:"clientWidth"`
	ScrollWidth  float64     `json:"scrollWidth"`
	InnerWidth   float64     `json:"innerWidth"`
	Offenders    []wideThing `json:"offenders"`
}

// wideThing is an element that sticks out of the viewport.
type wideThing struct {
	Element string  `json:"element"`
	Text    string  `json:"text"`
	Width   float64 `json:"width"`
	Right   float64 `json:"right"`
}

// Phone makes the tab a phone screen width CSS px wide (a mobile viewport,
// so the page's viewport meta tag applies) until restore is called, which
// gives back the browser's own window size.
func Phone(tb testing.TB, ctx context.Context, width int) (restore func()) {
	tb.Helper()
	do(tb, ctx, fmt.Sprintf("emulate a %d px phone", width), chromedp.EmulateViewport(int64(width), phoneHeight, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	return func() {
		tb.Helper()
		do(tb, ctx, "restore the window size", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulation.ClearDeviceMetricsOverride, cdp.Empty{})
			return err
		}))
		// The window takes its width back a moment later: a click sent
		// before it has, and before the page is drawn at it, lands where
		// the phone layout had the element and is lost. A window no wider
		// than the phone never grows: the wait ends after 3 s regardless.
		wide := fmt.Sprintf(`new Promise(done => {
			const until = Date.now() + 3000;
			const wait = () => (window.innerWidth > %d || Date.now() > until) ? requestAnimationFrame(() => requestAnimationFrame(() => done(window.innerWidth))) : setTimeout(wait, 10);
			wait();
		})`, width)
		run(tb, ctx, "wait for the window's own width", chromedp.Evaluate[int](wide, chromedp.EvalAwaitPromise))
	}
}

// Reflow checks the current page on a ReflowWidth px phone: the layout
// viewport is that wide (the page has a viewport meta tag), the document
// does not scroll sideways, and no element is wider than the viewport or
// sticks out of it, except inside a box that scrolls or clips its own
// overflow. It fails the test (without stopping it) naming the outermost
// elements that stick out. The window gets its own size back afterwards.
func Reflow(tb testing.TB, ctx context.Context) {
	tb.Helper()
	restore := Phone(tb, ctx, ReflowWidth)
	defer restore()
	r := run(tb, ctx, "measure reflow", chromedp.Evaluate[reflowReport]("("+strings.TrimSpace(reflowJS)+")()"))
	if problems := r.problems(ReflowWidth); problems != "" {
		url, _ := chromedp.Run(ctx, chromedp.Location())
		tb.Errorf("reflow: %s does not fit a %d px wide screen (WCAG 1.4.10):%s", url, ReflowWidth, problems)
	}
}

// problems describes what is wrong with r at a viewport width px wide, or
// returns "".
func (r reflowReport) problems(width int) string {
	var b strings.Builder
	if !strings.Contains(r.ViewportMeta, "width=device-width") {
		fmt.Fprintf(&b, "\n- the page lacks <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">: a phone lays it out %v px wide", r.InnerWidth)
	}
	if r.ScrollWidth > r.ClientWidth || r.InnerWidth > float64(width) {
		fmt.Fprintf(&b, "\n- the page scrolls sideways: it is %v px wide on a %d px screen", max(r.ScrollWidth, r.InnerWidth), width)
	}
	for _, o := range r.Offenders {
		fmt.Fprintf(&b, "\n- %s is %v px wide and reaches %v px: %q", o.Element, o.Width, o.Right, o.Text)
	}
	return b.String()
}

// Check runs every check a visited page must pass: Axe, and Reflow.
func Check(tb testing.TB, ctx context.Context) {
	tb.Helper()
	Axe(tb, ctx)
	Reflow(tb, ctx)
}
