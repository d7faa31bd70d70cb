package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/omahoito/omahoito/internal/browsertest"
)

// waitFor waits until the text of sel contains want, then checks the page
// with browsertest.Check: every page a test visits must be free of WCAG A/AA
// violations that axe finds, and reflow on a 320 px screen.
func waitFor(tb testing.TB, ctx context.Context, sel, want string) {
	tb.Helper()
	check := `(() => { const e = document.querySelector(` + jsString(sel) + `); return e !== null && e.innerText.includes(` + jsString(want) + `); })()`
	deadline := time.Now().Add(15 * time.Second)
	for {
		// Evaluate fails while a navigation swaps the document; try again.
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](check))
		if err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			got, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			tb.Fatalf("waiting for %q in %s: %v; page %s says:\n%s", want, sel, err, loc, got)
		}
		time.Sleep(50 * time.Millisecond)
	}
	browsertest.Check(tb, ctx)
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func TestBrowserCitizenLogin(t *testing.T) {
	ctx := browsertest.New(t)
	a := MustStartApp(t, "sqlite")

	browsertest.Visit(t, ctx, a.URL+"/")
	if h := browsertest.Text(t, ctx, "h1"); h != "Tervetuloa Omahoitoon" {
		t.Fatalf("anonymous home h1 = %q", h)
	}
	// Keyboard: the first Tab reaches the skip link, and it leads to main.
	browsertest.Tab(t, ctx)
	if f := browsertest.Focused(t, ctx); !strings.Contains(f, `class="skip"`) {
		t.Fatalf("first Tab focused %s, want the skip link", f)
	}
	browsertest.Enter(t, ctx)
	if f := browsertest.Focused(t, ctx); !strings.HasPrefix(f, `<main id="main"`) {
		t.Fatalf("the skip link moved focus to %s, want main", f)
	}

	browsertest.Click(t, ctx, `a[href="/login"]`)
	waitFor(t, ctx, "h1", "Citizen login")
	// A wrong check character: the form says so, on an accessible page.
	browsertest.Type(t, ctx, "#hetu", "150380-902A")
	browsertest.Click(t, ctx, `button[type="submit"]`)
	waitFor(t, ctx, "#hetu-error", "invalid")

	if _, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#hetu").value = ""`)); err != nil {
		t.Fatal(err)
	}
	browsertest.Type(t, ctx, "#hetu", "150380-902U")
	browsertest.Type(t, ctx, "#given_name", "Maija")
	browsertest.Type(t, ctx, "#family_name", "Meikäläinen")
	browsertest.Click(t, ctx, `button[type="submit"]`)
	waitFor(t, ctx, "h1", "Hei, Maija Meikäläinen!")

	browsertest.Click(t, ctx, `a[hreflang="sv"]`)
	waitFor(t, ctx, "h1", "Hej, Maija Meikäläinen!")
	if lang := attr(t, ctx, "html", "lang"); lang != "sv" {
		t.Errorf("html lang = %q after switching to Swedish", lang)
	}
	browsertest.Click(t, ctx, `a[hreflang="en"]`)
	waitFor(t, ctx, "h1", "Hello, Maija Meikäläinen!")

	browsertest.Click(t, ctx, `form.logout button`)
	waitFor(t, ctx, "h1", "Welcome to Omahoito")

	browsertest.Visit(t, ctx, a.URL+"/no-such-page")
	if h := browsertest.Text(t, ctx, "[role=alert]"); !strings.Contains(h, "not found") {
		t.Errorf("404 page says %q", h)
	}
}

func TestBrowserProfessionalLogin(t *testing.T) {
	ctx := browsertest.New(t)
	a := MustStartApp(t, "sqlite")
	browsertest.Visit(t, ctx, a.URL+"/?lang=en")
	browsertest.Click(t, ctx, `a[href="/pro/login"]`)
	waitFor(t, ctx, "h1", "Professional login")
	browsertest.Type(t, ctx, "#username", "kainuu-doctor")
	browsertest.Click(t, ctx, `button[type="submit"]`)
	waitFor(t, ctx, "h1", "Hello, Mikko Korhonen!")
	if body := browsertest.Text(t, ctx, "main"); !strings.Contains(body, "Kajaanin terveysasema") {
		t.Errorf("professional page lacks the care unit: %s", body)
	}
}

func attr(tb testing.TB, ctx context.Context, sel, name string) string {
	tb.Helper()
	v, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if err != nil {
		tb.Fatal(err)
	}
	return v.Value
}
