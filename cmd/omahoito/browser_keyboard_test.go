package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/omahoito/omahoito/internal/browsertest"
)

// TestBrowserKeyboard: a citizen who uses only the keyboard skips to the
// main content, tabs through the blood-pressure form in reading order and
// submits it with Enter. A refused reading puts focus on the error summary,
// whose link leads to the field; corrected there, Enter saves it.
func TestBrowserKeyboard(t *testing.T) {
	ctx := browsertest.New(t)
	a := MustStartApp(t, "sqlite")
	browserCitizenLogin(t, ctx, a)
	browsertest.Visit(t, ctx, a.URL+"/measurements/new?kind=blood-pressure")

	browsertest.Tab(t, ctx)
	if f := focusedName(t, ctx); !strings.HasPrefix(f, "a.skip") {
		t.Fatalf("the first Tab focused %s, want the skip link", f)
	}
	browsertest.Enter(t, ctx)
	if f := focusedName(t, ctx); f != "#main" {
		t.Fatalf("the skip link moved focus to %s, want main", f)
	}

	// Tab visits the fields in reading order (a date or time field takes a
	// Tab per part, so repeats are folded), typing into the first two.
	typed := map[string]string{"#systolic": "80", "#diastolic": "90"}
	var order []string
	for range 20 {
		browsertest.Tab(t, ctx)
		f := focusedName(t, ctx)
		if len(order) > 0 && order[len(order)-1] == f {
			continue
		}
		order = append(order, f)
		if v, ok := typed[f]; ok {
			press(t, ctx, v)
		}
		if strings.HasPrefix(f, "button") {
			break
		}
	}
	want := []string{"#systolic", "#diastolic", "#date", "#time", "#note", "button"}
	if len(order) != len(want) {
		t.Fatalf("Tab went through %q, want %q", order, want)
	}
	for i, w := range want {
		if !strings.HasPrefix(order[i], w) {
			t.Errorf("Tab stop %d is %s, want %s (all: %q)", i+1, order[i], w, order)
		}
	}

	browsertest.Enter(t, ctx)
	waitFor(t, ctx, ".error-summary", "Yläpaineen on oltava suurempi kuin alapaineen")
	if f := focusedName(t, ctx); !strings.HasPrefix(f, "div.error-summary") {
		t.Errorf("after a refused submission focus is on %s, want the error summary", f)
	}

	// The summary's first link leads to the systolic field.
	browsertest.Tab(t, ctx)
	if f := focusedName(t, ctx); !strings.HasPrefix(f, "a ") || !strings.Contains(f, "Yläpaineen on oltava") {
		t.Fatalf("Tab from the error summary focused %s, want its first link", f)
	}
	browsertest.Enter(t, ctx)
	if f := focusedName(t, ctx); f != "#systolic" {
		t.Fatalf("the error link moved focus to %s, want #systolic", f)
	}
	press(t, ctx, kb.End+kb.Backspace+kb.Backspace+"130")
	browsertest.Enter(t, ctx)
	waitFor(t, ctx, "[role=status]", "Mittaus tallennettiin")
	if row := browsertest.Text(t, ctx, "#measurements tbody tr"); !strings.Contains(row, "130") || !strings.Contains(row, "90") {
		t.Errorf("the reading saved from the keyboard shows as %q", row)
	}
}

// press sends keys (text, or kb constants) to the focused element.
func press(tb testing.TB, ctx context.Context, keys string) {
	tb.Helper()
	if err := chromedp.Do(ctx, chromedp.KeyEvent(keys)); err != nil {
		tb.Fatalf("press %q: %v", keys, err)
	}
}

// focusedName names the focused element: "#id", or its tag and classes
// followed by its text in quotes.
func focusedName(tb testing.TB, ctx context.Context) string {
	tb.Helper()
	js := `(() => {
		const e = document.activeElement;
		if (!e) return "";
		if (e.id) return "#" + e.id;
		const text = e.textContent.trim().replace(/\s+/g, " ").slice(0, 40);
		return [e.tagName.toLowerCase(), ...e.classList].join(".") + (text ? ' "' + text + '"' : "");
	})()`
	name, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		tb.Fatalf("focused element: %v", err)
	}
	return name
}
