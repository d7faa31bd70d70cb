package main

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	pt "github.com/omahoito/omahoito/internal/portaltest"
)

const otherHetu = "010190-902S"

// editIDs are the ids of the measurements a page links to for correcting,
// read from the parsed page.
func editIDs(tb testing.TB, body string) []string {
	tb.Helper()
	var ids []string
	for _, href := range pt.ParsePage(tb, body).Attrs("href", pt.Tag("a")) {
		rest, ok := strings.CutPrefix(href, "/measurements/m/")
		if id, ok2 := strings.CutSuffix(rest, "/edit"); ok && ok2 {
			ids = append(ids, id)
		}
	}
	return ids
}

// formValue is the value of the input name on the page.
func formValue(tb testing.TB, body, name string) string {
	tb.Helper()
	return pt.ParsePage(tb, body).Value(name)
}

// measurementForm is a filled add form: taken ago before now, in Helsinki.
func measurementForm(kind string, ago time.Duration, fields ...string) url.Values {
	at := time.Now().Add(-ago).In(mustHelsinki())
	f := url.Values{"kind": {kind}, "date": {at.Format("2006-01-02")}, "time": {at.Format("15:04")}}
	for i := 0; i+1 < len(fields); i += 2 {
		f.Set(fields[i], fields[i+1])
	}
	return f
}

func mustHelsinki() *time.Location {
	loc, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		panic(err)
	}
	return loc
}

// mustCitizen logs a citizen in and returns their browser.
func mustCitizen(tb testing.TB, a *testApp, hetu string) *http.Client {
	tb.Helper()
	c := browser(tb)
	if res, _ := a.citizenLogin(tb, c, hetu, "kainuu"); res.StatusCode != http.StatusOK {
		tb.Fatalf("citizen login: %d", res.StatusCode)
	}
	return c
}

// addMeasurement posts the add form and expects to land on the kind page.
func addMeasurement(tb testing.TB, a *testApp, c *http.Client, form url.Values) string {
	tb.Helper()
	res, body := postForm(tb, c, a.URL+"/measurements/new", form)
	want := "/measurements/k/" + form.Get("kind")
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != want || res.Request.URL.Query().Get("added") != "1" {
		tb.Fatalf("add %v: landed on %s with %d, want %s?added=1:\n%s", form, res.Request.URL, res.StatusCode, want, body)
	}
	if !strings.Contains(body, `role="status"`) {
		tb.Errorf("no status notice after adding")
	}
	return body
}

// measurementIDs lists the ids in a kind page's table (all time), newest first.
func measurementIDs(tb testing.TB, a *testApp, c *http.Client, kind string) ([]string, string) {
	tb.Helper()
	res, body := get(tb, c, a.URL+"/measurements/k/"+kind+"?range=all")
	if res.StatusCode != http.StatusOK {
		tb.Fatalf("kind page %s: %d", kind, res.StatusCode)
	}
	return editIDs(tb, body), body
}

func mustRefuse(tb testing.TB, a *testApp, c *http.Client, form url.Values, field, message string) string {
	tb.Helper()
	res, body := postForm(tb, c, a.URL+"/measurements/new", form)
	if res.StatusCode != http.StatusUnprocessableEntity {
		tb.Fatalf("%v: status %d, want 422:\n%s", form, res.StatusCode, body)
	}
	for _, want := range []string{
		`role="alert"`, `href="#` + field + `"`, `id="` + field + `-error"`, message,
	} {
		if !strings.Contains(body, want) {
			tb.Errorf("%v: refusal lacks %q:\n%s", form, want, body)
		}
	}
	input := pt.ParsePage(tb, body).First(pt.ID(field))
	invalid, _ := pt.AttrOf(input, "aria-invalid")
	described, _ := pt.AttrOf(input, "aria-describedby")
	if invalid != "true" || !strings.Contains(" "+described+" ", " "+field+"-error ") {
		tb.Errorf("%v: field %s is not marked invalid and described by its message:\n%s", form, field, body)
	}
	return body
}

func TestMeasurementPagesAddAndList(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, a *testApp) {
		c := mustCitizen(t, a, testHetu)
		res, body := get(t, c, a.URL+"/measurements")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "<h1>Kotimittaukset</h1>") ||
			!strings.Contains(body, `href="/measurements/k/blood-pressure"`) {
			t.Fatalf("overview: %d\n%s", res.StatusCode, body)
		}
		_, home := get(t, c, a.URL+"/")
		if !strings.Contains(home, `href="/measurements"`) {
			t.Error("the citizen's home does not link to the measurements")
		}

		res, body = get(t, c, a.URL+"/measurements/new?kind=blood-pressure")
		token := formValue(t, body, "token")
		if !strings.Contains(body, `<label for="note">Lisätieto (vapaaehtoinen)</label>`) || strings.Contains(body, "Huomautus") {
			t.Error("the note field is not labelled Lisätieto")
		}
		if res.StatusCode != http.StatusOK || token == "" || !strings.Contains(body, `<label for="systolic">`) ||
			!strings.Contains(body, `type="date"`) || !strings.Contains(body, `maxlength="1000"`) {
			t.Fatalf("add form: %d\n%s", res.StatusCode, body)
		}
		bp := measurementForm("blood-pressure", 10*time.Minute, "systolic", "128", "diastolic", "82", "note", "aamulla", "token", token)
		page := addMeasurement(t, a, c, bp)
		for _, want := range []string{`role="img"`, "<svg", `<td class="num">128</td>`, `<td class="num">82</td>`, "aamulla", `<th scope="col">Lisätieto</th>`} {
			if !strings.Contains(page, want) {
				t.Errorf("blood-pressure page lacks %q", want)
			}
		}
		if strings.Contains(page, "style=") || strings.Contains(page, "<script") {
			t.Error("the kind page has inline style or script, which the CSP forbids")
		}
		// The same form sent twice (a double click, a reload) stores it once.
		addMeasurement(t, a, c, bp)
		if ids, _ := measurementIDs(t, a, c, "blood-pressure"); len(ids) != 1 {
			t.Fatalf("after sending one form twice: %d measurements, want 1", len(ids))
		}
		_, overview := get(t, c, a.URL+"/measurements")
		if !strings.Contains(overview, "128/82\u00a0mmHg") {
			t.Errorf("overview does not show the latest blood pressure:\n%s", overview)
		}

		// Decimal comma and point in Finnish; mg/dl converted to mmol/l.
		addMeasurement(t, a, c, measurementForm("glucose", time.Hour, "value", "6,2", "unit", "mmol/L"))
		addMeasurement(t, a, c, measurementForm("glucose", 2*time.Hour, "value", "5.4", "unit", "mmol/L"))
		addMeasurement(t, a, c, measurementForm("glucose", 3*time.Hour, "value", "108", "unit", "mg/dL"))
		ids, glucose := measurementIDs(t, a, c, "glucose")
		if len(ids) != 3 {
			t.Fatalf("glucose: %d measurements, want 3", len(ids))
		}
		for _, want := range []string{`<td class="num">6,2</td>`, `<td class="num">5,4</td>`, `<td class="num">6,0</td>`} {
			if !strings.Contains(glucose, want) {
				t.Errorf("glucose page lacks %s", want)
			}
		}
		// English numbers use a point; a comma there is refused, not guessed.
		get(t, c, a.URL+"/measurements?lang=en")
		mustRefuse(t, a, c, measurementForm("glucose", time.Hour, "value", "6,2", "unit", "mmol/L"), "value", "Enter the value as a number")
		_, en := get(t, c, a.URL+"/measurements/k/glucose")
		if !strings.Contains(en, `<td class="num">6.2</td>`) {
			t.Error("English page does not show 6.2 with a decimal point")
		}
	})
}

func TestMeasurementPagesRefuseBreakingRules(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, a *testApp) {
		c := mustCitizen(t, a, testHetu)
		body := mustRefuse(t, a, c, measurementForm("blood-pressure", time.Minute, "systolic", "400", "diastolic", "82"),
			"systolic", "Arvo on uskottavan vaihteluvälin ulkopuolella (40–300 mmHg)")
		if !strings.Contains(body, `value="400"`) {
			t.Error("the refused form does not keep what was typed")
		}
		mustRefuse(t, a, c, measurementForm("blood-pressure", time.Minute, "systolic", "80", "diastolic", "90"),
			"systolic", "Yläpaineen on oltava suurempi kuin alapaineen")
		mustRefuse(t, a, c, measurementForm("blood-pressure", -24*time.Hour, "systolic", "128", "diastolic", "82"),
			"date", "Mittausaika on tulevaisuudessa")
		mustRefuse(t, a, c, measurementForm("body-weight", time.Minute, "value", "kolme", "unit", "kg"),
			"value", "Anna arvo numeroina")
		mustRefuse(t, a, c, measurementForm("glucose", time.Minute, "value", "0,2", "unit", "mmol/L"),
			"value", "(0,5–50 mmol/l)")
		mustRefuse(t, a, c, measurementForm("body-weight", time.Minute, "value", "80", "unit", "stone"),
			"unit", "Valitse yksikkö")
		mustRefuse(t, a, c, measurementForm("heart-rate", time.Minute, "value", "70", "note", strings.Repeat("å", 1001)),
			"note", "enintään 1000 merkkiä")
		mustRefuse(t, a, c, measurementForm("heart-rate", time.Minute, "value", "70", "date", "31.2.2026"),
			"date", "Anna päivämäärä")
		for _, kind := range []string{"blood-pressure", "body-weight", "glucose", "heart-rate"} {
			if ids, _ := measurementIDs(t, a, c, kind); len(ids) != 0 {
				t.Errorf("%s: a refused form stored %d measurements", kind, len(ids))
			}
		}
		if res, _ := get(t, c, a.URL+"/measurements/new?kind=cholesterol"); res.StatusCode != http.StatusNotFound {
			t.Errorf("unknown kind: %d, want 404", res.StatusCode)
		}
	})
}

func TestMeasurementPagesCorrectDeleteHistory(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, a *testApp) {
		c := mustCitizen(t, a, testHetu)
		addMeasurement(t, a, c, measurementForm("blood-pressure", time.Hour, "systolic", "128", "diastolic", "82"))
		ids, _ := measurementIDs(t, a, c, "blood-pressure")
		if len(ids) != 1 {
			t.Fatalf("%d measurements, want 1", len(ids))
		}
		id := ids[0]
		edit := a.URL + "/measurements/m/" + id + "/edit"
		res, form := get(t, c, edit)
		if res.StatusCode != http.StatusOK || formValue(t, form, "version") != "1" || !strings.Contains(form, `value="128"`) {
			t.Fatalf("edit form: %d\n%s", res.StatusCode, form)
		}
		fix := measurementForm("blood-pressure", time.Hour, "systolic", "130", "diastolic", "85", "version", "1")
		res, body := postForm(t, c, edit, fix)
		if res.StatusCode != http.StatusOK || res.Request.URL.Query().Get("updated") != "1" || !strings.Contains(body, `<td class="num">130</td>`) {
			t.Fatalf("correction: %s %d\n%s", res.Request.URL, res.StatusCode, body)
		}
		// A form loaded before that correction, sent with other values, is
		// stale: the change is not lost. (The same values again are a double
		// click: TestMeasurementPagesDoubleSubmit.)
		stale := measurementForm("blood-pressure", time.Hour, "systolic", "131", "diastolic", "85", "version", "1")
		res, body = postForm(t, c, edit, stale)
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Mittausta oli muutettu") ||
			!strings.Contains(body, `name="version" value="2"`) {
			t.Fatalf("stale correction: %d\n%s", res.StatusCode, body)
		}
		history := a.URL + "/measurements/m/" + id + "/history"
		_, hist := get(t, c, history)
		for _, want := range []string{"130/85\u00a0mmHg", "128/82\u00a0mmHg", "Voimassa", "Aiempi versio"} {
			if !strings.Contains(hist, want) {
				t.Errorf("history lacks %q:\n%s", want, hist)
			}
		}

		res, confirm := get(t, c, a.URL+"/measurements/m/"+id+"/delete")
		if res.StatusCode != http.StatusOK || !strings.Contains(confirm, "Poistetaanko mittaus?") || !strings.Contains(confirm, "130/85") {
			t.Fatalf("delete confirmation: %d\n%s", res.StatusCode, confirm)
		}
		res, _ = postForm(t, c, a.URL+"/measurements/m/"+id+"/delete", url.Values{"version": {"2"}})
		if res.StatusCode != http.StatusOK || res.Request.URL.Query().Get("deleted") != "1" {
			t.Fatalf("delete: %s %d", res.Request.URL, res.StatusCode)
		}
		if ids, _ := measurementIDs(t, a, c, "blood-pressure"); len(ids) != 0 {
			t.Errorf("a deleted measurement is still listed: %v", ids)
		}
		_, hist = get(t, c, history)
		if !strings.Contains(hist, "Poistettu") || !strings.Contains(hist, "128/82") || strings.Count(hist, `<th scope="row">`) != 3 {
			t.Errorf("history after delete should keep three versions:\n%s", hist)
		}
		if res, _ := get(t, c, edit); res.StatusCode != http.StatusGone {
			t.Errorf("editing a deleted measurement: %d, want 410", res.StatusCode)
		}
	})
}

func TestMeasurementPagesBelongToTheCitizen(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, a *testApp) {
		owner := mustCitizen(t, a, testHetu)
		addMeasurement(t, a, owner, measurementForm("heart-rate", time.Hour, "value", "64"))
		ids, _ := measurementIDs(t, a, owner, "heart-rate")
		if len(ids) != 1 {
			t.Fatalf("%d measurements, want 1", len(ids))
		}
		other := mustCitizen(t, a, otherHetu)
		for _, p := range []string{"edit", "delete", "history"} {
			if res, _ := get(t, other, a.URL+"/measurements/m/"+ids[0]+"/"+p); res.StatusCode != http.StatusNotFound {
				t.Errorf("another citizen's GET %s: %d, want 404", p, res.StatusCode)
			}
		}
		res, _ := postForm(t, other, a.URL+"/measurements/m/"+ids[0]+"/delete", url.Values{"version": {"1"}})
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("another citizen's delete: %d, want 404", res.StatusCode)
		}
		if ids, _ := measurementIDs(t, a, other, "heart-rate"); len(ids) != 0 {
			t.Errorf("another citizen sees %d measurements", len(ids))
		}
		if still, _ := measurementIDs(t, a, owner, "heart-rate"); len(still) != 1 {
			t.Error("the owner's measurement is gone")
		}

		pro := browser(t)
		a.professionalLogin(t, pro, "kainuu-doctor")
		for _, p := range []string{"/measurements", "/measurements/k/heart-rate", "/measurements/m/" + ids[0] + "/history"} {
			if res, body := get(t, pro, a.URL+p); res.StatusCode != http.StatusForbidden || !strings.Contains(body, `role="alert"`) {
				t.Errorf("professional GET %s: %d, want the 403 page", p, res.StatusCode)
			}
		}
		if res, _ := get(t, browser(t), a.URL+"/measurements"); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous: %d, want 401", res.StatusCode)
		}
		assertNoPersonalData(t, a, testHetu, otherHetu)
	})
}

func TestMeasurementPagesPagingAndDates(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, a *testApp) {
		c := mustCitizen(t, a, testHetu)
		const n = 105
		for i := range n {
			form := measurementForm("heart-rate", time.Duration(i)*6*time.Hour+time.Minute, "value", strconv.Itoa(50+i))
			if res, body := postForm(t, c, a.URL+"/measurements/new", form); res.StatusCode != http.StatusOK {
				t.Fatalf("add %d: %d\n%s", i, res.StatusCode, body)
			}
		}
		ids, first := measurementIDs(t, a, c, "heart-rate")
		if len(ids) != 100 || !strings.Contains(first, "105 mittausta, uusin ensin") || !strings.Contains(first, "105 mittausta.") {
			t.Fatalf("first page: %d rows, want 100 of 105", len(ids))
		}
		if !strings.Contains(first, `<td class="num">50</td>`) || strings.Contains(first, `<td class="num">154</td>`) {
			t.Error("the first page does not start with the newest measurement")
		}
		next := pt.ParsePage(t, first).Attrs("href", pt.Tag("a"), pt.Within(pt.Class("paging")))
		if len(next) != 1 || !strings.Contains(next[0], "after=") {
			t.Fatalf("no link to older measurements: %v", next)
		}
		_, second := get(t, c, a.URL+next[0])
		if got := len(editIDs(t, second)); got != 5 || !strings.Contains(second, `<td class="num">154</td>`) ||
			!strings.Contains(second, "Uusimmat mittaukset") {
			t.Errorf("second page: %d rows, want the 5 oldest and a link back", got)
		}

		// Chosen dates: the last two Helsinki days hold 4 to 8 readings.
		today := time.Now().In(mustHelsinki())
		q := url.Values{"from": {today.AddDate(0, 0, -1).Format("2006-01-02")}, "to": {today.Format("2006-01-02")}}
		_, chosen := get(t, c, a.URL+"/measurements/k/heart-rate?"+q.Encode())
		if got := len(editIDs(t, chosen)); got < 4 || got > 8 || strings.Contains(chosen, `aria-current="true">30`) {
			t.Errorf("from %s to %s: %d rows", q.Get("from"), q.Get("to"), got)
		}
		res, bad := get(t, c, a.URL+"/measurements/k/heart-rate?from=2026-13-01")
		if res.StatusCode != http.StatusOK || !strings.Contains(bad, `id="filter-error"`) || !strings.Contains(bad, `aria-invalid="true"`) {
			t.Errorf("unreadable date: %d, want the page with a message at the filter", res.StatusCode)
		}
		// The language links of the add form lead back to choosing a kind.
		if res, _ := get(t, c, a.URL+"/measurements/new?lang=sv"); res.Request.URL.Path != "/measurements" {
			t.Errorf("add form without a kind went to %s", res.Request.URL)
		}
		if _, sv := get(t, c, a.URL+"/measurements/k/heart-rate"); !strings.Contains(sv, "105 mätningar, nyaste först") || !strings.Contains(sv, "105 mätningar.") {
			t.Error("Swedish count is not \"105 mätningar\"")
		}
		if _, en := get(t, c, a.URL+"/measurements/k/heart-rate?lang=en"); !strings.Contains(en, "105 measurements, newest first") || !strings.Contains(en, "105 measurements.") {
			t.Error("English count is not \"105 measurements\"")
		}
	})
}

// countRows counts the data rows of a table: one row header each.
func countRows(body string) int { return strings.Count(body, `<th scope="row">`) }

// A form sent again with its token (the back button) but with other values
// is shown again to be checked, with a fresh token: nothing is dropped
// silently and nothing is stored twice.
func TestMeasurementPagesResentFormWithOtherValues(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, a *testApp) {
		c := mustCitizen(t, a, testHetu)
		_, body := get(t, c, a.URL+"/measurements/new?kind=blood-pressure")
		if pt.ParsePage(t, body).First(pt.Tag("form"), pt.Attr("action", "/measurements/new"), pt.Attr("autocomplete", "off")) == nil {
			t.Error("the add form lets the browser restore old values (no autocomplete=\"off\")")
		}
		token := formValue(t, body, "token")
		first := measurementForm("blood-pressure", 10*time.Minute, "systolic", "128", "diastolic", "82", "token", token)
		addMeasurement(t, a, c, first)

		second := measurementForm("blood-pressure", 10*time.Minute, "systolic", "141", "diastolic", "90", "token", token)
		res, body := postForm(t, c, a.URL+"/measurements/new", second)
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Tämä lomake oli jo lähetetty") ||
			!strings.Contains(body, `role="alert"`) || !strings.Contains(body, `value="141"`) || !strings.Contains(body, `value="90"`) {
			t.Fatalf("resent form with other values: %d\n%s", res.StatusCode, body)
		}
		fresh := formValue(t, body, "token")
		if fresh == "" || fresh == token {
			t.Fatalf("the form shown again has no fresh token: %v", fresh)
		}
		if ids, _ := measurementIDs(t, a, c, "blood-pressure"); len(ids) != 1 {
			t.Fatalf("after the refused resend: %d measurements, want 1", len(ids))
		}
		// A different note is a different reading too.
		noted := measurementForm("blood-pressure", 10*time.Minute, "systolic", "128", "diastolic", "82", "note", "toinen", "token", token)
		noted.Set("date", first.Get("date"))
		noted.Set("time", first.Get("time"))
		if res, _ := postForm(t, c, a.URL+"/measurements/new", noted); res.StatusCode != http.StatusConflict {
			t.Errorf("resent form with another note: %d, want 409", res.StatusCode)
		}
		// Sent as shown, with the fresh token, it is stored.
		second.Set("token", fresh)
		addMeasurement(t, a, c, second)
		// The first form again, unchanged: still stored once.
		addMeasurement(t, a, c, first)
		if ids, _ := measurementIDs(t, a, c, "blood-pressure"); len(ids) != 2 {
			t.Fatalf("%d measurements, want 2", len(ids))
		}

		// The same weight in another unit is the same reading.
		_, body = get(t, c, a.URL+"/measurements/new?kind=body-weight")
		token = formValue(t, body, "token")
		kg := measurementForm("body-weight", time.Hour, "value", "80", "unit", "kg", "token", token)
		addMeasurement(t, a, c, kg)
		grams := measurementForm("body-weight", time.Hour, "value", "80000", "unit", "g", "token", token)
		grams.Set("date", kg.Get("date"))
		grams.Set("time", kg.Get("time"))
		addMeasurement(t, a, c, grams)
		if ids, _ := measurementIDs(t, a, c, "body-weight"); len(ids) != 1 {
			t.Errorf("80 kg and 80000 g with one token: %d measurements, want 1", len(ids))
		}

		get(t, c, a.URL+"/measurements?lang=sv")
		if _, body := postForm(t, c, a.URL+"/measurements/new", noted); !strings.Contains(body, "Formuläret har redan skickats") {
			t.Errorf("Swedish resend message missing:\n%s", body)
		}
		get(t, c, a.URL+"/measurements?lang=en")
		if _, body := postForm(t, c, a.URL+"/measurements/new", noted); !strings.Contains(body, "This form was already sent") {
			t.Errorf("English resend message missing:\n%s", body)
		}
	})
}

// A reading a few minutes ahead (a fast clock) is accepted, and so it is
// shown in the ranges that end now, in the table and in the chart.
func TestMeasurementPagesShowReadingsJustAhead(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, a *testApp) {
		c := mustCitizen(t, a, testHetu)
		addMeasurement(t, a, c, measurementForm("heart-rate", -4*time.Minute, "value", "66"))
		for _, q := range []string{"", "?range=7d", "?range=30d", "?range=1y", "?range=all"} {
			_, page := get(t, c, a.URL+"/measurements/k/heart-rate"+q)
			if got := len(editIDs(t, page)); got != 1 || !strings.Contains(page, `<td class="num">66</td>`) {
				t.Errorf("range %q: %d rows, want the reading 66", q, got)
			}
			if !strings.Contains(page, "Syke 66–66 /min.") || !strings.Contains(page, "1 mittaus.") ||
				strings.Contains(page, "Ei mittauksia tällä aikavälillä") {
				t.Errorf("range %q: the chart does not draw the reading:\n%s", q, page)
			}
		}
		_, sv := get(t, c, a.URL+"/measurements/k/heart-rate?lang=sv")
		_, en := get(t, c, a.URL+"/measurements/k/heart-rate?lang=en")
		if !strings.Contains(sv, "1 mätning,") || !strings.Contains(sv, "1 mätning.") ||
			!strings.Contains(en, "1 measurement,") || !strings.Contains(en, "1 measurement.") {
			t.Errorf("singular count missing in sv or en:\n%s\n%s", sv, en)
		}
	})
}

// Whole-number kinds take no fractions, and in Finnish and Swedish a point
// before three digits may be a thousands separator: both are refused
// rather than guessed.
func TestMeasurementPagesWholeNumbers(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, a *testApp) {
		c := mustCitizen(t, a, testHetu)
		mustRefuse(t, a, c, measurementForm("steps", time.Hour, "value", "12.000"), "value", "kirjoita 12000 tai 12 000")
		mustRefuse(t, a, c, measurementForm("heart-rate", time.Hour, "value", "64,5"), "value", "Anna arvo kokonaislukuna")
		mustRefuse(t, a, c, measurementForm("heart-rate", time.Hour, "value", "64.5"), "value", "Anna arvo kokonaislukuna")
		mustRefuse(t, a, c, measurementForm("blood-pressure", time.Hour, "systolic", "128,5", "diastolic", "82"), "systolic", "Anna arvo kokonaislukuna")
		mustRefuse(t, a, c, measurementForm("oxygen-saturation", time.Hour, "value", "97,5"), "value", "Anna arvo kokonaislukuna")
		mustRefuse(t, a, c, measurementForm("body-weight", time.Hour, "value", "3.500", "unit", "g"), "value", "kirjoita 3500 tai 3 500")
		for _, kind := range []string{"steps", "heart-rate", "blood-pressure", "oxygen-saturation", "body-weight"} {
			if ids, _ := measurementIDs(t, a, c, kind); len(ids) != 0 {
				t.Errorf("%s: a refused number stored %d measurements", kind, len(ids))
			}
		}
		addMeasurement(t, a, c, measurementForm("steps", time.Hour, "value", "12 000"))
		addMeasurement(t, a, c, measurementForm("heart-rate", time.Hour, "value", "64"))
		if _, steps := measurementIDs(t, a, c, "steps"); !strings.Contains(steps, "<td class=\"num\">12\u00a0000</td>") {
			t.Error("12 000 steps not stored as 12000")
		}
		addMeasurement(t, a, c, measurementForm("body-weight", time.Hour, "value", "72,5", "unit", "kg"))

		get(t, c, a.URL+"/measurements?lang=sv")
		mustRefuse(t, a, c, measurementForm("steps", 2*time.Hour, "value", "8.500"), "value", "8500")
		get(t, c, a.URL+"/measurements?lang=en")
		mustRefuse(t, a, c, measurementForm("steps", 2*time.Hour, "value", "8.5"), "value", "whole number")
		if ids, _ := measurementIDs(t, a, c, "steps"); len(ids) != 1 {
			t.Errorf("steps: %d measurements, want 1", len(ids))
		}
	})
}

// A double click sends a correction or a delete twice; the second send
// finds its own change already made and ends where the first did.
func TestMeasurementPagesDoubleSubmit(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, a *testApp) {
		c := mustCitizen(t, a, testHetu)
		addMeasurement(t, a, c, measurementForm("blood-pressure", time.Hour, "systolic", "128", "diastolic", "82"))
		ids, _ := measurementIDs(t, a, c, "blood-pressure")
		edit := a.URL + "/measurements/m/" + ids[0] + "/edit"
		fix := measurementForm("blood-pressure", time.Hour, "systolic", "132", "diastolic", "84", "note", "korjattu", "version", "1")
		for i := range 2 {
			res, body := postForm(t, c, edit, fix)
			if res.StatusCode != http.StatusOK || res.Request.URL.Query().Get("updated") != "1" {
				t.Fatalf("correction sent %d times: %s %d\n%s", i+1, res.Request.URL, res.StatusCode, body)
			}
		}
		history := a.URL + "/measurements/m/" + ids[0] + "/history"
		if _, hist := get(t, c, history); countRows(hist) != 2 {
			t.Errorf("a correction sent twice made %d versions, want 2", countRows(hist))
		}
		// A stale form with other values still conflicts.
		other := measurementForm("blood-pressure", time.Hour, "systolic", "135", "diastolic", "84", "version", "1")
		if res, _ := postForm(t, c, edit, other); res.StatusCode != http.StatusConflict {
			t.Errorf("stale correction with other values: %d, want 409", res.StatusCode)
		}

		del := a.URL + "/measurements/m/" + ids[0] + "/delete"
		for i := range 2 {
			res, body := postForm(t, c, del, url.Values{"version": {"2"}})
			if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/measurements/k/blood-pressure" ||
				res.Request.URL.Query().Get("deleted") != "1" || !strings.Contains(body, "Mittaus poistettiin") {
				t.Fatalf("delete sent %d times: %s %d\n%s", i+1, res.Request.URL, res.StatusCode, body)
			}
		}
		if _, hist := get(t, c, history); countRows(hist) != 3 {
			t.Errorf("a delete sent twice: %d versions, want 3", countRows(hist))
		}
	})
}

// The history says who entered each version and whether it was typed on
// the page or sent by an app or device.
func TestMeasurementHistoryShowsWhoAndSource(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, a *testApp) {
		c := mustCitizen(t, a, testHetu)
		addMeasurement(t, a, c, measurementForm("heart-rate", time.Hour, "value", "64"))
		at := time.Now().Add(-2 * time.Hour).Truncate(time.Second)
		session := MustAPICitizen(t, a, testHetu)
		res, body := session.do(t, http.MethodPost, "/Observation", quantityObservation(session.patientID, "8867-4", 71, "/min", at, ""))
		mustObservation(t, res, body, http.StatusCreated)
		token := devAppToken(t, a, testHetu)
		res, body = bearerDo(t, a, nil, http.MethodPost, "/Observation", token,
			quantityObservation(session.patientID, "8867-4", 75, "/min", at.Add(-time.Hour), ""))
		app := mustObservation(t, res, body, http.StatusCreated)

		ids, _ := measurementIDs(t, a, c, "heart-rate")
		if len(ids) != 3 {
			t.Fatalf("%d measurements, want 3", len(ids))
		}
		want := map[string][]string{
			"64\u00a0/min": {"<th scope=\"col\">Kirjaaja</th>", "<td>Sinä</td>", "<td>Kirjattu käsin</td>"},
			"71\u00a0/min": {"<td>Sinä</td>", "<td>Sovellus tai laite: Omahoito-palvelun rajapinta</td>"},
			"75\u00a0/min": {"<td>Sinä</td>", "<td>Sovellus tai laite: omahoito-dev-app</td>"},
		}
		for _, id := range ids {
			_, hist := get(t, c, a.URL+"/measurements/m/"+id+"/history")
			for value, parts := range want {
				if !strings.Contains(hist, value) {
					continue
				}
				for _, p := range parts {
					if !strings.Contains(hist, p) {
						t.Errorf("history of %s lacks %q:\n%s", value, p, hist)
					}
				}
				delete(want, value)
			}
		}
		if len(want) != 0 {
			t.Errorf("no history found for %v", want)
		}
		// A correction on the page is the citizen's; the reading still came from the app.
		edit := a.URL + "/measurements/m/" + app.ID + "/edit"
		fix := measurementForm("heart-rate", 3*time.Hour, "value", "76", "version", "1")
		if res, _ := postForm(t, c, edit, fix); res.StatusCode != http.StatusOK {
			t.Fatalf("correcting the app's reading: %d", res.StatusCode)
		}
		_, en := get(t, c, a.URL+"/measurements/m/"+app.ID+"/history?lang=en")
		if strings.Count(en, "<td>You</td>") != 2 || strings.Count(en, "<td>App or device: omahoito-dev-app</td>") != 2 {
			t.Errorf("English history:\n%s", en)
		}
	})
}
