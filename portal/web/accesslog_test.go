package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/internal/locale"
	pt "github.com/omahoito/omahoito/internal/portaltest"
)

var doctor = pt.Professional("pro-kainuu-doctor", "unit-kainuu-kajaani", "kainuu")

// logRows are the access log's rows, each as its cells' texts.
func logRows(p *pt.Page) [][]string {
	var rows [][]string
	for _, tr := range p.All(pt.Tag("tr"), pt.Within(pt.Tag("tbody"))) {
		var cells []string
		for _, cell := range pt.Find(tr, cellOf) {
			cells = append(cells, pt.Text(cell))
		}
		rows = append(rows, cells)
	}
	return rows
}

// TestAccessLogShowsWhoViewed: the nurse's read under consent and the
// doctor's refused attempt, newest first, in plain words.
func TestAccessLogShowsWhoViewed(t *testing.T) {
	c := newCitizen(t)
	_, empty := c.get(t, "/access-log")
	if empty.Text(pt.Class("empty")) != "Kukaan muu ei ole katsonut tietojasi." || len(empty.All(pt.Tag("table"))) != 0 {
		t.Errorf("empty log: %q", empty.Text(pt.Class("empty")))
	}
	g := c.give(t, nurseGrantee, "blood-pressure")
	c.add(t, form("blood-pressure", time.Hour, "systolic", "128", "diastolic", "82"))
	ctx := context.Background()
	if _, err := c.env.Records.Latest(ctx, nurse, c.who.PersonID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.env.Records.Latest(ctx, doctor, c.who.PersonID); err == nil {
		t.Fatal("the doctor read without consent")
	}
	w, p := c.get(t, "/access-log")
	rows := logRows(p)
	if w.Code != http.StatusOK || len(rows) != 2 {
		t.Fatalf("%d: rows %q", w.Code, rows)
	}
	doc, nur := strings.Join(rows[0], " | "), strings.Join(rows[1], " | ")
	if !strings.Contains(doc, "Mikko Korhonen") || !strings.Contains(doc, "Estetty: ei suostumusta") {
		t.Errorf("the refused attempt: %q", doc)
	}
	if !strings.Contains(nur, "Aino Heikkinen") || !strings.Contains(nur, "sairaanhoitaja, Kajaanin terveysasema") ||
		!strings.Contains(nur, "Katsoi") || !strings.Contains(nur, "1 tieto") {
		t.Errorf("the nurse's read: %q", nur)
	}
	links := p.Attrs("href", pt.Tag("a"), pt.Within(pt.Tag("tbody")))
	if len(links) != 1 || links[0] != "/consents#consent-"+g.ID {
		t.Errorf("consent links %v", links)
	}
	if len(p.All(pt.Tag("caption"))) != 1 || len(p.All(pt.Tag("th"), pt.Attr("scope", "col"))) != 5 {
		t.Error("the table has no caption or column headers")
	}
	// A revoked consent is the reason given for the next refusal.
	if _, err := c.env.Consents.Revoke(ctx, c.who, g.ID); err != nil {
		t.Fatal(err)
	}
	_, _ = c.env.Records.Latest(ctx, nurse, c.who.PersonID)
	_, p = c.get(t, "/access-log?lang=en")
	if got := strings.Join(logRows(p)[0], " | "); !strings.Contains(got, "Refused: the consent had been revoked") {
		t.Errorf("after revoking: %q", got)
	}
}

// TestAccessLogPagesAndFilters: fifty rows a page, an "older" link with a
// cursor that is validated, a date filter.
func TestAccessLogPagesAndFilters(t *testing.T) {
	c := newCitizen(t)
	ctx := context.Background()
	for range 52 {
		_, _ = c.env.Records.Latest(ctx, doctor, c.who.PersonID)
	}
	_, first := c.get(t, "/access-log")
	older := first.Attrs("href", pt.Tag("a"), pt.Attr("rel", "next"))
	if len(logRows(first)) != 50 || len(older) != 1 {
		t.Fatalf("first page: %d rows, older %v", len(logRows(first)), older)
	}
	_, second := c.get(t, older[0])
	if n := len(logRows(second)); n != 2 || len(second.All(pt.Attr("rel", "next"))) != 0 {
		t.Errorf("second page: %d rows", n)
	}
	for _, bad := range []string{"x", "2026-01-01T00:00:00Z_0_kainuu", "2026-01-01T00:00:00Z_5_..%2Fx", "yesterday_5_kainuu", "2026-01-01T00:00:00Z_5"} {
		if w := c.env.Do(t, c.who, http.MethodGet, "/access-log?older="+bad, ""); w.Code != http.StatusBadRequest {
			t.Errorf("cursor %q: %d, want 400", bad, w.Code)
		}
	}
	tomorrow := time.Now().In(locale.Helsinki).AddDate(0, 0, 1).Format("2006-01-02")
	_, future := c.get(t, "/access-log?from="+tomorrow)
	if len(logRows(future)) != 0 || future.Text(pt.Class("empty")) != "Kukaan muu ei katsonut tietojasi valitsemallasi aikavälillä." {
		t.Errorf("filtered to tomorrow: %d rows", len(logRows(future)))
	}
	today := time.Now().In(locale.Helsinki).Format("2006-01-02")
	_, now := c.get(t, "/access-log?from="+today+"&to="+today)
	if len(logRows(now)) != 50 || !strings.Contains(now.Attrs("href", pt.Attr("rel", "next"))[0], "from="+today) {
		t.Errorf("filtered to today: %d rows", len(logRows(now)))
	}
	_, unread := c.get(t, "/access-log?from=31.2.2026")
	if unread.Text(pt.ID("filter-error")) == "" || len(logRows(unread)) != 50 {
		t.Error("an unreadable date is not told")
	}
}

// TestAccessLogIsTheCitizensAlone: another citizen sees only their own
// (empty) log; a professional is refused.
func TestAccessLogIsTheCitizensAlone(t *testing.T) {
	c := newCitizen(t)
	c.give(t, consent.Grantee{Kind: consent.GranteeUnit, ID: "unit-kainuu-kajaani"})
	_, _ = c.env.Records.Latest(context.Background(), nurse, c.who.PersonID)
	other := c.env.MustCitizen(t, "150380-902U", "kainuu")
	p := pt.ParsePage(t, c.env.Do(t, other, http.MethodGet, "/access-log", "").Body.String())
	if len(logRows(p)) != 0 {
		t.Error("another citizen sees the log")
	}
	if w := c.env.Do(t, nurse, http.MethodGet, "/access-log", ""); w.Code != http.StatusForbidden || strings.Contains(w.Body.String(), "Aino") {
		t.Errorf("a professional: %d", w.Code)
	}
}

func cellOf(n *html.Node) bool { return n.Data == "th" || n.Data == "td" }
