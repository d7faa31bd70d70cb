package portal_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/internal/portaltest"
	"github.com/omahoito/omahoito/record"
)

// overviewEnv is a portal whose record store counts its calls, with a
// citizen who has a week of every kind.
func overviewEnv(tb testing.TB) (*portaltest.Env, auth.Principal, *portaltest.Calls) {
	tb.Helper()
	plain := portaltest.New(tb, portaltest.Options{})
	who := plain.MustCitizen(tb, "010190-900P", "kainuu")
	var in []record.Input
	start := time.Now().Add(-7 * 24 * time.Hour)
	for _, spec := range record.Specs() {
		for d := range 7 {
			v := (spec.Range.Min + spec.Range.Max) / 2
			in = append(in, record.Input{Kind: spec.Kind, Value: v, Diastolic: v / 2, At: start.Add(time.Duration(d) * 24 * time.Hour)})
		}
	}
	for i := range 1200 { // more glucose readings than one store page holds
		in = append(in, record.Input{Kind: record.Glucose, Value: 6, At: start.Add(time.Duration(i) * time.Minute)})
	}
	if _, err := plain.Records.Record(context.Background(), who, who.PersonID, record.Source{Kind: record.SourceManual}, in); err != nil {
		tb.Fatal(err)
	}
	calls := &portaltest.Calls{}
	env := portaltest.New(tb, portaltest.Options{
		RecordStore: portaltest.RecordGuard{Store: plain.Store, Calls: calls},
		AuthStore:   portaltest.PeopleGuard{Store: plain.Store, Calls: calls},
	})
	return env, who, calls
}

// TestOneStoreQueryPerPage: the overview shows every kind's latest value
// from one service call and one store query (it took 11 searches, 22
// queries); a kind's chart and table page takes a search per 1000 points
// and one count, however many pages the chart needs.
func TestOneStoreQueryPerPage(t *testing.T) {
	env, who, calls := overviewEnv(t)
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/measurements", []string{"LatestMeasurements"}},
		{"/measurements/k/" + string(record.HeartRate), []string{"SearchMeasurements", "CountMeasurements"}},
		{"/measurements/k/" + string(record.Glucose) + "?range=all", []string{"SearchMeasurements", "SearchMeasurements", "CountMeasurements"}},
	} {
		calls.Take()
		w := env.Do(t, who, http.MethodGet, tc.path, "")
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s = %d", tc.path, w.Code)
		}
		if got := calls.Take(); !slices.Equal(got, tc.want) {
			t.Errorf("GET %s made store calls %v, want %v", tc.path, got, tc.want)
		}
	}
}

// BenchmarkOverviewLoad compares loading the overview's data as the page
// does now (one Latest call) with the eleven searches it made before, in
// the same run.
func BenchmarkOverviewLoad(b *testing.B) {
	env, who, _ := overviewEnv(b)
	ctx := context.Background()
	b.Run("latest", func(b *testing.B) {
		for b.Loop() {
			if _, err := env.Records.Latest(ctx, who, who.PersonID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("before-11-searches", func(b *testing.B) {
		for b.Loop() {
			for _, spec := range record.Specs() {
				q := record.Query{PersonID: who.PersonID, Kinds: []record.Kind{spec.Kind}, Desc: true, Limit: 1}
				if _, err := env.Records.Search(ctx, who, q); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("page", func(b *testing.B) {
		for b.Loop() {
			if w := env.Do(b, who, http.MethodGet, "/measurements", ""); w.Code != http.StatusOK {
				b.Fatal(w.Code)
			}
		}
	})
}
