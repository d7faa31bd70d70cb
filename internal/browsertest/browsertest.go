// Package browsertest runs pages of omahoito in a real headless Chromium from
// Go tests, and checks them with axe-core against WCAG 2.1 A and AA and for
// reflow on a 320 px screen (WCAG 1.4.10: no sideways scrolling).
//
// A page test is short:
//
//	ctx := browsertest.New(t)
//	browsertest.Visit(t, ctx, srv.URL+"/kotiseuranta") // loads, runs Check: axe and Reflow
//	if got := browsertest.Text(t, ctx, "h1"); got != "Kotiseuranta" { ... }
//
// Chromium is found on PATH (chromium, chromium-browser, google-chrome, ...)
// or at OMAHOITO_CHROMIUM. axe-core comes from npm: run `npm ci` at the
// repository root. When either is missing the test skips, or fails when
// OMAHOITO_TEST_REQUIRE_ALL=1 (see package testenv).
//
// Phone emulates a phone screen, LegibleSVG measures chart text as drawn,
// and Tab, Enter and Focused drive and read the keyboard focus.
//
// The context that New returns is a chromedp context, so a test can also run
// any chromedp action on it directly.
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/omahoito/omahoito/internal/testenv"
)

// EnvChromium names the environment variable that overrides the browser
// binary: an absolute path or a name to look up on PATH.
const EnvChromium = "OMAHOITO_CHROMIUM"

// browserNames are the binaries that New tries on PATH, in order.
var browserNames = []string{
	"chromium", "chromium-browser",
	"google-chrome", "google-chrome-stable",
	"headless-shell", "headless_shell", "chrome",
}

// errNoBrowser means that no Chromium binary was found.
var errNoBrowser = errors.New("browser tests need Chromium")

// actionTimeout bounds each helper call, so that a selector that never
// matches fails the test instead of hanging it.
const actionTimeout = 30 * time.Second

// New starts a headless Chromium for the test and returns a chromedp context
// for its first tab. The browser closes when the test ends. When no browser is
// found, or axe-core is not installed, New calls testenv.Missing: the test
// skips, or fails in CI.
func New(tb testing.TB) context.Context {
	tb.Helper()
	RequireAxe(tb) // every page visited is checked with axe: skip before starting a browser
	path, err := chromiumPath()
	if err != nil {
		testenv.Missing(tb, err.Error())
		return nil // not reached: Missing skips or fails the test
	}
	profile := filepath.Join(tb.TempDir(), "chromium-profile")
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), allocatorOptions(path, profile)...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	tb.Cleanup(func() {
		cancel()
		cancelAlloc()
		removeProfile(tb, profile)
	})
	// Start the browser now, without a timeout: a timeout on the first run
	// would end the whole browser when it expires.
	if err := chromedp.Do(ctx); err != nil {
		tb.Fatalf("browsertest: start %s: %v", path, err)
	}
	return ctx
}

// chromiumPath returns the browser binary to run: the one that EnvChromium
// names, or else the first of browserNames on PATH.
func chromiumPath() (string, error) {
	if want := os.Getenv(EnvChromium); want != "" {
		path, err := exec.LookPath(want)
		if err != nil {
			return "", fmt.Errorf("%w: %s=%s is not an executable: %w", errNoBrowser, EnvChromium, want, err)
		}
		return path, nil
	}
	for _, name := range browserNames {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("%w: none of %v on PATH (apt-get install chromium, or set %s)", errNoBrowser, browserNames, EnvChromium)
}

// allocatorOptions are chromedp's defaults plus what this machine needs: no
// sandbox (tests may run as root), no GPU, and no network traffic of the
// browser's own (only loopback works here; other attempts flood the log).
func allocatorOptions(path, profile string) []chromedp.ExecAllocatorOption {
	return append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("no-default-browser-check", true),
	)
}

// removeProfile deletes the browser profile after the browser has stopped.
// Chromium's helper processes can still write to it for a moment, which would
// make the plain RemoveAll of t.TempDir fail, so retry briefly.
func removeProfile(tb testing.TB, dir string) {
	var err error
	for range 20 {
		if err = os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Logf("browsertest: remove browser profile: %v", err)
}
