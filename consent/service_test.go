package consent_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/sqlite"
	"github.com/omahoito/omahoito/store/storetest"
)

// world is the consent service over a real SQLite database with the demo
// directory and two people, anna and ben, of kainuu.
type world struct {
	svc   *consent.Service
	store *sqlite.Store
	log   *audit.Log
}

func newWorld(t *testing.T) world {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	storetest.MustSeedPeople(t, s, "anna", "ben")
	log := storetest.NewAuditLog(t, s, audit.Options{})
	return world{svc: &consent.Service{Store: s, Directory: s, People: s, Log: log, History: log}, store: s, log: log}
}

func (w world) entries(t *testing.T, person string) []audit.Entry {
	t.Helper()
	es, _, err := w.log.Search(context.Background(), audit.Query{PatientID: person})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

var (
	annaSelf  = auth.Principal{Kind: auth.KindCitizen, PersonID: "anna", RegionID: "kainuu"}
	benSelf   = auth.Principal{Kind: auth.KindCitizen, PersonID: "ben", RegionID: "kainuu"}
	nurseSelf = auth.Principal{Kind: auth.KindProfessional, ProfessionalID: "pro-kainuu-nurse", CareUnitID: "unit-kainuu-kajaani", RegionID: "kainuu"}
)

// Someone else reading a person's access log is refused, and the attempt
// lands in that person's log.
func TestAccessLogRefusalIsLogged(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	for _, who := range []auth.Principal{benSelf, nurseSelf} {
		if _, _, err := w.svc.AccessLog(ctx, who, audit.Query{PatientID: "anna"}); !errors.Is(err, record.ErrDenied) {
			t.Errorf("%s reading anna's log: %v, want denied", who.Kind, err)
		}
	}
	es := w.entries(t, "anna")
	if len(es) != 2 || es[0].Outcome != audit.Deny || es[1].Outcome != audit.Deny || es[0].Class != string(record.ClassAccessLog) {
		t.Fatalf("anna's log after two refused reads: %+v", es)
	}
	if _, _, err := w.svc.AccessLog(ctx, annaSelf, audit.Query{PatientID: "anna"}); err != nil {
		t.Errorf("anna reading her own log: %v", err)
	}
}

// A professional asking again while a request waits adds nothing, and
// their own list shows only the requests the person has answered.
func TestOneRequestWaitsAtATime(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	in := consent.AskFor{Months: 3, Reason: "seuranta", Scope: consent.Scope{Classes: []consent.ClassScope{{Class: record.ClassMeasurements}}}}
	for range 3 {
		if err := w.svc.AskConsent(ctx, nurseSelf, "anna", in); err != nil {
			t.Fatal(err)
		}
	}
	asks, err := w.svc.Asks(ctx, annaSelf)
	if err != nil || len(asks) != 1 {
		t.Fatalf("anna's requests after three asks: %+v, %v; want one", asks, err)
	}
	mine, err := w.svc.AsksBy(ctx, nurseSelf)
	if err != nil || len(mine) != 0 {
		t.Fatalf("the nurse's list with a request waiting: %+v, %v; want none listed", mine, err)
	}
	if err := w.svc.DeclineAsk(ctx, annaSelf, asks[0].ID); err != nil {
		t.Fatal(err)
	}
	if mine, _ = w.svc.AsksBy(ctx, nurseSelf); len(mine) != 1 || mine[0].Status != consent.AskDeclined {
		t.Fatalf("the nurse's list after the answer: %+v", mine)
	}
	// A code no one has and a person of another region look the same to
	// the professional: nothing is stored, nothing listed.
	if err := w.svc.AskConsent(ctx, nurseSelf, "nobody", in); err != nil {
		t.Errorf("asking a person who does not exist: %v, want the same answer as any", err)
	}
	if asks, _ := w.store.AsksBy(ctx, "pro-kainuu-nurse"); len(asks) != 1 {
		t.Errorf("the nurse's stored requests after asking no one: %d, want the one to anna", len(asks))
	}
}

// failingLog refuses every entry after the first n.
type failingLog struct {
	log *audit.Log
	n   atomic.Int32
}

func (f *failingLog) Append(ctx context.Context, e audit.Entry) error {
	if f.n.Add(-1) < 0 {
		return errors.New("disk full")
	}
	return f.log.Append(ctx, e)
}

// When the access log fails for one of the people listed, "my patients"
// returns the log's failure (503), not a list and not a cancel echoed by
// the others.
func TestMyPatientsFailsClosedWithTheLogsError(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	give := consent.Give{Grantee: consent.Grantee{Kind: consent.GranteeUnit, ID: "unit-kainuu-kajaani"},
		Scope: consent.Scope{Classes: []consent.ClassScope{{Class: record.ClassMeasurements}}}}
	for _, who := range []auth.Principal{annaSelf, benSelf} {
		if _, err := w.svc.GiveConsent(ctx, who, who.PersonID, give); err != nil {
			t.Fatal(err)
		}
	}
	if ps, _, err := w.svc.MyPatients(ctx, nurseSelf, 0); err != nil || len(ps) != 2 {
		t.Fatalf("my patients: %+v, %v; want anna and ben", ps, err)
	}
	f := &failingLog{log: w.log}
	f.n.Store(1)
	w.svc.Log = f
	ps, _, err := w.svc.MyPatients(ctx, nurseSelf, 0)
	if !errors.Is(err, audit.ErrUnavailable) || ps != nil {
		t.Fatalf("my patients with the log failing: %+v, %v; want no list and the log unavailable", ps, err)
	}
}

// A professional removed from the directory while logged in sees nothing.
func TestRemovedProfessionalIsDenied(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	gone := auth.Principal{Kind: auth.KindProfessional, ProfessionalID: "pro-removed", CareUnitID: "unit-kainuu-kajaani", RegionID: "kainuu"}
	_, err := w.svc.Decide(ctx, record.Request{Who: gone, PersonID: "anna", Action: record.ActionRead, Class: record.ClassMeasurements})
	if !errors.Is(err, record.ErrDenied) {
		t.Fatalf("decision for a professional not in the directory: %v, want denied", err)
	}
}

// The same request sent many times at once (a double click) stores one.
func TestConcurrentAsksStoreOne(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	in := consent.AskFor{Months: 3, Reason: "seuranta", Scope: consent.Scope{Classes: []consent.ClassScope{{Class: record.ClassMeasurements}}}}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { errs[i] = w.svc.AskConsent(ctx, nurseSelf, "anna", in) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Errorf("a concurrent ask: %v", err)
		}
	}
	if asks, err := w.svc.Asks(ctx, annaSelf); err != nil || len(asks) != 1 {
		t.Fatalf("anna's requests after 8 concurrent asks: %d, %v; want 1", len(asks), err)
	}
}
