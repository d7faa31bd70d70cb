package fhirapi_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/internal/portaltest"
)

// TestTransaction: all or nothing; the first bad entry is named by its
// path; the answer follows Prefer: return=.
func TestTransaction(t *testing.T) {
	a := newAPI(t)
	me := a.MustCitizen(t, hetuA, "kainuu")
	good := []string{
		observation(me.PersonID, heartRate, "/min", 60, "2026-11-04T07:00:00+02:00", ""),
		bloodPressure(me.PersonID, 120, 80, "2026-11-04T07:01:00+02:00"),
	}
	bad := observation(me.PersonID, heartRate, "/min", 900, "2026-11-04T07:02:00+02:00", "")
	refused := want(t, a.call(t, me, "POST", "/fhir/r4", transaction(append(good, bad)...)), http.StatusUnprocessableEntity)
	if !strings.Contains(outcomeText(refused), "@Bundle.entry[2].resource.valueQuantity.value") {
		t.Errorf("a value out of range: %s", outcomeText(refused))
	}
	unknown := strings.Replace(good[0], `"status"`, `"Status"`, 1)
	refused = want(t, a.call(t, me, "POST", "/fhir/r4", transaction(good[1], unknown)), http.StatusBadRequest)
	if !strings.Contains(outcomeText(refused), "@Bundle.entry[1].resource.Status") {
		t.Errorf("a case-folded element: %s", outcomeText(refused))
	}
	if n := want(t, a.call(t, me, "GET", "/fhir/r4/Observation?_count=0", ""), http.StatusOK)["total"]; n != 0.0 {
		t.Fatalf("a refused transaction stored %v measurements", n)
	}

	doc := want(t, a.call(t, me, "POST", "/fhir/r4", transaction(good...)), http.StatusOK)
	if doc["type"] != "transaction-response" || len(anys(doc["entry"])) != 2 {
		t.Fatalf("answer: %v", doc)
	}
	for _, e := range anys(doc["entry"]) {
		if r := obj(obj(e)["response"]); r["status"] != "201 Created" || obj(e)["resource"] != nil {
			t.Errorf("entry %v", e)
		}
	}
	more := []string{observation(me.PersonID, weight, "kg", 70, "2026-11-04T08:00:00+02:00", "")}
	rep := want(t, a.call(t, me, "POST", "/fhir/r4", transaction(more...), "Prefer: return=representation"), http.StatusOK)
	if r := obj(obj(anys(rep["entry"])[0])["resource"]); r["resourceType"] != "Observation" {
		t.Errorf("return=representation: entry without its Observation: %v", rep["entry"])
	}
	more[0] = observation(me.PersonID, weight, "kg", 71, "2026-11-04T09:00:00+02:00", "")
	oo := want(t, a.call(t, me, "POST", "/fhir/r4", transaction(more...), "Prefer: return=OperationOutcome"), http.StatusOK)
	if r := obj(obj(obj(anys(oo["entry"])[0])["response"])["outcome"]); r["resourceType"] != "OperationOutcome" {
		t.Errorf("return=OperationOutcome: %v", oo["entry"])
	}
	if n := want(t, a.call(t, me, "GET", "/fhir/r4/Observation?_count=0", ""), http.StatusOK)["total"]; n != 4.0 {
		t.Errorf("%v measurements stored, want 4", n)
	}

	other := a.MustCitizen(t, hetuB, "kainuu")
	mixed := transaction(good[0], observation(other.PersonID, heartRate, "/min", 60, "2026-11-04T07:00:00+02:00", ""))
	want(t, a.call(t, me, "POST", "/fhir/r4", mixed), http.StatusUnprocessableEntity)
	notMine := transaction(observation(other.PersonID, heartRate, "/min", 60, "2026-11-04T07:00:00+02:00", ""))
	want(t, a.call(t, me, "POST", "/fhir/r4", notMine), http.StatusForbidden)
	want(t, a.call(t, me, "POST", "/fhir/r4", "resourceType=Bundle"), http.StatusUnsupportedMediaType)
}

// TestTransactionTooLarge: a body over 10 MB is 413, whether its length
// is declared or it comes chunked, and so is one entry over 256 kB, named
// by its path; nothing is stored.
func TestTransactionTooLarge(t *testing.T) {
	a := newAPI(t)
	me := a.MustCitizen(t, hetuA, "kainuu")
	entry := observation(me.PersonID, heartRate, "/min", 60, "2026-11-04T07:00:00+02:00", "")
	var entries []string
	for n := 0; n < (10<<20)/len(entry)+10; n++ {
		entries = append(entries, entry)
	}
	body := []byte(transaction(entries...))
	want(t, a.call(t, me, "POST", "/fhir/r4", string(body)), http.StatusRequestEntityTooLarge)
	chunked := httptest.NewRequest("POST", "/fhir/r4", io.MultiReader(bytes.NewReader(body)))
	chunked.ContentLength = -1
	if w := a.send(me, chunked); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked body over 10 MB: %d %.300s", w.Code, w.Body)
	}
	huge := strings.Replace(entry, `"status"`, `"note":[{"text":"`+strings.Repeat("x", 300<<10)+`"}],"status"`, 1)
	doc := want(t, a.call(t, me, "POST", "/fhir/r4", transaction(entry, huge)), http.StatusRequestEntityTooLarge)
	if !strings.Contains(outcomeText(doc), "@Bundle.entry[1]") {
		t.Errorf("an entry over 256 kB: %s", outcomeText(doc))
	}
	if n := want(t, a.call(t, me, "GET", "/fhir/r4/Observation?_count=0", ""), http.StatusOK)["total"]; n != 0.0 {
		t.Errorf("a refused transaction stored %v measurements", n)
	}
}

// TestJunkTransactionMemory: a 10 MB transaction of junk entries sent
// through the API raises the heap by a few tens of MB at most: entries
// are decoded as they arrive and the first bad one ends the request.
func TestJunkTransactionMemory(t *testing.T) {
	a := newAPI(t)
	me := a.MustCitizen(t, hetuA, "kainuu")
	valid := observation(me.PersonID, heartRate, "/min", 60, "2026-11-04T07:00:00+02:00", "")
	for name, entry := range map[string]string{
		"tiny junk entries":           `{"x":1}`,
		"a valid entry, then junk":    "",
		"unknown elements in entries": `{"resource":` + strings.Replace(valid, `"status"`, `"junk":[1,2,3],"status"`, 1) + `,"request":{"method":"POST","url":"Observation"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			body := junkBundle(entry, valid)
			var w *httptest.ResponseRecorder
			alloc, peak := measure(func() { w = a.post(me, body) })
			t.Logf("%.1f MB body: status %d, %.1f MB allocated, heap grew %.1f MB", mb(len(body)), w.Code, mb(int(alloc)), mb(int(peak)))
			if w.Code != http.StatusBadRequest && w.Code != http.StatusUnprocessableEntity && w.Code != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d, want a refusal of the junk: %s", w.Code, w.Body)
			}
			if strings.Contains(w.Body.String(), "the limit is") {
				t.Fatalf("the junk body was refused for its size, not its junk: %s", w.Body)
			}
			const budget = 16 << 20
			if alloc > budget {
				t.Errorf("refusing %.1f MB of junk allocated %.1f MB; budget %d MB", mb(len(body)), mb(int(alloc)), budget>>20)
			}
		})
	}
	a.bodies = nil
}

// junkBundle is a 10 MB transaction Bundle of entry repeated; an empty
// entry means one valid entry followed by junk in a member.
func junkBundle(entry, valid string) []byte {
	var b bytes.Buffer
	b.WriteString(`{"resourceType":"Bundle","type":"transaction","entry":[`)
	if entry == "" {
		b.WriteString(`{"resource":` + valid + `,"request":{"method":"POST","url":"Observation"}},{"fullUrl":[`)
		for b.Len() < 10<<20-100 {
			b.WriteString("1,")
		}
		b.WriteString(`1]}]}`)
		return b.Bytes()
	}
	for b.Len() < 10<<20-2*len(entry)-10 { // just under the 10 MB limit
		b.WriteString(entry)
		b.WriteByte(',')
	}
	b.WriteString(entry + "]}")
	return b.Bytes()
}

// post sends a transaction body as who; the answer is not kept.
func (a *api) post(who auth.Principal, body []byte) *httptest.ResponseRecorder {
	return a.send(who, httptest.NewRequest("POST", "/fhir/r4", bytes.NewReader(body)))
}

// send sends a FHIR JSON request as who, from the portal's origin.
func (a *api) send(who auth.Principal, r *http.Request) *httptest.ResponseRecorder {
	r.Header.Set("Content-Type", fhirJSON)
	r.Header.Set("Origin", portaltest.BaseURL)
	r.Host = strings.TrimPrefix(portaltest.BaseURL, "http://")
	w := httptest.NewRecorder()
	a.As(who).ServeHTTP(w, r)
	return w
}

// measure returns the bytes f allocated in all (an upper bound on how far
// it can raise the peak) and how much the live heap grew.
func measure(f func()) (alloc, grew uint64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	grew = 0
	if after.HeapAlloc > before.HeapAlloc {
		grew = after.HeapAlloc - before.HeapAlloc
	}
	return after.TotalAlloc - before.TotalAlloc, grew
}

func mb(n int) float64 { return float64(n) / (1 << 20) }
