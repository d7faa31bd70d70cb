package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/record"
)

// Stores is what the record conformance suite needs of an implementation:
// the measurement store, and the people the measurements belong to.
type Stores interface {
	auth.Store
	record.Store
}

// RunRecords runs the record.Store conformance subtests. open must return
// a new, empty, migrated store for each call and close it when t ends.
func RunRecords(t *testing.T, open func(t *testing.T) Stores) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s Stores)
	}{
		{"RoundTrip", testMeasurementRoundTrip},
		{"CreateIsAllOrNothing", testCreateAllOrNothing},
		{"CreateIdempotent", testCreateIdempotent},
		{"CreateIdempotentWithinBatch", testCreateIdempotentWithinBatch},
		{"ConcurrentCreateSameIdentifier", testConcurrentCreateSameIdentifier},
		{"ConcurrentCreateCrossedIdentifiers", testConcurrentCreateCrossed},
		{"UpdateKeepsHistory", testUpdateKeepsHistory},
		{"UpdateStaleVersion", testUpdateStaleVersion},
		{"DeleteHidesButKeepsHistory", testDelete},
		{"OtherPersonNotFound", testOtherPersonNotFound},
		{"SearchFilters", testSearchFilters},
		{"SearchOrder", testSearchOrder},
		{"KeysetPagingUnderInserts", testKeysetPaging},
		{"ActorRoundTrip", testActorRoundTrip},
		{"AsEnteredRoundTrip", testAsEnteredRoundTrip},
		{"ScopeNarrowsSearchCountAndPaging", testScope},
		{"LatestMeasurements", testLatest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

// MustSeedPeople seeds the demo directory and creates a person for each id.
func MustSeedPeople(tb testing.TB, s auth.Store, ids ...string) {
	tb.Helper()
	MustSeedDemo(tb, s)
	for i, id := range ids {
		must(tb, s.CreatePerson(context.Background(), person(id, byte(100+i))))
	}
}

// base is a time in the past to which tests add offsets.
var base = time.Date(2025, time.January, 1, 6, 0, 0, 0, time.UTC)

// BloodPressure returns a version-1 blood-pressure measurement of
// personID with id, taken at at, entered by hand by the person.
func BloodPressure(personID, id string, at time.Time, systolic, diastolic float64) record.Measurement {
	return record.Measurement{
		ID: id, PersonID: personID, Kind: record.BloodPressure, Value: systolic, Diastolic: diastolic,
		At: at, EnteredBy: record.Actor{Kind: record.ActorPerson, ID: personID}, Source: record.Source{Kind: record.SourceManual},
		Version: 1, Updated: base.Add(400 * 24 * time.Hour),
	}
}

func weight(personID, id string, at time.Time, kg float64) record.Measurement {
	m := BloodPressure(personID, id, at, kg, 0)
	m.Kind = record.BodyWeight
	return m
}

func create(tb testing.TB, s record.Store, ms ...record.Measurement) map[int]record.Measurement {
	tb.Helper()
	existing, err := s.CreateMeasurements(context.Background(), ms)
	must(tb, err)
	return existing
}

func get(tb testing.TB, s record.Store, personID, id string) record.Measurement {
	tb.Helper()
	m, err := s.Measurement(context.Background(), personID, id)
	must(tb, err)
	return m
}

func history(tb testing.TB, s record.Store, personID, id string) []record.Measurement {
	tb.Helper()
	h, err := s.MeasurementHistory(context.Background(), personID, id)
	must(tb, err)
	return h
}

func count(tb testing.TB, s record.Store, q record.Query) int {
	tb.Helper()
	n, err := s.CountMeasurements(context.Background(), q)
	must(tb, err)
	return n
}

func search(tb testing.TB, s record.Store, q record.Query) []record.Measurement {
	tb.Helper()
	ms, err := s.SearchMeasurements(context.Background(), q)
	must(tb, err)
	return ms
}

func searchIDs(tb testing.TB, s record.Store, q record.Query) []string {
	tb.Helper()
	return ids(search(tb, s, q), func(m record.Measurement) string { return m.ID })
}

// sameMeasurement compares every field; times must be equal instants in UTC.
func sameMeasurement(tb testing.TB, what string, got, want record.Measurement) {
	tb.Helper()
	sameTime(tb, what+": At", got.At, want.At)
	sameTime(tb, what+": Updated", got.Updated, want.Updated)
	got.At, got.Updated, want.At, want.Updated = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if got != want {
		tb.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func testMeasurementRoundTrip(t *testing.T, s Stores) {
	MustSeedPeople(t, s, "p1")
	helsinki := time.FixedZone("EEST", 3*60*60)
	bp := BloodPressure("p1", "m-bp", time.Date(2025, time.June, 30, 23, 59, 59, 999999999, helsinki), 128.5, 84)
	bp.Note = "Aamulla ennen lääkettä ☀️ — 日本語 \"quoted\" 'single' \\ %_"
	bp.Source = record.Source{Kind: record.SourceDevice, Client: "omron-app"}
	bp.Identifier = "urn:oid:1.2.3|reading-1"
	bp.EnteredBy = record.Actor{Kind: record.ActorProfessional, ID: "pro-1"}
	bp.Updated = time.Date(2025, time.July, 1, 1, 2, 3, 456789123, helsinki)
	w := weight("p1", "m-w", base, 72.35)
	if existing := create(t, s, bp, w); len(existing) != 0 {
		t.Fatalf("new measurements reported as existing: %+v", existing)
	}
	wantBP := bp
	wantBP.At = time.Date(2025, time.June, 30, 20, 59, 59, 999999000, time.UTC)
	wantBP.Updated = time.Date(2025, time.June, 30, 22, 2, 3, 456789000, time.UTC)
	sameMeasurement(t, "blood pressure", get(t, s, "p1", "m-bp"), wantBP)
	sameMeasurement(t, "weight", get(t, s, "p1", "m-w"), w)

	h := history(t, s, "p1", "m-bp")
	if len(h) != 1 {
		t.Fatalf("history of a new measurement: %d versions, want 1", len(h))
	}
	sameMeasurement(t, "history", h[0], wantBP)
	found := search(t, s, record.Query{Scope: record.Everything, PersonID: "p1", Kinds: []record.Kind{record.BloodPressure}})
	if len(found) != 1 {
		t.Fatalf("search found %d, want 1", len(found))
	}
	sameMeasurement(t, "search", found[0], wantBP)
	if existing := create(t, s); len(existing) != 0 {
		t.Errorf("empty create: %+v", existing)
	}
}

func testCreateAllOrNothing(t *testing.T, s Stores) {
	ctx := context.Background()
	MustSeedPeople(t, s, "p1")
	batch := make([]record.Measurement, 0, 100)
	for i := range 100 {
		m := BloodPressure("p1", fmt.Sprintf("m-%03d", i), base.Add(time.Duration(i)*time.Hour), 120, 80)
		m.Identifier = fmt.Sprintf("sys|%d", i)
		batch = append(batch, m)
	}
	unknownPerson := slices.Clone(batch)
	unknownPerson[77].PersonID = "nobody"
	_, err := s.CreateMeasurements(ctx, unknownPerson)
	wantErr(t, err, record.ErrNotFound, "batch with a measurement of an unknown person")

	sameID := slices.Clone(batch)
	sameID[99].ID = sameID[3].ID
	_, err = s.CreateMeasurements(ctx, sameID)
	wantErr(t, err, record.ErrConflict, "batch with one id twice")

	all := record.Query{Scope: record.Everything, PersonID: "p1"}
	if n := count(t, s, all); n != 0 {
		t.Fatalf("%d measurements stored by failed batches, want 0", n)
	}
	_, err = s.Measurement(ctx, "p1", "m-000")
	wantErr(t, err, record.ErrNotFound, "first measurement of a failed batch")
	_, err = s.MeasurementHistory(ctx, "p1", "m-000")
	wantErr(t, err, record.ErrNotFound, "history of a failed batch's measurement")

	create(t, s, batch...) // the identifiers of the failed batches are free
	if n := count(t, s, all); n != 100 {
		t.Fatalf("%d measurements after the good batch, want 100", n)
	}
}

func testCreateIdempotent(t *testing.T, s Stores) {
	MustSeedPeople(t, s, "p1", "p2")
	first := BloodPressure("p1", "m-1", base, 130, 85)
	first.Identifier = "sys|abc"
	plain := weight("p1", "m-2", base, 70)
	create(t, s, first, plain)

	again := BloodPressure("p1", "m-1b", base, 130, 85) // the same reading, sent again
	again.Identifier = "sys|abc"
	other := weight("p1", "m-3", base, 71) // no identifier: always stored
	otherPerson := again
	otherPerson.ID, otherPerson.PersonID = "m-p2", "p2" // identifiers are per person
	existing := create(t, s, again, other, otherPerson)
	if len(existing) != 1 {
		t.Fatalf("existing = %+v, want only index 0", existing)
	}
	sameMeasurement(t, "existing", existing[0], first)
	if n := count(t, s, record.Query{Scope: record.Everything, PersonID: "p1"}); n != 3 {
		t.Errorf("p1 has %d measurements, want 3", n)
	}
	if n := count(t, s, record.Query{Scope: record.Everything, PersonID: "p2"}); n != 1 {
		t.Errorf("p2 has %d measurements, want 1", n)
	}
	_, err := s.Measurement(context.Background(), "p1", "m-1b")
	wantErr(t, err, record.ErrNotFound, "the repeated measurement's new id")
}

func testCreateIdempotentWithinBatch(t *testing.T, s Stores) {
	MustSeedPeople(t, s, "p1")
	var batch []record.Measurement
	for i := range 5 {
		// the same reading under the same identifier, sent again in the batch
		m := BloodPressure("p1", fmt.Sprintf("m-%d", i), base.Add(time.Duration(i%2)*time.Minute), 120+float64(i%2), 80)
		m.Identifier = fmt.Sprintf("sys|%d", i%2) // 0, 1, 0, 1, 0
		batch = append(batch, m)
	}
	existing := create(t, s, batch...)
	if len(existing) != 3 {
		t.Fatalf("existing = %+v, want indexes 2, 3 and 4", existing)
	}
	for i, first := range map[int]int{2: 0, 3: 1, 4: 0} {
		sameMeasurement(t, fmt.Sprintf("existing[%d]", i), existing[i], batch[first])
	}
	if got := searchIDs(t, s, record.Query{Scope: record.Everything, PersonID: "p1"}); !slices.Equal(got, []string{"m-0", "m-1"}) {
		t.Errorf("stored %v, want [m-0 m-1]", got)
	}
	// Other content under an identifier, in the batch or stored, refuses
	// the whole batch: nothing of it is inserted.
	fresh := BloodPressure("p1", "m-9", base.Add(time.Hour), 130, 85)
	changed := BloodPressure("p1", "m-8", base, 121, 80)
	changed.Identifier = "sys|0"
	existing, err := s.CreateMeasurements(context.Background(), []record.Measurement{fresh, changed})
	if !errors.Is(err, record.ErrIdentifierReused) || existing[1].ID != "m-0" {
		t.Errorf("other content under a stored identifier = %v (existing %+v), want ErrIdentifierReused with the stored m-0", err, existing)
	}
	if got := searchIDs(t, s, record.Query{Scope: record.Everything, PersonID: "p1"}); !slices.Equal(got, []string{"m-0", "m-1"}) {
		t.Errorf("after the refused batch %v are stored, want [m-0 m-1]", got)
	}
}

// testConcurrentCreateSameIdentifier: eight clients send the same
// identifier at once; exactly one measurement is stored, and every other
// client is told about it rather than getting an error.
func testConcurrentCreateSameIdentifier(t *testing.T, s Stores) {
	ctx := context.Background()
	MustSeedPeople(t, s, "p1")
	const n = 8
	results := make([]map[int]record.Measurement, n)
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Go(func() {
			start.Wait()
			m := BloodPressure("p1", fmt.Sprintf("racer-%d", i), base, 120, 80)
			m.Identifier = "sys|same"
			other := weight("p1", fmt.Sprintf("other-%d", i), base, 70) // always stored
			results[i], errs[i] = s.CreateMeasurements(ctx, []record.Measurement{m, other})
		})
	}
	start.Done()
	done.Wait()
	winner := ""
	for i, err := range errs {
		must(t, err)
		if _, ok := results[i][0]; ok {
			continue
		}
		if winner != "" {
			t.Errorf("racers %s and %d both stored the measurement", winner, i)
		}
		winner = fmt.Sprintf("racer-%d", i)
	}
	for i, r := range results {
		if old, ok := r[0]; ok && old.ID != winner {
			t.Errorf("racer %d was told of %s, want the winner %q", i, old.ID, winner)
		}
	}
	got := searchIDs(t, s, record.Query{Scope: record.Everything, PersonID: "p1", Kinds: []record.Kind{record.BloodPressure}})
	if len(got) != 1 || got[0] != winner {
		t.Errorf("stored %v, want only the winner %q", got, winner)
	}
	if c := count(t, s, record.Query{Scope: record.Everything, PersonID: "p1", Kinds: []record.Kind{record.BodyWeight}}); c != n {
		t.Errorf("%d other measurements stored, want %d", c, n)
	}
}

// testConcurrentCreateCrossed: two clients send the same identifiers in
// opposite orders at once, so each may wait for the other; both succeed
// and each identifier is stored once. The batches are large enough for the
// two inserts to overlap.
func testConcurrentCreateCrossed(t *testing.T, s Stores) {
	ctx := context.Background()
	MustSeedPeople(t, s, "p1")
	const n = 2000
	batches := make([][]record.Measurement, 2)
	for c := range batches {
		for i := range n {
			m := BloodPressure("p1", fmt.Sprintf("c%d-%02d", c, i), base.Add(time.Duration(i)*time.Minute), 120, 80)
			m.Identifier = fmt.Sprintf("sys|%02d", i)
			batches[c] = append(batches[c], m)
		}
	}
	slices.Reverse(batches[1])
	errs := make([]error, 2)
	var start, done sync.WaitGroup
	start.Add(1)
	for c := range batches {
		done.Go(func() {
			start.Wait()
			_, errs[c] = s.CreateMeasurements(ctx, batches[c])
		})
	}
	start.Done()
	done.Wait()
	for c, err := range errs {
		if err != nil {
			t.Errorf("client %d: %v", c, err)
		}
	}
	if c := count(t, s, record.Query{Scope: record.Everything, PersonID: "p1"}); c != n {
		t.Errorf("%d measurements stored, want %d", c, n)
	}
}

func testUpdateKeepsHistory(t *testing.T, s Stores) {
	ctx := context.Background()
	MustSeedPeople(t, s, "p1")
	v1 := BloodPressure("p1", "m-1", base, 150, 95)
	v1.Identifier = "sys|1"
	create(t, s, v1)
	v2 := v1
	v2.Value, v2.Diastolic, v2.Note, v2.At = 140, 90, "korjattu", base.Add(-time.Minute)
	v2.Version, v2.Updated, v2.EnteredBy = 2, v1.Updated.Add(time.Hour), record.Actor{Kind: record.ActorPerson, ID: "p2", OnBehalfOf: "p1"}
	must(t, s.UpdateMeasurement(ctx, v2))
	sameMeasurement(t, "current after update", get(t, s, "p1", "m-1"), v2)
	h := history(t, s, "p1", "m-1")
	if len(h) != 2 {
		t.Fatalf("history has %d versions, want 2", len(h))
	}
	sameMeasurement(t, "history[0]", h[0], v2)
	sameMeasurement(t, "history[1]", h[1], v1)
	if n := count(t, s, record.Query{Scope: record.Everything, PersonID: "p1"}); n != 1 {
		t.Errorf("count after update %d, want 1", n)
	}
}

func testUpdateStaleVersion(t *testing.T, s Stores) {
	ctx := context.Background()
	MustSeedPeople(t, s, "p1")
	v1 := BloodPressure("p1", "m-1", base, 150, 95)
	create(t, s, v1)
	v2 := v1
	v2.Version, v2.Value = 2, 145
	must(t, s.UpdateMeasurement(ctx, v2))
	for _, version := range []int{1, 2, 4} {
		stale := v1
		stale.Version, stale.Value = version, 999
		wantErr(t, s.UpdateMeasurement(ctx, stale), record.ErrConflict, fmt.Sprintf("update as version %d", version))
	}
	sameMeasurement(t, "current after stale updates", get(t, s, "p1", "m-1"), v2)
	if h := history(t, s, "p1", "m-1"); len(h) != 2 {
		t.Errorf("history has %d versions after stale updates, want 2", len(h))
	}
}

func testDelete(t *testing.T, s Stores) {
	ctx := context.Background()
	MustSeedPeople(t, s, "p1")
	keep, gone := BloodPressure("p1", "m-keep", base, 120, 80), BloodPressure("p1", "m-gone", base.Add(time.Hour), 121, 81)
	create(t, s, keep, gone)
	del := gone
	del.Version, del.Deleted, del.Updated = 2, true, gone.Updated.Add(time.Minute)
	must(t, s.UpdateMeasurement(ctx, del))

	q := record.Query{Scope: record.Everything, PersonID: "p1"}
	if got := searchIDs(t, s, q); !slices.Equal(got, []string{"m-keep"}) {
		t.Errorf("search after delete: %v, want [m-keep]", got)
	}
	if n := count(t, s, q); n != 1 {
		t.Errorf("count after delete: %d, want 1", n)
	}
	sameMeasurement(t, "deleted measurement", get(t, s, "p1", "m-gone"), del)
	h := history(t, s, "p1", "m-gone")
	if len(h) != 2 || !h[0].Deleted || h[1].Deleted {
		t.Errorf("history after delete: %+v, want the deletion then the original", h)
	}
}

func testOtherPersonNotFound(t *testing.T, s Stores) {
	ctx := context.Background()
	MustSeedPeople(t, s, "p1", "p2")
	m := BloodPressure("p1", "m-1", base, 120, 80)
	create(t, s, m)
	_, err := s.Measurement(ctx, "p2", "m-1")
	wantErr(t, err, record.ErrNotFound, "Measurement of another person")
	_, err = s.MeasurementHistory(ctx, "p2", "m-1")
	wantErr(t, err, record.ErrNotFound, "MeasurementHistory of another person")
	stolen := m
	stolen.PersonID, stolen.Version, stolen.Value = "p2", 2, 200
	wantErr(t, s.UpdateMeasurement(ctx, stolen), record.ErrNotFound, "UpdateMeasurement of another person")
	unknown := m
	unknown.ID, unknown.Version = "nope", 2
	wantErr(t, s.UpdateMeasurement(ctx, unknown), record.ErrNotFound, "UpdateMeasurement of an unknown id")
	_, err = s.Measurement(ctx, "p1", "nope")
	wantErr(t, err, record.ErrNotFound, "Measurement of an unknown id")
	_, err = s.MeasurementHistory(ctx, "p1", "nope")
	wantErr(t, err, record.ErrNotFound, "MeasurementHistory of an unknown id")
	if owner, err := s.MeasurementOwner(ctx, "m-1"); err != nil || owner != "p1" {
		t.Errorf("MeasurementOwner(m-1) = %q, %v; want p1", owner, err)
	}
	_, err = s.MeasurementOwner(ctx, "nope")
	wantErr(t, err, record.ErrNotFound, "MeasurementOwner of an unknown id")
	sameMeasurement(t, "after another person's update", get(t, s, "p1", "m-1"), m)
	if ms := search(t, s, record.Query{Scope: record.Everything, PersonID: "p2"}); len(ms) != 0 {
		t.Errorf("p2 sees %d of p1's measurements", len(ms))
	}
}

// seedDays stores one blood pressure and one weight a day for days days
// from base, with ids prefix+bp-DD and prefix+w-DD.
func seedDays(tb testing.TB, s record.Store, personID, prefix string, days int) {
	tb.Helper()
	var ms []record.Measurement
	for d := range days {
		at := base.Add(time.Duration(d) * 24 * time.Hour)
		ms = append(ms, BloodPressure(personID, fmt.Sprintf("%sbp-%02d", prefix, d), at, 120, 80),
			weight(personID, fmt.Sprintf("%sw-%02d", prefix, d), at.Add(time.Hour), 70))
	}
	create(tb, s, ms...)
}

func testSearchFilters(t *testing.T, s Stores) {
	MustSeedPeople(t, s, "p1", "p2")
	seedDays(t, s, "p1", "", 5)
	seedDays(t, s, "p2", "p2-", 3) // another person's: never found
	day := func(d int) time.Time { return base.Add(time.Duration(d) * 24 * time.Hour) }
	bp := []record.Kind{record.BloodPressure}
	cases := []struct {
		name string
		q    record.Query
		want []string
	}{
		{"all", record.Query{}, []string{"bp-00", "w-00", "bp-01", "w-01", "bp-02", "w-02", "bp-03", "w-03", "bp-04", "w-04"}},
		{"one kind", record.Query{Kinds: bp}, []string{"bp-00", "bp-01", "bp-02", "bp-03", "bp-04"}},
		{"two kinds", record.Query{Kinds: []record.Kind{record.BodyWeight, record.BloodPressure}, To: day(1)}, []string{"bp-00", "w-00", "bp-01"}},
		{"kind without data", record.Query{Kinds: []record.Kind{record.Glucose}}, nil},
		{"closed range", record.Query{Kinds: bp, From: day(1), To: day(3)}, []string{"bp-01", "bp-02", "bp-03"}},
		{"open range", record.Query{Kinds: bp, From: day(1), FromOpen: true, To: day(3), ToOpen: true}, []string{"bp-02"}},
		{"from only", record.Query{Kinds: bp, From: day(3)}, []string{"bp-03", "bp-04"}},
		{"to only, open", record.Query{Kinds: bp, To: day(1), ToOpen: true}, []string{"bp-00"}},
		{"microsecond bound", record.Query{Kinds: bp, From: day(2).Add(time.Microsecond)}, []string{"bp-03", "bp-04"}},
		{"limit", record.Query{Kinds: bp, Limit: 2}, []string{"bp-00", "bp-01"}},
		{"desc limit", record.Query{Kinds: bp, Desc: true, Limit: 2}, []string{"bp-04", "bp-03"}},
		{"desc range", record.Query{From: day(3), Desc: true}, []string{"w-04", "bp-04", "w-03", "bp-03"}},
		{"zone of bounds", record.Query{Kinds: bp, From: day(4).In(time.FixedZone("X", -5*3600))}, []string{"bp-04"}},
	}
	for _, c := range cases {
		c.q.PersonID, c.q.Scope = "p1", record.Everything
		if got := searchIDs(t, s, c.q); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
		c.q.Limit, c.q.After = 0, nil
		if n := count(t, s, c.q); n != len(searchIDs(t, s, c.q)) {
			t.Errorf("%s: count %d, search without limit %d", c.name, n, len(searchIDs(t, s, c.q)))
		}
	}
	if n := count(t, s, record.Query{Scope: record.Everything, PersonID: "p1", Kinds: bp, Limit: 1,
		After: &record.Cursor{At: day(3), ID: "bp-03"}}); n != 5 {
		t.Errorf("count ignores Limit and After: got %d, want 5", n)
	}
}

// testSearchOrder: measurements taken at the same instant are ordered by
// id in byte order (upper case before lower case), in both directions.
func testSearchOrder(t *testing.T, s Stores) {
	MustSeedPeople(t, s, "p1")
	at := base.Add(time.Hour)
	create(t, s,
		BloodPressure("p1", "b", at, 120, 80), BloodPressure("p1", "B", at, 120, 80),
		BloodPressure("p1", "a", at, 120, 80), BloodPressure("p1", "z-early", base, 120, 80),
		BloodPressure("p1", "0-late", at.Add(time.Microsecond), 120, 80))
	asc := []string{"z-early", "B", "a", "b", "0-late"}
	if got := searchIDs(t, s, record.Query{Scope: record.Everything, PersonID: "p1"}); !slices.Equal(got, asc) {
		t.Errorf("ascending: got %v, want %v", got, asc)
	}
	desc := slices.Clone(asc)
	slices.Reverse(desc)
	if got := searchIDs(t, s, record.Query{Scope: record.Everything, PersonID: "p1", Desc: true}); !slices.Equal(got, desc) {
		t.Errorf("descending: got %v, want %v", got, desc)
	}
	after := &record.Cursor{At: at, ID: "a"}
	if got := searchIDs(t, s, record.Query{Scope: record.Everything, PersonID: "p1", After: after}); !slices.Equal(got, []string{"b", "0-late"}) {
		t.Errorf("ascending after (at, a): got %v", got)
	}
	if got := searchIDs(t, s, record.Query{Scope: record.Everything, PersonID: "p1", After: after, Desc: true}); !slices.Equal(got, []string{"B", "z-early"}) {
		t.Errorf("descending after (at, a): got %v", got)
	}
}

// testKeysetPaging walks all measurements page by page in both orders
// while others are added before and after the cursor: every measurement
// that existed at the start is seen exactly once, in order.
func testKeysetPaging(t *testing.T, s Stores) {
	MustSeedPeople(t, s, "p1")
	var start []record.Measurement
	for i := range 40 {
		at := base.Add(time.Duration(i/3) * time.Hour) // three at each instant
		start = append(start, BloodPressure("p1", fmt.Sprintf("m-%02d", i), at, 120, 80))
	}
	create(t, s, start...)
	for _, desc := range []bool{false, true} {
		t.Run(fmt.Sprintf("desc=%v", desc), func(t *testing.T) {
			seen := walk(t, s, record.Query{Scope: record.Everything, PersonID: "p1", Desc: desc, Limit: 7}, func(page int, last record.Measurement) {
				// rows before and after the cursor, one at its very instant
				prefix := fmt.Sprintf("%s-%v-%d", last.ID, desc, page)
				create(t, s,
					BloodPressure("p1", prefix+"-same", last.At, 120, 80),
					BloodPressure("p1", prefix+"-later", last.At.Add(time.Minute), 120, 80),
					BloodPressure("p1", prefix+"-earlier", last.At.Add(-time.Minute), 120, 80))
			})
			checkWalk(t, seen, start, desc)
		})
	}
}

// walk fetches every page of q, calling between(page, last row) after each.
func walk(t *testing.T, s record.Store, q record.Query, between func(int, record.Measurement)) []record.Measurement {
	var all []record.Measurement
	for page := 0; ; page++ {
		if page > 1000 {
			t.Fatal("paging does not end")
		}
		ms := search(t, s, q)
		all = append(all, ms...)
		if len(ms) < q.Limit {
			return all
		}
		last := ms[len(ms)-1]
		q.After = &record.Cursor{At: last.At, ID: last.ID}
		between(page, last)
	}
}

func checkWalk(t *testing.T, seen, start []record.Measurement, desc bool) {
	t.Helper()
	times := map[string]int{}
	for i, m := range seen {
		times[m.ID]++
		if i == 0 {
			continue
		}
		prev := seen[i-1]
		before := prev.At.Before(m.At) || prev.At.Equal(m.At) && prev.ID < m.ID
		if before == desc {
			t.Errorf("out of order: %s (%s) then %s (%s)", prev.ID, prev.At, m.ID, m.At)
		}
	}
	for id, n := range times {
		if n > 1 {
			t.Errorf("%s seen %d times", id, n)
		}
	}
	for _, m := range start {
		if times[m.ID] != 1 {
			t.Errorf("%s seen %d times, want once", m.ID, times[m.ID])
		}
	}
}
