package record_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/sqlite"
	"github.com/omahoito/omahoito/store/storetest"
)

func mustService(t *testing.T) (*record.Service, string, string) {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	storetest.MustSeedPeople(t, s, "anna", "ben")
	return &record.Service{Store: s}, "anna", "ben"
}

func TestServiceAllowsOnlyTheOwner(t *testing.T) {
	svc, anna, ben := mustService(t)
	ctx := context.Background()
	in := []record.Input{{Kind: record.HeartRate, Value: 60, At: time.Now().Add(-time.Minute)}}
	owner := auth.Principal{Kind: auth.KindCitizen, PersonID: anna}
	added, err := svc.Record(ctx, owner, anna, record.Source{Kind: record.SourceManual}, in)
	if err != nil {
		t.Fatal(err)
	}
	id := added[0].Measurement.ID
	others := map[string]auth.Principal{
		"another citizen":    {Kind: auth.KindCitizen, PersonID: ben},
		"a professional":     {Kind: auth.KindProfessional, ProfessionalID: "pro-kainuu-nurse", RegionID: "kainuu"},
		"an operator":        {Kind: auth.KindOperator, ProfessionalID: "op-kainuu", RegionID: "kainuu"},
		"nobody":             {},
		"citizen without id": {Kind: auth.KindCitizen},
	}
	for name, who := range others {
		checks := map[string]error{}
		_, checks["record"] = svc.Record(ctx, who, anna, record.Source{}, in)
		_, checks["get"] = svc.Get(ctx, who, anna, id)
		_, checks["update"] = svc.Update(ctx, who, anna, id, in[0], 0)
		_, checks["delete"] = svc.Delete(ctx, who, anna, id, 0)
		_, checks["history"] = svc.History(ctx, who, anna, id)
		_, checks["search"] = svc.Search(ctx, who, record.Query{PersonID: anna})
		for op, err := range checks {
			if !errors.Is(err, record.ErrDenied) {
				t.Errorf("%s: %s = %v, want ErrDenied", name, op, err)
			}
		}
	}
	page, err := svc.Search(ctx, owner, record.Query{PersonID: anna})
	if err != nil || page.Total != 1 {
		t.Fatalf("after refused writes the owner has %d measurements (%v), want 1", page.Total, err)
	}
	// Ben, asking about his own record with Anna's measurement id, finds nothing.
	if _, err := svc.Get(ctx, auth.Principal{Kind: auth.KindCitizen, PersonID: ben}, ben, id); !errors.Is(err, record.ErrNotFound) {
		t.Errorf("Get of another person's id through one's own record = %v, want ErrNotFound", err)
	}
}

func TestServiceVersionsAndPaging(t *testing.T) {
	svc, anna, _ := mustService(t)
	ctx := context.Background()
	who := auth.Principal{Kind: auth.KindCitizen, PersonID: anna}
	start := time.Now().Add(-100 * time.Hour).Truncate(time.Second)
	var in []record.Input
	for i := 0; i < 25; i++ {
		in = append(in, record.Input{Kind: record.BloodPressure, Value: 120, Diastolic: 80, At: start.Add(time.Duration(i) * time.Hour)})
	}
	added, err := svc.Record(ctx, who, anna, record.Source{Kind: record.SourceManual}, in)
	if err != nil {
		t.Fatal(err)
	}
	id := added[0].Measurement.ID
	fix := in[0]
	fix.Value = 125
	if _, err := svc.Update(ctx, who, anna, id, fix, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Update(ctx, who, anna, id, fix, 1); !errors.Is(err, record.ErrConflict) {
		t.Fatalf("stale update = %v, want ErrConflict", err)
	}
	wrongKind := record.Input{Kind: record.HeartRate, Value: 60, At: start}
	if _, err := svc.Update(ctx, who, anna, id, wrongKind, 0); !errors.Is(err, record.ErrInvalid) {
		t.Fatalf("changing the kind = %v, want ErrInvalid", err)
	}
	if _, err := svc.Delete(ctx, who, anna, id, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Get(ctx, who, anna, id); !errors.Is(err, record.ErrGone) || !errors.Is(err, record.ErrNotFound) {
		t.Fatalf("Get of a deleted measurement = %v, want ErrGone", err)
	}
	hist, err := svc.History(ctx, who, anna, id)
	if err != nil || len(hist) != 3 || !hist[0].Deleted || hist[1].Value != 125 || hist[2].Value != 120 {
		t.Fatalf("history = %+v, %v", hist, err)
	}
	seen := map[string]bool{}
	q := record.Query{PersonID: anna, Limit: 10, Desc: true}
	for pages := 1; ; pages++ {
		p, err := svc.Search(ctx, who, q)
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 24 {
			t.Fatalf("total %d, want 24 (one deleted)", p.Total)
		}
		for _, m := range p.Measurements {
			if seen[m.ID] {
				t.Fatalf("%s on two pages", m.ID)
			}
			seen[m.ID] = true
		}
		if p.Next == nil {
			if pages != 3 {
				t.Errorf("%d pages, want 3", pages)
			}
			break
		}
		q.After = p.Next
	}
	if len(seen) != 24 {
		t.Fatalf("paging saw %d, want 24", len(seen))
	}
}
