package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/postgres"
	"github.com/omahoito/omahoito/store/postgres/pgtest"
	"github.com/omahoito/omahoito/store/sqlite"
	"github.com/omahoito/omahoito/store/sqlite/sqlitetest"
	"github.com/omahoito/omahoito/store/storetest"
)

// ingestBatch is the number of Observations in the ingest benchmark's
// transaction Bundle.
const ingestBatch = 10000

// BenchmarkIngestBundle posts a transaction Bundle of ingestBatch
// blood-pressure panels to /fhir/r4 per iteration, over loopback as a
// logged-in citizen, and checks the 200. After each Bundle it writes as
// many rows for the same person with the raw batched insert of the
// database (sqlitetest.RawInsert, pgtest.RawInsert) into the same tables,
// timed apart, so the two are compared on the same growing tables under
// the same load. Reports resources/s (API), raw-resources/s and x-raw, the
// API's throughput as a share of the raw insert's.
func BenchmarkIngestBundle(b *testing.B) {
	for _, db := range databases {
		b.Run(db, func(b *testing.B) {
			a := MustStartApp(b, db)
			u := MustAPICitizen(b, a, testHetu)
			raw := rawInserter(b, a.store)
			// Readings a minute apart, API and raw batches in turn, ending
			// an hour ago: every reading is in the past.
			start := time.Now().Add(-time.Duration(2*ingestBatch*b.N)*time.Minute - time.Hour).Truncate(time.Second)
			var api, base time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				body := ingestBundle(u.patientID, start.Add(time.Duration(2*i*ingestBatch)*time.Minute))
				b.StartTimer()
				t0 := time.Now()
				u.postBundle(b, body)
				api += time.Since(t0)
				b.StopTimer()
				rows := rawRows(u.patientID, start.Add(time.Duration((2*i+1)*ingestBatch)*time.Minute))
				t0 = time.Now()
				if err := raw(context.Background(), rows); err != nil {
					b.Fatal(err)
				}
				base += time.Since(t0)
				b.StartTimer()
			}
			b.StopTimer()
			if n := u.count(b); n != 2*ingestBatch*b.N {
				b.Fatalf("the person has %d measurements, want %d", n, 2*ingestBatch*b.N)
			}
			apiRate := float64(ingestBatch*b.N) / api.Seconds()
			rawRate := float64(ingestBatch*b.N) / base.Seconds()
			b.ReportMetric(apiRate, "resources/s")
			b.ReportMetric(rawRate, "raw-resources/s")
			b.ReportMetric(apiRate/rawRate, "x-raw")
		})
	}
}

// ingestBundle is a transaction Bundle of ingestBatch blood-pressure panels
// of patient, a minute apart from start.
func ingestBundle(patient string, start time.Time) []byte {
	entries := make([][]byte, ingestBatch)
	for i := range entries {
		entries[i] = bpObservation(patient, float64(110+i%40), float64(70+i%20), start.Add(time.Duration(i)*time.Minute), "")
	}
	return transactionBundle(entries)
}

// rawRows are ingestBatch blood pressures of personID, a minute apart from
// start, shaped as the API stores them: new ids, no identifier, entered by
// the person through the API.
func rawRows(personID string, start time.Time) []record.Measurement {
	now := time.Now()
	ms := make([]record.Measurement, ingestBatch)
	for i := range ms {
		m := storetest.BloodPressure(personID, auth.NewID(), start.Add(time.Duration(i)*time.Minute), float64(110+i%40), float64(70+i%20))
		m.Source = record.Source{Kind: record.SourceDevice, Client: "portal-session"}
		m.Updated = now
		ms[i] = m
	}
	return ms
}

// postBundle posts a transaction Bundle and checks the 200; the response
// body is read in full, as a client would, but not kept.
func (u *apiCitizen) postBundle(tb testing.TB, body []byte) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, u.URL+"/fhir/r4", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", fhirJSON)
	res, err := u.c.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 400))
		tb.Fatalf("transaction: %d %s", res.StatusCode, msg)
	}
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		tb.Fatal(err)
	}
}

// rawInserter is the raw batched insert into the app's own database.
func rawInserter(tb testing.TB, s storage) storetest.RawInsert {
	switch s := s.(type) {
	case *sqlite.Store:
		return sqlitetest.RawInsert(s.DB())
	case *postgres.Store:
		return pgtest.RawInsert(s.Pool())
	}
	tb.Fatalf("no raw insert for %T", s)
	return nil
}

// searchPeople is how many people the search benchmark's database holds,
// the citizen searched included; each of the others has searchOtherDays
// daily blood pressures (storetest.SearchYearData's default load).
const (
	searchPeople    = 10000
	searchOtherDays = 36
)

// BenchmarkSearchYearAPI searches a citizen's year of daily blood
// pressures (365 panels) through the API, among searchPeople people:
// GET /fhir/r4/Observation?code=85354-9&date=ge…&date=lt…&_sort=-date with
// _count=365 (the whole year in one response) and _count=50 (each page of
// the year in turn, as next links give them). Each request is timed from
// sending to the last byte of the response; p50-ms and p99-ms are its
// median and 99th percentile. The store-level figures of the same search
// are BenchmarkSearchYear in store/sqlite and store/postgres.
func BenchmarkSearchYearAPI(b *testing.B) {
	for _, db := range databases {
		b.Run(db, func(b *testing.B) {
			a := MustStartApp(b, db)
			u := MustAPICitizen(b, a, testHetu)
			loaded := time.Now()
			loadSearchYear(b, u)
			b.Logf("loaded in %s", time.Since(loaded).Round(time.Second))
			query := "code=85354-9&date=ge2024-01-01&date=lt2025-01-01&_sort=-date"
			if got := u.search(b, query+"&_count=365"); got.Total != 365 || len(got.Entry) != 365 {
				b.Fatalf("the year has %d measurements (%d in the page), want 365", got.Total, len(got.Entry))
			}
			b.Run("count=365", func(b *testing.B) {
				u.searchLatencies(b, []string{"/Observation?" + query + "&_count=365"}, 365)
			})
			b.Run("count=50", func(b *testing.B) {
				u.searchLatencies(b, u.pagePaths(b, query+"&_count=50"), 50)
			})
		})
	}
}

// loadSearchYear creates searchPeople-1 other people and gives each
// searchOtherDays daily blood pressures with the raw insert, day by day as
// they would arrive; between the days it posts the citizen's 365 daily
// panels of 2024 through the API, so the citizen's rows are spread through
// the tables as well.
func loadSearchYear(b *testing.B, u *apiCitizen) {
	ctx := context.Background()
	raw := rawInserter(b, u.store)
	for p := range searchPeople - 1 {
		if err := u.store.CreatePerson(ctx, storetest.BenchPerson(p)); err != nil {
			b.Fatal(err)
		}
	}
	year := time.Date(2024, time.January, 1, 7, 0, 0, 0, time.UTC)
	citizenDay := 0
	for day := range searchOtherDays {
		rows := make([]record.Measurement, 0, searchPeople-1)
		for p := range searchPeople - 1 {
			at := year.AddDate(0, 0, day*365/searchOtherDays).Add(time.Duration(p) * time.Second)
			rows = append(rows, storetest.BloodPressure(storetest.BenchPerson(p).ID, auth.NewID(), at, float64(110+day%40), float64(70+p%20)))
		}
		if err := raw(ctx, rows); err != nil {
			b.Fatal(err)
		}
		var entries [][]byte
		for ; citizenDay < (day+1)*365/searchOtherDays; citizenDay++ {
			entries = append(entries, bpObservation(u.patientID, float64(110+citizenDay%40), 80, year.AddDate(0, 0, citizenDay), ""))
		}
		u.postBundle(b, transactionBundle(entries))
	}
}

// pagePaths follows the next links of query from its first page and
// returns the path of every page.
func (u *apiCitizen) pagePaths(b *testing.B, query string) []string {
	paths := []string{"/Observation?" + query}
	for page := u.search(b, query); page.next() != ""; {
		next, err := url.Parse(page.next())
		if err != nil {
			b.Fatal(err)
		}
		paths = append(paths, "/Observation?"+next.RawQuery)
		page = u.search(b, next.RawQuery)
	}
	return paths
}

// searchLatencies requests paths in turn, b.N requests in all, each
// checked for 200 and at most perPage entries, and reports the median and
// 99th percentile of their latencies in milliseconds.
func (u *apiCitizen) searchLatencies(b *testing.B, paths []string, perPage int) {
	d := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		res, body := u.do(b, http.MethodGet, paths[i%len(paths)], nil)
		d = append(d, time.Since(t0))
		if n := strings.Count(body, `"fullUrl"`); res.StatusCode != http.StatusOK || n == 0 || n > perPage {
			b.Fatalf("GET %s: %d with %d entries: %.300s", paths[i%len(paths)], res.StatusCode, n, body)
		}
	}
	b.StopTimer()
	slices.Sort(d)
	b.ReportMetric(msOf(d[len(d)/2]), "p50-ms")
	b.ReportMetric(msOf(d[min(len(d)-1, len(d)*99/100)]), "p99-ms")
	b.ReportMetric(float64(len(paths)), "pages")
}

func msOf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// TestBenchRawRowsMatchTheAPI: the raw baseline writes rows the API reads
// back like its own, so the benchmark compares like with like.
func TestBenchRawRowsMatchTheAPI(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, a *testApp) {
		u := MustAPICitizen(t, a, testHetu)
		start := time.Now().Add(-24 * time.Hour).Truncate(time.Second)
		rows := rawRows(u.patientID, start)[:3]
		if err := rawInserter(t, a.store)(context.Background(), rows); err != nil {
			t.Fatal(err)
		}
		res, body := u.do(t, http.MethodGet, "/Observation/"+rows[2].ID, nil)
		want := fmt.Sprintf(`"effectiveDateTime":"%s"`, rows[2].At.UTC().Format(time.RFC3339))
		if res.StatusCode != http.StatusOK || !strings.Contains(body, want) || !strings.Contains(body, `"8462-4"`) {
			t.Fatalf("raw row through the API: %d %s, want %s", res.StatusCode, body, want)
		}
		if n := u.count(t); n != 3 {
			t.Fatalf("search finds %d raw rows, want 3", n)
		}
	})
}
