package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/omahoito/omahoito/consent"
	pt "github.com/omahoito/omahoito/internal/portaltest"
)

// movingTexts are the error page's heading and message of a write refused
// during a move, and the home page's notice, in Finnish (the default).
const (
	movingHeading = "Tietojasi siirretään"
	movingMessage = "Tietojasi siirretään toiselle hyvinvointialueelle. Voit katsoa tietojasi, mutta et voi muuttaa niitä ennen kuin siirto on valmis. Siirto kestää yleensä muutaman minuutin. Mitään ei tallennettu: yritä uudelleen siirron jälkeen."
)

// movingCitizen is a citizen with a measurement, a file and a consent, whose
// data is then being moved to oulu.
type movingCitizen struct {
	citizen
	measurement, file string // the pages' paths
	grant             consent.Grant
}

func newMovingCitizen(t *testing.T) movingCitizen {
	t.Helper()
	c := movingCitizen{citizen: newCitizen(t)}
	c.add(t, form("heart-rate", time.Hour, "value", "64"))
	c.measurement = strings.TrimSuffix(c.historyLinks(t, "heart-rate")[0], "/history")
	c.file = c.mustUpload(t, "Kirje", "kirje.txt", []byte("hei"))
	c.grant = c.give(t, nurseGrantee, "heart-rate")
	if err := c.env.Store.BeginMove(context.Background(), c.who.PersonID, "oulu", time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	return c
}

// Every write a citizen can make on the pages is refused with 409 and the
// page that says the data is being moved, and nothing changes; after the
// move the same writes are done.
func TestPageWritesWaitWhileTheDataIsMoved(t *testing.T) {
	c := newMovingCitizen(t)
	upload := func() (int, *pt.Page) {
		w := c.upload(t, "Toinen", "toinen.txt", []byte("moi"))
		return w.Code, pt.ParsePage(t, w.Body.String())
	}
	post := func(target string, f url.Values) func() (int, *pt.Page) {
		return func() (int, *pt.Page) {
			w, p := c.post(t, target, f)
			return w.Code, p
		}
	}
	writes := []struct {
		name string
		send func() (int, *pt.Page)
	}{
		{"add a measurement", post("/measurements/new", form("heart-rate", 2*time.Hour, "value", "70"))},
		{"correct a measurement", post(c.measurement+"/edit", form("heart-rate", time.Hour, "value", "66", "version", "1"))},
		// The deletes name version 2, which the corrections above make
		// once the move is done; during it the gate refuses first.
		{"delete a measurement", post(c.measurement+"/delete", url.Values{"version": {"2"}})},
		{"upload a file", upload},
		{"describe a file", post(c.file+"/edit", url.Values{"version": {"1"}, "title": {"Uusi"}, "description": {""}})},
		{"delete a file", post(c.file+"/delete", url.Values{"version": {"2"}})},
		{"give a consent", post("/consents/confirm", c.confirmedGive(t))},
	}
	for _, wr := range writes {
		code, p := wr.send()
		if code != http.StatusConflict || p.Text(pt.Tag("h1")) != movingHeading ||
			p.Text(pt.Tag("p"), pt.Attr("role", "alert")) != movingMessage {
			t.Errorf("%s while moving: %d %q %q, want 409 and the moving page", wr.name, code,
				p.Text(pt.Tag("h1")), p.Text(pt.Tag("p"), pt.Attr("role", "alert")))
		}
	}
	c.wantUnchanged(t)
	// Withdrawing consent is never held up by a move.
	if code, p := post("/consents/"+c.grant.ID+"/revoke", url.Values{})(); code != http.StatusSeeOther {
		t.Errorf("revoke while moving: %d %q, want it done", code, p.Text(pt.Tag("h1")))
	}

	if err := c.env.Store.EndMove(context.Background(), c.who.PersonID); err != nil {
		t.Fatal(err)
	}
	for _, wr := range writes {
		if code, p := wr.send(); code != http.StatusSeeOther {
			t.Errorf("%s after the move: %d %q, want it done", wr.name, code, p.Text(pt.Tag("h1")))
		}
	}
}

// confirmedGive is the confirmation form of a consent to a care unit, as
// the confirmation page sends it.
func (c movingCitizen) confirmedGive(t *testing.T) url.Values {
	t.Helper()
	w, confirm := c.post(t, "/consents/new", giveForm("unit:unit-kainuu-sotkamo", "chosen", "12", "kind", "glucose"))
	if w.Code != http.StatusOK {
		t.Fatalf("the confirmation page while moving: %d, want it shown (a check writes nothing)", w.Code)
	}
	return hiddenFields(t, confirm)
}

// wantUnchanged: the measurement, the file and the one consent are as
// before the refused writes, and every page and API read still answers.
func (c movingCitizen) wantUnchanged(t *testing.T) {
	t.Helper()
	for _, target := range []string{"/", "/measurements", "/measurements/k/heart-rate", c.measurement + "/history",
		"/files", c.file, "/consents", "/consents/new", "/access-log",
		"/fhir/r4/Patient/" + c.who.PersonID, "/fhir/r4/Observation?patient=" + c.who.PersonID,
		"/fhir/r4/Consent?patient=" + c.who.PersonID, "/fhir/r4/DocumentReference?patient=" + c.who.PersonID} {
		if w := c.env.Do(t, c.who, http.MethodGet, target, ""); w.Code != http.StatusOK {
			t.Errorf("GET %s while moving: %d, want 200", target, w.Code)
		}
	}
	if len(c.historyLinks(t, "heart-rate")) != 1 {
		t.Error("a measurement was added or removed during the move")
	}
	if rows := c.fileRows(t); len(rows) != 1 {
		t.Errorf("files during the move: %v, want the one", rows)
	}
	if gs := c.grants(t); len(gs) != 1 || gs[0].Status != consent.StatusActive || gs[0].Version != 1 {
		t.Errorf("consents during the move: %+v, want the one, unchanged", gs)
	}
}

// The API refuses a write during the move with 409 and an
// OperationOutcome that says why in English; after the move it stores.
func TestAPIWritesWaitWhileTheDataIsMoved(t *testing.T) {
	c := newMovingCitizen(t)
	obs := `{"resourceType":"Observation","status":"final",` +
		`"code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},` +
		`"subject":{"reference":"Patient/` + c.who.PersonID + `"},` +
		`"effectiveDateTime":"` + time.Now().Add(-3*time.Hour).UTC().Format(time.RFC3339) + `",` +
		`"valueQuantity":{"value":61,"system":"http://unitsofmeasure.org","code":"/min"}}`
	w := c.env.Do(t, c.who, http.MethodPost, "/fhir/r4/Observation", obs)
	var oo struct {
		ResourceType string
		Issue        []struct{ Severity, Code, Diagnostics string }
	}
	if err := json.Unmarshal(w.Body.Bytes(), &oo); err != nil {
		t.Fatalf("%d %s: %v", w.Code, w.Body, err)
	}
	if w.Code != http.StatusConflict || oo.ResourceType != "OperationOutcome" || len(oo.Issue) != 1 ||
		oo.Issue[0].Code != "conflict" || !strings.Contains(oo.Issue[0].Diagnostics, "being moved to another region") {
		t.Fatalf("POST Observation while moving: %d %s", w.Code, w.Body)
	}
	c.wantUnchanged(t)

	if err := c.env.Store.EndMove(context.Background(), c.who.PersonID); err != nil {
		t.Fatal(err)
	}
	if w := c.env.Do(t, c.who, http.MethodPost, "/fhir/r4/Observation", obs); w.Code != http.StatusCreated {
		t.Errorf("POST Observation after the move: %d %s", w.Code, w.Body)
	}
}

// The home page says, as a status, where the data is being moved and since
// when, in each language; once the move is done it says nothing of it.
func TestHomeSaysTheDataIsBeingMoved(t *testing.T) {
	c := newMovingCitizen(t)
	for lang, want := range map[string]string{
		"fi": "Tietojasi siirretään alueelle Pohjois-Pohjanmaan hyvinvointialue (",
		"sv": "Dina uppgifter flyttas till Pohjois-Pohjanmaan hyvinvointialue (sedan ",
		"en": "Your data is being moved to Pohjois-Pohjanmaan hyvinvointialue (since ",
	} {
		_, home := c.get(t, "/?lang="+lang)
		notice := home.Text(pt.Class("notice"), pt.Attr("role", "status"))
		if !strings.HasPrefix(notice, want) {
			t.Errorf("%s: notice %q, want it to start %q", lang, notice, want)
		}
	}
	if err := c.env.Store.EndMove(context.Background(), c.who.PersonID); err != nil {
		t.Fatal(err)
	}
	if _, home := c.get(t, "/"); home.First(pt.Class("notice")) != nil {
		t.Errorf("after the move the home page still shows %q", home.Text(pt.Class("notice")))
	}
}
