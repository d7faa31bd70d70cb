package main

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/internal/browsertest"
)

// TestBrowserWhileTheDataIsMoved: during a move of the citizen's data the
// home page's notice and the page of a refused write are accessible (axe,
// 320 px reflow) and say what is going on; after the move the same form
// saves.
func TestBrowserWhileTheDataIsMoved(t *testing.T) {
	ctx := browsertest.New(t)
	a := MustStartApp(t, "sqlite")
	browserCitizenLogin(t, ctx, a)
	// The citizen's own id, as the API tells them.
	id, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`fetch("/fhir/r4/Patient").then(r => r.json()).then(b => b.entry[0].resource.id)`, chromedp.EvalAwaitPromise))
	if err != nil || id == "" {
		t.Fatalf("own id: %q %v", id, err)
	}
	mover, ok := a.store.(auth.Mover)
	if !ok {
		t.Fatal("the app's store does not keep moves")
	}
	if err := mover.BeginMove(context.Background(), id, "oulu", time.Now()); err != nil {
		t.Fatal(err)
	}

	browsertest.Visit(t, ctx, a.URL+"/")
	waitFor(t, ctx, "[role=status]", "Tietojasi siirretään alueelle Pohjois-Pohjanmaan hyvinvointialue")

	fillBP := func() {
		browsertest.Visit(t, ctx, a.URL+"/measurements/new?kind=blood-pressure")
		browsertest.Type(t, ctx, "#systolic", "128")
		browsertest.Type(t, ctx, "#diastolic", "84")
		browsertest.Click(t, ctx, `form.measurement button[type="submit"]`)
	}
	fillBP()
	waitFor(t, ctx, "h1", "Tietojasi siirretään")
	waitFor(t, ctx, "[role=alert]", "Voit katsoa tietojasi, mutta et voi muuttaa niitä")

	if err := mover.EndMove(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	fillBP()
	waitFor(t, ctx, "[role=status]", "Mittaus tallennettiin")
	browsertest.Visit(t, ctx, a.URL+"/")
	waitFor(t, ctx, "h1", "Hei, Maija Meikäläinen!")
	if n := count(t, ctx, ".notice"); n != 0 {
		t.Errorf("the home page shows %d notices after the move", n)
	}
}
