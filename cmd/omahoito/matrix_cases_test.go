package main

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/omahoito/omahoito/record"
)

// cells are one row of the matrix: the status each role gets. Colleague
// is kainuu-doctor when A's grant names kainuu-nurse alone (the same
// doctor is the professional without consent); ColleagueByUnit is the
// same doctor when A's grant is to their care unit.
type cells struct {
	Anon, Owner, Other, With, Without, Colleague, ColleagueByUnit, OtherRegion, Operator int
}

func (c cells) of(r role, byUnit bool) int {
	switch r {
	case roleAnon:
		return c.Anon
	case roleOwner:
		return c.Owner
	case roleOther:
		return c.Other
	case roleWith:
		return c.With
	case roleWithout:
		return c.Without
	case roleColleague:
		if byUnit {
			return c.ColleagueByUnit
		}
		return c.Colleague
	case roleOtherRegion:
		return c.OtherRegion
	}
	return c.Operator
}

// shellRoutes are served by the shell outside the pages' and the API's
// routers, so a.routes does not list them.
var shellRoutes = []string{"GET /healthz", "GET /readyz", "GET /static/style.css"}

// matrixVariants are further rows for routes whose answer depends on
// what the request touches: A's weight and A's private file, which no
// grant covers.
var matrixVariants = []string{
	"GET /fhir/r4/Observation/:id [weight]",
	"GET /fhir/r4/Observation [code=weight]",
	"GET /pro/patients/:id/measurements/:kind [weight]",
	"GET /measurements/k/:kind [weight]",
	"GET /fhir/r4/DocumentReference/:id [private]",
	"GET /fhir/r4/Binary/:id [private]",
	"GET /fhir/r4/DocumentReference/:id/_history/:vid [private]",
	"GET /pro/patients/:id/files/:fid [private]",
	"GET /pro/patients/:id/files/:fid/download [private]",
	"GET /pro/patients/:id/files/:fid/preview [private]",
}

// request is the target and body of a row for a role: ids from the world,
// and a fresh grant, request or reading where the request changes one.
func (w *matrixWorld) request(t *testing.T, key string, r role) (string, string) {
	t.Helper()
	_, path, _ := strings.Cut(key, " ")
	path, variant, _ := strings.Cut(path, " [")
	method, _, _ := strings.Cut(key, " ")
	write := method != "GET"
	id := w.bp
	switch {
	case strings.HasPrefix(path, "/fhir/r4/Patient/"), strings.HasPrefix(path, "/pro/patients/"):
		id = w.owner
	case strings.HasPrefix(path, "/fhir/r4/Practitioner/"):
		id = "pro-kainuu-nurse"
	case strings.HasPrefix(path, "/fhir/r4/Organization/"):
		id = "unit-kainuu-kajaani"
	case strings.HasPrefix(path, "/consents/asks/"):
		id = w.freshAsk(t)
	case strings.HasPrefix(path, "/consents/"), strings.HasPrefix(path, "/fhir/r4/Consent/"):
		id = w.grant
		if write {
			id = w.freshGrant(t)
		}
	case strings.HasPrefix(path, "/fhir/r4/DocumentReference/"), strings.HasPrefix(path, "/fhir/r4/Binary/"), strings.HasPrefix(path, "/files/"):
		id = w.file
		if write {
			id = w.freshFile(t)
		}
	case write && (strings.HasPrefix(path, "/measurements/m/") || strings.HasPrefix(path, "/fhir/r4/Observation/")):
		id = w.freshReading(t)
	case variant == "weight]":
		id = w.weight
	}
	file := w.file
	if variant == "private]" {
		file = w.private
		if id == w.file {
			id = w.private
		}
	}
	kind := string(record.BloodPressure)
	if variant == "weight]" {
		kind = string(record.BodyWeight)
	}
	target := strings.NewReplacer(":id", id, ":kind", kind, ":vid", "1", ":fid", file).Replace(path)
	target += w.query(key)
	return target, w.body(key, id)
}

// query is the query string a row sends: searches name A.
func (w *matrixWorld) query(key string) string {
	switch key {
	case "GET /fhir/r4/Observation", "GET /fhir/r4/Consent", "GET /fhir/r4/AuditEvent", "GET /fhir/r4/DocumentReference":
		return "?patient=Patient/" + w.owner
	case "GET /fhir/r4/Observation [code=weight]":
		return "?patient=Patient/" + w.owner + "&code=29463-7"
	case "GET /fhir/r4/Practitioner":
		return "?name=Aino"
	case "GET /fhir/r4/Organization":
		return "?name=Kajaani"
	}
	return ""
}

// body is a valid body for each write, so that it reaches the decision
// instead of stopping at a parse error.
func (w *matrixWorld) body(key, id string) string {
	at := time.Now().Add(-2 * time.Hour)
	hr := string(quantityObservation(w.owner, "8867-4", 62, "/min", at, ""))
	form := measurementForm("heart-rate", 26*time.Hour, "value", "62", "version", "1", "token", "m1")
	give := url.Values{"grantee": {"professional:pro-kainuu-nurse"}, "what": {"chosen"}, "kind": {string(record.BloodPressure)}, "period": {"12"}}
	switch key {
	case "POST /fhir/r4":
		return string(transactionBundle([][]byte{[]byte(hr)}))
	case "POST /fhir/r4/Observation":
		return hr
	case "PUT /fhir/r4/Observation/:id":
		return string(withID([]byte(hr), id))
	case "POST /fhir/r4/DocumentReference":
		return matrixDocument(w.owner, "")
	case "PUT /fhir/r4/DocumentReference/:id":
		return matrixDocument(w.owner, id)
	case "POST /fhir/r4/Binary":
		return "a note of my own" // sent as a form's type, kept as the sniffed text/plain
	case "POST /fhir/r4/Observation/_search", "POST /fhir/r4/Consent/_search", "POST /fhir/r4/AuditEvent/_search",
		"POST /fhir/r4/DocumentReference/_search":
		return "patient=Patient/" + w.owner
	case "POST /fhir/r4/Patient/_search":
		return "identifier=urn:oid:1.2.246.21|" + matrixHetuA
	case "POST /fhir/r4/Patient/:id/$everything":
		return "_count=10"
	case "POST /fhir/r4/Practitioner/_search":
		return "name=Aino"
	case "POST /fhir/r4/Organization/_search":
		return "name=Kajaani"
	case "POST /fhir/r4/Consent":
		return matrixConsent(w.owner, "", "active")
	case "PUT /fhir/r4/Consent/:id":
		return matrixConsent(w.owner, id, "inactive")
	case "POST /measurements/new", "POST /measurements/m/:id/edit", "POST /measurements/m/:id/delete":
		return form.Encode()
	case "POST /files/:id/edit", "POST /files/:id/delete":
		return url.Values{"version": {"1"}, "title": {"Uusi otsikko"}}.Encode()
	case "POST /consents/new", "POST /consents/confirm":
		return give.Encode()
	case "POST /pro/lookup":
		return "hetu=" + matrixHetuA
	case "POST /pro/ask":
		return url.Values{"hetu": {matrixHetuA}, "what": {"kinds"}, "kinds": {string(record.BloodPressure)}, "months": {"12"}, "reason": {"seuranta"}}.Encode()
	}
	return ""
}

// matrixConsent is A's FHIR Consent to kainuu-nurse over blood pressure;
// with an id and status inactive it revokes that grant.
func matrixConsent(patient, id, status string) string {
	idField := ""
	if id != "" {
		idField = `"id":"` + id + `",`
	}
	return `{"resourceType":"Consent",` + idField + `"status":"` + status + `","patient":{"reference":"Patient/` + patient + `"},` +
		`"provision":{"type":"permit","actor":[{"role":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ParticipationType","code":"IRCP"}]},` +
		`"reference":{"reference":"Practitioner/pro-kainuu-nurse"}}],"class":[{"system":"http://hl7.org/fhir/resource-types","code":"Observation"}],` +
		`"code":[{"coding":[{"system":"http://loinc.org","code":"85354-9"}]}]}}`
}

// matrixImage is A's DocumentReference of a small PNG image.
func matrixImage(patient string) string {
	img := base64.StdEncoding.EncodeToString(onePixelPNG)
	return `{"resourceType":"DocumentReference","status":"current","subject":{"reference":"Patient/` + patient + `"},` +
		`"description":"Ihottuma","content":[{"attachment":{"contentType":"image/png","title":"ihottuma.png","data":"` + img + `"}}]}`
}

// onePixelPNG is a 1×1 PNG image.
var onePixelPNG = []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0x0d, 'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0,
	0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0x0d, 'I', 'D', 'A', 'T', 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0, 0x05, 0x00, 0x01,
	0xff, 0x89, 0x99, 0x3d, 0x1d, 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82}

// matrixDocument is A's DocumentReference of a short text file; with an id
// it retitles that file.
func matrixDocument(patient, id string) string {
	idField := ""
	if id != "" {
		idField = `"id":"` + id + `",`
	}
	return `{"resourceType":"DocumentReference",` + idField + `"status":"current","subject":{"reference":"Patient/` + patient + `"},` +
		`"description":"Muistiinpano","content":[{"attachment":{"contentType":"text/plain","title":"muistio.txt","data":"b21hIG11aXN0aWlucGFubw=="}}]}`
}

// Rows that many routes share. The columns, in order: anonymous, the
// citizen A, another citizen B, professional with consent (kainuu-nurse),
// professional without consent (kainuu-doctor, not named), care-unit
// colleague (kainuu-doctor under a grant to the nurse by name), the same
// colleague under a grant to their unit, another region's professional
// (oulu-nurse), operator (kainuu-operator).
var (
	public = cells{200, 200, 200, 200, 200, 200, 200, 200, 200}
	// directory: the region's professionals and units, for anyone logged in.
	directory = cells{401, 200, 200, 200, 200, 200, 200, 200, 200}
	// directoryEntry: one of Kainuu's; Oulu's professional does not find it.
	directoryEntry = cells{401, 200, 200, 200, 200, 200, 200, 404, 200}
	// coveredRead: A's blood pressure or demographics, which the grant
	// covers: the nurse, and the colleague when the unit is the grantee.
	coveredRead = cells{401, 200, 403, 200, 403, 403, 200, 403, 403}
	// coveredByID: as coveredRead, by a reading's id: B is told not found.
	coveredByID = cells{401, 200, 404, 200, 403, 403, 200, 403, 403}
	// weightRead: A's weight, which no grant covers.
	weightRead = cells{401, 200, 403, 403, 403, 403, 403, 403, 403}
	// ownerOnly: A's access log and A's writes to A's record over the API.
	ownerOnly = cells{401, 200, 403, 403, 403, 403, 403, 403, 403}
	// ownPage: a citizen's page of their own (B sees B's); no professional's.
	ownPage = cells{401, 200, 200, 403, 403, 403, 403, 403, 403}
	// ownReadingPage: a citizen's page of one of A's readings.
	ownReadingPage = cells{401, 200, 404, 403, 403, 403, 403, 403, 403}
	// proOwnPage: a professional's own lists and forms; no citizen's, no operator's.
	proOwnPage = cells{401, 403, 403, 200, 200, 200, 200, 200, 403}
	// proPatientPage: a professional's page of A, under the grant.
	proPatientPage = cells{401, 403, 403, 200, 403, 403, 200, 403, 403}
	// patientSearch: everyone finds the people they may see (none, or
	// themself); an operator may not look for patients at all.
	patientSearch = cells{401, 200, 200, 200, 200, 200, 200, 200, 403}
	// grantPage: A's page of one of A's grants.
	grantPage = cells{401, 200, 403, 403, 403, 403, 403, 403, 403}
)

// matrixExpectations is the matrix: for every route, the status each
// role gets. A route the app serves that is missing here fails the test.
func matrixExpectations() map[string]cells {
	return map[string]cells{
		"GET /":                           public,
		"GET /privacy":                    public, // the privacy statement consent receipts name
		"GET /fhir/r4/metadata":           public,
		"GET /healthz":                    public,
		"GET /readyz":                     public,
		"GET /static/style.css":           public,
		"GET /login":                      {302, 302, 302, 302, 302, 302, 302, 302, 302}, // to the provider
		"GET /pro/login":                  {302, 302, 302, 302, 302, 302, 302, 302, 302},
		"GET /auth/citizen/callback":      {400, 400, 400, 400, 400, 400, 400, 400, 400}, // no login under way
		"GET /auth/professional/callback": {400, 400, 400, 400, 400, 400, 400, 400, 400},
		"POST /logout":                    {303, 303, 303, 303, 303, 303, 303, 303, 303},

		"GET /fhir/r4/Practitioner":          directory,
		"POST /fhir/r4/Practitioner/_search": directory,
		"GET /fhir/r4/Organization":          directory,
		"POST /fhir/r4/Organization/_search": directory,
		"GET /fhir/r4/Practitioner/:id":      directoryEntry,
		"GET /fhir/r4/Organization/:id":      directoryEntry,

		"GET /fhir/r4/Patient":                       patientSearch, // a professional: their patients
		"POST /fhir/r4/Patient/_search":              patientSearch, // by A's code: found only by A and those A's grant covers
		"GET /fhir/r4/Patient/:id":                   coveredRead,
		"GET /fhir/r4/Patient/:id/$everything":       coveredRead,
		"POST /fhir/r4/Patient/:id/$everything":      coveredRead,
		"GET /fhir/r4/Observation":                   coveredRead,
		"POST /fhir/r4/Observation/_search":          coveredRead,
		"GET /fhir/r4/Observation [code=weight]":     weightRead,
		"GET /fhir/r4/Observation/:id":               coveredByID,
		"GET /fhir/r4/Observation/:id/_history":      coveredByID,
		"GET /fhir/r4/Observation/:id/_history/:vid": coveredByID,
		"GET /fhir/r4/Observation/:id [weight]":      {401, 200, 404, 404, 403, 403, 404, 403, 403}, // outside a grant that lets the reader in: not found
		"POST /fhir/r4":                              ownerOnly,
		"POST /fhir/r4/Observation":                  {401, 201, 403, 403, 403, 403, 403, 403, 403},
		"PUT /fhir/r4/Observation/:id":               ownerOnly,
		"DELETE /fhir/r4/Observation/:id":            {401, 204, 404, 403, 403, 403, 403, 403, 403},
		"GET /fhir/r4/Consent":                       coveredRead, // a professional: the grants that name them
		"POST /fhir/r4/Consent/_search":              coveredRead,
		"GET /fhir/r4/Consent/:id":                   coveredRead,
		"POST /fhir/r4/Consent":                      {401, 201, 403, 403, 403, 403, 403, 403, 403},
		"PUT /fhir/r4/Consent/:id":                   {401, 200, 403, 403, 403, 403, 404, 403, 403}, // the grant revoked names the nurse: the unit's colleague does not find it
		"GET /fhir/r4/AuditEvent":                    ownerOnly,
		"POST /fhir/r4/AuditEvent/_search":           ownerOnly,
		// A's files: the grant names A's image, not A's private text file
		// (the cell check: no professional's answer names it); B reading
		// by id is told not found.
		"GET /fhir/r4/DocumentReference":                             coveredRead,
		"POST /fhir/r4/DocumentReference/_search":                    coveredRead,
		"GET /fhir/r4/DocumentReference/:id":                         coveredByID,
		"GET /fhir/r4/Binary/:id":                                    coveredByID,
		"GET /fhir/r4/DocumentReference/:id/_history/:vid":           coveredByID,
		"GET /fhir/r4/DocumentReference/:id/_history/:vid [private]": {401, 200, 404, 403, 403, 403, 403, 403, 403},
		"GET /fhir/r4/DocumentReference/:id [private]":               {401, 200, 404, 403, 403, 403, 403, 403, 403},
		"GET /fhir/r4/Binary/:id [private]":                          {401, 200, 404, 403, 403, 403, 403, 403, 403},
		"POST /fhir/r4/DocumentReference":                            {401, 201, 403, 403, 403, 403, 403, 403, 403},
		"PUT /fhir/r4/DocumentReference/:id":                         {401, 200, 403, 403, 403, 403, 403, 403, 403},
		"DELETE /fhir/r4/DocumentReference/:id":                      {401, 204, 404, 403, 403, 403, 403, 403, 403},
		"POST /fhir/r4/Binary":                                       {401, 201, 201, 403, 403, 403, 403, 403, 403}, // B keeps B's own

		"GET /measurements":                  ownPage,
		"GET /measurements/new":              {401, 303, 303, 403, 403, 403, 403, 403, 403}, // without a kind: back to the overview; a citizen's page
		"POST /measurements/new":             {401, 303, 303, 403, 403, 403, 403, 403, 403}, // B records B's own
		"GET /measurements/k/:kind":          ownPage,
		"GET /measurements/k/:kind [weight]": ownPage,
		"GET /measurements/m/:id/edit":       ownReadingPage,
		"POST /measurements/m/:id/edit":      {401, 303, 404, 403, 403, 403, 403, 403, 403},
		"GET /measurements/m/:id/delete":     ownReadingPage,
		"POST /measurements/m/:id/delete":    {401, 303, 404, 403, 403, 403, 403, 403, 403},
		"GET /measurements/m/:id/history":    ownReadingPage,

		"GET /consents":                   ownPage,
		"GET /consents/new":               ownPage,
		"POST /consents/new":              ownPage,                                       // the check before confirming; nothing stored
		"POST /consents/confirm":          {401, 303, 303, 403, 403, 403, 403, 403, 403}, // B gives B's own
		"GET /consents/:id/revoke":        grantPage,
		"POST /consents/:id/revoke":       {401, 303, 403, 403, 403, 403, 403, 403, 403},
		"GET /consents/:id/receipt":       grantPage,
		"GET /consents/asks/:id/approve":  {401, 200, 404, 403, 403, 403, 403, 403, 403},
		"POST /consents/asks/:id/approve": {401, 303, 404, 403, 403, 403, 403, 403, 403},
		"POST /consents/asks/:id/decline": {401, 303, 404, 403, 403, 403, 403, 403, 403},
		"GET /access-log":                 ownPage,

		// A's own files (w.file, an image). The upload is sent here as a
		// URL-encoded form, which the citizen's upload refuses (415): it
		// takes multipart only; portal/web's tests upload through it.
		"GET /files":              ownPage,
		"GET /files/new":          ownPage,
		"POST /files/new":         {401, 415, 415, 403, 403, 403, 403, 403, 403},
		"GET /files/:id":          ownReadingPage,
		"GET /files/:id/preview":  ownReadingPage,
		"GET /files/:id/download": ownReadingPage,
		"GET /files/:id/edit":     ownReadingPage,
		"POST /files/:id/edit":    {401, 303, 404, 403, 403, 403, 403, 403, 403},
		"GET /files/:id/delete":   ownReadingPage,
		"POST /files/:id/delete":  {401, 303, 404, 403, 403, 403, 403, 403, 403},

		"GET /pro/patients":                        proOwnPage,
		"GET /pro/asks":                            proOwnPage,
		"GET /pro/lookup":                          proOwnPage,
		"POST /pro/lookup":                         {401, 403, 403, 303, 200, 200, 303, 200, 403}, // found: to the patient; else the request form, the same whether A exists
		"POST /pro/ask":                            {401, 403, 403, 303, 303, 303, 303, 303, 403}, // "sent", whether or not it can reach A
		"GET /pro/patients/:id":                    proPatientPage,
		"GET /pro/patients/:id/measurements/:kind": proPatientPage,
		"GET /pro/patients/:id/measurements/:kind [weight]": {401, 403, 403, 403, 403, 403, 403, 403, 403},
		// A's image, which the grant names, and A's private file.
		"GET /pro/patients/:id/files/:fid":                    proPatientPage,
		"GET /pro/patients/:id/files/:fid/download":           proPatientPage,
		"GET /pro/patients/:id/files/:fid/preview":            proPatientPage,
		"GET /pro/patients/:id/files/:fid [private]":          {401, 403, 403, 403, 403, 403, 403, 403, 403},
		"GET /pro/patients/:id/files/:fid/download [private]": {401, 403, 403, 403, 403, 403, 403, 403, 403},
		"GET /pro/patients/:id/files/:fid/preview [private]":  {401, 403, 403, 403, 403, 403, 403, 403, 403},
	}
}

// suspects are cells where the app answers otherwise than the matrix
// expects: possible bugs, reported to the owners of the pages. The cell
// must answer what it answers today (so a change is noticed), and once it
// answers as the matrix expects, the test asks for the entry's removal.
// The key is the row and the role (colleague: "care-unit colleague" under
// the grant by name, "care-unit colleague (unit)" under the unit's).
var suspects = map[string]map[string]int{}

const unitColleague = string(roleColleague) + " (unit)"

// cellName is a role's name in suspects.
func cellName(r role, byUnit bool) string {
	if r == roleColleague && byUnit {
		return unitColleague
	}
	return string(r)
}
