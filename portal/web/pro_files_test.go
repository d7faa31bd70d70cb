package web_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/omahoito/omahoito/audit"
	pt "github.com/omahoito/omahoito/internal/portaltest"
	"github.com/omahoito/omahoito/record"
	"golang.org/x/net/html"
)

// A minimal PDF, which the sniffer takes for one.
var labPDF = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// rashPNG is a real 2×2 PNG.
func rashPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// sharing is a citizen with two files: a PDF of lab results and a photo
// of a rash.
type sharing struct {
	citizen
	lab, rash          record.File
	labBody, rashBody  []byte
	patient, labHref   string
	rashHref           string
	labTitle, rashName string
}

func newSharing(t *testing.T) sharing {
	t.Helper()
	s := sharing{citizen: newCitizen(t), labBody: labPDF, rashBody: rashPNG(t), labTitle: "Laboratoriotulokset", rashName: "ihottuma.png"}
	s.lab = s.addFile(t, record.Upload{Name: "lab.pdf", Title: s.labTitle, Body: bytes.NewReader(s.labBody)})
	s.rash = s.addFile(t, record.Upload{Name: s.rashName, Body: bytes.NewReader(s.rashBody)})
	s.patient = "/pro/patients/" + s.who.PersonID
	s.labHref, s.rashHref = s.patient+"/files/"+s.lab.ID, s.patient+"/files/"+s.rash.ID
	return s
}

func (s sharing) addFile(t *testing.T, up record.Upload) record.File {
	t.Helper()
	f, err := s.env.Files.Add(context.Background(), s.who, s.who.PersonID, up)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// giveThroughPages gives a consent the way the citizen does: the form,
// the confirmation (whose sentence it returns), Confirm.
func (s sharing) giveThroughPages(t *testing.T, form url.Values) string {
	t.Helper()
	w, confirm := s.post(t, "/consents/new", form)
	if w.Code != http.StatusOK || confirm.First(pt.Class("consent-sentence")) == nil {
		t.Fatalf("the form %v: %d, summary %v", form, w.Code, summary(confirm))
	}
	if w, _ := s.post(t, "/consents/confirm", hiddenFields(t, confirm)); w.Code != http.StatusSeeOther {
		t.Fatalf("confirm: %d", w.Code)
	}
	return confirm.Text(pt.Class("consent-sentence"))
}

// as is a professional's request.
func (s sharing) as(t *testing.T, target string) (*httptest.ResponseRecorder, *pt.Page) {
	t.Helper()
	w := s.env.Do(t, nurse, http.MethodGet, target, "")
	return w, pt.ParsePage(t, w.Body.String())
}

// fileLinks are the patient view's links to files' pages.
func fileLinks(p *pt.Page) []string {
	return p.Attrs("href", pt.Tag("a"), pt.Within(pt.Tag("th")), func(n *html.Node) bool {
		v, _ := pt.AttrOf(n, "href")
		return strings.Contains(v, "/files/")
	})
}

// refusedWithoutContent fails unless the answer is a refusal carrying
// none of body and not naming the file.
func refusedWithoutContent(t *testing.T, what string, w *httptest.ResponseRecorder, body []byte, name string) {
	t.Helper()
	if w.Code != http.StatusForbidden && w.Code != http.StatusNotFound {
		t.Errorf("%s: %d, want 403 or 404", what, w.Code)
	}
	if bytes.Contains(w.Body.Bytes(), body) || strings.Contains(w.Body.String(), name) || w.Header().Get("Content-Disposition") != "" {
		t.Errorf("%s: the refusal carries the file or its name", what)
	}
}

// TestProSeesOnlyTheChosenFile: a files-only consent for one file of two,
// given through the pages, names that file; the nurse sees it, opens and
// downloads its very bytes, and cannot reach the other in any way; the
// citizen sees the reads in their access log; revoking ends it at once.
func TestProSeesOnlyTheChosenFile(t *testing.T) {
	s := newSharing(t)
	_, form := s.get(t, "/consents/new")
	if form.First(pt.ID("file-"+s.lab.ID)) == nil || form.First(pt.ID("file-"+s.rash.ID)) == nil ||
		form.First(pt.ID("files-none"), pt.HasAttr("checked")) == nil {
		t.Fatalf("the give form does not offer both files with none chosen:\n%s", form.Text(pt.ID("files-fieldset")))
	}
	if got := form.Text(pt.Tag("label"), pt.Attr("for", "file-"+s.rash.ID)); got != s.rashName {
		t.Errorf("an untitled file is offered as %q, want its name", got)
	}

	sentence := s.giveThroughPages(t, giveForm("professional:pro-kainuu-nurse", "none", "12", "files", "chosen", "file", s.lab.ID))
	if !strings.Contains(sentence, "tiedostosi ("+s.labTitle+")") || strings.Contains(sentence, s.rashName) || strings.Contains(sentence, "mittau") {
		t.Errorf("the confirmation says %q, want the lab results named and nothing else", sentence)
	}
	gs := s.grants(t)
	if len(gs) != 1 || len(gs[0].Scope.Classes) != 1 || gs[0].Scope.Classes[0].Class != record.ClassFiles ||
		!slices.Equal(gs[0].Scope.Classes[0].Items, []string{s.lab.ID}) {
		t.Fatalf("stored %+v, want files only: the lab results", gs)
	}
	_, list := s.get(t, "/consents")
	if active := articleTexts(list, "active-heading"); len(active) != 1 || !strings.Contains(active[0], "tiedostosi ("+s.labTitle+")") {
		t.Errorf("the list says %q", active)
	}

	before := len(accessLog(t, s.env, s.who.PersonID))
	w, view := s.as(t, s.patient+"?lang=en")
	if w.Code != http.StatusOK {
		t.Fatalf("patient view: %d", w.Code)
	}
	if links := fileLinks(view); !slices.Equal(links, []string{s.labHref}) {
		t.Errorf("the patient view links to %v, want [%s]", links, s.labHref)
	}
	if strings.Contains(w.Body.String(), s.rashName) || strings.Contains(w.Body.String(), s.rash.ID) {
		t.Error("the patient view names the file no consent covers")
	}
	if !strings.Contains(view.Text(pt.Tag("main")), "The consent does not cover home measurements") {
		t.Errorf("a files-only consent: %q", view.Text(pt.Tag("main")))
	}

	w, page := s.as(t, s.labHref+"?lang=en")
	if w.Code != http.StatusOK || page.Text(pt.Tag("h1")) != s.labTitle ||
		len(page.Attrs("src", pt.Tag("iframe"), pt.Attr("src", s.labHref+"/preview"))) != 1 {
		t.Fatalf("the lab results' page: %d %q", w.Code, page.Text(pt.Tag("main")))
	}
	for _, tc := range []struct{ target, disposition string }{{s.labHref + "/download", "attachment"}, {s.labHref + "/preview", "inline"}} {
		w, _ = s.as(t, tc.target)
		if w.Code != http.StatusOK || !bytes.Equal(w.Body.Bytes(), s.labBody) || w.Header().Get("Content-Type") != "application/pdf" ||
			!strings.HasPrefix(w.Header().Get("Content-Disposition"), tc.disposition+";") || w.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d %q %q, %d bytes", tc.target, w.Code, w.Header().Get("Content-Type"), w.Header().Get("Content-Disposition"), w.Body.Len())
		}
	}
	for _, target := range []string{s.rashHref, s.rashHref + "/download", s.rashHref + "/preview"} {
		w, _ = s.as(t, target)
		refusedWithoutContent(t, target, w, s.rashBody, s.rashName)
	}

	es := accessLog(t, s.env, s.who.PersonID)[:len(accessLog(t, s.env, s.who.PersonID))-before]
	if !hasEntry(es, audit.Permit, "search", "") || !hasEntry(es, audit.Permit, "download", s.lab.ID) || !hasEntry(es, audit.Deny, "download", s.rash.ID) {
		t.Errorf("the citizen's access log lacks the nurse's listing, download or refused download: %+v", es)
	}
	_, logPage := s.get(t, "/access-log")
	if !strings.Contains(logPage.Text(pt.Tag("main")), "Aino Heikkinen") {
		t.Error("the access log page does not name the nurse")
	}

	if _, err := s.env.Consents.Revoke(context.Background(), s.who, gs[0].ID); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{s.patient, s.labHref, s.labHref + "/download", s.labHref + "/preview"} {
		w, _ = s.as(t, target)
		refusedWithoutContent(t, target+" after revoking", w, s.labBody, s.labTitle)
	}
}

// hasEntry reports whether es holds a files entry of the nurse's with
// the outcome and action, naming id when one is given.
func hasEntry(es []audit.Entry, o audit.Outcome, action, id string) bool {
	return slices.ContainsFunc(es, func(e audit.Entry) bool {
		return e.Actor.ID == nurse.ProfessionalID && e.Class == string(record.ClassFiles) && e.Outcome == o && e.Action == action &&
			(id == "" || slices.Contains(e.IDs, id))
	})
}

// TestProSeesAllFiles: a consent for measurements and all files shows
// both files, each previewed its own way; a text file shows as text, and
// a file added after the consent is covered too.
func TestProSeesAllFiles(t *testing.T) {
	s := newSharing(t)
	sentence := s.giveThroughPages(t, giveForm("unit:unit-kainuu-kajaani", "all", "12", "files", "all"))
	if !strings.Contains(sentence, "kaikki mittauksesi") || !strings.Contains(sentence, "kaikki tiedostosi") {
		t.Errorf("the confirmation says %q", sentence)
	}
	note := s.addFile(t, record.Upload{Name: "oireet.txt", Title: "Oirepäiväkirja", Body: strings.NewReader("Päänsärkyä <b>aamuisin</b>\n")})
	w, view := s.as(t, s.patient)
	links := fileLinks(view)
	slices.Sort(links)
	want := []string{s.labHref, s.rashHref, s.patient + "/files/" + note.ID}
	slices.Sort(want)
	if w.Code != http.StatusOK || !slices.Equal(links, want) {
		t.Fatalf("patient view %d links to %v, want %v", w.Code, links, want)
	}
	_, page := s.as(t, s.rashHref)
	if got := page.Attrs("src", pt.Tag("img")); !slices.Equal(got, []string{s.rashHref + "/preview"}) || page.Text(pt.Tag("h1")) != s.rashName {
		t.Errorf("the photo's page shows %v under %q", got, page.Text(pt.Tag("h1")))
	}
	w, _ = s.as(t, s.rashHref+"/preview")
	if w.Code != http.StatusOK || !bytes.Equal(w.Body.Bytes(), s.rashBody) || w.Header().Get("Content-Type") != "image/png" {
		t.Errorf("the photo's preview: %d %q", w.Code, w.Header().Get("Content-Type"))
	}
	w, page = s.as(t, s.patient+"/files/"+note.ID)
	if w.Code != http.StatusOK || page.Text(pt.Tag("pre")) != "Päänsärkyä <b>aamuisin</b>" || strings.Contains(w.Body.String(), "<b>aamuisin") {
		t.Errorf("the text file's page: %d %q", w.Code, page.Text(pt.Tag("pre")))
	}
	if w, _ = s.as(t, s.patient+"/files/"+note.ID+"/preview"); w.Code != http.StatusNotFound || w.Header().Get("Content-Disposition") != "" {
		t.Errorf("a text file previewed inline: %d", w.Code)
	}
}

// TestProFilesNotCovered: a consent for measurements only shows no
// files and asks the files service nothing: no files entry in the log.
func TestProFilesNotCovered(t *testing.T) {
	s := newSharing(t)
	s.give(t, nurseGrantee)
	w, view := s.as(t, s.patient+"?lang=en")
	if w.Code != http.StatusOK || len(fileLinks(view)) != 0 || !strings.Contains(view.Text(pt.Tag("main")), "The consent does not cover files") {
		t.Fatalf("patient view %d: %q", w.Code, view.Text(pt.Tag("main")))
	}
	for _, e := range accessLog(t, s.env, s.who.PersonID) {
		if e.Class == string(record.ClassFiles) {
			t.Errorf("a page without files consent asked for files: %+v", e)
		}
	}
	w, _ = s.as(t, s.labHref+"/download")
	refusedWithoutContent(t, "a download under a measurements consent", w, s.labBody, s.labTitle)
}

// TestGiveFilesConsentRefusesBadInput: files "chosen" with none ticked,
// nothing chosen at all, and a file that is not the citizen's are each
// refused at their field; nothing is stored.
func TestGiveFilesConsentRefusesBadInput(t *testing.T) {
	s := newSharing(t)
	other := s.env.MustCitizen(t, otherHetu, "kainuu")
	theirs, err := s.env.Files.Add(context.Background(), other, other.PersonID, record.Upload{Name: "muu.pdf", Body: bytes.NewReader(labPDF)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		form  url.Values
		field string
		msg   string
	}{
		{"chosen files, none ticked", giveForm("unit:unit-kainuu-kajaani", "none", "12", "files", "chosen"), "files-none", "Valitse vähintään yksi tiedosto."},
		{"no measurements and no files", giveForm("unit:unit-kainuu-kajaani", "none", "12", "files", "none"), "what-all", "Valitse mittauksia, tiedostoja tai molempia"},
		{"a file not the citizen's", giveForm("unit:unit-kainuu-kajaani", "none", "12", "files", "chosen", "file", theirs.ID), "files-none", "Valitse tiedostot luettelosta"},
		{"a files choice not offered", giveForm("unit:unit-kainuu-kajaani", "all", "12", "files", "some"), "files-none", "Valitse, mitä tiedostoja"},
	} {
		for _, target := range []string{"/consents/new", "/consents/confirm"} {
			w, p := s.post(t, target, tc.form)
			if w.Code != http.StatusUnprocessableEntity || !strings.Contains(summary(p)["#"+tc.field], tc.msg) {
				t.Errorf("%s to %s: %d, summary %v", tc.name, target, w.Code, summary(p))
			}
		}
	}
	_, p := s.post(t, "/consents/new", giveForm("unit:unit-kainuu-kajaani", "none", "12", "files", "chosen"))
	if p.Text(pt.ID("files-error")) == "" || p.First(pt.ID("files-chosen"), pt.HasAttr("checked")) == nil {
		t.Error("the error is not at the files, or the choice is lost")
	}
	if n := len(s.grants(t)); n != 0 {
		t.Errorf("refused forms stored %d consents", n)
	}
}

// TestProFilePagesGolden keeps the patient view with files and a file's
// page as rendered.
func TestProFilePagesGolden(t *testing.T) {
	s := newSharing(t)
	s.giveThroughPages(t, giveForm("professional:pro-kainuu-nurse", "none", "0", "files", "all"))
	for _, pg := range []struct{ name, target string }{
		{"pro-patient-files", s.patient + "?lang=en"},
		{"pro-file", s.labHref},
	} {
		t.Run(pg.name, func(t *testing.T) {
			w, page := s.as(t, pg.target)
			if w.Code != http.StatusOK {
				t.Fatalf("%d", w.Code)
			}
			got := strings.NewReplacer(s.lab.ID, "LAB-ID", s.rash.ID, "RASH-ID", s.who.PersonID, "PERSON-ID").Replace(pt.Normalise(page, time.Now()))
			pt.Golden(t, pg.name, todayless(got, time.Now()))
		})
	}
}

// TestProTextFileShownInPart: a text file longer than the page shows is
// cut at a whole character, said to be cut, and whole when downloaded.
func TestProTextFileShownInPart(t *testing.T) {
	s := newSharing(t)
	s.giveThroughPages(t, giveForm("professional:pro-kainuu-nurse", "none", "12", "files", "all"))
	long := "a" + strings.Repeat("ä", 40000) // the 64 KiB cut falls inside an ä
	note := s.addFile(t, record.Upload{Name: "pitka.txt", Body: strings.NewReader(long)})
	href := s.patient + "/files/" + note.ID
	w, page := s.as(t, href+"?lang=en")
	shown := page.Text(pt.Tag("pre"))
	if w.Code != http.StatusOK || !strings.HasPrefix(long, shown) || len(shown) != 64<<10-1 || !utf8.ValidString(shown) {
		t.Errorf("the page shows %d bytes (%d), want the first 65535, whole characters", len(shown), w.Code)
	}
	if !strings.Contains(page.Text(pt.Tag("main")), "Only the beginning of the file is shown") {
		t.Error("the page does not say the text is cut")
	}
	if w, _ = s.as(t, href+"/download"); w.Body.String() != long {
		t.Errorf("the download has %d bytes, want %d", w.Body.Len(), len(long))
	}
}
