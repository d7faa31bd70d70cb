package fhirapi_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/internal/fhirschema"
	"github.com/omahoito/omahoito/internal/portaltest"
	"github.com/omahoito/omahoito/record"
)

// pdf is a small PDF: the type is sniffed from its first bytes.
var pdf = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// fileLimit is the file size limit of the files tests' portal.
const fileLimit = 4096

// newFilesAPI is a test portal whose files may be at most fileLimit bytes;
// every FHIR answer is checked against the R4 schema when the test ends.
func newFilesAPI(t *testing.T) *api {
	t.Helper()
	a := &api{Env: portaltest.New(t, portaltest.Options{FileLimits: record.Limits{MaxFileSize: fileLimit, MaxPersonSize: 100 * fileLimit}})}
	t.Cleanup(func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		if !t.Failed() && len(a.bodies) > 0 {
			fhirschema.Validate(t, a.bodies...)
		}
	})
	return a
}

// raw sends body with the Content-Type as who; a FHIR JSON answer is kept
// for schema validation.
func (a *api) raw(t *testing.T, who auth.Principal, method, target, contentType string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, bytes.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	r.Header.Set("Origin", portaltest.BaseURL)
	r.Host = strings.TrimPrefix(portaltest.BaseURL, "http://")
	w := httptest.NewRecorder()
	a.As(who).ServeHTTP(w, r)
	if strings.HasPrefix(w.Header().Get("Content-Type"), fhirJSON) && w.Body.Len() > 0 {
		a.mu.Lock()
		a.bodies = append(a.bodies, bytes.Clone(w.Body.Bytes()))
		a.mu.Unlock()
	}
	return w
}

func documentJSON(patient, id, title, name string, data []byte) string {
	d := map[string]any{
		"resourceType": "DocumentReference", "status": "current",
		"subject":     map[string]any{"reference": "Patient/" + patient},
		"description": title,
		"content": []any{map[string]any{"attachment": map[string]any{
			"contentType": "application/pdf", "title": name, "data": base64.StdEncoding.EncodeToString(data)}}},
	}
	if id != "" {
		d["id"] = id
	}
	b, _ := json.Marshal(d)
	return string(b)
}

// TestBinaryRoundTrip: the bytes a citizen uploads come back identical, as
// a download the browser neither sniffs nor shows inline.
func TestBinaryRoundTrip(t *testing.T) {
	a := newFilesAPI(t)
	citizen := a.MustCitizen(t, hetuA, "kainuu")
	w := a.raw(t, citizen, http.MethodPost, base+"/Binary", "application/octet-stream", pdf)
	if w.Code != http.StatusCreated {
		t.Fatalf("POST Binary = %d: %s", w.Code, w.Body)
	}
	loc := w.Header().Get("Location")
	if !strings.HasPrefix(loc, base+"/Binary/") {
		t.Fatalf("Location %q", loc)
	}
	id := strings.TrimPrefix(loc, base+"/Binary/")
	got := a.raw(t, citizen, http.MethodGet, base+"/Binary/"+id, "", nil)
	if got.Code != http.StatusOK || !bytes.Equal(got.Body.Bytes(), pdf) {
		t.Fatalf("GET Binary = %d, %d bytes; want 200 and the %d bytes sent", got.Code, got.Body.Len(), len(pdf))
	}
	for name, want := range map[string]string{
		"Content-Type":           "application/pdf",
		"X-Content-Type-Options": "nosniff",
		"Content-Disposition":    "attachment; filename*=UTF-8''file.pdf",
	} {
		if v := got.Header().Get(name); v != want {
			t.Errorf("%s = %q, want %q", name, v, want)
		}
	}
	doc := want(t, a.call(t, citizen, http.MethodGet, base+"/DocumentReference/"+id, ""), http.StatusOK)
	if u := str(obj(obj(anys(doc["content"])[0])["attachment"])["url"]); u != "Binary/"+id {
		t.Errorf("attachment.url = %q, want Binary/%s", u, id)
	}
}

// TestDocumentReferenceLifecycle: create with inline data, read, search,
// retitle with If-Match, delete; then the file is gone.
func TestDocumentReferenceLifecycle(t *testing.T) {
	a := newFilesAPI(t)
	citizen := a.MustCitizen(t, hetuA, "kainuu")
	w := a.call(t, citizen, http.MethodPost, base+"/DocumentReference", documentJSON(citizen.PersonID, "", "Lab results", "../tulokset.pdf", pdf))
	id := created(t, w)
	doc := want(t, a.call(t, citizen, http.MethodGet, base+"/DocumentReference/"+id, ""), http.StatusOK)
	att := obj(obj(anys(doc["content"])[0])["attachment"])
	if str(doc["description"]) != "Lab results" || str(att["title"]) != "tulokset.pdf" || str(att["contentType"]) != "application/pdf" ||
		att["size"] != float64(len(pdf)) {
		t.Errorf("read back %v / %v", doc["description"], att)
	}
	if got := a.raw(t, citizen, http.MethodGet, base+"/Binary/"+id, "", nil); !bytes.Equal(got.Body.Bytes(), pdf) ||
		got.Header().Get("Content-Disposition") != "attachment; filename*=UTF-8''tulokset.pdf" {
		t.Errorf("content %d bytes, disposition %q", got.Body.Len(), got.Header().Get("Content-Disposition"))
	}
	search := want(t, a.call(t, citizen, http.MethodGet, base+"/DocumentReference?type=http://loinc.org|51855-5&date=ge2000-01-01", ""), http.StatusOK)
	if es := entries(search); len(es) != 1 || str(es[0]["id"]) != id {
		t.Errorf("search found %v", es)
	}
	if es := entries(want(t, a.call(t, citizen, http.MethodGet, base+"/DocumentReference?date=lt2000-01-01", ""), http.StatusOK)); len(es) != 0 {
		t.Errorf("a search before the file was added found %d", len(es))
	}
	update := documentJSON(citizen.PersonID, id, "Blood tests", "other.pdf", nil)
	want(t, a.call(t, citizen, http.MethodPut, base+"/DocumentReference/"+id, update, `If-Match: W/"9"`), http.StatusPreconditionFailed)
	doc = want(t, a.call(t, citizen, http.MethodPut, base+"/DocumentReference/"+id, update, `If-Match: W/"1"`), http.StatusOK)
	if str(doc["description"]) != "Blood tests" || str(obj(obj(anys(doc["content"])[0])["attachment"])["title"]) != "tulokset.pdf" {
		t.Errorf("after update: %v", doc)
	}
	want(t, a.call(t, citizen, http.MethodDelete, base+"/DocumentReference/"+id, ""), http.StatusNoContent)
	want(t, a.call(t, citizen, http.MethodGet, base+"/DocumentReference/"+id, ""), http.StatusGone)
	if got := a.raw(t, citizen, http.MethodGet, base+"/Binary/"+id, "", nil); got.Code != http.StatusGone {
		t.Errorf("Binary of a deleted file = %d, want 410", got.Code)
	}
}

// TestFilesRefused: what the files service refuses comes back as an
// OperationOutcome with its status, and nobody else reads a citizen's file.
func TestFilesRefused(t *testing.T) {
	a := newFilesAPI(t)
	citizen := a.MustCitizen(t, hetuA, "kainuu")
	other := a.MustCitizen(t, hetuB, "kainuu")
	elf := append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 100)...)
	want(t, a.call(t, citizen, http.MethodPost, base+"/DocumentReference", documentJSON(citizen.PersonID, "", "Invoice", "invoice.pdf", elf)),
		http.StatusUnsupportedMediaType)
	if w := a.raw(t, citizen, http.MethodPost, base+"/Binary", "application/pdf", elf); w.Code != http.StatusUnsupportedMediaType {
		t.Errorf("an executable as a Binary = %d, want 415", w.Code)
	}
	big := append(bytes.Clone(pdf), bytes.Repeat([]byte("x"), fileLimit)...)
	want(t, a.call(t, citizen, http.MethodPost, base+"/DocumentReference", documentJSON(citizen.PersonID, "", "Big", "big.pdf", big)),
		http.StatusRequestEntityTooLarge)
	if w := a.raw(t, citizen, http.MethodPost, base+"/Binary", "application/pdf", big); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("a Binary over the limit = %d, want 413", w.Code)
	}
	id := created(t, a.call(t, citizen, http.MethodPost, base+"/DocumentReference", documentJSON(citizen.PersonID, "", "Mine", "mine.pdf", pdf)))
	pro := portaltest.Professional("pro-kainuu-nurse", "unit-kainuu-kajaani", "kainuu")
	for name, who := range map[string]auth.Principal{"another citizen": other, "a professional without consent": pro} {
		w := a.call(t, who, http.MethodGet, base+"/DocumentReference/"+id, "")
		if w.Code != http.StatusForbidden && w.Code != http.StatusNotFound {
			t.Errorf("%s read the file: %d", name, w.Code)
		}
		if w := a.raw(t, who, http.MethodGet, base+"/Binary/"+id, "", nil); w.Code != http.StatusForbidden && w.Code != http.StatusNotFound {
			t.Errorf("%s downloaded the file: %d", name, w.Code)
		}
	}
	want(t, a.call(t, pro, http.MethodGet, base+"/DocumentReference?patient=Patient/"+citizen.PersonID, ""), http.StatusForbidden)
	want(t, a.call(t, pro, http.MethodGet, base+"/DocumentReference/"+id, ""), http.StatusForbidden)
	want(t, a.call(t, other, http.MethodPost, base+"/DocumentReference", documentJSON(citizen.PersonID, "", "Not mine", "x.pdf", pdf)),
		http.StatusForbidden)
	if es := entries(want(t, a.call(t, other, http.MethodGet, base+"/DocumentReference", ""), http.StatusOK)); len(es) != 0 {
		t.Errorf("another citizen's search found %d files", len(es))
	}
}

// A retitling carries no content: a PUT as large as a create with content
// is refused (413) before it is held, and the file is unchanged.
func TestDocumentReferenceUpdateBounded(t *testing.T) {
	a := &api{Env: portaltest.New(t, portaltest.Options{})} // the default 20 MB a file
	citizen := a.MustCitizen(t, hetuA, "kainuu")
	id := created(t, a.call(t, citizen, http.MethodPost, base+"/DocumentReference", documentJSON(citizen.PersonID, "", "Lab results", "t.pdf", pdf)))
	big := append(bytes.Clone(pdf), bytes.Repeat([]byte{' '}, 2<<20)...)
	w := a.raw(t, citizen, http.MethodPut, base+"/DocumentReference/"+id, fhirJSON, []byte(documentJSON(citizen.PersonID, id, "Other", "t.pdf", big)))
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("a 2 MB retitling = %d, want 413", w.Code)
	}
	doc := want(t, a.call(t, citizen, http.MethodGet, base+"/DocumentReference/"+id, ""), http.StatusOK)
	if str(doc["description"]) != "Lab results" {
		t.Errorf("after the refused PUT the title is %v", doc["description"])
	}
}

// A client asking for FHIR JSON gets the Binary resource (valid R4, the
// content base64 in data); any other Accept, as a browser or an image
// viewer sends, gets the raw bytes, never 406.
func TestBinaryFormats(t *testing.T) {
	a := newFilesAPI(t)
	citizen := a.MustCitizen(t, hetuA, "kainuu")
	id := created(t, a.call(t, citizen, http.MethodPost, base+"/DocumentReference", documentJSON(citizen.PersonID, "", "Lab results", "t.pdf", pdf)))
	for _, accept := range []string{fhirJSON, "application/fhir+json;q=0.9, */*;q=0.1", "application/json+fhir"} {
		w := a.call(t, citizen, http.MethodGet, base+"/Binary/"+id, "", "Accept: "+accept)
		res := want(t, w, http.StatusOK)
		data, err := base64.StdEncoding.DecodeString(str(res["data"]))
		if str(res["resourceType"]) != "Binary" || str(res["id"]) != id || str(res["contentType"]) != "application/pdf" ||
			err != nil || !bytes.Equal(data, pdf) {
			t.Errorf("Accept %q: %v (data %d bytes, %v)", accept, res, len(data), err)
		}
	}
	if w := a.call(t, citizen, http.MethodGet, base+"/Binary/"+id+"?_format=json", ""); w.Code != http.StatusOK ||
		!strings.HasPrefix(w.Header().Get("Content-Type"), fhirJSON) {
		t.Errorf("_format=json: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	for _, accept := range []string{"", "application/pdf", "*/*", "text/html,application/xhtml+xml,*/*;q=0.8", "application/fhir+json;q=0, */*"} {
		w := a.raw(t, citizen, http.MethodGet, base+"/Binary/"+id+"", "", nil)
		if accept != "" {
			r := httptest.NewRequest(http.MethodGet, base+"/Binary/"+id, nil)
			r.Header.Set("Accept", accept)
			r.Host = strings.TrimPrefix(portaltest.BaseURL, "http://")
			w = httptest.NewRecorder()
			a.As(citizen).ServeHTTP(w, r)
		}
		if w.Code != http.StatusOK || !bytes.Equal(w.Body.Bytes(), pdf) || w.Header().Get("Content-Type") != "application/pdf" {
			t.Errorf("Accept %q: %d %s, %d bytes", accept, w.Code, w.Header().Get("Content-Type"), w.Body.Len())
		}
	}
}

// The Location of a create and an update is a version that can be read
// (vread), each version as it was; a version never written is not found,
// and nobody else reads a version of the file.
func TestDocumentReferenceVersions(t *testing.T) {
	a := newFilesAPI(t)
	citizen := a.MustCitizen(t, hetuA, "kainuu")
	other := a.MustCitizen(t, hetuB, "kainuu")
	w := a.call(t, citizen, http.MethodPost, base+"/DocumentReference", documentJSON(citizen.PersonID, "", "Lab results", "t.pdf", pdf))
	id := created(t, w)
	loc := w.Header().Get("Location")
	if !strings.HasSuffix(loc, "/DocumentReference/"+id+"/_history/1") {
		t.Fatalf("Location %q", loc)
	}
	want(t, a.call(t, citizen, http.MethodPut, base+"/DocumentReference/"+id, documentJSON(citizen.PersonID, id, "Blood tests", "t.pdf", nil), `If-Match: W/"1"`), http.StatusOK)
	path := strings.TrimPrefix(loc, portaltest.BaseURL)
	if v1 := want(t, a.call(t, citizen, http.MethodGet, path, ""), http.StatusOK); str(v1["description"]) != "Lab results" {
		t.Errorf("version 1 reads %v", v1["description"])
	}
	if v2 := want(t, a.call(t, citizen, http.MethodGet, base+"/DocumentReference/"+id+"/_history/2", ""), http.StatusOK); str(v2["description"]) != "Blood tests" {
		t.Errorf("version 2 reads %v", v2["description"])
	}
	for _, vid := range []string{"3", "0", "x"} {
		want(t, a.call(t, citizen, http.MethodGet, base+"/DocumentReference/"+id+"/_history/"+vid, ""), http.StatusNotFound)
	}
	if w := a.call(t, other, http.MethodGet, base+"/DocumentReference/"+id+"/_history/1", ""); w.Code != http.StatusNotFound && w.Code != http.StatusForbidden ||
		strings.Contains(w.Body.String(), "Lab results") {
		t.Errorf("another citizen's vread: %d %s", w.Code, w.Body.String())
	}
	want(t, a.call(t, citizen, http.MethodDelete, base+"/DocumentReference/"+id, ""), http.StatusNoContent)
	want(t, a.call(t, citizen, http.MethodGet, base+"/DocumentReference/"+id+"/_history/3", ""), http.StatusGone)
	want(t, a.call(t, citizen, http.MethodGet, base+"/DocumentReference/"+id+"/_history/1", ""), http.StatusOK)
}
