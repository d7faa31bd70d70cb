package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/auth/oidc"
	"github.com/omahoito/omahoito/internal/locale"
	pt "github.com/omahoito/omahoito/internal/portaltest"
	"github.com/omahoito/omahoito/record"
	"golang.org/x/net/html"
)

const hetu = "010190-900P" // born 1.1.1990

// citizen is a test portal with one citizen logged in.
type citizen struct {
	env *pt.Env
	who auth.Principal
}

func newCitizen(t *testing.T) citizen {
	t.Helper()
	env := pt.New(t, pt.Options{})
	return citizen{env: env, who: env.MustCitizen(t, hetu, "kainuu")}
}

// form is a filled add form for a measurement taken ago before now.
func form(kind string, ago time.Duration, fields ...string) url.Values {
	at := time.Now().Add(-ago).In(locale.Helsinki)
	f := url.Values{"kind": {kind}, "date": {at.Format("2006-01-02")}, "time": {at.Format("15:04")}}
	for i := 0; i+1 < len(fields); i += 2 {
		f.Set(fields[i], fields[i+1])
	}
	return f
}

func (c citizen) get(t *testing.T, target string) (*httptest.ResponseRecorder, *pt.Page) {
	t.Helper()
	w := c.env.Do(t, c.who, http.MethodGet, target, "")
	return w, pt.ParsePage(t, w.Body.String())
}

func (c citizen) post(t *testing.T, target string, f url.Values) (*httptest.ResponseRecorder, *pt.Page) {
	t.Helper()
	w := c.env.Do(t, c.who, http.MethodPost, target, f.Encode())
	return w, pt.ParsePage(t, w.Body.String())
}

// add posts the add form and expects to be sent to the kind page.
func (c citizen) add(t *testing.T, f url.Values) {
	t.Helper()
	w, _ := c.post(t, "/measurements/new", f)
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/measurements/k/"+f.Get("kind")+"?added=1") {
		t.Fatalf("add %v: %d %s\n%s", f, w.Code, w.Header().Get("Location"), w.Body)
	}
}

// historyLinks are the history links of a kind's table, newest first.
func (c citizen) historyLinks(t *testing.T, kind string) []string {
	t.Helper()
	_, p := c.get(t, "/measurements/k/"+kind+"?range=all")
	return p.Attrs("href", pt.Tag("a"), pt.Within(pt.Tag("td"), pt.Class("actions")), hrefSuffix("/history"))
}

func hrefSuffix(suffix string) pt.Matcher {
	return func(n *html.Node) bool { v, _ := pt.AttrOf(n, "href"); return strings.HasSuffix(v, suffix) }
}

// summary is the error summary's links (href → text).
func summary(p *pt.Page) map[string]string {
	out := map[string]string{}
	for _, a := range p.All(pt.Tag("a"), pt.Within(pt.Class("error-summary"))) {
		href, _ := pt.AttrOf(a, "href")
		out[href] = pt.Text(a)
	}
	return out
}

// fieldError is the message shown at field id, and whether the input is
// marked invalid and described by it.
func fieldError(p *pt.Page, id string) (string, bool) {
	input := p.First(pt.ID(id))
	inv, _ := pt.AttrOf(input, "aria-invalid")
	desc, _ := pt.AttrOf(input, "aria-describedby")
	return p.Text(pt.ID(id + "-error")), inv == "true" && strings.Contains(" "+desc+" ", " "+id+"-error ")
}

// TestFormReportsEveryErrorAtOnce: what cannot be read and what breaks a
// rule are reported together, each at its field and in the summary, and
// focus goes to the summary (autofocus: the CSP allows no script).
func TestFormReportsEveryErrorAtOnce(t *testing.T) {
	c := newCitizen(t)
	w, p := c.post(t, "/measurements/new", form("heart-rate", time.Hour,
		"value", "kolme", "date", "31.2.2026", "time", "25.00", "note", strings.Repeat("å", record.MaxNoteLength+1)))
	if w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", w.Code)
	}
	got := summary(p)
	for _, field := range []string{"value", "date", "time", "note"} {
		msg, marked := fieldError(p, field)
		if got["#"+field] == "" || msg == "" || !marked {
			t.Errorf("%s: summary %q, message %q, marked %v", field, got["#"+field], msg, marked)
		}
	}
	box := p.One(t, pt.Class("error-summary"))
	if _, ok := pt.AttrOf(box, "autofocus"); !ok || p.First(pt.Class("error-summary"), pt.Attr("tabindex", "-1")) == nil {
		t.Error("the error summary does not take the focus")
	}
	if len(p.All(pt.Tag("script"))) != 0 {
		t.Error("the form page has a script")
	}
	// A value out of range and a time in the future, both at once.
	_, p = c.post(t, "/measurements/new", form("blood-pressure", -24*time.Hour, "systolic", "400", "diastolic", "82"))
	if sys, _ := fieldError(p, "systolic"); !strings.Contains(sys, "(40–300 mmHg)") {
		t.Errorf("systolic: %q", sys)
	}
	if date, _ := fieldError(p, "date"); !strings.Contains(date, "tulevaisuudessa") {
		t.Errorf("date: %q", date)
	}
	if p.Value("systolic") != "400" {
		t.Error("the refused form does not keep what was typed")
	}
	if links := c.historyLinks(t, "heart-rate"); len(links) != 0 {
		t.Errorf("a refused form stored %d measurements", len(links))
	}
}

// TestGlucoseInMilligrams: a reading typed in mg/dL is told its range in
// mg/dL, and the history shows it as typed beside the converted value.
func TestGlucoseInMilligrams(t *testing.T) {
	c := newCitizen(t)
	_, p := c.post(t, "/measurements/new", form("glucose", time.Hour, "value", "2000", "unit", "mg/dL"))
	if msg, _ := fieldError(p, "value"); !strings.Contains(msg, "mg/dl)") || strings.Contains(msg, "mmol") {
		t.Errorf("range message for mg/dL: %q", msg)
	}
	c.add(t, form("glucose", time.Hour, "value", "108", "unit", "mg/dL"))
	links := c.historyLinks(t, "glucose")
	if len(links) != 1 {
		t.Fatalf("%d glucose readings", len(links))
	}
	_, hist := c.get(t, links[0])
	cell := hist.Text(pt.Tag("td"), pt.Class("num"))
	if cell != "6,0\u00a0mmol/l (syötetty 108\u00a0mg/dl)" {
		t.Errorf("history shows %q", cell)
	}
}

// TestMeasurementBeforeBirthRefused: the citizen was born in 1990.
func TestMeasurementBeforeBirthRefused(t *testing.T) {
	c := newCitizen(t)
	f := form("heart-rate", 0, "value", "64", "date", "1985-06-01", "time", "08:00")
	w, p := c.post(t, "/measurements/new", f)
	if msg, marked := fieldError(p, "date"); w.Code != http.StatusUnprocessableEntity || !strings.Contains(msg, "ennen syntymääsi") || !marked {
		t.Errorf("before birth: %d %q", w.Code, msg)
	}
	if n := len(c.historyLinks(t, "heart-rate")); n != 0 {
		t.Errorf("stored %d", n)
	}
}

// TestLanguageSwitchKeepsTheForm: the form's language buttons send it back
// in the chosen language with what was typed, numbers rewritten, and
// nothing saved.
func TestLanguageSwitchKeepsTheForm(t *testing.T) {
	c := newCitizen(t)
	_, p := c.get(t, "/measurements/new?kind=glucose")
	buttons := p.All(pt.Tag("button"), pt.Attr("name", "relang"), pt.HasAttr("formnovalidate"))
	if len(buttons) != 2 {
		t.Fatalf("%d language buttons, want sv and en", len(buttons))
	}
	action, _ := pt.AttrOf(p.First(pt.Tag("button"), pt.Attr("value", "en")), "formaction")
	f := form("glucose", time.Hour, "value", "6,5", "unit", "mmol/L", "note", "aamulla", "relang", "en", "formlang", "fi",
		"token", p.Value("token"))
	w, en := c.post(t, action, f)
	lang, _ := pt.AttrOf(en.First(pt.Tag("html")), "lang")
	if w.Code != http.StatusOK || lang != "en" || en.Value("value") != "6.5" || en.Value("note") != "aamulla" ||
		en.Value("token") != p.Value("token") || en.Value("date") != f.Get("date") {
		t.Errorf("switched to %q (%d): value %q, note %q", lang, w.Code, en.Value("value"), en.Value("note"))
	}
	if len(en.All(pt.Class("error-summary"))) != 0 {
		t.Error("switching the language reported errors")
	}
	if n := len(c.historyLinks(t, "glucose")); n != 0 {
		t.Errorf("switching the language stored %d", n)
	}
	// The correction form too.
	c.add(t, form("heart-rate", time.Hour, "value", "64"))
	edit := strings.TrimSuffix(c.historyLinks(t, "heart-rate")[0], "/history") + "/edit"
	w, sv := c.post(t, edit+"?lang=sv", form("heart-rate", time.Hour, "value", "70", "version", "1", "relang", "sv", "formlang", "en"))
	if w.Code != http.StatusOK || sv.Value("value") != "70" || sv.Value("version") != "1" {
		t.Errorf("edit form in sv: %d %q", w.Code, sv.Value("value"))
	}
}

// TestDeletedMeasurementHistoryReachable: after a delete, the notice on
// the kind page links to the deleted measurement's history.
func TestDeletedMeasurementHistoryReachable(t *testing.T) {
	c := newCitizen(t)
	c.add(t, form("heart-rate", time.Hour, "value", "64"))
	history := c.historyLinks(t, "heart-rate")[0]
	del := strings.TrimSuffix(history, "/history") + "/delete"
	w, _ := c.post(t, del, url.Values{"version": {"1"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("delete: %d", w.Code)
	}
	_, kind := c.get(t, w.Header().Get("Location"))
	link := kind.Attrs("href", pt.Tag("a"), pt.Within(pt.Class("notice")))
	if len(link) != 1 || link[0] != history {
		t.Fatalf("notice links %v, want %s", link, history)
	}
	w, hist := c.get(t, link[0])
	if w.Code != http.StatusOK || !strings.Contains(hist.Text(pt.Tag("tbody")), "Poistettu") {
		t.Errorf("history of the deleted measurement: %d", w.Code)
	}
	// A forged id in the notice leads nowhere else.
	_, forged := c.get(t, "/measurements/k/heart-rate?deleted=1&m=%2F%2Fevil.example")
	if len(forged.All(pt.Tag("a"), pt.Within(pt.Class("notice")))) != 0 {
		t.Error("the notice links a forged id")
	}
}

// TestResentFormWithOtherValues: a token already used for another reading
// gets the form back, with a fresh token and the message; nothing stored.
func TestResentFormWithOtherValues(t *testing.T) {
	c := newCitizen(t)
	_, p := c.get(t, "/measurements/new?kind=heart-rate")
	token := p.Value("token")
	first := form("heart-rate", time.Hour, "value", "64", "token", token)
	c.add(t, first)
	second := form("heart-rate", time.Hour, "value", "70", "token", token)
	w, again := c.post(t, "/measurements/new", second)
	if w.Code != http.StatusConflict || !strings.Contains(again.Text(pt.Class("error-summary")), "Tämä lomake oli jo lähetetty") ||
		again.Value("value") != "70" || again.Value("token") == token || again.Value("token") == "" {
		t.Errorf("resent: %d, token %q", w.Code, again.Value("token"))
	}
	c.add(t, first) // the same again: stored once
	if n := len(c.historyLinks(t, "heart-rate")); n != 1 {
		t.Errorf("%d measurements, want 1", n)
	}
}

// TestErrorPagesSayWhatHappened: the heading names the failure.
func TestErrorPagesSayWhatHappened(t *testing.T) {
	env := pt.New(t, pt.Options{})
	pro := pt.Professional("pro-kainuu-nurse", "unit-kainuu-kajaani", "kainuu")
	for _, tc := range []struct {
		who    auth.Principal
		target string
		status int
		h1     string
	}{
		{auth.Principal{}, "/no-such-page", http.StatusNotFound, "Sivua ei löytynyt"},
		{auth.Principal{}, "/no-such-page?lang=en", http.StatusNotFound, "Page not found"},
		{pro, "/measurements", http.StatusForbidden, "Ei oikeutta"},
		{auth.Principal{}, "/measurements?lang=sv", http.StatusUnauthorized, "Inloggning krävs"},
	} {
		w := env.Do(t, tc.who, http.MethodGet, tc.target, "")
		p := pt.ParsePage(t, w.Body.String())
		if w.Code != tc.status || p.Text(pt.Tag("h1")) != tc.h1 || !strings.HasPrefix(p.Text(pt.Tag("title")), tc.h1) {
			t.Errorf("%s: %d %q, want %d %q", tc.target, w.Code, p.Text(pt.Tag("h1")), tc.status, tc.h1)
		}
	}
}

// TestProfessionalHomesSayWhatTheyCanDo: now and what is coming.
func TestProfessionalHomesSayWhatTheyCanDo(t *testing.T) {
	env := pt.New(t, pt.Options{})
	operator := auth.Principal{Kind: auth.KindOperator, ProfessionalID: "op-kainuu", CareUnitID: "unit-kainuu-kajaani", RegionID: "kainuu"}
	for who, want := range map[auth.Principal]string{
		pt.Professional("pro-kainuu-nurse", "unit-kainuu-kajaani", "kainuu"): "antaneet sinulle tai yksiköllesi voimassa olevan suostumuksen",
		operator: "siirrät asukkaiden tiedot",
	} {
		p := pt.ParsePage(t, env.Do(t, who, http.MethodGet, "/", "").Body.String())
		can := p.First(pt.Tag("section"), pt.Class("can"))
		if pt.Text(can) == "" || !strings.Contains(pt.Text(can), want) || !strings.Contains(pt.Text(can), "Mitä voit tehdä") {
			t.Errorf("%s home: %q, want %q", who.Kind, pt.Text(can), want)
		}
	}
}

// TestPageFormsRefuseMultipartAndLargeBodies: no multipart body is read
// (nothing is written to disk) and a form has a size limit.
func TestPageFormsRefuseMultipartAndLargeBodies(t *testing.T) {
	c := newCitizen(t)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range form("heart-rate", time.Hour, "value", "64") {
		_ = mw.WriteField(k, v[0])
	}
	fw, _ := mw.CreateFormFile("upload", "big.bin")
	_, _ = fw.Write(bytes.Repeat([]byte("x"), 1<<20))
	_ = mw.Close()
	r := httptest.NewRequest(http.MethodPost, "/measurements/new", &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.Header.Set("Origin", pt.BaseURL)
	r.Host = strings.TrimPrefix(pt.BaseURL, "http://")
	w := httptest.NewRecorder()
	c.env.As(c.who).ServeHTTP(w, r)
	if w.Code != http.StatusUnsupportedMediaType {
		t.Errorf("multipart form: %d, want 415", w.Code)
	}
	big := form("heart-rate", time.Hour, "value", "64", "note", strings.Repeat("a", 70<<10))
	if w, _ := c.post(t, "/measurements/new", big); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("a 70 KB form: %d, want 413", w.Code)
	}
	if n := len(c.historyLinks(t, "heart-rate")); n != 0 {
		t.Errorf("stored %d", n)
	}
}

// TestNoLinkLeavesTheSite: the language links of any page, the not-found
// page of a path that starts like another site included, stay here.
func TestNoLinkLeavesTheSite(t *testing.T) {
	env := pt.New(t, pt.Options{})
	for _, target := range []string{"/%2F%2Fevil.example/x", "//evil.example/x", "/%5Cevil.example/x", "/%2F%5Cevil.example", "/a/..%2F%2Fevil.example"} {
		w := env.Do(t, auth.Principal{}, http.MethodGet, target, "")
		p := pt.ParsePage(t, w.Body.String())
		hrefs := append(p.Attrs("href"), p.Attrs("action")...)
		hrefs = append(hrefs, p.Attrs("formaction")...)
		if loc := w.Header().Get("Location"); loc != "" {
			hrefs = append(hrefs, loc)
		} else if len(hrefs) < 4 {
			t.Fatalf("%s: only %d links", target, len(hrefs))
		}
		for _, h := range hrefs {
			if strings.HasPrefix(h, "#") {
				continue // a place on this page
			}
			u, err := url.Parse(h)
			if err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(h, "/") || strings.HasPrefix(h, "//") || strings.Contains(h, `\`) {
				t.Errorf("%s: link %q leaves the site", target, h)
			}
		}
	}
}

// TestAnonymousPagesStoreNoSession: browsing without logging in sets no
// session cookie and leaves nothing in the session store.
func TestAnonymousPagesStoreNoSession(t *testing.T) {
	env := pt.New(t, pt.Options{})
	for _, target := range []string{"/", "/?lang=sv", "/measurements", "/no-such-page", "/measurements/new?kind=heart-rate"} {
		w := env.Do(t, auth.Principal{}, http.MethodGet, target, "")
		for _, ck := range w.Result().Cookies() {
			if ck.Name == oidc.SessionCookieName || ck.Name == oidc.SecureSessionCookieName {
				t.Errorf("%s set a session cookie", target)
			}
		}
	}
	w := env.Do(t, auth.Principal{}, http.MethodPost, "/measurements/new", form("heart-rate", time.Hour, "value", "64").Encode())
	if w.Code != http.StatusUnauthorized {
		t.Errorf("anonymous post: %d", w.Code)
	}
	all, err := env.Store.SessionStore().(interface {
		All() (map[string][]byte, error)
	}).All()
	if err != nil || len(all) != 0 {
		t.Errorf("the session store holds %d sessions (%v)", len(all), err)
	}
}
