package web_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/omahoito/omahoito/auth"
	pt "github.com/omahoito/omahoito/internal/portaltest"
)

// privacyHeadings are the statement's section headings, in the order a
// reader meets them, and the words each language uses for the registrar
// and the rights.
var privacyHeadings = map[string]struct {
	h1        string
	h2        []string
	registrar string
	rights    []string
}{
	"fi": {"Tietosuojaseloste", []string{"Kuka vastaa tiedoistasi", "Mitä tietoja käsitellään", "Miksi tietoja käsitellään",
		"Kuka tietojasi näkee", "Katseluloki", "Oikeutesi", "Kuinka kauan tietoja säilytetään", "Henkilötunnus"},
		"rekisterinpitäjä", []string{"hakea ne kokonaan", "korjata ja poistaa", "perua suostumuksen", "kuitin", "tietosi siirtyvät mukanasi"}},
	"sv": {"Dataskyddsbeskrivning", []string{"Vem som ansvarar för dina uppgifter", "Vilka uppgifter som behandlas",
		"Varför uppgifterna behandlas", "Vem som ser dina uppgifter", "Visningsloggen", "Dina rättigheter",
		"Hur länge uppgifterna sparas", "Personbeteckningen"},
		"Personuppgiftsansvarig", []string{"hämta dem i sin helhet", "rätta och ta bort", "återkalla ett samtycke", "kvitto", "följer dina uppgifter med dig"}},
	"en": {"Privacy statement", []string{"Who is responsible for your data", "What data is processed", "Why the data is processed",
		"Who sees your data", "The access log", "Your rights", "How long the data is kept", "Personal identity code"},
		"controller", []string{"fetch all of it", "correct and delete", "revoke a consent", "receipt", "your data moves with you"}},
}

// TestPrivacyStatement: the page consent receipts name is there for
// anyone, in each language, with its sections in order; it names the
// registrar and the rights, and a citizen also reads which registrar is
// theirs and gets links to their consents and access log.
func TestPrivacyStatement(t *testing.T) {
	c := newCitizen(t)
	for lang, want := range privacyHeadings {
		for _, who := range []auth.Principal{{}, c.who} {
			w := c.env.Do(t, who, http.MethodGet, "/privacy?lang="+lang, "")
			if w.Code != http.StatusOK {
				t.Fatalf("%s, %s: %d", lang, who.Kind, w.Code)
			}
			p := pt.ParsePage(t, w.Body.String())
			if got := p.Texts(pt.Tag("h1")); len(got) != 1 || got[0] != want.h1 {
				t.Errorf("%s: h1 %q", lang, got)
			}
			if got := p.Texts(pt.Tag("h2")); !slices.Equal(got, want.h2) {
				t.Errorf("%s: sections %q, want %q", lang, got, want.h2)
			}
			text := pt.Text(p.First(pt.Tag("main")))
			for _, s := range append([]string{want.registrar}, want.rights...) {
				if !strings.Contains(text, s) {
					t.Errorf("%s: the statement does not say %q", lang, s)
				}
			}
			if len(p.All(pt.Tag("script"))) != 0 || len(p.All(pt.HasAttr("style"))) != 0 || len(p.All(pt.Tag("style"))) != 0 {
				t.Errorf("%s: inline script or style", lang)
			}
			current := p.Attrs("aria-current", pt.Tag("a"), pt.Within(pt.Tag("footer")))
			if len(current) != 1 || current[0] != "page" {
				t.Errorf("%s: the footer link does not mark the current page: %q", lang, current)
			}
			links := p.Attrs("href", pt.Tag("a"), pt.Within(pt.Tag("main")))
			registrar := p.Text(pt.ID("privacy-registrar"))
			if who.IsZero() && (registrar != "" || len(links) != 0) {
				t.Errorf("%s, anonymous: registrar %q, links %q", lang, registrar, links)
			}
			if !who.IsZero() && (!strings.HasSuffix(registrar, ": Kainuun hyvinvointialue") ||
				!slices.Equal(links, []string{"/consents", "/access-log"})) {
				t.Errorf("%s, citizen: registrar %q, links %q", lang, registrar, links)
			}
		}
	}
}

// TestPrivacyLinkedFromEveryPage: the footer of every page links to the
// statement, and a professional may read it too.
func TestPrivacyLinkedFromEveryPage(t *testing.T) {
	c := newCitizen(t)
	_, p := c.get(t, "/measurements")
	if got := p.Attrs("href", pt.Tag("a"), pt.Within(pt.Tag("footer"))); !slices.Equal(got, []string{"/privacy"}) {
		t.Errorf("footer links %q", got)
	}
	if got := p.Attrs("aria-current", pt.Tag("a"), pt.Within(pt.Tag("footer"))); len(got) != 0 {
		t.Errorf("the footer link marks another page as current: %q", got)
	}
	w := c.env.Do(t, nurse, http.MethodGet, "/privacy?lang=sv", "")
	if w.Code != http.StatusOK || strings.Contains(w.Body.String(), "privacy-registrar") {
		t.Errorf("a professional: %d", w.Code)
	}
}

// TestPrivacyGolden keeps the statement as rendered for an anonymous
// reader (go test ./portal/web -run Golden -update after a deliberate change).
func TestPrivacyGolden(t *testing.T) {
	env := pt.New(t, pt.Options{})
	w := env.Do(t, auth.Principal{}, http.MethodGet, "/privacy", "")
	if w.Code != http.StatusOK {
		t.Fatalf("%d", w.Code)
	}
	pt.Golden(t, "privacy", pt.Normalise(pt.ParsePage(t, w.Body.String()), time.Now()))
}
