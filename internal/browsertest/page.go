package browsertest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// maxFocused is how many runes of outerHTML Focused returns.
const maxFocused = 200

// Visit navigates to url, waits until the body is ready, and runs Check:
// axe-core, and reflow on a 320 px screen.
func Visit(tb testing.TB, ctx context.Context, url string) {
	tb.Helper()
	do(tb, ctx, "visit "+url,
		chromedp.Navigate(url),
		chromedp.WaitReady(chromedp.CSS("body")),
	)
	Check(tb, ctx)
}

// Text returns the visible text (innerText) of the first element that matches
// the CSS selector sel, waiting for it to appear.
func Text(tb testing.TB, ctx context.Context, sel string) string {
	tb.Helper()
	return run(tb, ctx, "text of "+sel, chromedp.Text(chromedp.CSS(sel)))
}

// Click clicks the first element that matches the CSS selector sel.
func Click(tb testing.TB, ctx context.Context, sel string) {
	tb.Helper()
	do(tb, ctx, "click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// Type focuses the first element that matches the CSS selector sel and types
// text into it with key events.
func Type(tb testing.TB, ctx context.Context, sel, text string) {
	tb.Helper()
	do(tb, ctx, "type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), text))
}

// Tab presses the Tab key once.
func Tab(tb testing.TB, ctx context.Context) {
	tb.Helper()
	do(tb, ctx, "press Tab", chromedp.KeyEvent(kb.Tab))
}

// Enter presses the Enter key once, as a keyboard does: one key-down that
// carries the "\r" text and one key-up. (chromedp.KeyEvent sends the text
// as an event of its own, so when the key-down moves focus, by following a
// link to a form field, that second event lands in the field and submits
// its form: a keystroke no person can make.)
func Enter(tb testing.TB, ctx context.Context) {
	tb.Helper()
	key := input.DispatchKeyEventParams{
		Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13,
	}
	down, up := key, key
	down.Type, down.Text, down.UnmodifiedText = input.DispatchKeyEventTypeKeyDown, "\r", "\r"
	up.Type = input.DispatchKeyEventTypeKeyUp
	do(tb, ctx, "press Enter", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, ev := range []input.DispatchKeyEventParams{down, up} {
			if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, ev); err != nil {
				return err
			}
		}
		return nil
	}))
}

// Focused returns the outerHTML of document.activeElement, cut to 200 runes
// with "…", or "" when nothing has focus.
func Focused(tb testing.TB, ctx context.Context) string {
	tb.Helper()
	html := run(tb, ctx, "focused element", chromedp.Evaluate[string](
		`document.activeElement ? document.activeElement.outerHTML : ""`))
	return truncate(html, maxFocused)
}

// Screenshot writes a PNG of the whole page, beyond the viewport, to path,
// creating its directory. It is meant for looking at pages while developing.
func Screenshot(tb testing.TB, ctx context.Context, path string) {
	tb.Helper()
	png := run(tb, ctx, "screenshot", chromedp.FullScreenshot(100))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatalf("browsertest: screenshot: %v", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.Fatalf("browsertest: screenshot: %v", err)
	}
}

// run runs one action with a timeout and fails the test on error.
func run[T any](tb testing.TB, ctx context.Context, what string, a chromedp.Action[T]) T {
	tb.Helper()
	ctx, cancel := context.WithTimeout(ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.Fatalf("browsertest: %s: %v", what, err)
	}
	return v
}

// do runs actions that return no value, like run.
func do(tb testing.TB, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	run(tb, ctx, what, chromedp.Steps(steps...))
}

// truncate cuts s to at most n runes, marking a cut with "…".
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
