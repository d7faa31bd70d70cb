package fhirapi_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/omahoito/omahoito/internal/portaltest"
)

const (
	heartRate = "8867-4"
	weight    = "29463-7"
)

// TestObservationLifecycle: create, read, vread, update under If-Match
// (412 when stale), delete (410 after), history with _count, as a citizen
// on their own record.
func TestObservationLifecycle(t *testing.T) {
	a := newAPI(t)
	me := a.MustCitizen(t, hetuA, "kainuu")
	w := a.call(t, me, "POST", "/fhir/r4/Observation", observation(me.PersonID, heartRate, "/min", 61, "2026-11-01T08:00:00+02:00", ""))
	id := created(t, w)
	if loc := w.Header().Get("Location"); loc != base+"/Observation/"+id+"/_history/1" {
		t.Errorf("Location %q", loc)
	}
	if etag := w.Header().Get("ETag"); etag != `W/"1"` {
		t.Errorf("ETag %q", etag)
	}
	ids := map[string]string{id: "<observation>", me.PersonID: "<patient>"}
	read := a.call(t, me, "GET", "/fhir/r4/Observation/"+id, "")
	want(t, read, http.StatusOK)
	golden(t, "observation-quantity", read.Body.Bytes(), ids)

	update := observation(me.PersonID, heartRate, "/min", 62, "2026-11-01T08:00:00+02:00", "")
	update = `{"id":"` + id + `",` + update[1:]
	want(t, a.call(t, me, "PUT", "/fhir/r4/Observation/"+id, update, `If-Match: W/"1"`), http.StatusOK)
	stale := want(t, a.call(t, me, "PUT", "/fhir/r4/Observation/"+id, update, `If-Match: W/"1"`), http.StatusPreconditionFailed)
	if !strings.Contains(outcomeText(stale), "If-Match") {
		t.Errorf("412 says %q", outcomeText(stale))
	}
	want(t, a.call(t, me, "PUT", "/fhir/r4/Observation/"+id, update, `If-Match: yesterday`), http.StatusBadRequest)

	v1 := want(t, a.call(t, me, "GET", "/fhir/r4/Observation/"+id+"/_history/1", ""), http.StatusOK)
	if q := obj(v1["valueQuantity"])["value"]; q != 61.0 {
		t.Errorf("version 1 has value %v, want 61", q)
	}
	want(t, a.call(t, me, "GET", "/fhir/r4/Observation/"+id+"/_history/9", ""), http.StatusNotFound)

	want(t, a.call(t, me, "DELETE", "/fhir/r4/Observation/"+id, "", `If-Match: W/"1"`), http.StatusPreconditionFailed)
	if w := a.call(t, me, "DELETE", "/fhir/r4/Observation/"+id, ""); w.Code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", w.Code, w.Body)
	}
	// Deleting it again succeeds (R4: 200 or 204) and writes no version.
	if w := a.call(t, me, "DELETE", "/fhir/r4/Observation/"+id, ""); w.Code != http.StatusNoContent {
		t.Fatalf("second delete: %d %s", w.Code, w.Body)
	}
	want(t, a.call(t, me, "GET", "/fhir/r4/Observation/"+id, ""), http.StatusGone)
	want(t, a.call(t, me, "GET", "/fhir/r4/Observation/"+id+"/_history/3", ""), http.StatusGone)

	hist := a.call(t, me, "GET", "/fhir/r4/Observation/"+id+"/_history", "")
	doc := want(t, hist, http.StatusOK)
	if doc["type"] != "history" || doc["total"] != 3.0 || len(anys(doc["entry"])) != 3 {
		t.Errorf("history: type %v, total %v, %d entries", doc["type"], doc["total"], len(anys(doc["entry"])))
	}
	golden(t, "history", hist.Body.Bytes(), ids)
	// _count: the newest versions first, total still counting all.
	doc = want(t, a.call(t, me, "GET", "/fhir/r4/Observation/"+id+"/_history?_count=1", ""), http.StatusOK)
	if doc["total"] != 3.0 || len(anys(doc["entry"])) != 1 || str(obj(obj(anys(doc["entry"])[0])["request"])["method"]) != "DELETE" {
		t.Errorf("_count=1: total %v, entries %v", doc["total"], doc["entry"])
	}
	want(t, a.call(t, me, "GET", "/fhir/r4/Observation/"+id+"/_history?_count=-1", ""), http.StatusBadRequest)
	want(t, a.call(t, me, "GET", "/fhir/r4/Observation/"+id+"/_history?_since=2026-01-01", ""), http.StatusBadRequest)
	want(t, a.call(t, me, "GET", "/fhir/r4/Observation/"+id+"/_history?_since=2026-01-01", "", "Prefer: handling=lenient"), http.StatusOK)
}

// TestBloodPressureAndPrefer: a panel round-trips; Prefer: return= gives
// no body, the resource, or an OperationOutcome.
func TestBloodPressureAndPrefer(t *testing.T) {
	a := newAPI(t)
	me := a.MustCitizen(t, hetuA, "kainuu")
	id := created(t, a.call(t, me, "POST", "/fhir/r4/Observation", bloodPressure(me.PersonID, 128, 84, "2026-11-02T07:30:00+02:00")))
	read := a.call(t, me, "GET", "/fhir/r4/Observation/"+id, "")
	want(t, read, http.StatusOK)
	golden(t, "observation-blood-pressure", read.Body.Bytes(), map[string]string{id: "<observation>", me.PersonID: "<patient>"})

	minimal := a.call(t, me, "POST", "/fhir/r4/Observation", bloodPressure(me.PersonID, 120, 80, "2026-11-02T08:30:00+02:00"), "Prefer: return=minimal")
	if minimal.Code != http.StatusCreated || minimal.Body.Len() != 0 || minimal.Header().Get("Location") == "" {
		t.Errorf("return=minimal: %d, Location %q, body %q", minimal.Code, minimal.Header().Get("Location"), minimal.Body)
	}
	oo := want(t, a.call(t, me, "POST", "/fhir/r4/Observation", bloodPressure(me.PersonID, 121, 80, "2026-11-02T09:30:00+02:00"),
		"Prefer: return=OperationOutcome"), http.StatusCreated)
	if oo["resourceType"] != "OperationOutcome" || str(obj(anys(oo["issue"])[0])["severity"]) != "information" {
		t.Errorf("return=OperationOutcome: %v", oo)
	}
	rep := want(t, a.call(t, me, "POST", "/fhir/r4/Observation", bloodPressure(me.PersonID, 122, 80, "2026-11-02T10:30:00+02:00"),
		"Prefer: return=representation"), http.StatusCreated)
	if rep["resourceType"] != "Observation" || len(anys(rep["component"])) != 2 {
		t.Errorf("return=representation: %v", rep)
	}
	update := `{"id":"` + id + `",` + bloodPressure(me.PersonID, 129, 85, "2026-11-02T07:30:00+02:00")[1:]
	if w := a.call(t, me, "PUT", "/fhir/r4/Observation/"+id, update, "Prefer: return=minimal"); w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Errorf("update with return=minimal: %d %q", w.Code, w.Body)
	}
}

// TestConditionalCreate: If-None-Exist on the identifier creates once;
// the same create again answers 200 with the stored one; a condition that
// names another identifier than the body's is refused.
func TestConditionalCreate(t *testing.T) {
	a := newAPI(t)
	me := a.MustCitizen(t, hetuA, "kainuu")
	body := observation(me.PersonID, weight, "kg", 72.5, "2026-11-03T07:00:00+02:00", "urn:ietf:rfc:3986|urn:uuid:1f0c")
	cond := "If-None-Exist: identifier=urn:ietf:rfc:3986|urn:uuid:1f0c"
	id := created(t, a.call(t, me, "POST", "/fhir/r4/Observation", body, cond))
	again := want(t, a.call(t, me, "POST", "/fhir/r4/Observation", body, cond), http.StatusOK)
	if again["id"] != id {
		t.Errorf("the repeated conditional create made %v, want the stored %s", again["id"], id)
	}
	other := want(t, a.call(t, me, "POST", "/fhir/r4/Observation", body, "If-None-Exist: identifier=urn:ietf:rfc:3986|urn:uuid:2222"),
		http.StatusUnprocessableEntity)
	if !strings.Contains(outcomeText(other), "@Observation.identifier") {
		t.Errorf("mismatched condition: %s", outcomeText(other))
	}
	want(t, a.call(t, me, "POST", "/fhir/r4/Observation", body, "If-None-Exist: code=8867-4"), http.StatusBadRequest)
	// Without the condition, other content under a known identifier is a
	// conflict.
	changed := observation(me.PersonID, weight, "kg", 80, "2026-11-03T07:00:00+02:00", "urn:ietf:rfc:3986|urn:uuid:1f0c")
	reused := want(t, a.call(t, me, "POST", "/fhir/r4/Observation", changed), http.StatusConflict)
	if !strings.Contains(outcomeText(reused), "identifier is already used") {
		t.Errorf("a reused identifier without the condition: %s", outcomeText(reused))
	}
	n := want(t, a.call(t, me, "GET", "/fhir/r4/Observation?_count=0", ""), http.StatusOK)
	if n["total"] != 1.0 {
		t.Errorf("%v measurements stored, want 1", n["total"])
	}
	// A deleted measurement's identifier is not stored again, even under
	// the condition: 409, saying so.
	if w := a.call(t, me, "DELETE", "/fhir/r4/Observation/"+id, ""); w.Code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", w.Code, w.Body)
	}
	for _, headers := range [][]string{{cond}, nil} {
		gone := want(t, a.call(t, me, "POST", "/fhir/r4/Observation", body, headers...), http.StatusConflict)
		if !strings.Contains(outcomeText(gone), "was deleted") {
			t.Errorf("a deleted identifier %v: %s", headers, outcomeText(gone))
		}
	}
}

// TestConditionalCreateIgnoresTheBody: R4 conditional create: when a
// measurement with the identifier exists, it is the answer (200) and the
// body is ignored, even when it says something else.
func TestConditionalCreateIgnoresTheBody(t *testing.T) {
	a := newAPI(t)
	me := a.MustCitizen(t, hetuA, "kainuu")
	cond := "If-None-Exist: identifier=urn:ietf:rfc:3986|urn:uuid:77aa"
	id := created(t, a.call(t, me, "POST", "/fhir/r4/Observation",
		observation(me.PersonID, weight, "kg", 72.5, "2026-11-03T07:00:00+02:00", "urn:ietf:rfc:3986|urn:uuid:77aa"), cond))
	changed := observation(me.PersonID, weight, "kg", 80, "2026-11-04T07:00:00+02:00", "urn:ietf:rfc:3986|urn:uuid:77aa")
	match := want(t, a.call(t, me, "POST", "/fhir/r4/Observation", changed, cond), http.StatusOK)
	if match["id"] != id || obj(match["valueQuantity"])["value"] != 72.5 {
		t.Errorf("a conditional create that matches answered %v, want the stored %s of 72.5 kg", match, id)
	}
	if n := want(t, a.call(t, me, "GET", "/fhir/r4/Observation?_count=0", ""), http.StatusOK)["total"]; n != 1.0 {
		t.Errorf("%v measurements stored, want 1", n)
	}
}

// TestObservationSearch: code token forms, date prefixes, _sort, paging
// by next links, _count=0, POST _search, strict and lenient handling.
func TestObservationSearch(t *testing.T) {
	a := newAPI(t)
	me := a.MustCitizen(t, hetuA, "kainuu")
	var ids []string
	for day := 1; day <= 5; day++ {
		at := "2026-10-0" + string(rune('0'+day)) + "T08:00:00+03:00"
		ids = append(ids, created(t, a.call(t, me, "POST", "/fhir/r4/Observation", observation(me.PersonID, heartRate, "/min", float64(60+day), at, ""))))
	}
	created(t, a.call(t, me, "POST", "/fhir/r4/Observation", observation(me.PersonID, weight, "kg", 70, "2026-10-03T09:00:00+03:00", "")))
	total := func(query string, headers ...string) map[string]any {
		t.Helper()
		return want(t, a.call(t, me, "GET", "/fhir/r4/Observation?"+query, "", headers...), http.StatusOK)
	}
	for query, n := range map[string]float64{
		"code=http://loinc.org|" + heartRate:           5,
		"code=" + heartRate:                            5,
		"code=http://loinc.org|":                       6,
		"code=" + heartRate + "," + weight:             6,
		"code=" + heartRate + "&code=" + weight:        0,
		"date=2026-10-03":                              2,
		"date=ge2026-10-03&date=lt2026-10-05":          3,
		"date=gt2026-10-03":                            2,
		"date=le2026-10-02T08:00:00%2B03:00":           2,
		"date=sa2026-10-04&code=" + heartRate:          1,
		"date=eb2026-10-02":                            1,
		"patient=Patient/" + me.PersonID:               6,
		"subject:Patient=" + me.PersonID + "&_count=0": 6,
	} {
		if got := total(query)["total"]; got != n {
			t.Errorf("%s: total %v, want %v", query, got, n)
		}
	}
	many := strings.TrimSuffix(strings.Repeat(heartRate+",", 51), ",")
	for _, bad := range []string{"code=" + many, "code=|" + heartRate, "code=http://snomed.info/sct|" + heartRate, "date=ne2026-10-01",
		"date=2026-13-01", "_sort=value", "_count=x", "colour=red", "code:text=pulse"} {
		want(t, a.call(t, me, "GET", "/fhir/r4/Observation?"+bad, ""), http.StatusBadRequest)
	}

	asc := entries(total("code=" + heartRate + "&_sort=date"))
	if len(asc) != 5 || asc[0]["id"] != ids[0] || asc[4]["id"] != ids[4] {
		t.Errorf("_sort=date: %v", asc)
	}
	// Paging: 2 per page, newest first, by next links to the end.
	var seen []string
	page := total("code=" + heartRate + "&_count=2")
	golden(t, "searchset", mustJSON(t, page), map[string]string{ids[4]: "<obs5>", ids[3]: "<obs4>", me.PersonID: "<patient>"})
	for pages := 1; ; pages++ {
		for _, e := range entries(page) {
			seen = append(seen, str(e["id"]))
		}
		next := link(page, "next")
		if next == "" || pages > 5 {
			break
		}
		page = want(t, a.call(t, me, "GET", strings.TrimPrefix(next, portaltest.BaseURL), ""), http.StatusOK)
	}
	if strings.Join(seen, ",") != strings.Join([]string{ids[4], ids[3], ids[2], ids[1], ids[0]}, ",") {
		t.Errorf("pages gave %v, want the five newest first", seen)
	}
	zero := total("_count=0")
	if zero["total"] != 6.0 || len(anys(zero["entry"])) != 0 {
		t.Errorf("_count=0: total %v, %d entries", zero["total"], len(anys(zero["entry"])))
	}

	form := url.Values{"code": {heartRate}, "date": {"ge2026-10-04"}}.Encode()
	if got := want(t, a.call(t, me, "POST", "/fhir/r4/Observation/_search", form), http.StatusOK)["total"]; got != 2.0 {
		t.Errorf("POST _search: total %v, want 2", got)
	}
	want(t, a.call(t, me, "POST", "/fhir/r4/Observation/_search", `{"code":"x"}`), http.StatusUnsupportedMediaType)

	lenient := total("code="+heartRate+"&colour=red&_elements=id", "Prefer: handling=lenient")
	if lenient["total"] != 5.0 || strings.Contains(link(lenient, "self"), "colour") || !strings.Contains(link(lenient, "self"), "code=") {
		t.Errorf("lenient: total %v, self %q", lenient["total"], link(lenient, "self"))
	}
	outcome := lastEntry(lenient)
	if str(obj(outcome["search"])["mode"]) != "outcome" || !strings.Contains(outcomeText(obj(outcome["resource"])), "colour") {
		t.Errorf("lenient search does not report what it ignored: %v", outcome)
	}
	want(t, a.call(t, me, "GET", "/fhir/r4/Observation?code="+heartRate+"&colour=red", "", "Prefer: handling=strict"), http.StatusBadRequest)
}

func lastEntry(doc map[string]any) map[string]any {
	es := anys(doc["entry"])
	if len(es) == 0 {
		return nil
	}
	return obj(es[len(es)-1])
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
