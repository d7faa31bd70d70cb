package web_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/omahoito/omahoito/auth"
	pt "github.com/omahoito/omahoito/internal/portaltest"
	"github.com/omahoito/omahoito/record"
)

// multipartUpload is the upload form as a browser sends it: title,
// description, then the file.
func multipartUpload(t *testing.T, title, description, name string, content []byte) (*bytes.Buffer, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("title", title)
	_ = mw.WriteField("description", description)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(content)
	_ = mw.Close()
	return &body, mw.FormDataContentType()
}

// send posts body to target as who, from the portal's own origin unless
// origin says otherwise.
func send(env *pt.Env, who auth.Principal, target, contentType, origin string, body io.Reader) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, target, body)
	r.Header.Set("Content-Type", contentType)
	r.Header.Set("Origin", origin)
	r.Host = strings.TrimPrefix(pt.BaseURL, "http://")
	w := httptest.NewRecorder()
	env.As(who).ServeHTTP(w, r)
	return w
}

// upload sends the upload form and returns the answer.
func (c citizen) upload(t *testing.T, title, name string, content []byte) *httptest.ResponseRecorder {
	t.Helper()
	body, ct := multipartUpload(t, title, "kuvaus", name, content)
	return send(c.env, c.who, "/files/new", ct, pt.BaseURL, body)
}

// mustUpload uploads a file and returns its page's path.
func (c citizen) mustUpload(t *testing.T, title, name string, content []byte) string {
	t.Helper()
	w := c.upload(t, title, name, content)
	loc := w.Header().Get("Location")
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/files/") || !strings.HasSuffix(loc, "?added=1") {
		t.Fatalf("upload %s: %d %q\n%s", name, w.Code, loc, w.Body)
	}
	return strings.TrimSuffix(loc, "?added=1")
}

// fileRows are the list's rows as their cells' texts.
func (c citizen) fileRows(t *testing.T) [][]string {
	t.Helper()
	w, p := c.get(t, "/files?lang=en")
	if w.Code != http.StatusOK {
		t.Fatalf("list: %d", w.Code)
	}
	var rows [][]string
	for _, tr := range p.All(pt.Tag("tr"), pt.Within(pt.Tag("tbody"), pt.Within(pt.ID("files")))) {
		cells := []string{pt.Text(pt.Find(tr, pt.Tag("a"))[0])}
		for _, cell := range pt.Find(tr, pt.Tag("td")) {
			cells = append(cells, pt.Text(cell))
		}
		rows = append(rows, cells)
	}
	return rows
}

func mustImage(t *testing.T, encode func(io.Writer, image.Image) error) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range 8 {
		img.Set(i, i, color.RGBA{R: 200, A: 255})
	}
	var b bytes.Buffer
	if err := encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var (
	pdfBytes  = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	textBytes = []byte("Verenpaine aamulla 128/82.\nIltapäivällä 135/85.\n")
	// heicBytes begins as an iPhone's HEIC photo does: an ftyp box of
	// brand heic, compatible with mif1 and heic.
	heicBytes = append([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), bytes.Repeat([]byte{0x5a, 0x00, 0xa5}, 300)...)
)

// TestUploadEachTypeListDownloadPreview: a PDF, a PNG, a JPEG, a HEIC and
// a text file sent through the form are listed with their type and size; each
// downloads byte for byte as an attachment under its sniffed type, and an
// image previews inline in a sandbox.
func TestUploadEachTypeListDownloadPreview(t *testing.T) {
	c := newCitizen(t)
	pngBytes := mustImage(t, png.Encode)
	jpegBytes := mustImage(t, func(w io.Writer, i image.Image) error { return jpeg.Encode(w, i, nil) })
	files := []struct {
		title, name string
		content     []byte
		typ         record.MediaType
		words       string
	}{
		{"Lähete", "lahete.pdf", pdfBytes, record.MediaPDF, "PDF document"},
		{"Ihottuma", "ihottuma.png", pngBytes, record.MediaPNG, "PNG image"},
		{"Valokuva", "kuva.jpg", jpegBytes, record.MediaJPEG, "JPEG image"},
		{"", "paineet.txt", textBytes, record.MediaText, "Text file"},
		{"Iho", "iho.heic", heicBytes, record.MediaHEIC, "HEIC image"},
	}
	pages := map[string]string{}
	for _, f := range files {
		pages[f.name] = c.mustUpload(t, f.title, f.name, f.content)
	}
	rows := c.fileRows(t)
	if len(rows) != len(files) {
		t.Fatalf("listed %d, want %d: %v", len(rows), len(files), rows)
	}
	listed := strings.Join(func() []string {
		var s []string
		for _, r := range rows {
			s = append(s, strings.Join(r, " | "))
		}
		return s
	}(), "\n")
	for _, f := range files {
		title := f.title
		if title == "" {
			title = f.name
		}
		want := title + " | " + f.words + " | " + strconv.Itoa(len(f.content)) + " bytes"
		if !strings.Contains(listed, want) {
			t.Errorf("list lacks %q:\n%s", want, listed)
		}
	}
	for _, f := range files {
		w, _ := c.get(t, pages[f.name]+"/download")
		h := w.Header()
		if w.Code != http.StatusOK || !bytes.Equal(w.Body.Bytes(), f.content) {
			t.Errorf("%s: download %d, %d bytes, identical %v", f.name, w.Code, w.Body.Len(), bytes.Equal(w.Body.Bytes(), f.content))
		}
		if h.Get("Content-Type") != string(f.typ) || h.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") {
			t.Errorf("%s: download headers %v", f.name, h)
		}
	}
	w, _ := c.get(t, pages["ihottuma.png"]+"/preview")
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Disposition"), "inline;") ||
		!strings.Contains(w.Header().Get("Content-Security-Policy"), "sandbox") || !bytes.Equal(w.Body.Bytes(), pngBytes) {
		t.Errorf("image preview: %d %v", w.Code, w.Header())
	}
	if w, _ := c.get(t, pages["paineet.txt"]+"/preview"); w.Code != http.StatusNotFound {
		t.Errorf("text preview route: %d, want 404 (text is shown in the page)", w.Code)
	}
	if w, _ := c.get(t, pages["iho.heic"]+"/preview"); w.Code != http.StatusNotFound {
		t.Errorf("HEIC preview route: %d, want 404 (browsers cannot show it)", w.Code)
	}
	_, p := c.get(t, pages["ihottuma.png"])
	if src := p.Attrs("src", pt.Tag("img"), pt.ID("preview")); len(src) != 1 || src[0] != pages["ihottuma.png"]+"/preview" {
		t.Errorf("image page preview: %v", src)
	}
	_, p = c.get(t, pages["lahete.pdf"])
	if src := p.Attrs("src", pt.Tag("iframe"), pt.ID("preview")); len(src) != 1 || p.Attrs("title", pt.Tag("iframe"))[0] == "" {
		t.Errorf("pdf page preview: %v", src)
	}
	_, p = c.get(t, pages["paineet.txt"])
	if got := p.Text(pt.Tag("pre"), pt.ID("preview")); got != strings.Join(strings.Fields(string(textBytes)), " ") {
		t.Errorf("text preview %q", got)
	}
}

// uploadError is the upload form's message at the file input, which is
// also in the summary.
func uploadError(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	p := pt.ParsePage(t, w.Body.String())
	msg, marked := fieldError(p, "file")
	if !marked || summary(p)["#file"] != msg || p.First(pt.ID("upload")) == nil {
		t.Errorf("the form does not show the error at the file input (%q) and in the summary (%v)", msg, summary(p))
	}
	return msg
}

// TestUploadRefusals: a disallowed type (an executable named .pdf), an
// empty file, no file chosen, a file over the size limit and one over the
// quota each show the form again with the reason and the status of the
// shell's table; nothing is stored.
func TestUploadRefusals(t *testing.T) {
	env := pt.New(t, pt.Options{FileLimits: record.Limits{MaxFileSize: 1000, MaxPersonSize: 1500}})
	c := citizen{env: env, who: env.MustCitizen(t, hetu, "kainuu")}
	elf := append([]byte("\x7fELF\x02\x01\x01"), bytes.Repeat([]byte{0}, 200)...)
	w := c.upload(t, "", "lasku.pdf", elf)
	if w.Code != http.StatusUnsupportedMediaType || !strings.Contains(uploadError(t, w), "PDF, JPEG, PNG, HEIC") {
		t.Errorf("executable: %d %q", w.Code, uploadError(t, w))
	}
	if w := c.upload(t, "", "tyhja.txt", nil); w.Code != http.StatusUnprocessableEntity || !strings.Contains(uploadError(t, w), "tyhjä") {
		t.Errorf("empty: %d", w.Code)
	}
	if w := c.upload(t, "Otsikko", "", nil); w.Code != http.StatusUnprocessableEntity || !strings.Contains(uploadError(t, w), "Valitse") {
		t.Errorf("no file: %d", w.Code)
	} else if v := pt.ParsePage(t, w.Body.String()).Value("title"); v != "Otsikko" {
		t.Errorf("the title typed is lost: %q", v)
	}
	big := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("a"), 1200)...)
	if w := c.upload(t, "", "iso.pdf", big); w.Code != http.StatusRequestEntityTooLarge || !strings.Contains(uploadError(t, w), "1000 tavua") {
		t.Errorf("too large: %d %q", w.Code, w.Body)
	}
	c.mustUpload(t, "", "eka.pdf", append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("a"), 891)...)) // 900 bytes
	second := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("b"), 791)...)                       // 800 bytes: 1700 > 1500
	w = c.upload(t, "", "toka.pdf", second)
	if w.Code != http.StatusUnprocessableEntity {
		t.Errorf("over quota: %d", w.Code)
	}
	if msg := uploadError(t, w); !strings.Contains(msg, "900 tavua") || !strings.Contains(msg, "1,5 kt") || !strings.Contains(msg, "600 tavua") {
		t.Errorf("quota message lacks the figures: %q", msg)
	}
	if rows := c.fileRows(t); len(rows) != 1 {
		t.Errorf("stored after refusals: %v", rows)
	}
}

// TestUploadNameIsOnlyDisplayed: a name with path parts is shown as its
// last part, and the file is reached by its id only.
func TestUploadNameIsOnlyDisplayed(t *testing.T) {
	c := newCitizen(t)
	page := c.mustUpload(t, "", "../../etc/passwd", textBytes)
	rows := c.fileRows(t)
	if len(rows) != 1 || rows[0][0] != "passwd" {
		t.Errorf("listed %v", rows)
	}
	w, _ := c.get(t, page+"/download")
	if cd := w.Header().Get("Content-Disposition"); cd != "attachment; filename*=UTF-8''passwd" {
		t.Errorf("download names it %q", cd)
	}
}

// TestEditAndDeleteFile: a new title is shown; a form of an older version
// says the file changed; a deleted file leaves the list and its page.
func TestEditAndDeleteFile(t *testing.T) {
	c := newCitizen(t)
	page := c.mustUpload(t, "Vanha", "kirje.pdf", pdfBytes)
	_, p := c.get(t, page+"/edit")
	if p.Value("title") != "Vanha" || p.Value("version") != "1" {
		t.Fatalf("edit form: title %q version %q", p.Value("title"), p.Value("version"))
	}
	w, _ := c.post(t, page+"/edit", url.Values{"version": {"1"}, "title": {"Uusi otsikko"}, "description": {"Kesäkuun kirje"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != page+"?updated=1" {
		t.Fatalf("edit: %d %s", w.Code, w.Header().Get("Location"))
	}
	_, p = c.get(t, page+"?updated=1")
	if h := p.Text(pt.Tag("h1")); h != "Uusi otsikko" || p.Text(pt.Class("notice")) == "" {
		t.Errorf("after edit: heading %q, notice %q", h, p.Text(pt.Class("notice")))
	}
	w, p = c.post(t, page+"/edit", url.Values{"version": {"1"}, "title": {"Kolmas"}, "description": {""}})
	if w.Code != http.StatusConflict || !strings.Contains(p.Text(pt.Class("error-summary")), "muutettiin muualla") || p.Value("title") != "Uusi otsikko" || p.Value("version") != "2" {
		t.Errorf("stale edit: %d %q title %q", w.Code, p.Text(pt.Class("error-summary")), p.Value("title"))
	}
	_, p = c.get(t, page+"/delete")
	if q := strings.Join(p.Texts(pt.Tag("p"), pt.Within(pt.Tag("main"))), " "); !strings.Contains(q, "Uusi otsikko") {
		t.Errorf("confirmation does not name the file: %q", q)
	}
	w, _ = c.post(t, page+"/delete", url.Values{"version": {"2"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/files?deleted=1" {
		t.Fatalf("delete: %d %s", w.Code, w.Header().Get("Location"))
	}
	if rows := c.fileRows(t); len(rows) != 0 {
		t.Errorf("listed after delete: %v", rows)
	}
	if w, _ := c.get(t, page+"/download"); w.Code != http.StatusGone || bytes.Contains(w.Body.Bytes(), pdfBytes) {
		t.Errorf("download after delete: %d", w.Code)
	}
}

// TestAnotherCitizensFile: another citizen's file id is not found on any
// page, and no byte of it leaves.
func TestAnotherCitizensFile(t *testing.T) {
	c := newCitizen(t)
	page := c.mustUpload(t, "Salainen", "salainen.txt", textBytes)
	other := c.env.MustCitizen(t, "150380-902U", "kainuu")
	for _, suffix := range []string{"", "/preview", "/download", "/edit", "/delete"} {
		w := c.env.Do(t, other, http.MethodGet, page+suffix, "")
		if w.Code != http.StatusNotFound || bytes.Contains(w.Body.Bytes(), textBytes) || strings.Contains(w.Body.String(), "Salainen") {
			t.Errorf("%s: %d", suffix, w.Code)
		}
	}
	if w := c.env.Do(t, other, http.MethodPost, page+"/delete", "version=1"); w.Code != http.StatusNotFound {
		t.Errorf("delete: %d", w.Code)
	}
	if w := c.env.Do(t, nurse, http.MethodGet, "/files", ""); w.Code != http.StatusForbidden {
		t.Errorf("a professional on /files: %d, want 403", w.Code)
	}
	if rows := c.fileRows(t); len(rows) != 1 {
		t.Errorf("owner's list: %v", rows)
	}
}

// TestOnlyTheUploadTakesMultipart: every other page route still refuses a
// multipart body, and a cross-origin upload is refused before anything is
// stored.
func TestOnlyTheUploadTakesMultipart(t *testing.T) {
	c := newCitizen(t)
	page := c.mustUpload(t, "", "a.txt", textBytes)
	for _, target := range []string{"/files", page + "/edit", page + "/delete", "/measurements/new", "/consents/give"} {
		body, ct := multipartUpload(t, "x", "y", "b.txt", textBytes)
		if w := send(c.env, c.who, target, ct, pt.BaseURL, body); w.Code != http.StatusUnsupportedMediaType {
			t.Errorf("multipart to %s: %d, want 415", target, w.Code)
		}
	}
	body, ct := multipartUpload(t, "x", "y", "b.txt", textBytes)
	if w := send(c.env, c.who, "/files/new", ct, "https://evil.example", body); w.Code != http.StatusForbidden {
		t.Errorf("cross-origin upload: %d, want 403", w.Code)
	}
	if w := send(c.env, c.who, "/files/new", "application/x-www-form-urlencoded", pt.BaseURL, strings.NewReader("title=x")); w.Code != http.StatusUnsupportedMediaType {
		t.Errorf("url-encoded upload: %d, want 415", w.Code)
	}
	if rows := c.fileRows(t); len(rows) != 1 {
		t.Errorf("stored: %v", rows)
	}
	if files, _ := c.env.Files.List(context.Background(), c.who, c.who.PersonID); len(files) != 1 {
		t.Errorf("service lists %d", len(files))
	}
}

// TestFilesListGolden keeps the list page as rendered.
func TestFilesListGolden(t *testing.T) {
	c := newCitizen(t)
	if _, p := c.get(t, "/files"); p.Text(pt.Class("empty")) == "" {
		t.Error("no empty-state text")
	}
	c.mustUpload(t, "Lähete", "lahete.pdf", pdfBytes)
	c.mustUpload(t, "", "paineet.txt", textBytes)
	w, _ := c.get(t, "/files")
	pt.Golden(t, "files-list", pt.Normalise(pt.ParsePage(t, w.Body.String()), time.Now()))
}

// TestLongTextShowsItsBeginning: a text file over 64 KiB is shown from
// its beginning, cut at a whole character, with a note saying so.
func TestLongTextShowsItsBeginning(t *testing.T) {
	c := newCitizen(t)
	long := []byte("a" + strings.Repeat("ä", 40<<10)) // 80 KiB + 1: the cut at 64 KiB splits an ä
	page := c.mustUpload(t, "", "pitka.txt", long)
	_, p := c.get(t, page)
	shown := p.Text(pt.Tag("pre"), pt.ID("preview"))
	if want := "a" + strings.Repeat("ä", (64<<10-1)/2); shown != want {
		t.Errorf("shown %d bytes, want %d", len(shown), len(want))
	}
	if !strings.Contains(strings.Join(p.Texts(pt.Tag("p"), pt.Within(pt.Class("preview"))), " "), "64 kt") {
		t.Error("no note that only the beginning is shown")
	}
}

// TestUploadOverTheBodyLimit: a body longer than a file may be is refused
// from its declared length, before any of it is stored.
func TestUploadOverTheBodyLimit(t *testing.T) {
	env := pt.New(t, pt.Options{FileLimits: record.Limits{MaxFileSize: 1000, MaxPersonSize: 5000}})
	c := citizen{env: env, who: env.MustCitizen(t, hetu, "kainuu")}
	w := c.upload(t, "", "iso.txt", bytes.Repeat([]byte("a"), 100<<10))
	if w.Code != http.StatusRequestEntityTooLarge || !strings.Contains(uploadError(t, w), "1000 tavua") {
		t.Errorf("%d", w.Code)
	}
	if rows := c.fileRows(t); len(rows) != 0 {
		t.Errorf("stored %v", rows)
	}
}

// TestEditRefusalsAndRepeats: a title over its length is shown at the
// field, nothing stored; the same change sent twice (a double click) is
// done, not a conflict.
func TestEditRefusalsAndRepeats(t *testing.T) {
	c := newCitizen(t)
	page := c.mustUpload(t, "Alku", "a.txt", textBytes)
	w, p := c.post(t, page+"/edit", url.Values{"version": {"1"}, "title": {strings.Repeat("x", record.MaxTitleLength+1)}})
	if msg, marked := fieldError(p, "title"); w.Code != http.StatusUnprocessableEntity || !marked || !strings.Contains(msg, "200") {
		t.Errorf("long title: %d %q", w.Code, msg)
	}
	change := url.Values{"version": {"1"}, "title": {"Sama muutos"}, "description": {"kahdesti"}}
	for i := range 2 {
		if w, _ := c.post(t, page+"/edit", change); w.Code != http.StatusSeeOther {
			t.Errorf("send %d: %d", i+1, w.Code)
		}
	}
	if _, p := c.get(t, page); p.Text(pt.Tag("h1")) != "Sama muutos" {
		t.Errorf("title %q", p.Text(pt.Tag("h1")))
	}
}

// TestUploadCutOff: a body that ends halfway through the file is a bad
// request, and no file is stored.
func TestUploadCutOff(t *testing.T) {
	c := newCitizen(t)
	body, ct := multipartUpload(t, "x", "y", "a.txt", bytes.Repeat([]byte("abc\n"), 5000))
	w := send(c.env, c.who, "/files/new", ct, pt.BaseURL, bytes.NewReader(body.Bytes()[:body.Len()/2]))
	if w.Code != http.StatusBadRequest {
		t.Errorf("%d, want 400", w.Code)
	}
	if rows := c.fileRows(t); len(rows) != 0 {
		t.Errorf("stored %v", rows)
	}
}

// TestUploadAsksTheGate: a real upload reaches the files service, which
// asks the gate; refused, nothing is stored and the citizen reads 403.
func TestUploadAsksTheGate(t *testing.T) {
	asked := &pt.Calls{}
	env := pt.New(t, pt.Options{Access: pt.DenyAll{Asked: asked}})
	who := env.MustCitizen(t, hetu, "kainuu")
	body, ct := multipartUpload(t, "x", "y", "a.txt", textBytes)
	if w := send(env, who, "/files/new", ct, pt.BaseURL, body); w.Code != http.StatusForbidden {
		t.Errorf("%d, want 403", w.Code)
	}
	if got := asked.Take(); len(got) != 1 || got[0] != "write files" {
		t.Errorf("asked the gate %v", got)
	}
	if size, err := env.Store.FilesSize(context.Background(), who.PersonID); err != nil || size != 0 {
		t.Errorf("stored %d bytes (%v)", size, err)
	}
}
