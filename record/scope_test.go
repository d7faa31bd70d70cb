package record_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/record"
)

// scoped permits everyone with a fixed scope and remembers what Done heard:
// it stands in for a consent that covers blood pressure only.
type scoped struct {
	scope record.Scope
	done  []record.Request
}

func (a *scoped) Decide(context.Context, record.Request) (record.Decision, error) {
	return record.Decision{Scope: a.scope, Grants: []string{"grant-1"}}, nil
}

func (a *scoped) Done(_ context.Context, req record.Request, _ record.Decision) error {
	a.done = append(a.done, req)
	return nil
}

func TestScopeHoldsForReadsAndWrites(t *testing.T) {
	svc, anna, _ := mustService(t)
	ctx := context.Background()
	owner := auth.Principal{Kind: auth.KindCitizen, PersonID: anna}
	at := time.Now().Add(-time.Hour).Truncate(time.Second)
	added, err := svc.Record(ctx, owner, anna, record.Source{Kind: record.SourceManual}, []record.Input{
		{Kind: record.BloodPressure, Value: 120, Diastolic: 80, At: at},
		{Kind: record.Glucose, Value: 6, At: at},
	})
	if err != nil {
		t.Fatal(err)
	}
	bp, glucose := added[0].Measurement, added[1].Measurement
	gate := &scoped{scope: record.Scope{Allowances: []record.Allowance{{Kinds: []record.Kind{record.BloodPressure}}}}}
	svc.Access = gate
	pro := auth.Principal{Kind: auth.KindProfessional, ProfessionalID: "pro-kainuu-nurse"}

	if _, err := svc.Get(ctx, pro, anna, bp.ID); err != nil {
		t.Errorf("a read the scope covers: %v", err)
	}
	// Outside the scope is not found, exactly as an id that does not exist:
	// the answer tells nothing of the data.
	_, outside := svc.Get(ctx, pro, anna, glucose.ID)
	_, missing := svc.Get(ctx, pro, anna, "no-such-id")
	if !errors.Is(outside, record.ErrNotFound) || !errors.Is(missing, record.ErrNotFound) || errors.Is(outside, record.ErrDenied) {
		t.Errorf("outside the scope = %v, missing = %v; want both not found", outside, missing)
	}
	if _, err := svc.History(ctx, pro, anna, glucose.ID); !errors.Is(err, record.ErrNotFound) {
		t.Errorf("history outside the scope = %v, want not found", err)
	}
	page, err := svc.Search(ctx, pro, record.Query{PersonID: anna})
	if err != nil || page.Total != 1 || len(page.Measurements) != 1 || page.Measurements[0].ID != bp.ID {
		t.Errorf("search under the scope = %+v, %v; want only the blood pressure, total 1", page, err)
	}
	// Writes are held to the scope too: nothing outside it changes.
	if _, err := svc.Delete(ctx, pro, anna, glucose.ID, 0); !errors.Is(err, record.ErrNotFound) {
		t.Errorf("deleting outside the scope = %v, want not found", err)
	}
	if _, err := svc.Update(ctx, pro, anna, glucose.ID, record.Input{Kind: record.Glucose, Value: 7, At: at}, 0); !errors.Is(err, record.ErrNotFound) {
		t.Errorf("correcting outside the scope = %v, want not found", err)
	}
	if _, err := svc.Record(ctx, pro, anna, record.Source{}, []record.Input{{Kind: record.Glucose, Value: 5, At: at}}); !errors.Is(err, record.ErrDenied) {
		t.Errorf("adding outside the scope = %v, want denied", err)
	}
	svc.Access = nil
	if m, err := svc.Get(ctx, owner, anna, glucose.ID); err != nil || m.Version != 1 {
		t.Errorf("the glucose reading was changed through a refused write: %+v, %v", m, err)
	}
	for _, req := range gate.done {
		if req.Who != pro {
			t.Errorf("Done heard of another caller: %+v", req)
		}
	}
	// The read and the search returned data; the out-of-scope read and
	// history returned none and were told as refused attempts (for the
	// access log); the refused writes were not told as accesses.
	want := []struct {
		action     record.Action
		count      int
		outOfScope bool
	}{{record.ActionRead, 1, false}, {record.ActionRead, 0, true}, {record.ActionHistory, 0, true}, {record.ActionSearch, 1, false}}
	if len(gate.done) != len(want) {
		t.Fatalf("Done heard %+v; want %+v", gate.done, want)
	}
	for i, w := range want {
		got := gate.done[i]
		if got.Action != w.action || got.Count != w.count || got.OutOfScope != w.outOfScope {
			t.Errorf("Done call %d = %+v, want %+v", i, got, w)
		}
	}
}

func TestCorrectAnswersAConflictWithTheCurrentVersion(t *testing.T) {
	svc, anna, _ := mustService(t)
	ctx := context.Background()
	owner := auth.Principal{Kind: auth.KindCitizen, PersonID: anna}
	at := time.Now().Add(-time.Hour).Truncate(time.Second)
	added, err := svc.Record(ctx, owner, anna, record.Source{}, []record.Input{{Kind: record.HeartRate, Value: 60, At: at}})
	if err != nil {
		t.Fatal(err)
	}
	id := added[0].Measurement.ID
	if _, err := svc.Update(ctx, owner, anna, id, record.Input{Kind: record.HeartRate, Value: 61, At: at}, 1); err != nil {
		t.Fatal(err)
	}
	built := false
	_, cur, err := svc.Correct(ctx, owner, anna, id, 1, func(record.Measurement) (record.Input, error) {
		built = true
		return record.Input{Kind: record.HeartRate, Value: 62, At: at}, nil
	})
	if !errors.Is(err, record.ErrConflict) || cur.Version != 2 || cur.Value != 61 || built {
		t.Errorf("a stale correction = %v, current %+v, built %v; want ErrConflict with version 2 and no build", err, cur, built)
	}
	if _, err := svc.Delete(ctx, owner, anna, id, 0); err != nil {
		t.Fatal(err)
	}
	if m, err := svc.Delete(ctx, owner, anna, id, 0); !errors.Is(err, record.ErrGone) || m.ID != id || !m.Deleted {
		t.Errorf("a second delete = %+v, %v; want the deleted measurement with ErrGone", m, err)
	}
}

// TestReusedIdentifierRefusesTheWholeBatch: a batch in which one entry
// repeats a stored identifier with other content stores nothing at all,
// and the stored reading comes back beside the error.
func TestReusedIdentifierRefusesTheWholeBatch(t *testing.T) {
	svc, anna, _ := mustService(t)
	ctx := context.Background()
	owner := auth.Principal{Kind: auth.KindCitizen, PersonID: anna}
	at := time.Now().Add(-time.Hour).Truncate(time.Second)
	first, err := svc.Record(ctx, owner, anna, record.Source{}, []record.Input{{Kind: record.HeartRate, Value: 60, At: at, Identifier: "app|1"}})
	if err != nil {
		t.Fatal(err)
	}
	batch := []record.Input{
		{Kind: record.HeartRate, Value: 70, At: at.Add(-time.Minute), Identifier: "app|2"},
		{Kind: record.HeartRate, Value: 61, At: at, Identifier: "app|1"},
	}
	added, err := svc.Record(ctx, owner, anna, record.Source{}, batch)
	var ee *record.EntryError
	if !errors.Is(err, record.ErrIdentifierReused) || !errors.As(err, &ee) || ee.Index != 1 {
		t.Fatalf("Record = %v, want ErrIdentifierReused at entry 1", err)
	}
	if len(added) != 2 || added[1].Measurement.ID != first[0].Measurement.ID || added[1].Measurement.Value != 60 {
		t.Errorf("the stored reading should come back beside the error: %+v", added)
	}
	if added[0].Created || added[0].Measurement.ID != "" {
		t.Errorf("an entry of the refused batch is reported as stored: %+v", added[0])
	}
	page, err := svc.Search(ctx, owner, record.Query{PersonID: anna})
	if err != nil || page.Total != 1 {
		t.Errorf("after the refused batch %d measurements are stored (%v), want only the first", page.Total, err)
	}
}

// A correction that moved a reading's time into a consent's data window
// does not show the versions from before the move.
func TestHistoryHoldsEachVersionToTheScope(t *testing.T) {
	svc, anna, _ := mustService(t)
	ctx := context.Background()
	owner := auth.Principal{Kind: auth.KindCitizen, PersonID: anna}
	windowStart := time.Now().Add(-48 * time.Hour).Truncate(time.Second)
	before := windowStart.Add(-24 * time.Hour)
	added, err := svc.Record(ctx, owner, anna, record.Source{}, []record.Input{{Kind: record.BloodPressure, Value: 150, Diastolic: 95, At: before}})
	if err != nil {
		t.Fatal(err)
	}
	id := added[0].Measurement.ID
	if _, err := svc.Update(ctx, owner, anna, id, record.Input{Kind: record.BloodPressure, Value: 120, Diastolic: 80, At: windowStart.Add(time.Hour)}, 1); err != nil {
		t.Fatal(err)
	}
	pro := auth.Principal{Kind: auth.KindProfessional, ProfessionalID: "pro-kainuu-nurse"}
	gate := &scoped{scope: record.Scope{Allowances: []record.Allowance{{Window: record.Window{From: windowStart}}}}}
	svc.Access = gate
	versions, err := svc.History(ctx, pro, anna, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) != 1 || versions[0].Version != 2 {
		t.Fatalf("history under the window = %+v; want only version 2", versions)
	}
	if n := len(gate.done); n != 1 || gate.done[0].Count != 1 {
		t.Errorf("Done heard %+v; want one history of count 1", gate.done)
	}
}

// A reading corrected out of a consent's window is not seen through its
// history either, not even its versions from inside the window.
func TestHistoryOfAReadingMovedOutOfTheScope(t *testing.T) {
	svc, anna, _ := mustService(t)
	ctx := context.Background()
	owner := auth.Principal{Kind: auth.KindCitizen, PersonID: anna}
	windowStart := time.Now().Add(-48 * time.Hour).Truncate(time.Second)
	added, err := svc.Record(ctx, owner, anna, record.Source{}, []record.Input{{Kind: record.BloodPressure, Value: 150, Diastolic: 95, At: windowStart.Add(time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	id := added[0].Measurement.ID
	if _, err := svc.Update(ctx, owner, anna, id, record.Input{Kind: record.BloodPressure, Value: 120, Diastolic: 80, At: windowStart.Add(-24 * time.Hour)}, 1); err != nil {
		t.Fatal(err)
	}
	gate := &scoped{scope: record.Scope{Allowances: []record.Allowance{{Window: record.Window{From: windowStart}}}}}
	svc.Access = gate
	pro := auth.Principal{Kind: auth.KindProfessional, ProfessionalID: "pro-kainuu-nurse"}
	if versions, err := svc.History(ctx, pro, anna, id); !errors.Is(err, record.ErrNotFound) {
		t.Fatalf("history of a reading moved out of the window = %+v, %v; want not found", versions, err)
	}
	if n := len(gate.done); n != 1 || !gate.done[0].OutOfScope {
		t.Errorf("Done heard %+v; want one refused attempt", gate.done)
	}
}
