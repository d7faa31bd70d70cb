package browsertest

import (
	"errors"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// strictCSP is the policy that omahoito serves: no inline script at all.
const strictCSP = "default-src 'self'"

const accessiblePage = `<!doctype html>
<html lang="fi">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Kotiseuranta</title></head>
<body>
<a href="#main">Siirry sisältöön</a>
<main id="main">
<h1>Kotiseuranta</h1>
<form action="/save" method="post">
<label for="sys">Yläpaine (mmHg)</label>
<input id="sys" name="sys" type="number">
<button type="submit">Tallenna</button>
</form>
<p id="csp">inline script blocked</p>
<script>document.getElementById("csp").textContent = "inline script ran";</script>
</main>
</body>
</html>`

const brokenPage = `<!doctype html>
<html>
<head><meta charset="utf-8"><title>Rikki</title></head>
<body>
<main>
<h1>Rikki</h1>
<img src="/chart.png">
<input type="text" name="weight">
</main>
</body>
</html>`

// tallPage is far taller than the 900 px window, to check full-page
// screenshots. (An inline style would be blocked by the strict CSP.)
var tallPage = `<!doctype html>
<html lang="fi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Pitkä</title></head>
<body><main><h1>Pitkä</h1>` + strings.Repeat("<p>Mittaus</p>\n", 100) + `</main></body></html>`

// testCSS is served as /test.css, since the strict CSP blocks inline styles.
const testCSS = `
.wide { width: 500px; }
.scroll { overflow-x: auto; }
.scroll table { width: 600px; }
.push { margin-left: 200px; width: 200px; }
.last { padding-left: 400px; }
.hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`

// serve starts a test server that answers /test.css with testCSS and every
// other path with page, under the strict CSP.
func serve(t *testing.T, page string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", strictCSP)
		if r.URL.Path == "/test.css" {
			w.Header().Set("Content-Type", "text/css")
			fmt.Fprint(w, testCSS)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// recordTB passes everything to the real test but records errors instead of
// failing, so a test can check that Axe fails a test.
type recordTB struct {
	testing.TB
	errors []string
}

func (r *recordTB) Error(args ...any) { r.errors = append(r.errors, fmt.Sprint(args...)) }

func (r *recordTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestAccessiblePagePassesUnderStrictCSP(t *testing.T) {
	ctx := New(t)
	Visit(t, ctx, serve(t, accessiblePage))

	if got := Text(t, ctx, "h1"); got != "Kotiseuranta" {
		t.Errorf("h1 = %q, want Kotiseuranta", got)
	}
	// The page's own inline script must be blocked, so the page really runs
	// under the strict CSP while axe (injected over DevTools) works.
	if got := Text(t, ctx, "#csp"); got != "inline script blocked" {
		t.Errorf("#csp = %q: the CSP was not enforced", got)
	}
}

func TestAxeReportsKnownViolations(t *testing.T) {
	RequireAxe(t)
	ctx := New(t)
	url := serve(t, brokenPage)
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	violations, err := runAxe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, v := range violations {
		ids = append(ids, v.ID)
	}
	for _, want := range []string{"image-alt", "label", "html-has-lang"} {
		if !slices.Contains(ids, want) {
			t.Errorf("violations %v lack %s", ids, want)
		}
	}
}

func TestAxeFailsTheTestWithAReadableReport(t *testing.T) {
	RequireAxe(t)
	ctx := New(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(serve(t, brokenPage))); err != nil {
		t.Fatal(err)
	}
	rec := &recordTB{TB: t}
	Axe(rec, ctx)
	// A second run reuses the injected axe and must report the same.
	Axe(rec, ctx)
	if len(rec.errors) != 2 {
		t.Fatalf("Axe reported %d errors, want 2: %q", len(rec.errors), rec.errors)
	}
	report := rec.errors[0]
	for _, want := range []string{
		"image-alt (critical): Images must have alternative text",
		`<img src="/chart.png">`,
		"at img",
		"label (critical)",
		`<input type="text" name="weight">`,
		"html-has-lang (serious)",
		"| Fix any of the following:",
		"Element does not have an alt attribute",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	if rec.errors[1] != report {
		t.Errorf("second run differs:\n%s\n---\n%s", rec.errors[1], report)
	}
}

func TestKeyboardFocusOrder(t *testing.T) {
	ctx := New(t)
	Visit(t, ctx, serve(t, accessiblePage))

	if got := Focused(t, ctx); !strings.HasPrefix(got, "<body>") {
		t.Errorf("focused before Tab = %.40q, want the body", got)
	}
	want := []string{
		`<a href="#main">Siirry sisältöön</a>`,
		`<input id="sys" name="sys" type="number">`,
		`<button type="submit">Tallenna</button>`,
	}
	for i, w := range want {
		Tab(t, ctx)
		if got := Focused(t, ctx); got != w {
			t.Errorf("after %d Tab(s) focused = %q, want %q", i+1, got, w)
		}
	}
}

func TestTypeAndClick(t *testing.T) {
	ctx := New(t)
	Visit(t, ctx, serve(t, accessiblePage))
	Type(t, ctx, "#sys", "128")
	if got := run(t, ctx, "value", chromedp.Value(chromedp.CSS("#sys"))); got != "128" {
		t.Errorf("value = %q, want 128", got)
	}
	Click(t, ctx, "a[href='#main']")
	if got := run(t, ctx, "location", chromedp.Location()); !strings.HasSuffix(got, "#main") {
		t.Errorf("location = %q, want #main", got)
	}
}

func TestScreenshotIsFullPagePNG(t *testing.T) {
	ctx := New(t)
	Visit(t, ctx, serve(t, tallPage))
	path := filepath.Join(t.TempDir(), "shots", "tall.png")
	Screenshot(t, ctx, path)

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if cfg.Height < 2000 {
		t.Errorf("screenshot is %dx%d, want the whole 2000+ px page", cfg.Width, cfg.Height)
	}
}

func TestChromiumPathHonoursOverride(t *testing.T) {
	t.Setenv(EnvChromium, "/nonexistent/chromium")
	_, err := chromiumPath()
	if !errors.Is(err, errNoBrowser) {
		t.Fatalf("err = %v, want errNoBrowser", err)
	}
	if !strings.Contains(err.Error(), "/nonexistent/chromium") {
		t.Errorf("error %q does not name the path", err)
	}
}

func TestTruncate(t *testing.T) {
	if got := truncate("äöå", 3); got != "äöå" {
		t.Errorf("truncate kept %q", got)
	}
	if got := truncate("äöåx", 3); got != "äöå…" {
		t.Errorf("truncate cut to %q", got)
	}
}

// Enter on a link to a form field focuses the field and does not submit
// its form, as with a real keyboard.
func TestEnterFollowsALinkToAFieldWithoutSubmitting(t *testing.T) {
	ctx := New(t)
	Visit(t, ctx, serve(t, strings.Replace(accessiblePage, `<a href="#main">Siirry sisältöön</a>`, `<a href="#sys">Yläpaine</a>`, 1)))
	Tab(t, ctx)
	Enter(t, ctx)
	if got := Focused(t, ctx); !strings.HasPrefix(got, `<input id="sys"`) {
		t.Errorf("Enter on the link focused %q, want the field", got)
	}
	if got := run(t, ctx, "location", chromedp.Location()); !strings.HasSuffix(got, "/#sys") {
		t.Errorf("location = %q: the form was submitted", got)
	}
	// Enter in the field submits the form.
	Enter(t, ctx)
	var got string
	for range 50 {
		if got, _ = chromedp.Run(ctx, chromedp.Location()); strings.HasSuffix(got, "/save") {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("location after Enter in the field = %q, want the form submitted to /save", got)
}
