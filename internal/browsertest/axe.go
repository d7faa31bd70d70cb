package browsertest

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/omahoito/omahoito/internal/testenv"
)

// axeTags selects the axe-core rules that the tests enforce: WCAG 2.0 and 2.1,
// levels A and AA. Best-practice rules are left out on purpose.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// axeScript is the path of axe-core relative to the repository root.
var axeScript = filepath.Join("node_modules", "axe-core", "axe.min.js")

//go:embed axe_run.js
var axeRunJS string

// Sentinel errors of the axe loader.
var (
	errNoRepoRoot = errors.New("no go.mod above the working directory")
	errNoAxe      = errors.New("axe-core is not installed")
)

// Violation is one axe-core rule that the page breaks.
type Violation struct {
	ID      string          `json:"id"`
	Impact  string          `json:"impact"`
	Help    string          `json:"help"`
	HelpURL string          `json:"helpUrl"`
	Nodes   []ViolationNode `json:"nodes"`
}

// ViolationNode is one element that breaks a rule.
type ViolationNode struct {
	Target         []string `json:"target"` // CSS selectors; ">>>" enters a frame or shadow root
	HTML           string   `json:"html"`
	FailureSummary string   `json:"failureSummary"`
}

// axeSource reads axe.min.js once per test binary.
var axeSource = sync.OnceValues(loadAxe)

// Axe runs axe-core on the current page of ctx with the WCAG 2.0/2.1 A and AA
// rules, and fails the test (without stopping it) with a readable list if any
// rule is violated. It works under a strict Content-Security-Policy: the
// script goes in through the DevTools protocol, which CSP does not govern.
func Axe(tb testing.TB, ctx context.Context) {
	tb.Helper()
	RequireAxe(tb)
	ctx, cancel := context.WithTimeout(ctx, actionTimeout)
	defer cancel()
	violations, err := runAxe(ctx)
	if err != nil {
		tb.Fatalf("browsertest: axe: %v", err)
	}
	if len(violations) > 0 {
		url, _ := chromedp.Run(ctx, chromedp.Location())
		tb.Errorf("%s", formatViolations(url, violations))
	}
}

// RequireAxe skips the test with a one-line reason (or fails it when CI
// requires every tool) unless axe-core is installed in node_modules. A test
// calls it before starting the browser, so a machine without the npm tools
// does not even start Chromium.
func RequireAxe(tb testing.TB) {
	tb.Helper()
	if _, err := axeSource(); err != nil {
		testenv.Missing(tb, err.Error())
	}
}

// runAxe injects axe-core into the current page unless it is there already,
// runs it, and returns the violations.
func runAxe(ctx context.Context) ([]Violation, error) {
	src, err := axeSource()
	if err != nil {
		return nil, err
	}
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === "object"`))
	if err != nil {
		return nil, fmt.Errorf("check for axe: %w", err)
	}
	if !loaded {
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
			return nil, fmt.Errorf("inject axe: %w", err)
		}
	}
	tags, err := json.Marshal(axeTags)
	if err != nil {
		return nil, fmt.Errorf("encode axe tags: %w", err)
	}
	expr := "(" + strings.TrimSpace(axeRunJS) + ")(" + string(tags) + ")"
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]Violation](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("run axe: %w", err)
	}
	return violations, nil
}

// loadAxe reads axe.min.js from node_modules at the repository root.
func loadAxe() (string, error) {
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	path := filepath.Join(root, axeScript)
	src, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%w: %w (run npm ci in %s)", errNoAxe, err, root)
	}
	return string(src), nil
}

// repoRoot is the module root, where node_modules is.
func repoRoot() (string, error) {
	root, err := testenv.RepoRoot()
	if err != nil {
		return "", fmt.Errorf("%w: %w", errNoRepoRoot, err)
	}
	return root, nil
}

// maxSnippet is how many runes of an element's HTML a report shows.
const maxSnippet = 300

// formatViolations renders violations as an indented list for a test log:
// rule, impact, help and link, then each element's selector, HTML and what
// to fix.
func formatViolations(url string, violations []Violation) string {
	var b strings.Builder
	fmt.Fprintf(&b, "axe: %d accessibility violation(s) on %s:", len(violations), url)
	for _, v := range violations {
		fmt.Fprintf(&b, "\n- %s (%s): %s\n  %s", v.ID, v.Impact, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n    at %s\n       %s", strings.Join(n.Target, ", "), snippet(n.HTML))
			for line := range strings.Lines(n.FailureSummary) {
				fmt.Fprintf(&b, "\n       | %s", strings.TrimRight(line, "\n"))
			}
		}
	}
	return b.String()
}

// snippet puts html on one line and cuts it to maxSnippet runes.
func snippet(html string) string {
	return truncate(strings.Join(strings.Fields(html), " "), maxSnippet)
}
