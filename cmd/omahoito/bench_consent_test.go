package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The year the consent benchmark reads: 2024's daily blood pressures.
const (
	consentYearQuery = "code=85354-9&date=ge2024-01-01&date=lt2025-01-01&_sort=-date&_count=365"
	benchWeightCode  = "29463-7"
	yearWeights      = 52 // weekly weights beside the daily blood pressures
)

// BenchmarkProfessionalRead reads one patient's year of daily blood
// pressures (365 panels, one response) through the API, as the citizen
// reading their own ("citizen-own") and as a nurse of the unit the
// citizen gave a blood-pressure-only consent to ("professional"), with 1
// and 8 concurrent readers. The citizen's read is neither decided by
// grants nor logged; the professional's is decided against the grants in
// force and appends one access-log entry before the data leaves, so the
// difference is the price of consent and the log. Each pair runs back to
// back under the same load; the professional's sub-benchmark reports
// x-citizen, its requests/s as a share of the citizen's just before.
// Requests are timed from sending to the last byte of the response.
func BenchmarkProfessionalRead(b *testing.B) {
	for _, db := range databases {
		b.Run(db, func(b *testing.B) {
			a := MustStartApp(b, db, withoutRateLimits)
			tr := benchTransport(b)
			citizen := MustAPICitizen(b, a, testHetu)
			seedConsentYear(b, citizen)
			pro := browser(b)
			if res, _ := a.professionalLogin(b, pro, "kainuu-nurse"); res.StatusCode != http.StatusOK {
				b.Fatalf("nurse login: %d", res.StatusCode)
			}
			readers := map[string]*http.Client{
				"citizen-own":  {Jar: citizen.c.Jar, Transport: tr},
				"professional": {Jar: pro.Jar, Transport: tr},
			}
			checkConsentScope(b, a, readers, citizen.patientID)
			path := a.URL + "/fhir/r4/Observation?patient=Patient/" + citizen.patientID + "&" + consentYearQuery
			for _, n := range []int{1, 8} {
				b.Run(fmt.Sprintf("readers=%d", n), func(b *testing.B) {
					var citizenRate float64
					b.Run("citizen-own", func(b *testing.B) {
						citizenRate = timeReads(b, readers["citizen-own"], path, n)
					})
					b.Run("professional", func(b *testing.B) {
						head := registerHead(b, a)
						rate := timeReads(b, readers["professional"], path, n)
						if grew := registerHead(b, a) - head; grew < int64(b.N) {
							b.Fatalf("the access log grew by %d entries for %d professional reads", grew, b.N)
						}
						if citizenRate > 0 {
							b.ReportMetric(rate/citizenRate, "x-citizen")
						}
					})
				})
			}
		})
	}
}

// seedConsentYear posts the citizen's 365 daily blood pressures and
// yearWeights weekly weights of 2024 in one transaction, then gives the
// nurse's unit a consent to blood pressure alone through the API.
func seedConsentYear(b *testing.B, u *apiCitizen) {
	year := time.Date(2024, time.January, 1, 7, 0, 0, 0, time.UTC)
	var entries [][]byte
	for day := range 365 {
		entries = append(entries, bpObservation(u.patientID, float64(110+day%40), 80, year.AddDate(0, 0, day), ""))
	}
	for week := range yearWeights {
		entries = append(entries, quantityObservation(u.patientID, benchWeightCode, 70+float64(week%5), "kg", year.AddDate(0, 0, 7*week).Add(time.Hour), ""))
	}
	u.postBundle(b, transactionBundle(entries))
	res, body := u.do(b, http.MethodPost, "/Consent", unitBPConsent(u.patientID, "unit-kainuu-kajaani"))
	if res.StatusCode != http.StatusCreated {
		b.Fatalf("give consent: %d %s", res.StatusCode, body)
	}
}

// unitBPConsent is a citizen's FHIR Consent to a care unit over blood
// pressure (LOINC 85354-9) only, from now for the default 12 months.
func unitBPConsent(patient, unit string) []byte {
	return fmt.Appendf(nil, `{"resourceType":"Consent","status":"active",
	"patient":{"reference":"Patient/%s"},
	"provision":{"type":"permit",
	 "actor":[{"role":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ParticipationType","code":"IRCP"}]},
	           "reference":{"reference":"Organization/%s"}}],
	 "class":[{"system":"http://hl7.org/fhir/resource-types","code":"Observation"}],
	 "code":[{"coding":[{"system":"http://loinc.org","code":"85354-9"}]}]}}`, patient, unit)
}

// checkConsentScope: asked for every kind in the year, the citizen gets
// their blood pressures and weights, the nurse exactly the 365 blood
// pressures and no weight; so the benchmark reads what the grant allows.
func checkConsentScope(b *testing.B, a *testApp, readers map[string]*http.Client, patientID string) {
	path := a.URL + "/fhir/r4/Observation?patient=Patient/" + patientID +
		"&date=ge2024-01-01&date=lt2025-01-01&_count=1000"
	want := map[string]map[string]int{
		"citizen-own":  {"85354-9": 365, benchWeightCode: yearWeights},
		"professional": {"85354-9": 365},
	}
	for who, c := range readers {
		res, body := get(b, c, path)
		if res.StatusCode != http.StatusOK {
			b.Fatalf("%s: %d %.300s", who, res.StatusCode, body)
		}
		var bundle struct {
			Total int
			Entry []struct {
				Resource struct {
					Code struct{ Coding []struct{ Code string } }
				}
			}
		}
		if err := json.Unmarshal([]byte(body), &bundle); err != nil {
			b.Fatal(err)
		}
		got := map[string]int{}
		for _, e := range bundle.Entry {
			got[e.Resource.Code.Coding[0].Code]++
		}
		if fmt.Sprint(got) != fmt.Sprint(want[who]) || bundle.Total != len(bundle.Entry) {
			b.Fatalf("%s reads %v (total %d), want %v", who, got, bundle.Total, want[who])
		}
	}
}

// registerHead is the sequence number of the kainuu register's last
// access-log entry: the citizen's home region, where the nurse's reads of
// their record are logged.
func registerHead(b *testing.B, a *testApp) int64 {
	seq, _, err := a.store.Head(context.Background(), "kainuu")
	if err != nil {
		b.Fatal(err)
	}
	return seq
}

// timeReads makes b.N GETs of path with c from n goroutines at once, each
// checked for 200 and 365 entries, reports req/s, p50-ms and p99-ms and
// returns the req/s.
func timeReads(b *testing.B, c *http.Client, path string, n int) float64 {
	var (
		next atomic.Int64
		mu   sync.Mutex
		all  = make([]time.Duration, 0, b.N)
		wg   sync.WaitGroup
	)
	b.ResetTimer()
	for range n {
		wg.Go(func() {
			var mine []time.Duration
			for next.Add(1) <= int64(b.N) {
				t0 := time.Now()
				status, body, err := fetchBody(c, path)
				mine = append(mine, time.Since(t0))
				if k := strings.Count(body, `"fullUrl"`); err != nil || status != http.StatusOK || k != 365 {
					b.Errorf("GET the year: %d with %d entries (%v): %.300s", status, k, err, body)
					return
				}
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	b.StopTimer()
	if b.Failed() {
		b.FailNow()
	}
	slices.Sort(all)
	rate := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "req/s")
	b.ReportMetric(msOf(all[len(all)/2]), "p50-ms")
	b.ReportMetric(msOf(all[min(len(all)-1, len(all)*99/100)]), "p99-ms")
	return rate
}

// fetchBody GETs u and reads the whole body; safe to call from any goroutine.
func fetchBody(c *http.Client, u string) (int, string, error) {
	res, err := c.Get(u)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res.StatusCode, string(body), err
}
