package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/omahoito/omahoito/internal/fhirschema"
)

const (
	testHetu = "150380-902U"
	testName = "Maija Meikäläinen"
)

func forEachDatabase(t *testing.T, f func(t *testing.T, a *testApp)) {
	for _, db := range databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			f(t, MustStartApp(t, db))
		})
	}
}

func TestCitizenLoginFlow(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, a *testApp) {
		c := browser(t)
		action, id := devLoginForm(t, c, a.URL+"/login")
		res, body := postForm(t, c, action, url.Values{"id": {id}, "hetu": {testHetu}, "region": {"oulu"},
			"given_name": {"Maija"}, "family_name": {"Meikäläinen"}})
		if res.StatusCode != http.StatusOK || res.Request.URL.String() != a.URL+"/" {
			t.Fatalf("login landed on %s with %d, want / with 200", res.Request.URL, res.StatusCode)
		}
		if !strings.Contains(body, "Hei, "+testName+"!") || !strings.Contains(body, `<html lang="fi">`) {
			t.Fatalf("landing page does not greet in Finnish:\n%s", body)
		}
		if !strings.Contains(body, "Pohjois-Pohjanmaan hyvinvointialue") {
			t.Error("landing page does not name the chosen region's registrar")
		}
		_, sv := get(t, c, a.URL+"/?lang=sv")
		if !strings.Contains(sv, "Hej, "+testName+"!") || !strings.Contains(sv, `<html lang="sv">`) {
			t.Errorf("Swedish page wrong:\n%s", sv)
		}
		_, en := get(t, c, a.URL+"/")
		if !strings.Contains(en, "Hej, ") {
			t.Error("language choice not remembered between pages")
		}
		_, en = get(t, c, a.URL+"/?lang=en")
		if !strings.Contains(en, "Hello, "+testName+"!") {
			t.Errorf("English page wrong:\n%s", en)
		}

		patient := mustPatientSelf(t, c, a)
		// A second login finds the same person rather than registering again.
		c2 := browser(t)
		a.citizenLogin(t, c2, testHetu, "kainuu")
		if again := mustPatientSelf(t, c2, a); again.ID != patient.ID {
			t.Fatalf("second login got Patient/%s, first got Patient/%s", again.ID, patient.ID)
		}

		// Logging out ends the session: the API answers 401 again.
		res, _ = postForm(t, c, a.URL+"/logout", nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("logout: %d", res.StatusCode)
		}
		if res, _ := get(t, c, a.URL+"/fhir/r4/Patient"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("after logout /fhir/r4/Patient = %d, want 401", res.StatusCode)
		}
		assertNoPersonalData(t, a, testHetu, "Maija", "Meikäläinen")
	})
}

type patientSelf struct {
	ID, Hetu, Family, BirthDate, Registrar string
}

func mustPatientSelf(tb testing.TB, c *http.Client, a *testApp) patientSelf {
	tb.Helper()
	res, body := get(tb, c, a.URL+"/fhir/r4/Patient")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/fhir+json") {
		tb.Fatalf("GET Patient: %d %s: %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	var bundle struct {
		ResourceType string `json:"resourceType"`
		Type         string `json:"type"`
		Total        int    `json:"total"`
		Entry        []struct {
			Resource struct {
				ID         string `json:"id"`
				Identifier []struct{ System, Value string }
				Name       []struct{ Family string }
				BirthDate  string                     `json:"birthDate"`
				Managing   struct{ Reference string } `json:"managingOrganization"`
			} `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal([]byte(body), &bundle); err != nil {
		tb.Fatal(err)
	}
	if bundle.ResourceType != "Bundle" || bundle.Type != "searchset" || bundle.Total != 1 || len(bundle.Entry) != 1 {
		tb.Fatalf("want a searchset with the citizen only: %s", body)
	}
	r := bundle.Entry[0].Resource
	if len(r.Identifier) != 1 || r.Identifier[0].System != "urn:oid:1.2.246.21" {
		tb.Fatalf("identifier: %+v", r.Identifier)
	}
	p := patientSelf{ID: r.ID, Hetu: r.Identifier[0].Value, BirthDate: r.BirthDate, Registrar: r.Managing.Reference}
	if len(r.Name) > 0 {
		p.Family = r.Name[0].Family
	}
	return p
}

func TestCitizenPatientResource(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, a *testApp) {
		c := browser(t)
		a.citizenLogin(t, c, "020516C903K", "kainuu")
		p := mustPatientSelf(t, c, a)
		if p.Hetu != "020516C903K" || p.BirthDate != "2016-05-02" || p.Registrar != "Organization/region-kainuu" {
			t.Fatalf("Patient = %+v", p)
		}
		if strings.Contains(p.ID, "020516") {
			t.Fatal("Patient id derives from the hetu")
		}
		res, body := get(t, c, a.URL+"/fhir/r4/Patient/"+p.ID)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `"resourceType":"Patient"`) {
			t.Fatalf("read own Patient: %d %s", res.StatusCode, body)
		}
		_, bundle := get(t, c, a.URL+"/fhir/r4/Patient")
		fhirschema.Validate(t, []byte(body), []byte(bundle))
		// Search by own identifier finds self; by another finds nothing.
		// The code goes in a POST body: a GET carrying one is refused.
		for code, total := range map[string]string{"020516C903K": `"total":1`, "150380-902U": `"total":0`} {
			form := url.Values{"identifier": {"urn:oid:1.2.246.21|" + code}}
			res, err := c.PostForm(a.URL+"/fhir/r4/Patient/_search", form)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK || !strings.Contains(string(body), total) || strings.Contains(string(body), "identifier=") {
				t.Errorf("POST Patient/_search for %s: %d %s", code, res.StatusCode, body)
			}
			res, got := get(t, c, a.URL+"/fhir/r4/Patient?"+form.Encode())
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(got, "POST [base]/Patient/_search") || strings.Contains(got, code) {
				t.Errorf("GET Patient?identifier=: %d %s", res.StatusCode, got)
			}
		}
		// Another person's record: 403 whether or not it exists.
		other := browser(t)
		a.citizenLogin(t, other, "010594Y9021", "kainuu")
		otherID := mustPatientSelf(t, other, a).ID
		for _, id := range []string{otherID, "does-not-exist"} {
			res, body := get(t, c, a.URL+"/fhir/r4/Patient/"+id)
			if res.StatusCode != http.StatusForbidden || !strings.Contains(body, `"resourceType":"OperationOutcome"`) {
				t.Errorf("GET Patient/%s as another citizen: %d %s", id, res.StatusCode, body)
			}
		}
		res, body = get(t, c, a.URL+"/fhir/r4/Patient?name=x")
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "unknown search parameter") {
			t.Errorf("unknown search parameter: %d %s", res.StatusCode, body)
		}
	})
}

func TestProfessionalLoginFlow(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, a *testApp) {
		c := browser(t)
		res, body := a.professionalLogin(t, c, "kainuu-nurse")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Hei, Aino Heikkinen!") ||
			!strings.Contains(body, "Kajaanin terveysasema") || !strings.Contains(body, "Rooli: ammattilainen") {
			t.Fatalf("professional landing page: %d\n%s", res.StatusCode, body)
		}
		// A professional sees no patients without consent.
		res, body = get(t, c, a.URL+"/fhir/r4/Patient")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `"total":0`) || strings.Contains(body, `"entry"`) {
			t.Errorf("professional Patient search without consents: %s", body)
		}
		op := browser(t)
		_, body = a.professionalLogin(t, op, "oulu-operator")
		if !strings.Contains(body, "Rooli: alueen operaattori") || !strings.Contains(body, "Pohjois-Pohjanmaan hyvinvointialue") {
			t.Errorf("operator landing page:\n%s", body)
		}
		res, body = a.professionalLogin(t, browser(t), "nobody")
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `aria-invalid="true"`) {
			t.Errorf("unknown username at the provider: %d", res.StatusCode)
		}
	})
}

func TestDirectorySearch(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, a *testApp) {
		c := browser(t)
		a.citizenLogin(t, c, testHetu, "kainuu")
		cases := []struct {
			query string
			want  []string // substrings
			total string
		}{
			{"Practitioner?identifier=" + url.QueryEscape("urn:oid:1.2.246.537.26|10000000001"), []string{`"id":"pro-kainuu-nurse"`, "Heikkinen"}, `"total":1`},
			{"Practitioner?identifier=10000000002", []string{"Korhonen"}, `"total":1`},
			{"Practitioner?identifier=10000000003", nil, `"total":0`}, // oulu's nurse is not in kainuu's directory
			{"Practitioner?name=kor", []string{"Korhonen"}, `"total":1`},
			{"Practitioner", []string{"Heikkinen", "Korhonen"}, `"total":2`}, // operators are not grantees
			{"Organization?name=" + url.QueryEscape("Kajaanin"), []string{"Kajaanin terveysasema", "urn:oid:1.2.246.10.99990001.10.1"}, `"total":1`},
			{"Organization?identifier=" + url.QueryEscape("urn:ietf:rfc:3986|urn:oid:1.2.246.10.99990001.10.2"), []string{"Sotkamon"}, `"total":1`},
			{"Organization", []string{"Kainuun hyvinvointialue", "Kajaanin", "Sotkamon"}, `"total":3`},
		}
		var bodies [][]byte
		for _, tc := range cases {
			res, body := get(t, c, a.URL+"/fhir/r4/"+tc.query)
			bodies = append(bodies, []byte(body))
			if res.StatusCode != http.StatusOK || !strings.Contains(body, tc.total) {
				t.Errorf("%s: %d, want %s: %s", tc.query, res.StatusCode, tc.total, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("%s: missing %q", tc.query, w)
				}
			}
		}
		res, practitioner := get(t, c, a.URL+"/fhir/r4/Practitioner/pro-kainuu-doctor")
		if res.StatusCode != http.StatusOK {
			t.Errorf("read Practitioner: %d", res.StatusCode)
		}
		res, registrar := get(t, c, a.URL+"/fhir/r4/Organization/region-kainuu")
		if res.StatusCode != http.StatusOK {
			t.Errorf("read registrar: %d", res.StatusCode)
		}
		fhirschema.Validate(t, append(bodies, []byte(practitioner), []byte(registrar))...)
		if res, _ := get(t, c, a.URL+"/fhir/r4/Practitioner/pro-oulu-doctor"); res.StatusCode != http.StatusNotFound {
			t.Errorf("read another region's Practitioner: %d, want 404", res.StatusCode)
		}
	})
}

// assertNoPersonalData fails if any log line holds a hetu or a name.
func assertNoPersonalData(tb testing.TB, a *testApp, secrets ...string) {
	tb.Helper()
	logs := a.log.String()
	if logs == "" {
		tb.Fatal("no log output captured")
	}
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			tb.Errorf("logs contain personal data %q", s)
		}
	}
}
