package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/omahoito/omahoito/internal/browsertest"
)

// The citizen of the consent flows records a weight that no consent covers;
// its value, as either language writes it, must never reach a professional.
const (
	consentWeight   = "93.7"
	consentWeightFI = "93,7"
)

// TestBrowserConsentToUnit: a citizen consents to a care unit for blood
// pressure only; a nurse of that unit sees the blood pressure and its
// chart but no weight, and is refused the weight page; the citizen sees
// the nurse's name among those who viewed the data, revokes the consent,
// and the nurse's next request is refused. The citizen and the nurse each
// have their own browser (their own cookies), and axe and reflow check
// every page either of them visits.
func TestBrowserConsentToUnit(t *testing.T) {
	a := MustStartApp(t, "sqlite")
	cit := browsertest.New(t)
	browserLoginAs(t, cit, a, testHetu, "Maija", "Meikäläinen")
	browserAddReading(t, cit, a, "blood-pressure", map[string]string{"#systolic": "128", "#diastolic": "84"})
	// The weight is sent with Enter from its field, as a keyboard user does.
	browsertest.Visit(t, cit, a.URL+"/measurements/new?kind=body-weight")
	browsertest.Type(t, cit, "#value", consentWeight)
	browsertest.Enter(t, cit)
	waitFor(t, cit, "[role=status]", "The measurement was saved.")

	browserGiveBloodPressureConsent(t, cit, a)

	pro := browsertest.New(t)
	browserProLoginAs(t, pro, a, "kainuu-nurse", "Aino Heikkinen")
	patientURL := browserNurseSeesBloodPressureOnly(t, pro, a)

	// The citizen sees who looked, and the refusal of the weight page.
	browsertest.Visit(t, cit, a.URL+"/")
	click(t, cit, `main a[href="/access-log"]`)
	waitFor(t, cit, "h1", "Who has viewed my data")
	log := browsertest.Text(t, cit, "table.accesslog")
	for _, want := range []string{"Aino Heikkinen", "Viewed", "Refused: outside what the consent covers"} {
		if !strings.Contains(log, want) {
			t.Errorf("access log lacks %q:\n%s", want, log)
		}
	}

	// Revoking goes through its confirmation.
	browsertest.Visit(t, cit, a.URL+"/consents")
	click(t, cit, `.consent-actions a[href$="/revoke"]`)
	waitFor(t, cit, "h1", "Revoke this consent?")
	if q := browsertest.Text(t, cit, "main"); !strings.Contains(q, "lets Kajaanin terveysasema see your measurements (blood pressure).") {
		t.Errorf("the revoke question does not name the unit and blood pressure: %s", q)
	}
	click(t, cit, `button.danger`)
	waitFor(t, cit, "[role=status]", "The consent has been revoked.")
	if ended := browsertest.Text(t, cit, `section[aria-labelledby="ended-heading"]`); !strings.Contains(ended, "Kajaanin terveysasema") ||
		!strings.Contains(ended, "You revoked this consent") {
		t.Errorf("ended consents after revoking: %s", ended)
	}

	// The nurse's very next request, a reload of the patient, is refused.
	status := reloadStatus(t, pro)
	if status != 403 {
		t.Errorf("the patient page after revoking: status %d, want 403", status)
	}
	if h := browsertest.Text(t, pro, "h1"); h != "Not allowed" {
		t.Errorf("the patient page after revoking says %q", h)
	}
	if body := pageText(t, pro); strings.Contains(body, "128/84") || strings.Contains(body, "Maija") {
		t.Errorf("the refused page still shows the patient: %s", body)
	}
	browsertest.Visit(t, pro, a.URL+"/pro/patients")
	waitFor(t, pro, "main", "You have no patients yet.")
	if n := count(t, pro, `a[href="`+strings.TrimPrefix(patientURL, a.URL)+`"]`); n != 0 {
		t.Errorf("My patients still links to the patient after revoking")
	}
	browsertest.Visit(t, cit, a.URL+"/access-log")
	if log := browsertest.Text(t, cit, "table.accesslog"); !strings.Contains(log, "Refused: the consent had been revoked") {
		t.Errorf("the access log does not show the refusal after revoking:\n%s", log)
	}
}

// browserGiveBloodPressureConsent gives Kajaanin terveysasema a consent for
// blood pressure only, for 12 months, confirming it from the keyboard.
func browserGiveBloodPressureConsent(t *testing.T, ctx context.Context, a *testApp) {
	t.Helper()
	browsertest.Visit(t, ctx, a.URL+"/")
	click(t, ctx, `main a[href="/consents"]`)
	waitFor(t, ctx, "h1", "Your consents")
	waitFor(t, ctx, "main", "You have no consents in force.")
	click(t, ctx, `a[href="/consents/new"]`)
	waitFor(t, ctx, "h1", "Give consent")
	if l := browsertest.Text(t, ctx, `label[for="grantee-unit-unit-kainuu-kajaani"]`); l != "Kajaanin terveysasema" {
		t.Fatalf("the unit's radio is labelled %q", l)
	}
	click(t, ctx, "#grantee-unit-unit-kainuu-kajaani")
	click(t, ctx, "#what-chosen")
	click(t, ctx, "#kind-blood-pressure")
	click(t, ctx, "#period-12")
	click(t, ctx, `form.consent-give button[type="submit"]`)
	waitFor(t, ctx, "h1", "Check the consent")
	s := browsertest.Text(t, ctx, ".consent-sentence")
	if !strings.HasPrefix(s, "Kajaanin terveysasema will see your measurements (blood pressure) from ") || strings.Contains(s, "weight") {
		t.Errorf("confirmation sentence = %q", s)
	}

	// Keyboard: skip to main, Tab to Confirm, Enter.
	browsertest.Tab(t, ctx)
	browsertest.Enter(t, ctx)
	browsertest.Tab(t, ctx)
	if f := focusedName(t, ctx); f != `button "Confirm consent"` {
		t.Fatalf("Tab from main focused %s, want the Confirm button", f)
	}
	browsertest.Enter(t, ctx)
	waitFor(t, ctx, "[role=status]", "Your consent has been given.")
	card := browsertest.Text(t, ctx, `section[aria-labelledby="active-heading"] article`)
	if !strings.Contains(card, "Kajaanin terveysasema") || !strings.Contains(card, "your measurements (blood pressure)") || strings.Contains(card, "weight") {
		t.Errorf("the consent in force reads %q", card)
	}
}

// browserNurseSeesBloodPressureOnly walks the nurse from My patients to the
// patient and the blood-pressure chart, and to the weight page, which is
// refused. It returns the patient page's address.
func browserNurseSeesBloodPressureOnly(t *testing.T, ctx context.Context, a *testApp) string {
	t.Helper()
	click(t, ctx, `.pro-links a[href="/pro/patients"]`)
	waitFor(t, ctx, "h1", "My patients")
	if li := browsertest.Text(t, ctx, "ul.patients > li"); !strings.Contains(li, "Maija Meikäläinen") ||
		!strings.Contains(li, "home measurements: Blood pressure") {
		t.Errorf("My patients lists %q", li)
	}
	click(t, ctx, "ul.patients h2 a")
	waitFor(t, ctx, "h1", "Maija Meikäläinen")
	patientURL := location(t, ctx)
	if row := browsertest.Text(t, ctx, "table.data tbody"); !strings.Contains(row, "Blood pressure") || !strings.Contains(row, "128/84") {
		t.Errorf("the patient's measurements read %q", row)
	}
	noWeight(t, ctx)

	click(t, ctx, `table.data a[href$="/measurements/blood-pressure"]`)
	waitFor(t, ctx, "h1", "Blood pressure – Maija Meikäläinen")
	if n := count(t, ctx, ".chart svg"); n == 0 {
		t.Error("the blood-pressure page has no chart")
	}
	if row := browsertest.Text(t, ctx, "#measurements tbody tr"); !strings.Contains(row, "128") || !strings.Contains(row, "84") {
		t.Errorf("the blood-pressure table reads %q", row)
	}
	noWeight(t, ctx)

	if status := visitStatus(t, ctx, patientURL+"/measurements/body-weight"); status != 403 {
		t.Errorf("the weight page: status %d, want 403", status)
	}
	if msg := browsertest.Text(t, ctx, "[role=alert]"); msg != "Your consent does not cover this kind of measurement." {
		t.Errorf("the weight page says %q", msg)
	}
	noWeight(t, ctx)

	// Back on the patient page, where the nurse is when the consent ends.
	browsertest.Visit(t, ctx, patientURL)
	waitFor(t, ctx, "table.data tbody", "128/84")
	return patientURL
}

// TestBrowserConsentAsk: a nurse looks a person up by identity code, finds
// no consent and asks for one; the citizen sees the request, approves it
// through its confirmation, and the nurse then has the person among her
// patients with the data. axe and reflow check every page visited.
func TestBrowserConsentAsk(t *testing.T) {
	a := MustStartApp(t, "sqlite")
	cit := browsertest.New(t)
	browserLoginAs(t, cit, a, testHetu, "Matti", "Virtanen")
	browserAddReading(t, cit, a, "blood-pressure", map[string]string{"#systolic": "141", "#diastolic": "92"})
	click(t, cit, "form.logout button")
	waitFor(t, cit, "h1", "Welcome to Omahoito")

	pro := browsertest.New(t)
	browserProLoginAs(t, pro, a, "kainuu-nurse", "Aino Heikkinen")
	click(t, pro, `.pro-links a[href="/pro/lookup"]`)
	waitFor(t, pro, "h1", "Look up a person")
	browsertest.Type(t, pro, "#hetu", testHetu)
	click(t, pro, `form[action="/pro/lookup"] button[type="submit"]`)
	waitFor(t, pro, "h1", "No consent in force")
	if loc := location(t, pro); strings.Contains(loc, testHetu) {
		t.Errorf("the identity code is in the address %s", loc)
	}
	const reason = "Follow-up of home blood pressure after a change of medication."
	click(t, pro, "#what-all")
	click(t, pro, "#months-3")
	browsertest.Type(t, pro, "#reason", reason)
	click(t, pro, `form.ask button[type="submit"]`)
	waitFor(t, pro, "h1", "My requests for consent")
	// The list shows a request only once it is answered, so that it does
	// not tell whether the identity code is anyone's.
	waitFor(t, pro, "[role=status]", "Your request has been sent.")

	browserLoginAs(t, cit, a, testHetu, "Matti", "Virtanen")
	click(t, cit, `main a[href="/consents"]`)
	waitFor(t, cit, "h1", "Your consents")
	ask := browsertest.Text(t, cit, ".consent-asks article")
	for _, want := range []string{"Aino Heikkinen", reason, "all your measurements", "3 months"} {
		if !strings.Contains(ask, want) {
			t.Errorf("the request the citizen sees lacks %q: %s", want, ask)
		}
	}
	click(t, cit, `.consent-asks form[method="get"] button`)
	waitFor(t, cit, "h1", "Do you approve the request?")
	if s := browsertest.Text(t, cit, ".consent-sentence"); !strings.HasPrefix(s, "Aino Heikkinen") || !strings.Contains(s, "all your measurements") {
		t.Errorf("approval sentence = %q", s)
	}
	click(t, cit, `form.form-actions button[type="submit"]`)
	waitFor(t, cit, "[role=status]", "You approved the request.")
	if card := browsertest.Text(t, cit, `section[aria-labelledby="active-heading"] article`); !strings.Contains(card, "Aino Heikkinen") {
		t.Errorf("the consent in force reads %q", card)
	}

	click(t, pro, ".brand a")
	waitFor(t, pro, "h1", "Hello, Aino Heikkinen!")
	click(t, pro, `.pro-links a[href="/pro/patients"]`)
	waitFor(t, pro, "h1", "My patients")
	click(t, pro, "ul.patients h2 a")
	waitFor(t, pro, "h1", "Matti Virtanen")
	if row := browsertest.Text(t, pro, "table.data tbody"); !strings.Contains(row, "141/92") {
		t.Errorf("the patient's measurements read %q", row)
	}
	browsertest.Visit(t, pro, a.URL+"/pro/asks")
	waitFor(t, pro, "main", "Approved")
	row := browsertest.Text(t, pro, "table.asks tbody tr")
	for _, want := range []string{"3 months", reason, "Approved"} {
		if !strings.Contains(row, want) {
			t.Errorf("My requests lacks %q: %s", want, row)
		}
	}
}

// browserLoginAs logs a citizen of Kainuu in through the development
// provider, in English.
func browserLoginAs(t *testing.T, ctx context.Context, a *testApp, hetu, given, family string) {
	t.Helper()
	browsertest.Visit(t, ctx, a.URL+"/?lang=en")
	click(t, ctx, `a[href="/login"]`)
	waitFor(t, ctx, "h1", "Citizen login")
	browsertest.Type(t, ctx, "#hetu", hetu)
	if _, err := chromedp.Run(ctx, chromedp.SetValue(chromedp.CSS("#region"), "kainuu")); err != nil {
		t.Fatal(err)
	}
	browsertest.Type(t, ctx, "#given_name", given)
	browsertest.Type(t, ctx, "#family_name", family)
	click(t, ctx, `button[type="submit"]`)
	waitFor(t, ctx, "h1", "Hello, "+given+" "+family+"!")
}

// browserProLoginAs logs a professional in through /pro/login, in English.
func browserProLoginAs(t *testing.T, ctx context.Context, a *testApp, username, name string) {
	t.Helper()
	browsertest.Visit(t, ctx, a.URL+"/?lang=en")
	click(t, ctx, `a[href="/pro/login"]`)
	waitFor(t, ctx, "h1", "Professional login")
	browsertest.Type(t, ctx, "#username", username)
	click(t, ctx, `button[type="submit"]`)
	waitFor(t, ctx, "h1", "Hello, "+name+"!")
}

// browserAddReading fills the form of a kind with today's time and saves it.
func browserAddReading(t *testing.T, ctx context.Context, a *testApp, kind string, fields map[string]string) {
	t.Helper()
	browsertest.Visit(t, ctx, a.URL+"/measurements/new?kind="+kind)
	for sel, v := range fields {
		browsertest.Type(t, ctx, sel, v)
	}
	click(t, ctx, `form.measurement button[type="submit"]`)
	waitFor(t, ctx, "[role=status]", "The measurement was saved.")
}

// noWeight fails the test if the page, in any text including the chart's,
// shows the weight no consent covers.
func noWeight(t *testing.T, ctx context.Context) {
	t.Helper()
	text := pageText(t, ctx)
	if strings.Contains(text, consentWeight) || strings.Contains(text, consentWeightFI) || strings.Contains(text, "Weight") {
		t.Errorf("%s shows the weight:\n%s", location(t, ctx), text)
	}
}

// pageText is all the text of the document, rendered or not (SVG desc too).
func pageText(tb testing.TB, ctx context.Context) string {
	tb.Helper()
	return textContent(tb, ctx, "html")
}

func location(tb testing.TB, ctx context.Context) string {
	tb.Helper()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		tb.Fatalf("location: %v", err)
	}
	return loc
}

// visitStatus navigates to url, checks the page with axe and reflow, and
// returns the HTTP status of the page.
func visitStatus(tb testing.TB, ctx context.Context, url string) int64 {
	tb.Helper()
	return navigationStatus(tb, ctx, "visit "+url, chromedp.Navigate(url))
}

// reloadStatus reloads the page as the browser's reload does, checks it and
// returns its HTTP status.
func reloadStatus(tb testing.TB, ctx context.Context) int64 {
	tb.Helper()
	return navigationStatus(tb, ctx, "reload", chromedp.Reload())
}

func navigationStatus(tb testing.TB, ctx context.Context, what string, nav chromedp.Action[chromedp.Void]) int64 {
	tb.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	res, err := chromedp.RunResponse(tctx, nav)
	if err != nil || res == nil {
		tb.Fatalf("%s: %v", what, err)
	}
	if _, err := chromedp.Run(tctx, chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
	browsertest.Check(tb, ctx)
	return res.Status
}

// click clicks the first element that matches sel (browsertest.Reflow
// waits until the window has its own width back, so the click lands).
func click(tb testing.TB, ctx context.Context, sel string) {
	tb.Helper()
	browsertest.Click(tb, ctx, sel)
}
