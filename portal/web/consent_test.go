package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/internal/locale"
	pt "github.com/omahoito/omahoito/internal/portaltest"
	"github.com/omahoito/omahoito/record"
)

var nurse = pt.Professional("pro-kainuu-nurse", "unit-kainuu-kajaani", "kainuu")

// giveForm is the give form filled in: grantee, what, period, then more
// field pairs.
func giveForm(grantee, what, period string, fields ...string) url.Values {
	f := url.Values{"grantee": {grantee}, "what": {what}, "period": {period}}
	for i := 0; i+1 < len(fields); i += 2 {
		f.Add(fields[i], fields[i+1])
	}
	return f
}

// hiddenFields are the hidden inputs of the page's first POST form, as
// the browser would send them with its submit button.
func hiddenFields(t *testing.T, p *pt.Page) url.Values {
	t.Helper()
	form := p.First(pt.Tag("form"), pt.Attr("method", "post"), pt.Class("form-actions"))
	if form == nil {
		t.Fatal("no confirmation form")
	}
	f := url.Values{}
	for _, in := range pt.Find(form, pt.Tag("input"), pt.Attr("type", "hidden")) {
		name, _ := pt.AttrOf(in, "name")
		v, _ := pt.AttrOf(in, "value")
		f.Add(name, v)
	}
	return f
}

func (c citizen) grants(t *testing.T) []consent.Grant {
	t.Helper()
	gs, err := c.env.Consents.Consents(context.Background(), c.who, c.who.PersonID)
	if err != nil {
		t.Fatal(err)
	}
	return gs
}

// give stores a consent through the service, as a test's starting point.
func (c citizen) give(t *testing.T, g consent.Grantee, kinds ...string) consent.Grant {
	t.Helper()
	gr, err := c.env.Consents.GiveConsent(context.Background(), c.who, c.who.PersonID, consent.Give{
		Grantee: g, Scope: consent.Scope{Classes: []consent.ClassScope{{Class: record.ClassMeasurements, Items: kinds}}}})
	if err != nil {
		t.Fatal(err)
	}
	return gr
}

var nurseGrantee = consent.Grantee{Kind: consent.GranteeProfessional, ID: "pro-kainuu-nurse"}

// articleTexts are the texts of the consent cards in the list's section
// headed by id.
func articleTexts(p *pt.Page, section string) []string {
	return p.Texts(pt.Tag("article"), pt.Within(pt.Tag("section"), pt.Attr("aria-labelledby", section)))
}

// TestGiveConsentThroughTheForms: a care unit, blood pressure only: the
// form, the plain-words confirmation (nothing stored yet), confirm, the
// list. Confirm sent twice stores one consent.
func TestGiveConsentThroughTheForms(t *testing.T) {
	c := newCitizen(t)
	w, form := c.get(t, "/consents/new")
	if w.Code != http.StatusOK || form.First(pt.ID("grantee-unit-unit-kainuu-kajaani")) == nil || form.First(pt.ID("kind-blood-pressure")) == nil {
		t.Fatalf("give form: %d", w.Code)
	}
	values := form.Attrs("value", pt.Tag("input"), pt.Attr("name", "grantee"))
	for _, v := range values {
		if strings.Contains(v, "op-") || strings.Contains(v, "oulu") {
			t.Errorf("the form offers %s", v)
		}
	}
	if form.First(pt.ID("period-12"), pt.HasAttr("checked")) == nil {
		t.Error("12 months is not the default period")
	}
	w, confirm := c.post(t, "/consents/new", giveForm("unit:unit-kainuu-kajaani", "chosen", "12", "kind", "blood-pressure"))
	now := time.Now()
	want := "Kajaanin terveysasema saa nähdä mittauksesi (verenpaine) " + locale.Finnish.FormatDate(now) + " alkaen " +
		locale.Finnish.FormatDate(now.AddDate(1, 0, 0)) + " asti."
	if got := confirm.Text(pt.Class("consent-sentence")); w.Code != http.StatusOK || got != want {
		t.Fatalf("confirmation %d: %q, want %q", w.Code, got, want)
	}
	if n := len(c.grants(t)); n != 0 {
		t.Fatalf("the confirmation page stored %d consents", n)
	}
	hidden := hiddenFields(t, confirm)
	for range 2 { // the second is the same click sent again
		w, _ = c.post(t, "/consents/confirm", hidden)
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/consents?given=1" {
			t.Fatalf("confirm: %d %s", w.Code, w.Header().Get("Location"))
		}
	}
	gs := c.grants(t)
	if len(gs) != 1 || gs[0].Grantee.ID != "unit-kainuu-kajaani" || len(gs[0].Scope.Classes[0].Items) != 1 {
		t.Fatalf("stored %+v", gs)
	}
	_, list := c.get(t, "/consents?given=1")
	active := articleTexts(list, "active-heading")
	if list.Text(pt.Class("notice")) != "Suostumus on annettu." || len(active) != 1 ||
		!strings.Contains(active[0], "Kajaanin terveysasema") || !strings.Contains(active[0], "mittauksesi (verenpaine)") {
		t.Errorf("list: %q %q", list.Text(pt.Class("notice")), active)
	}
	// Change on the confirmation brings the form back as it was chosen.
	hidden.Set("change", "1")
	_, again := c.post(t, "/consents/new", hidden)
	if again.First(pt.ID("grantee-unit-unit-kainuu-kajaani"), pt.HasAttr("checked")) == nil ||
		again.First(pt.ID("kind-blood-pressure"), pt.HasAttr("checked")) == nil {
		t.Error("Change lost the choices")
	}
}

// TestGiveConsentRefusesBadInput: each refused form comes back (422) with
// the error at its field and in the summary; nothing is stored, whether
// the form is sent to the check or forged straight to the confirmation.
func TestGiveConsentRefusesBadInput(t *testing.T) {
	c := newCitizen(t)
	for _, tc := range []struct {
		name  string
		form  url.Values
		field string // the id the summary links to
	}{
		{"data window ends before it starts", giveForm("unit:unit-kainuu-kajaani", "all", "12", "datafrom", "2026-03-10", "datato", "2026-03-01"), "datato"},
		{"chosen kinds, none chosen", giveForm("unit:unit-kainuu-kajaani", "chosen", "12"), "what-all"},
		{"an operator forged as the grantee", giveForm("professional:op-kainuu", "all", "12"), "grantee-unit-unit-kainuu-kajaani"},
		{"another region's unit forged", giveForm("unit:unit-oulu-keskusta", "all", "12"), "grantee-unit-unit-kainuu-kajaani"},
		{"a start in the past", giveForm("unit:unit-kainuu-kajaani", "all", "12", "start", "2020-01-01"), "start"},
		{"a period not offered", giveForm("unit:unit-kainuu-kajaani", "all", "7"), "period-12"},
	} {
		for _, target := range []string{"/consents/new", "/consents/confirm"} {
			w, p := c.post(t, target, tc.form)
			links := summary(p)
			if w.Code != http.StatusUnprocessableEntity || links["#"+tc.field] == "" {
				t.Errorf("%s to %s: %d, summary %v", tc.name, target, w.Code, links)
			}
			if p.First(pt.Class("consent-sentence")) != nil {
				t.Errorf("%s to %s: shown as ready to confirm", tc.name, target)
			}
		}
	}
	if _, p := c.post(t, "/consents/new", giveForm("unit:unit-kainuu-kajaani", "all", "12", "datafrom", "2026-03-10", "datato", "2026-03-01")); true {
		if msg, marked := fieldError(p, "datato"); msg == "" || !marked {
			t.Errorf("data window error at the field: %q %v", msg, marked)
		}
	}
	if n := len(c.grants(t)); n != 0 {
		t.Errorf("refused forms stored %d consents", n)
	}
}

// TestRevokeThroughTheConfirmation: the list shows the consent ended, and
// the professional's next read is refused.
func TestRevokeThroughTheConfirmation(t *testing.T) {
	c := newCitizen(t)
	g := c.give(t, nurseGrantee)
	ctx := context.Background()
	if _, err := c.env.Records.Latest(ctx, nurse, c.who.PersonID); err != nil {
		t.Fatalf("the nurse reads under consent: %v", err)
	}
	_, list := c.get(t, "/consents")
	revoke := list.Attrs("href", pt.Tag("a"), pt.Within(pt.ID("consent-"+g.ID)), hrefSuffix("/revoke"))
	if len(revoke) != 1 {
		t.Fatalf("revoke links %v", revoke)
	}
	w, ask := c.get(t, revoke[0])
	if w.Code != http.StatusOK || !strings.Contains(ask.Text(pt.Tag("main")), "Aino Heikkinen, sairaanhoitaja, Kajaanin terveysasema") {
		t.Fatalf("revoke confirmation %d: %q", w.Code, ask.Text(pt.Tag("main")))
	}
	action, _ := pt.AttrOf(ask.First(pt.Tag("form"), pt.Class("form-actions")), "action")
	w, _ = c.post(t, action, nil)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("revoke: %d", w.Code)
	}
	_, after := c.get(t, w.Header().Get("Location"))
	notice := after.Text(pt.Class("notice"))
	if !strings.Contains(notice, "Aino Heikkinen") || !strings.Contains(notice, "ei näe tietojasi tästä hetkestä alkaen") {
		t.Errorf("notice %q", notice)
	}
	ended := articleTexts(after, "ended-heading")
	if len(ended) != 1 || !strings.Contains(ended[0], "Peruit tämän suostumuksen") || len(articleTexts(after, "active-heading")) != 0 {
		t.Errorf("ended %q", ended)
	}
	if _, err := c.env.Records.Latest(ctx, nurse, c.who.PersonID); !errors.Is(err, record.ErrDenied) {
		t.Errorf("the nurse's read after revoking: %v", err)
	}
}

// TestReceiptDownload: the receipt's fields, as an attachment, without
// the hetu.
func TestReceiptDownload(t *testing.T) {
	c := newCitizen(t)
	g := c.give(t, consent.Grantee{Kind: consent.GranteeUnit, ID: "unit-kainuu-kajaani"}, "blood-pressure")
	w := c.env.Do(t, c.who, http.MethodGet, "/consents/"+g.ID+"/receipt", "")
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/json" ||
		w.Header().Get("Content-Disposition") != `attachment; filename="consent-`+g.ID+`.json"` {
		t.Fatalf("receipt: %d %q %q", w.Code, w.Header().Get("Content-Type"), w.Header().Get("Content-Disposition"))
	}
	if strings.Contains(w.Body.String(), hetu) || strings.Contains(w.Body.String(), hetu[:6]) {
		t.Error("the receipt holds the hetu")
	}
	var r consent.Receipt
	if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	p := r.Services[0].Purposes[0]
	if r.ConsentReceiptID != g.ID || r.PIIPrincipalID != c.who.PersonID || r.PIIControllers[0].PIIController != "Kainuun hyvinvointialue" ||
		p.ThirdPartyName != "Kajaanin terveysasema" || r.Status != "given" || r.Language != "fi" ||
		len(p.PIICategory) != 1 || p.PIICategory[0] != "measurements: blood-pressure" || r.ValidUntil == "" {
		t.Errorf("receipt %+v", r)
	}
}

// TestAnswerRequests: a professional's requests show at the top; one is
// approved through its confirmation, the other declined.
func TestAnswerRequests(t *testing.T) {
	c := newCitizen(t)
	ctx := context.Background()
	// One request waits per professional: the doctor asks first, the nurse next.
	doctor := pt.Professional("pro-kainuu-doctor", "unit-kainuu-kajaani", "kainuu")
	for _, ask := range []struct {
		who    auth.Principal
		reason string
	}{{doctor, "Verenpaineen seuranta"}, {nurse, "Painon seuranta"}} {
		who, reason := ask.who, ask.reason
		err := c.env.Consents.AskConsent(ctx, who, c.who.PersonID, consent.AskFor{Months: 3, Reason: reason,
			Scope: consent.Scope{Classes: []consent.ClassScope{{Class: record.ClassMeasurements, Items: []string{"blood-pressure"}}}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	_, list := c.get(t, "/consents")
	asks := articleTexts(list, "asks-heading")
	if len(asks) != 2 || !strings.Contains(asks[0]+asks[1], "Verenpaineen seuranta") ||
		!strings.Contains(asks[0], "Aino Heikkinen, sairaanhoitaja, Kajaanin terveysasema") || !strings.Contains(asks[0], "3 kuukautta") {
		t.Fatalf("asks %q", asks)
	}
	approve := list.Attrs("action", pt.Tag("form"), pt.Attr("method", "get"), pt.Within(pt.Tag("article")))
	decline := list.Attrs("action", pt.Tag("form"), pt.Attr("method", "post"), pt.Within(pt.Tag("article")))
	w, confirm := c.get(t, approve[0])
	now := time.Now()
	want := "Aino Heikkinen, sairaanhoitaja, Kajaanin terveysasema saa nähdä mittauksesi (verenpaine) " +
		locale.Finnish.FormatDate(now) + " alkaen " + locale.Finnish.FormatDate(now.AddDate(0, 3, 0)) + " asti."
	if got := confirm.Text(pt.Class("consent-sentence")); w.Code != http.StatusOK || got != want {
		t.Fatalf("approve confirmation %d: %q, want %q", w.Code, got, want)
	}
	if n := len(c.grants(t)); n != 0 {
		t.Fatal("the confirmation stored a consent")
	}
	if w, _ := c.post(t, approve[0], nil); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/consents?approved=1" {
		t.Fatalf("approve: %d", w.Code)
	}
	if w, _ := c.post(t, decline[1], nil); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/consents?declined=1" {
		t.Fatalf("decline: %d", w.Code)
	}
	gs := c.grants(t)
	if len(gs) != 1 || gs[0].Grantee != nurseGrantee || !gs[0].InForce(time.Now()) {
		t.Fatalf("grants %+v", gs)
	}
	if w, _ := c.post(t, approve[0], nil); w.Code != http.StatusConflict {
		t.Errorf("approving an answered request: %d, want 409", w.Code)
	}
	_, list = c.get(t, "/consents")
	if len(articleTexts(list, "asks-heading")) != 0 {
		t.Error("answered requests still wait")
	}
}

// TestOthersCannotTouchAConsent: another citizen can neither revoke nor
// download someone's consent, nor answer their request; nothing changes.
func TestOthersCannotTouchAConsent(t *testing.T) {
	c := newCitizen(t)
	g := c.give(t, nurseGrantee)
	ctx := context.Background()
	if err := c.env.Consents.AskConsent(ctx, nurse, c.who.PersonID, consent.AskFor{Months: 1, Reason: "Seuranta",
		Scope: consent.Scope{Classes: []consent.ClassScope{{Class: record.ClassMeasurements}}}}); err != nil {
		t.Fatal(err)
	}
	asks, _ := c.env.Consents.Asks(ctx, c.who)
	other := c.env.MustCitizen(t, "150380-902U", "kainuu")
	for _, tc := range []struct{ method, target string }{
		{http.MethodGet, "/consents/" + g.ID + "/revoke"},
		{http.MethodPost, "/consents/" + g.ID + "/revoke"},
		{http.MethodGet, "/consents/" + g.ID + "/receipt"},
		{http.MethodGet, "/consents/asks/" + asks[0].ID + "/approve"},
		{http.MethodPost, "/consents/asks/" + asks[0].ID + "/approve"},
		{http.MethodPost, "/consents/asks/" + asks[0].ID + "/decline"},
	} {
		w := c.env.Do(t, other, tc.method, tc.target, "")
		if w.Code != http.StatusForbidden && w.Code != http.StatusNotFound {
			t.Errorf("%s %s by another citizen: %d", tc.method, tc.target, w.Code)
		}
		if strings.Contains(w.Body.String(), "Aino") {
			t.Errorf("%s %s told another citizen whom the consent names", tc.method, tc.target)
		}
	}
	gs := c.grants(t)
	after, _ := c.env.Consents.Asks(ctx, c.who)
	if len(gs) != 1 || gs[0].Status != consent.StatusActive || after[0].Status != consent.AskPending {
		t.Errorf("changed: %+v %+v", gs, after)
	}
}

// TestConsentPagesNeedTheCitizen: a visitor is asked to log in; a
// professional is refused by the service.
func TestConsentPagesNeedTheCitizen(t *testing.T) {
	env := pt.New(t, pt.Options{})
	for _, target := range []string{"/consents", "/consents/new", "/access-log"} {
		w := env.Do(t, auth.Principal{}, http.MethodGet, target, "")
		p := pt.ParsePage(t, w.Body.String())
		if w.Code != http.StatusUnauthorized || len(p.All(pt.Tag("a"), pt.Attr("href", "/login"))) == 0 {
			t.Errorf("%s anonymous: %d", target, w.Code)
		}
		if w := env.Do(t, nurse, http.MethodGet, target, ""); w.Code != http.StatusForbidden {
			t.Errorf("%s as a professional: %d, want 403", target, w.Code)
		}
	}
	if w := env.Do(t, nurse, http.MethodPost, "/consents/confirm", giveForm("unit:unit-kainuu-kajaani", "all", "12").Encode()); w.Code != http.StatusForbidden {
		t.Errorf("a professional giving consent: %d", w.Code)
	}
}

// TestConsentFormsRefuseCrossOrigin: a form posted from another site is
// refused before anything is read or stored.
func TestConsentFormsRefuseCrossOrigin(t *testing.T) {
	c := newCitizen(t)
	g := c.give(t, nurseGrantee)
	for target, f := range map[string]url.Values{
		"/consents/confirm":             giveForm("unit:unit-kainuu-kajaani", "all", "12"),
		"/consents/" + g.ID + "/revoke": {},
	} {
		r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(f.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Origin", "https://evil.example")
		r.Header.Set("Sec-Fetch-Site", "cross-site")
		r.Host = strings.TrimPrefix(pt.BaseURL, "http://")
		w := httptest.NewRecorder()
		c.env.As(c.who).ServeHTTP(w, r)
		if w.Code != http.StatusForbidden {
			t.Errorf("cross-origin %s: %d", target, w.Code)
		}
	}
	if gs := c.grants(t); len(gs) != 1 || gs[0].Status != consent.StatusActive {
		t.Errorf("a cross-origin post changed the consents: %+v", gs)
	}
}

// TestConsentPagesGolden keeps the list, the give form, its confirmation
// and the access log as rendered; today's dates become TODAY and the like.
func TestConsentPagesGolden(t *testing.T) {
	c := newCitizen(t)
	c.give(t, consent.Grantee{Kind: consent.GranteeUnit, ID: "unit-kainuu-sotkamo"}, "blood-pressure")
	g := c.give(t, nurseGrantee)
	if _, err := c.env.Consents.Revoke(context.Background(), c.who, g.ID); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.env.Records.Latest(ctx, pt.Professional("pro-kainuu-doctor", "unit-kainuu-kajaani", "kainuu"), c.who.PersonID); err == nil {
		t.Fatal("the doctor read without consent")
	}
	if err := c.env.Consents.AskConsent(ctx, nurse, c.who.PersonID, consent.AskFor{Months: 6, Reason: "Verenpaineen seuranta",
		Scope: consent.Scope{Classes: []consent.ClassScope{{Class: record.ClassMeasurements, Items: []string{"blood-pressure", "body-weight"}}}}}); err != nil {
		t.Fatal(err)
	}
	f, err := c.env.Files.Add(ctx, c.who, c.who.PersonID, record.Upload{Name: "lab.pdf", Title: "Laboratoriotulokset", Body: strings.NewReader(string(labPDF))})
	if err != nil {
		t.Fatal(err)
	}
	pages := []struct {
		name, method, target string
		body                 url.Values
	}{
		{"consent-list", http.MethodGet, "/consents", nil},
		{"consent-give", http.MethodGet, "/consents/new?lang=en", nil},
		{"consent-give-errors", http.MethodPost, "/consents/new", giveForm("", "chosen", "12", "files", "chosen")},
		{"consent-confirm", http.MethodPost, "/consents/new?lang=sv", giveForm("unit:unit-kainuu-sotkamo", "chosen", "0", "kind", "glucose", "datafrom", "2025-01-01",
			"files", "chosen", "file", f.ID)},
		{"accesslog", http.MethodGet, "/access-log", nil},
	}
	now := time.Now()
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			w := c.env.Do(t, c.who, p.method, p.target, p.body.Encode())
			if w.Code >= 500 {
				t.Fatalf("%d", w.Code)
			}
			pt.Golden(t, p.name, todayless(pt.Normalise(pt.ParsePage(t, w.Body.String()), now), now))
		})
	}
}

// todayless replaces the dates of this run (today and the ends of the
// periods offered) with names.
func todayless(s string, now time.Time) string {
	for _, lang := range []locale.Lang{locale.Finnish, locale.Swedish, locale.English} {
		for _, d := range []struct {
			name string
			at   time.Time
		}{{"TODAY+12M", now.AddDate(1, 0, 0)}, {"TODAY+6M", now.AddDate(0, 6, 0)}, {"TODAY", now}} {
			s = strings.ReplaceAll(s, lang.FormatDate(d.at), d.name)
		}
	}
	return s
}
