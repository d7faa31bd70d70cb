package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/internal/locale"
	pt "github.com/omahoito/omahoito/internal/portaltest"
	"github.com/omahoito/omahoito/record"
)

// The seeded professionals of the demo directory.
var (
	kainuuNurse  = pt.Professional("pro-kainuu-nurse", "unit-kainuu-kajaani", "kainuu")
	kainuuDoctor = pt.Professional("pro-kainuu-doctor", "unit-kainuu-kajaani", "kainuu")
	ouluNurse    = pt.Professional("pro-oulu-nurse", "unit-oulu-keskusta", "oulu")
	kainuuOp     = auth.Principal{Kind: auth.KindOperator, ProfessionalID: "op-kainuu", CareUnitID: "unit-kainuu-kajaani", RegionID: "kainuu"}
)

// Another citizen, who gives no one consent.
const otherHetu = "020290-9027"

// Values that appear nowhere else on the pages, so that finding them in
// the HTML means they leaked.
const (
	bpSystolic, bpDiastolic = 131, 79
	weightKg                = 87.3
)

// practice is a test portal with a citizen who has recorded a blood
// pressure and a weight and given the Kajaani unit consent for blood
// pressure only.
type practice struct {
	env     *pt.Env
	citizen auth.Principal
	grant   consent.Grant
}

func newPractice(t *testing.T) practice {
	t.Helper()
	env := pt.New(t, pt.Options{})
	c := env.MustCitizen(t, hetu, "kainuu")
	ctx := context.Background()
	at := time.Now().Add(-time.Hour)
	_, err := env.Records.Record(ctx, c, c.PersonID, record.Source{Kind: record.SourceManual}, []record.Input{
		{Kind: record.BloodPressure, Value: bpSystolic, Diastolic: bpDiastolic, At: at},
		{Kind: record.BodyWeight, Value: weightKg, At: at},
	})
	if err != nil {
		t.Fatal(err)
	}
	g, err := env.Consents.GiveConsent(ctx, c, c.PersonID, consent.Give{
		Grantee: consent.Grantee{Kind: consent.GranteeUnit, ID: "unit-kainuu-kajaani"},
		Scope:   consent.Scope{Classes: []consent.ClassScope{{Class: record.ClassMeasurements, Items: []string{string(record.BloodPressure)}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return practice{env: env, citizen: c, grant: g}
}

func (p practice) do(t *testing.T, who auth.Principal, method, target string, form url.Values) (*httptest.ResponseRecorder, *pt.Page) {
	t.Helper()
	w := p.env.Do(t, who, method, target, form.Encode())
	if loc := w.Header().Get("Location"); strings.Contains(loc, hetu) || strings.Contains(loc, otherHetu) {
		t.Errorf("%s %s: the identity code is in the Location %q", method, target, loc)
	}
	return w, pt.ParsePage(t, w.Body.String())
}

// noBloodPressure fails when the blood pressure shows on the page, in the
// patient view's or the table's way of writing it.
func noBloodPressure(t *testing.T, what string, w *httptest.ResponseRecorder) {
	t.Helper()
	for _, s := range []string{"131/79", ">131<"} {
		if strings.Contains(w.Body.String(), s) {
			t.Errorf("%s shows the blood pressure (%s)", what, s)
		}
	}
}

// noWeight fails when the weight shows anywhere on the page, in any of
// the ways a page writes it.
func noWeight(t *testing.T, what string, w *httptest.ResponseRecorder) {
	t.Helper()
	for _, s := range []string{"87,3", "87.3"} {
		if strings.Contains(w.Body.String(), s) {
			t.Errorf("%s shows the weight %s, which no consent covers", what, s)
		}
	}
}

func TestProSeesOnlyWhatTheUnitConsentCovers(t *testing.T) {
	p := newPractice(t)
	patient := "/pro/patients/" + p.citizen.PersonID
	for name, who := range map[string]auth.Principal{"nurse": kainuuNurse, "doctor of the same unit": kainuuDoctor} {
		t.Run(name, func(t *testing.T) {
			w, page := p.do(t, who, http.MethodGet, "/pro/patients?lang=en", nil)
			if w.Code != http.StatusOK {
				t.Fatalf("my patients: %d", w.Code)
			}
			if got := page.Attrs("href", pt.Tag("a"), pt.Within(pt.Class("patients"))); len(got) != 1 || got[0] != patient {
				t.Fatalf("my patients link to %v, want [%s]", got, patient)
			}
			if line := page.Text(pt.Tag("li"), pt.Within(pt.Class("patients"), pt.Tag("ul"))); !strings.Contains(line, "Kajaanin terveysasema") {
				t.Errorf("the consent line does not say it is through the unit: %q", line)
			}
			noWeight(t, "my patients", w)

			w, page = p.do(t, who, http.MethodGet, patient+"?lang=en", nil)
			if w.Code != http.StatusOK {
				t.Fatalf("patient view: %d", w.Code)
			}
			if !strings.Contains(page.Text(pt.Tag("table")), "131/79") {
				t.Errorf("the patient view does not show the blood pressure:\n%s", page.Text(pt.Tag("main")))
			}
			if kinds := page.Texts(pt.Tag("th"), pt.Within(pt.Tag("tbody"))); len(kinds) != 1 {
				t.Errorf("the patient view lists the kinds %v, want blood pressure only", kinds)
			}
			noWeight(t, "the patient view", w)

			w, page = p.do(t, who, http.MethodGet, patient+"/measurements/body-weight?range=all&lang=en", nil)
			if w.Code != http.StatusForbidden || !strings.Contains(page.Text(pt.Tag("main")), "Your consent does not cover this kind") {
				t.Errorf("the weight page: %d %q, want 403 saying the consent does not cover it", w.Code, page.Text(pt.Tag("main")))
			}
			noWeight(t, "the weight page", w)

			w, page = p.do(t, who, http.MethodGet, patient+"/measurements/blood-pressure?range=all", nil)
			if w.Code != http.StatusOK {
				t.Fatalf("the blood pressure page: %d", w.Code)
			}
			if cells := page.Texts(pt.Tag("td"), pt.Within(pt.ID("measurements"))); len(cells) < 2 || cells[0] != "131" || cells[1] != "79" {
				t.Errorf("the blood pressure table: %v", cells)
			}
			if links := page.Attrs("href", pt.Tag("a"), pt.Within(pt.Tag("main"))); strings.Contains(strings.Join(links, " "), "/measurements/m/") {
				t.Errorf("the professional's page links to the citizen's edit pages: %v", links)
			}
		})
	}
	t.Run("nurse of another region", func(t *testing.T) {
		_, page := p.do(t, ouluNurse, http.MethodGet, "/pro/patients", nil)
		if got := page.All(pt.Class("patients")); len(got) != 0 {
			t.Errorf("the Oulu nurse has patients listed")
		}
		for _, target := range []string{patient, patient + "/measurements/blood-pressure"} {
			w, _ := p.do(t, ouluNurse, http.MethodGet, target, nil)
			if w.Code != http.StatusForbidden {
				t.Errorf("%s: %d, want 403", target, w.Code)
			}
			noBloodPressure(t, target, w)
		}
	})
}

func TestProRevokedConsentHoldsAtOnce(t *testing.T) {
	p := newPractice(t)
	patient := "/pro/patients/" + p.citizen.PersonID
	if w, _ := p.do(t, kainuuNurse, http.MethodGet, patient, nil); w.Code != http.StatusOK {
		t.Fatalf("before revoking: %d", w.Code)
	}
	if _, err := p.env.Consents.Revoke(context.Background(), p.citizen, p.grant.ID); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{patient, patient + "/measurements/blood-pressure"} {
		w, _ := p.do(t, kainuuNurse, http.MethodGet, target, nil)
		if w.Code != http.StatusForbidden {
			t.Errorf("%s after revoking: %d, want 403", target, w.Code)
		}
		noBloodPressure(t, target+" after revoking", w)
	}
	if _, page := p.do(t, kainuuNurse, http.MethodGet, "/pro/patients", nil); len(page.All(pt.Class("patients"))) != 0 {
		t.Errorf("the patient is still listed after revoking")
	}
}

func TestProLookup(t *testing.T) {
	p := newPractice(t)
	other := p.env.MustCitizen(t, otherHetu, "kainuu")
	w, _ := p.do(t, kainuuNurse, http.MethodPost, "/pro/lookup", url.Values{"hetu": {hetu}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/pro/patients/"+p.citizen.PersonID {
		t.Fatalf("a consented person: %d %q", w.Code, w.Header().Get("Location"))
	}

	w, page := p.do(t, kainuuNurse, http.MethodPost, "/pro/lookup?lang=en", url.Values{"hetu": {otherHetu}})
	if w.Code != http.StatusOK || !strings.Contains(page.Text(pt.Tag("main")), "No consent in force covers you for this person") {
		t.Fatalf("an unconsented person: %d\n%s", w.Code, page.Text(pt.Tag("main")))
	}
	if got := page.Value("hetu"); got != otherHetu {
		t.Errorf("the ask form carries %q, want the code typed", got)
	}
	if action := page.Attrs("action", pt.Tag("form"), pt.Attr("method", "post")); len(action) != 2 || action[1] != "/pro/ask" {
		t.Errorf("forms post to %v, want the ask form", action)
	}
	entries, _, err := p.env.Audit.Search(context.Background(), audit.Query{PatientID: other.PersonID})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Outcome != audit.Deny || entries[0].Actor.ID != "pro-kainuu-nurse" {
		t.Errorf("the other citizen's log: %+v, want one refusal naming the nurse", entries)
	}

	// No one has this code: the page is the same, so no one can be probed.
	_, nobody := p.do(t, kainuuNurse, http.MethodPost, "/pro/lookup?lang=en", url.Values{"hetu": {"030390-903P"}})
	if a, b := page.Text(pt.Tag("main")), nobody.Text(pt.Tag("main")); a != b {
		t.Errorf("a code no one has reads otherwise than an unconsented person's:\n%s\n%s", a, b)
	}

	for _, bad := range []string{"", "010190-900X", "not a code"} {
		w, page := p.do(t, kainuuNurse, http.MethodPost, "/pro/lookup", url.Values{"hetu": {bad}})
		if w.Code != http.StatusUnprocessableEntity {
			t.Errorf("hetu %q: %d, want 422", bad, w.Code)
		}
		if _, ok := fieldError(page, "hetu"); !ok {
			t.Errorf("hetu %q: no error beside the field", bad)
		}
	}
	if strings.Contains(p.env.Log.String(), otherHetu) || strings.Contains(p.env.Log.String(), hetu) {
		t.Errorf("the portal log holds an identity code:\n%s", p.env.Log.String())
	}
}

func TestProAsksForConsent(t *testing.T) {
	p := newPractice(t)
	other := p.env.MustCitizen(t, otherHetu, "kainuu")
	ask := url.Values{"hetu": {otherHetu}, "what": {"kinds"}, "kinds": {"blood-pressure", "glucose"}, "months": {"3"}}
	w, page := p.do(t, kainuuNurse, http.MethodPost, "/pro/ask", ask)
	if w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("without a reason: %d, want 422", w.Code)
	}
	if _, ok := fieldError(page, "reason"); !ok || page.Value("hetu") != otherHetu {
		t.Errorf("the form again: reason error %v, hidden code %q", ok, page.Value("hetu"))
	}
	if got := summary(page); got["#reason"] == "" {
		t.Errorf("the error summary does not link to the reason: %v", got)
	}

	ask.Set("reason", "Verenpaineen seuranta lääkityksen muutoksen jälkeen")
	w, _ = p.do(t, kainuuNurse, http.MethodPost, "/pro/ask", ask)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/pro/asks?sent=1" {
		t.Fatalf("sending: %d %q\n%s", w.Code, w.Header().Get("Location"), w.Body)
	}
	asks, err := p.env.Consents.Asks(context.Background(), other)
	if err != nil {
		t.Fatal(err)
	}
	if len(asks) != 1 || asks[0].ProfessionalID != "pro-kainuu-nurse" || asks[0].Months != 3 || asks[0].Reason != ask.Get("reason") ||
		len(asks[0].Scope.Classes) != 1 || strings.Join(asks[0].Scope.Classes[0].Items, ",") != "blood-pressure,glucose" {
		t.Fatalf("the citizen's requests: %+v", asks)
	}

	w, page = p.do(t, kainuuNurse, http.MethodGet, "/pro/asks?sent=1&lang=en", nil)
	if w.Code != http.StatusOK || !strings.Contains(page.Text(pt.Attr("role", "status")), "Your request has been sent") {
		t.Fatalf("my requests: %d %q", w.Code, page.Text(pt.Attr("role", "status")))
	}
	// A request still waiting is not listed: the list would tell whether
	// anyone in the region has the code asked for.
	if row := page.Text(pt.Tag("tbody")); row != "" || !strings.Contains(page.Text(pt.Tag("main")), "once the person has answered") {
		t.Errorf("my requests list a request still waiting: %q", row)
	}
	if err := p.env.Consents.DeclineAsk(context.Background(), other, asks[0].ID); err != nil {
		t.Fatal(err)
	}
	_, page = p.do(t, kainuuNurse, http.MethodGet, "/pro/asks?lang=en", nil)
	if row := page.Text(pt.Tag("tbody")); !strings.Contains(row, "Declined") || !strings.Contains(row, ask.Get("reason")) || !strings.Contains(row, "3 months") {
		t.Errorf("the answered request's row: %q", row)
	}
	if strings.Contains(w.Body.String(), "Henkilö") {
		t.Errorf("my requests name the person, who has not answered")
	}
	if strings.Contains(p.env.Log.String(), otherHetu) {
		t.Errorf("the portal log holds the identity code")
	}
}

func TestProPagesNeedAProfessional(t *testing.T) {
	p := newPractice(t)
	patient := "/pro/patients/" + p.citizen.PersonID
	pages := []struct {
		method, target string
		form           url.Values
	}{
		{http.MethodGet, "/pro/patients", nil},
		{http.MethodGet, patient, nil},
		{http.MethodGet, patient + "/measurements/blood-pressure", nil},
		{http.MethodGet, "/pro/lookup", nil},
		{http.MethodPost, "/pro/lookup", url.Values{"hetu": {hetu}}},
		{http.MethodPost, "/pro/ask", url.Values{"hetu": {hetu}, "what": {"all"}, "months": {"12"}, "reason": {"seuranta"}}},
		{http.MethodGet, "/pro/asks", nil},
	}
	for _, pg := range pages {
		w, page := p.do(t, auth.Principal{}, pg.method, pg.target, pg.form)
		if w.Code != http.StatusUnauthorized || len(page.All(pt.Tag("a"), pt.Attr("href", "/pro/login"))) == 0 {
			t.Errorf("%s %s anonymously: %d, want 401 with a professional's login link", pg.method, pg.target, w.Code)
		}
		for name, who := range map[string]auth.Principal{"the citizen": p.citizen, "an operator": kainuuOp} {
			w, _ := p.do(t, who, pg.method, pg.target, pg.form)
			if w.Code != http.StatusForbidden {
				t.Errorf("%s %s as %s: %d, want 403", pg.method, pg.target, name, w.Code)
			}
			noBloodPressure(t, pg.target+" as "+name, w)
		}
	}
	if asks, _ := p.env.Consents.Asks(context.Background(), p.citizen); len(asks) != 0 {
		t.Errorf("a citizen or an operator asked for consent: %+v", asks)
	}
}

// TestProPagesGolden keeps the professional's pages as rendered; the
// dates of the consent (given today, ending in a year) are normalised
// beside the moments portaltest normalises.
func TestProPagesGolden(t *testing.T) {
	p := newPractice(t)
	p.env.MustCitizen(t, otherHetu, "kainuu")
	patient := "/pro/patients/" + p.citizen.PersonID
	pages := []struct {
		name, method, target string
		form                 url.Values
	}{
		{"pro-patients", http.MethodGet, "/pro/patients?lang=en", nil},
		{"pro-patients-empty", http.MethodGet, "/pro/patients", nil},
		{"pro-patient", http.MethodGet, patient + "?lang=en", nil},
		{"pro-lookup-ask", http.MethodPost, "/pro/lookup", url.Values{"hetu": {otherHetu}}},
	}
	for _, pg := range pages {
		t.Run(pg.name, func(t *testing.T) {
			who := kainuuNurse
			if pg.name == "pro-patients-empty" {
				who = ouluNurse
			}
			w, page := p.do(t, who, pg.method, pg.target, pg.form)
			if w.Code != http.StatusOK {
				t.Fatalf("%d", w.Code)
			}
			got := pt.Normalise(page, time.Now())
			for _, l := range []locale.Lang{locale.Best("fi"), locale.Best("en")} {
				got = strings.ReplaceAll(got, l.FormatDate(p.grant.End), "END-DATE")
				got = strings.ReplaceAll(got, l.FormatDate(p.grant.CreatedAt), "TODAY")
			}
			pt.Golden(t, pg.name, got)
		})
	}
}
