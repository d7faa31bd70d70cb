package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/omahoito/omahoito/auth"
	pt "github.com/omahoito/omahoito/internal/portaltest"
)

// TestPagesGolden keeps representative pages as they are rendered, with
// ids, request ids and the moments of this run normalised. After a
// deliberate change: go test ./portal/web -run Golden -update, and review
// the diff of testdata/.
func TestPagesGolden(t *testing.T) {
	c := newCitizen(t)
	fixed := url.Values{"kind": {"glucose"}, "date": {"2025-03-04"}, "time": {"08:05"}}
	for _, v := range []struct{ value, unit, note, time string }{{"6,2", "mmol/L", "aamulla", "08:05"}, {"108", "mg/dL", "", "07:05"}} {
		f := url.Values{}
		for k, vs := range fixed {
			f[k] = vs
		}
		f.Set("value", v.value)
		f.Set("unit", v.unit)
		f.Set("note", v.note)
		f.Set("time", v.time)
		c.add(t, f)
	}
	history := c.historyLinks(t, "glucose")[1] // the one typed in mg/dL
	bad := url.Values{"kind": {"glucose"}, "date": {"2025-03-04"}, "time": {"8"}, "value": {"kolme"}, "unit": {"mmol/L"},
		"token": {strings.Repeat("ab", 16)}}
	operator := auth.Principal{Kind: auth.KindOperator, ProfessionalID: "op-kainuu", CareUnitID: "unit-kainuu-kajaani", RegionID: "kainuu"}
	pages := []struct {
		name   string
		who    auth.Principal
		method string
		target string
		body   url.Values
	}{
		{"home-anonymous", auth.Principal{}, http.MethodGet, "/", nil},
		{"home-citizen", c.who, http.MethodGet, "/", nil},
		{"home-professional", pt.Professional("pro-kainuu-nurse", "unit-kainuu-kajaani", "kainuu"), http.MethodGet, "/?lang=en", nil},
		{"home-operator", operator, http.MethodGet, "/?lang=sv", nil},
		{"overview", c.who, http.MethodGet, "/measurements", nil},
		{"kind-glucose", c.who, http.MethodGet, "/measurements/k/glucose?range=all", nil},
		{"form-errors", c.who, http.MethodPost, "/measurements/new", bad},
		{"history", c.who, http.MethodGet, history, nil},
		{"error-notfound", auth.Principal{}, http.MethodGet, "/no-such-page", nil},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			w := c.env.Do(t, p.who, p.method, p.target, p.body.Encode())
			if w.Code >= 500 {
				t.Fatalf("%d", w.Code)
			}
			pt.Golden(t, p.name, pt.Normalise(pt.ParsePage(t, w.Body.String()), time.Now()))
		})
	}
}
