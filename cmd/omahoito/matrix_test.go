package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/record"
)

// The matrix's people: citizen A owns the record, citizen B is another
// citizen of the same region.
const (
	matrixHetuA = "010190-900P"
	matrixHetuB = "150380-902U"
	// matrixWeight is A's weight reading, which no grant of the matrix
	// covers: it must never reach a professional's answer.
	matrixWeight = 87.3
)

// role is a column of the matrix: who calls.
type role string

const (
	roleAnon        role = "anonymous"
	roleOwner       role = "the citizen"
	roleOther       role = "another citizen"
	roleWith        role = "professional with consent"
	roleWithout     role = "professional without consent"
	roleColleague   role = "care-unit colleague"
	roleOtherRegion role = "another region's professional"
	roleOperator    role = "operator"
)

// matrixWorld is one database with A's readings and one grant of A's to
// kainuu-nurse: by name (byUnit false: her colleague kainuu-doctor is not
// covered and stands for "without consent" too; the seed has no other
// professional in Kainuu) or to their care unit (byUnit: the colleague is
// covered).
type matrixWorld struct {
	a            *testApp
	byUnit       bool
	owner, other string // A's and B's person ids
	bp, weight   string // ids of A's blood pressure and weight readings
	file         string // id of A's image, which the grant names
	private      string // id of A's text file, which no grant covers
	grant        string // the world's grant
	clients      map[role]*http.Client
	roles        []role
	ownerJar     *http.Client // A's own browser, following redirects, for setting up
}

// TestAuthorisationMatrix walks every page route and FHIR interaction as
// each kind of caller, each logged in through the development provider
// with a browser's cookie jar, and asserts the status of every cell
// (matrixExpectations), on both databases and in both worlds. A route
// without an expectation fails the test. Then A's access log must name
// who was let in and who was refused.
func TestAuthorisationMatrix(t *testing.T) {
	for _, db := range databases {
		for _, byUnit := range []bool{false, true} {
			name := db + "/by-name"
			if byUnit {
				name = db + "/care-unit"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				// The matrix logs in and starts logins many times from one
				// address, beyond the login rate limit its own tests cover.
				w := newMatrixWorld(t, MustStartApp(t, db, withoutRateLimits), byUnit)
				w.walk(t)
				w.assertAccessLog(t)
			})
		}
	}
}

func newMatrixWorld(t *testing.T, a *testApp, byUnit bool) *matrixWorld {
	t.Helper()
	w := &matrixWorld{a: a, byUnit: byUnit, clients: map[role]*http.Client{}}
	w.ownerJar = browser(t)
	a.citizenLogin(t, w.ownerJar, matrixHetuA, "kainuu")
	w.owner = mustPatientSelf(t, w.ownerJar, a).ID
	other := browser(t)
	a.citizenLogin(t, other, matrixHetuB, "kainuu")
	w.other = mustPatientSelf(t, other, a).ID
	w.clients[roleAnon], w.clients[roleOwner], w.clients[roleOther] = browser(t), w.ownerJar, other
	w.roles = []role{roleAnon, roleOwner, roleOther, roleWith, roleColleague, roleOtherRegion, roleOperator}
	for r, user := range map[role]string{roleWith: "kainuu-nurse", roleColleague: "kainuu-doctor", roleOtherRegion: "oulu-nurse", roleOperator: "kainuu-operator"} {
		c := browser(t)
		if res, _ := a.professionalLogin(t, c, user); res.StatusCode != http.StatusOK {
			t.Fatalf("%s login: %d", user, res.StatusCode)
		}
		w.clients[r] = c
	}
	if !byUnit {
		w.clients[roleWithout] = w.clients[roleColleague] // the same doctor: not named, and the grant is not to the unit
		w.roles = slices.Insert(w.roles, 4, roleWithout)
	}
	w.seedReadings(t)
	w.grant = w.giveThroughPages(t)
	for _, c := range w.clients {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return w
}

// seedReadings posts A's blood pressures and one weight through the API.
func (w *matrixWorld) seedReadings(t *testing.T) {
	t.Helper()
	day := time.Now().Add(-48 * time.Hour).UTC().Truncate(time.Minute)
	w.bp = w.ownerPost(t, bpObservation(w.owner, 128, 84, day, ""))
	w.ownerPost(t, bpObservation(w.owner, 131, 86, day.Add(24*time.Hour), ""))
	w.weight = w.ownerPost(t, quantityObservation(w.owner, "29463-7", matrixWeight, "kg", day.Add(time.Hour), ""))
	w.file = w.ownerDocument(t, matrixImage(w.owner))
	w.private = w.freshFile(t)
}

// freshFile adds a short text file of A's through the API and returns its
// id, for the world and for a write that changes or deletes one.
func (w *matrixWorld) freshFile(t *testing.T) string {
	t.Helper()
	return w.ownerDocument(t, matrixDocument(w.owner, ""))
}

// ownerDocument creates one DocumentReference as A and returns its id.
func (w *matrixWorld) ownerDocument(t *testing.T, doc string) string {
	t.Helper()
	res, body := w.send(t, w.ownerJar, http.MethodPost, "/fhir/r4/DocumentReference", doc)
	var created struct {
		ID string `json:"id"`
	}
	if res.StatusCode != http.StatusCreated || json.Unmarshal([]byte(body), &created) != nil || created.ID == "" {
		t.Fatalf("A's file: %d: %.400s", res.StatusCode, body)
	}
	return created.ID
}

// ownerPost creates one Observation as A and returns its id.
func (w *matrixWorld) ownerPost(t *testing.T, body []byte) string {
	t.Helper()
	u := &apiCitizen{testApp: w.a, c: w.ownerJar, patientID: w.owner}
	res, got := u.do(t, http.MethodPost, "/Observation", body)
	return mustObservation(t, res, got, http.StatusCreated).ID
}

// giveThroughPages gives the world's grant on A's consent pages (blood
// pressure and the one image chosen, 12 months) and returns its id.
func (w *matrixWorld) giveThroughPages(t *testing.T) string {
	t.Helper()
	grantee := "professional:pro-kainuu-nurse"
	if w.byUnit {
		grantee = "unit:unit-kainuu-kajaani"
	}
	form := url.Values{"grantee": {grantee}, "what": {"chosen"}, "kind": {string(record.BloodPressure)},
		"files": {"chosen"}, "file": {w.file}, "period": {"12"}}
	res, body := w.send(t, w.ownerJar, http.MethodPost, "/consents/confirm", form.Encode())
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/consents" {
		t.Fatalf("give consent on the page: %d at %s: %.500s", res.StatusCode, res.Request.URL, body)
	}
	grants, err := w.a.store.Grants(context.Background(), w.owner)
	if err != nil || len(grants) != 1 {
		t.Fatalf("grants after giving: %v, %v", grants, err)
	}
	return grants[0].ID
}

// send makes one request with the portal's own Origin, as its pages do; a
// body starting with "{" is FHIR JSON, any other a form.
func (w *matrixWorld) send(t *testing.T, c *http.Client, method, target, body string) (*http.Response, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, w.a.URL+target, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", w.a.URL)
	switch {
	case strings.HasPrefix(body, "{"):
		req.Header.Set("Content-Type", fhirJSON)
	case body != "":
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	return res, readBody(t, res)
}

// walk sends every route of the app, and the shell's own, as every role
// and compares each status with the table.
func (w *matrixWorld) walk(t *testing.T) {
	t.Helper()
	table := matrixExpectations()
	keys := w.routeKeys()
	for _, key := range keys {
		want, ok := table[key]
		if !ok {
			t.Errorf("add an expectation for %s to matrixExpectations (seen: %s)", key, w.seen(t, key))
			continue
		}
		for _, r := range w.roles {
			w.cell(t, key, r, want.of(r, w.byUnit))
		}
	}
	for key := range table {
		if !slices.Contains(keys, key) {
			t.Errorf("matrixExpectations has %s, which is no route of the app", key)
		}
	}
	for key := range suspects {
		if _, ok := table[key]; !ok {
			t.Errorf("suspects names %s, which is not in matrixExpectations", key)
		}
	}
}

// routeKeys are the app's routes and the shell's probes, with the
// variants the table adds, ordered so that those that change a session
// (login starts, callbacks, logout) come last.
func (w *matrixWorld) routeKeys() []string {
	keys := slices.Clone(shellRoutes)
	for _, r := range w.a.routes {
		keys = append(keys, r.Method+" "+r.Path)
	}
	keys = append(keys, matrixVariants...)
	slices.SortStableFunc(keys, func(x, y string) int { return sessionRank(x) - sessionRank(y) })
	return keys
}

func sessionRank(key string) int {
	switch {
	case key == "POST /logout":
		return 2
	case strings.Contains(key, "/login") || strings.Contains(key, "/callback"):
		return 1
	}
	return 0
}

// seen is what each role gets for a route with no expectation, for the
// message that asks for one.
func (w *matrixWorld) seen(t *testing.T, key string) string {
	t.Helper()
	var out []string
	for _, r := range w.roles {
		target, body := w.request(t, key, r)
		method, _, _ := strings.Cut(key, " ")
		res, _ := w.send(t, w.clients[r], method, target, body)
		out = append(out, fmt.Sprintf("%s %d", r, res.StatusCode))
	}
	return strings.Join(out, ", ")
}

// cell sends one request and asserts its status. An answer let through
// to a professional must not carry the weight no grant covers, and one
// to a caller no grant covers must not name A.
func (w *matrixWorld) cell(t *testing.T, key string, r role, want int) {
	t.Helper()
	method, _, _ := strings.Cut(key, " ")
	target, body := w.request(t, key, r)
	res, got := w.send(t, w.clients[r], method, target, body)
	w.checkStatus(t, key, r, res.StatusCode, want, got)
	if res.StatusCode >= 300 {
		return
	}
	if r != roleOwner && r != roleAnon && r != roleOther && showsWeight(got) {
		t.Errorf("%s as %s: the answer shows A's weight, which no grant covers:\n%.1000s", key, r, got)
	}
	covered := r == roleOwner || r == roleWith || (r == roleColleague && w.byUnit)
	if r != roleOwner && strings.Contains(got, w.private) {
		t.Errorf("%s as %s: the answer names A's file that no grant covers:\n%.1000s", key, r, got)
	}
	if !covered && strings.Contains(got, w.owner) {
		t.Errorf("%s as %s: the answer names A, whose grant does not cover them:\n%.1000s", key, r, got)
	}
}

// checkStatus compares a cell with the table, or with what a suspect
// cell answers today.
func (w *matrixWorld) checkStatus(t *testing.T, key string, r role, got, want int, body string) {
	t.Helper()
	today, suspect := suspects[key][cellName(r, w.byUnit)]
	switch {
	case suspect && got == want:
		t.Errorf("%s as %s = %d as the matrix expects: remove the cell from suspects", key, r, got)
	case suspect && got != today:
		t.Errorf("%s as %s = %d; a suspect cell, recorded as %d, expected %d\n%.400s", key, r, got, today, want, body)
	case suspect:
		t.Logf("possible bug: %s as %s = %d, the matrix expects %d", key, r, got, want)
	case got != want:
		t.Errorf("%s as %s = %d, want %d\n%.400s", key, r, got, want, body)
	}
}

// showsWeight looks for the weight as the API and the pages write it.
func showsWeight(body string) bool {
	return strings.Contains(body, "87.3") || strings.Contains(body, "87,3")
}

// assertAccessLog: A's register names the nurse let in, and the doctor
// (when no grant covers them), the other region's nurse, the operator
// and citizen B refused.
func (w *matrixWorld) assertAccessLog(t *testing.T) {
	t.Helper()
	permits, denies, fileReads := map[string]int{}, map[string]int{}, map[string]int{}
	q := audit.Query{PatientID: w.owner, Limit: audit.MaxSearchLimit}
	for {
		es, next, err := w.a.audit.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if e.Outcome == audit.Permit {
				permits[e.Actor.ID]++
			} else {
				denies[e.Actor.ID]++
			}
			if e.Class == string(record.ClassFiles) && e.Actor.ID == "pro-kainuu-nurse" {
				fileReads[e.Action+" "+string(e.Outcome)+" "+strings.Join(e.IDs, ",")]++
			}
		}
		if next == nil {
			break
		}
		q.After = next
	}
	for _, want := range []string{
		"download " + string(audit.Permit) + " " + w.file,
		"download " + string(audit.Deny) + " " + w.private,
	} {
		if fileReads[want] == 0 {
			t.Errorf("A's access log lacks the nurse's %q: the nurse's file entries are %v", want, fileReads)
		}
	}
	if permits["pro-kainuu-nurse"] == 0 {
		t.Errorf("A's access log holds no permitted read by kainuu-nurse: permits %v", permits)
	}
	refused := []string{"pro-oulu-nurse", "op-kainuu", w.other}
	if w.byUnit {
		if permits["pro-kainuu-doctor"] == 0 {
			t.Errorf("A's access log holds no permitted read by kainuu-doctor, whose unit A's grant covers: permits %v", permits)
		}
	} else {
		refused = append(refused, "pro-kainuu-doctor")
	}
	for _, id := range refused {
		if denies[id] == 0 {
			t.Errorf("A's access log holds no refusal of %s: denies %v", id, denies)
		}
		if !w.byUnit && id != w.other && permits[id] > 0 {
			t.Errorf("A's access log lets %s in %d times", id, permits[id])
		}
	}
	if permits[w.other] > 0 {
		t.Errorf("A's access log lets citizen B in %d times", permits[w.other])
	}
}

// freshGrant stores another grant of A's to kainuu-nurse over blood
// pressure, which changes nothing anyone sees, for a write that revokes.
func (w *matrixWorld) freshGrant(t *testing.T) string {
	t.Helper()
	now := time.Now()
	return w.storeGrant(t, now, now.AddDate(1, 0, 0))
}

// freshAsk stores a pending request of kainuu-nurse's to A for blood
// pressure: approving it adds nothing she does not already see.
func (w *matrixWorld) freshAsk(t *testing.T) string {
	t.Helper()
	// One request waits at a time from the nurse to A: answer the one an
	// earlier row left waiting.
	asks, err := w.a.store.Asks(context.Background(), w.owner)
	if err != nil {
		t.Fatal(err)
	}
	for _, old := range asks {
		if old.Status == consent.AskPending && old.ProfessionalID == "pro-kainuu-nurse" {
			if err := w.a.store.DeclineAsk(context.Background(), old.ID, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	a := consent.Ask{
		ID: auth.NewID(), PersonID: w.owner, ProfessionalID: "pro-kainuu-nurse", Months: 12, Reason: "seuranta",
		Scope:     consent.Scope{Classes: []consent.ClassScope{{Class: record.ClassMeasurements, Items: []string{string(record.BloodPressure)}}}},
		CreatedAt: time.Now().UTC().Truncate(time.Microsecond), Status: consent.AskPending,
	}
	if err := w.a.store.CreateAsk(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a.ID
}

// freshReading is one more heart rate of A's, for a write that changes or
// deletes one.
func (w *matrixWorld) freshReading(t *testing.T) string {
	t.Helper()
	return w.ownerPost(t, quantityObservation(w.owner, "8867-4", 61, "/min", time.Now().Add(-3*time.Hour), ""))
}
