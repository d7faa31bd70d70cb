package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/omahoito/omahoito/internal/browsertest"
)

// TestBrowserOwnFiles: a citizen uploads a PDF and an image through the
// upload page (with its script, as a browser with JavaScript sends it),
// sees both listed and previewed, downloads the PDF and gets the very
// bytes uploaded, and deletes the image after its confirmation. axe and
// reflow check every page visited.
func TestBrowserOwnFiles(t *testing.T) {
	a := MustStartApp(t, "sqlite")
	cit := browsertest.New(t)
	browserLoginAs(t, cit, a, testHetu, "Maija", "Meikäläinen")
	dir := t.TempDir()
	pdfPath, pngPath := filepath.Join(dir, "laboratoriotulokset.pdf"), filepath.Join(dir, "ihottuma.png")
	pdf, img := minimalPDF("Hemoglobiini 142 g/l"), testPNG(t, 48, 32)
	for path, data := range map[string][]byte{pdfPath: pdf, pngPath: img} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	click(t, cit, `main a[href="/files"]`)
	waitFor(t, cit, "h1", "My files")
	waitFor(t, cit, "main", "You have no files yet.")
	browsertest.Check(t, cit)

	pdfPage := browserUpload(t, cit, pdfPath, "Laboratory results")
	if src := attr(t, cit, "iframe#preview", "src"); !strings.HasSuffix(src, "/preview") {
		t.Errorf("the PDF's preview frame shows %q", src)
	}
	if got := fetchInPage(t, cit, "iframe#preview"); got != "200 application/pdf inline" {
		t.Errorf("the PDF's preview answers %q", got)
	}
	click(t, cit, `.breadcrumb a[href="/files"]`)
	waitFor(t, cit, "h1", "My files")
	pngPage := browserUpload(t, cit, pngPath, "Rash on the arm")
	if w := naturalWidth(t, cit, "img#preview"); w != 48 {
		t.Errorf("the image's preview is drawn %d px wide, want 48 (not shown?)", w)
	}

	browsertest.Visit(t, cit, a.URL+"/files")
	list := browsertest.Text(t, cit, "table#files")
	for _, want := range []string{"Laboratory results", "PDF document", "Rash on the arm", "PNG image"} {
		if !strings.Contains(list, want) {
			t.Errorf("the list lacks %q:\n%s", want, list)
		}
	}

	browsertest.Visit(t, cit, pdfPage)
	if got := download(t, cit, "#download"); !bytes.Equal(got, pdf) {
		t.Errorf("the download is %d bytes unlike the %d uploaded", len(got), len(pdf))
	}

	browsertest.Visit(t, cit, pngPage)
	click(t, cit, "#delete")
	waitFor(t, cit, "h1", "Delete the file")
	browsertest.Check(t, cit)
	click(t, cit, "button.danger")
	waitFor(t, cit, "[role=status]", "The file has been deleted.")
	browsertest.Check(t, cit)
	list = browsertest.Text(t, cit, "table#files")
	if strings.Contains(list, "Rash on the arm") || !strings.Contains(list, "Laboratory results") {
		t.Errorf("after deleting the image the list reads:\n%s", list)
	}
	if status := visitStatus(t, cit, pngPage); status != 410 && status != 404 {
		t.Errorf("the deleted image's page: status %d", status)
	}
}

// browserUpload adds the file at path with title from the list's "Add a
// file" and returns the address of the file's page it lands on, checked.
func browserUpload(t *testing.T, ctx context.Context, path, title string) string {
	t.Helper()
	click(t, ctx, `main a[href="/files/new"]`)
	waitFor(t, ctx, "h1", "Add a file")
	browsertest.Check(t, ctx)
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{path})); err != nil {
		t.Fatalf("choose %s: %v", path, err)
	}
	browsertest.Type(t, ctx, "#title", title)
	click(t, ctx, `form#upload button[type="submit"]`)
	waitFor(t, ctx, "[role=status]", "The file has been saved.")
	waitFor(t, ctx, "h1", title)
	browsertest.Check(t, ctx)
	return location(t, ctx)
}

// fetchInPage fetches the src of the element sel from the page, as the
// page's own frame does, and tells the status, the type and whether the
// answer is to be shown inline.
func fetchInPage(tb testing.TB, ctx context.Context, sel string) string {
	tb.Helper()
	js := `fetch(document.querySelector(` + jsString(sel) + `).src).then(r =>
		r.status + " " + r.headers.get("Content-Type") + " " + (r.headers.get("Content-Disposition") || "").split(";")[0])`
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.Fatalf("fetch %s: %v", sel, err)
	}
	return got
}

// naturalWidth waits for the image sel to load and returns its width as
// decoded: 0 for an image the browser could not show.
func naturalWidth(tb testing.TB, ctx context.Context, sel string) int {
	tb.Helper()
	js := `new Promise(done => { const i = document.querySelector(` + jsString(sel) + `);
		if (i.complete) { done(i.naturalWidth); } else { i.onload = i.onerror = () => done(i.naturalWidth); } })`
	w, err := chromedp.Run(ctx, chromedp.Evaluate[int](js, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.Fatalf("image %s: %v", sel, err)
	}
	return w
}

// download clicks the link sel and returns the bytes the browser saved.
func download(tb testing.TB, ctx context.Context, sel string) []byte {
	tb.Helper()
	dir := tb.(interface{ TempDir() string }).TempDir()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	progress := chromedp.Events(tctx, cdpbrowser.DownloadProgress)
	err := chromedp.Do(tctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: new(true),
		})
		return err
	}), chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		tb.Fatalf("download %s: %v", sel, err)
	}
	for ev, err := range progress {
		if err != nil {
			tb.Fatalf("download %s: %v", sel, err)
		}
		switch ev.State {
		case cdpbrowser.DownloadProgressStateCompleted:
			b, err := os.ReadFile(filepath.Join(dir, ev.GUID))
			if err != nil {
				tb.Fatal(err)
			}
			return b
		case cdpbrowser.DownloadProgressStateCanceled:
			tb.Fatalf("the browser cancelled the download of %s", sel)
		}
	}
	tb.Fatalf("download %s: no end", sel)
	return nil
}

// minimalPDF is a one-page PDF showing text, with a correct cross-reference
// table, so a PDF viewer opens it.
func minimalPDF(text string) []byte {
	stream := fmt.Sprintf("BT /F1 18 Tf 40 120 Td (%s) Tj ET", text)
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

// testPNG is a w×h image of two colours.
func testPNG(tb testing.TB, w, h int) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			c := color.RGBA{R: 200, G: 80, B: 80, A: 255}
			if x > w/2 {
				c = color.RGBA{R: 240, G: 200, B: 190, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// TestBrowserFileConsent: a citizen with two files consents to the nurse's
// unit for one of them only; the nurse's patient view lists that file and
// not the other, and its page previews it; the citizen's access log names
// the nurse's reading of files.
func TestBrowserFileConsent(t *testing.T) {
	a := MustStartApp(t, "sqlite")
	cit := browsertest.New(t)
	browserLoginAs(t, cit, a, testHetu, "Maija", "Meikäläinen")
	dir := t.TempDir()
	pdfPath, pngPath := filepath.Join(dir, "lausunto.pdf"), filepath.Join(dir, "ihottuma.png")
	for path, data := range map[string][]byte{pdfPath: minimalPDF("Lausunto"), pngPath: testPNG(t, 20, 20)} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	browsertest.Visit(t, cit, a.URL+"/files")
	browserUpload(t, cit, pdfPath, "Statement from the clinic")
	click(t, cit, `.breadcrumb a[href="/files"]`)
	waitFor(t, cit, "h1", "My files")
	browserUpload(t, cit, pngPath, "Private photo")

	browsertest.Visit(t, cit, a.URL+"/consents/new")
	click(t, cit, "#grantee-unit-unit-kainuu-kajaani")
	click(t, cit, "#what-none")
	click(t, cit, "#files-chosen")
	clickLabelled(t, cit, `input[name="file"]`, "Statement from the clinic")
	click(t, cit, "#period-12")
	click(t, cit, `form.consent-give button[type="submit"]`)
	waitFor(t, cit, "h1", "Check the consent")
	browsertest.Check(t, cit)
	if s := browsertest.Text(t, cit, ".consent-sentence"); !strings.Contains(s, "Statement from the clinic") || strings.Contains(s, "Private photo") {
		t.Errorf("the confirmation reads %q", s)
	}
	click(t, cit, `main form.form-actions button[type="submit"]:not([name])`)
	waitFor(t, cit, "[role=status]", "Your consent has been given.")

	pro := browserProLoginTo(t, a)
	if files := browsertest.Text(t, pro, `table[aria-labelledby="files-heading"]`); !strings.Contains(files, "Statement from the clinic") ||
		strings.Contains(files, "Private photo") {
		t.Errorf("the nurse's list of files reads:\n%s", files)
	}
	if strings.Contains(pageText(t, pro), "Private photo") {
		t.Error("the patient page names the file no consent covers")
	}
	click(t, pro, `table[aria-labelledby="files-heading"] a:not([download])`)
	waitFor(t, pro, "h1", "Statement from the clinic")
	browsertest.Check(t, pro)
	if got := fetchInPage(t, pro, "iframe#preview"); got != "200 application/pdf inline" {
		t.Errorf("the nurse's preview answers %q", got)
	}

	browsertest.Visit(t, cit, a.URL+"/access-log")
	if log := browsertest.Text(t, cit, "table.accesslog"); !strings.Contains(log, "Aino Heikkinen") || !strings.Contains(log, "Files") {
		t.Errorf("the access log does not show the nurse reading files:\n%s", log)
	}
}

// browserProLoginTo logs kainuu-nurse in and opens her first patient.
func browserProLoginTo(t *testing.T, a *testApp) context.Context {
	t.Helper()
	pro := browsertest.New(t)
	browserProLoginAs(t, pro, a, "kainuu-nurse", "Aino Heikkinen")
	click(t, pro, `.pro-links a[href="/pro/patients"]`)
	waitFor(t, pro, "h1", "My patients")
	click(t, pro, "ul.patients > li a")
	waitFor(t, pro, "h1", "Maija Meikäläinen")
	browsertest.Check(t, pro)
	return pro
}

// clickLabelled clicks the first input of sel whose label holds text.
func clickLabelled(tb testing.TB, ctx context.Context, sel, text string) {
	tb.Helper()
	js := `(() => { for (const i of document.querySelectorAll(` + jsString(sel) + `)) {
		if (i.labels[0] && i.labels[0].textContent.includes(` + jsString(text) + `)) { i.click(); return true; } } return false; })()`
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err != nil || !ok {
		tb.Fatalf("no %s labelled %q: %v", sel, text, err)
	}
}

// TestBrowserUploadTooLarge: a file over the limit is refused in the page
// before it is sent, the way the server refuses one: the message at the
// field, the field marked invalid and focused; nothing is stored.
func TestBrowserUploadTooLarge(t *testing.T) {
	a := MustStartApp(t, "sqlite", func(c *Config) { c.FileMaxSize = 1000 })
	cit := browsertest.New(t)
	browserLoginAs(t, cit, a, testHetu, "Maija", "Meikäläinen")
	path := filepath.Join(t.TempDir(), "pitka.txt")
	if err := os.WriteFile(path, bytes.Repeat([]byte("verenpaine 128/84\n"), 100), 0o600); err != nil {
		t.Fatal(err)
	}
	browsertest.Visit(t, cit, a.URL+"/files/new")
	if err := chromedp.Do(cit, chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{path})); err != nil {
		t.Fatal(err)
	}
	click(t, cit, `form#upload button[type="submit"]`)
	waitFor(t, cit, "#file-error", "The file is too large.")
	if inv := attr(t, cit, "#file", "aria-invalid"); inv != "true" {
		t.Errorf("the file field's aria-invalid = %q", inv)
	}
	if f := focusedName(t, cit); f != "#file" {
		t.Errorf("the focus is on %s, not the file field", f)
	}
	browsertest.Check(t, cit)
	browsertest.Visit(t, cit, a.URL+"/files")
	waitFor(t, cit, "main", "You have no files yet.")
}
