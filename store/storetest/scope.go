package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/omahoito/omahoito/record"
)

// testActorRoundTrip: who wrote each version, and on whose behalf, comes
// back as written, on the current row and in the history.
func testActorRoundTrip(t *testing.T, s Stores) {
	ctx := context.Background()
	MustSeedPeople(t, s, "p1")
	v1 := BloodPressure("p1", "m-1", base, 130, 85)
	v1.EnteredBy = record.Actor{Kind: record.ActorProfessional, ID: "pro-1"}
	create(t, s, v1)
	v2 := v1
	v2.Version, v2.Value = 2, 131
	v2.EnteredBy = record.Actor{Kind: record.ActorPerson, ID: "guardian-1", OnBehalfOf: "p1"}
	must(t, s.UpdateMeasurement(ctx, v2))
	v3 := v2
	v3.Version, v3.Deleted = 3, true
	v3.EnteredBy = record.Actor{Kind: record.ActorOperator, ID: "op-1"}
	must(t, s.UpdateMeasurement(ctx, v3))

	if got := get(t, s, "p1", "m-1").EnteredBy; got != v3.EnteredBy {
		t.Errorf("current version entered by %+v, want %+v", got, v3.EnteredBy)
	}
	h := history(t, s, "p1", "m-1")
	want := []record.Actor{v3.EnteredBy, v2.EnteredBy, v1.EnteredBy}
	if len(h) != len(want) {
		t.Fatalf("history has %d versions, want %d", len(h), len(want))
	}
	for i, m := range h {
		if m.EnteredBy != want[i] {
			t.Errorf("history[%d] entered by %+v, want %+v", i, m.EnteredBy, want[i])
		}
	}
}

// testAsEnteredRoundTrip: a value given in another unit is kept as given,
// on the current row, in the history and in search results; a value in
// the canonical unit has no as-entered part.
func testAsEnteredRoundTrip(t *testing.T, s Stores) {
	ctx := context.Background()
	MustSeedPeople(t, s, "p1")
	g := BloodPressure("p1", "m-glucose", base, 5.5, 0)
	g.Kind, g.AsEntered = record.Glucose, record.AsEntered{Value: 99.1, Unit: "mg/dL"}
	bp := BloodPressure("p1", "m-bp", base.Add(time.Hour), 120, 80)
	bp.AsEntered = record.AsEntered{Value: 16, Diastolic: 10.7, Unit: "kPa"}
	plain := weight("p1", "m-w", base.Add(2*time.Hour), 70)
	create(t, s, g, bp, plain)
	for _, want := range []record.Measurement{g, bp, plain} {
		sameMeasurement(t, want.ID, get(t, s, "p1", want.ID), want)
	}
	found := search(t, s, record.Query{Scope: record.Everything, PersonID: "p1"})
	if len(found) != 3 || found[0].AsEntered != g.AsEntered || found[1].AsEntered != bp.AsEntered || found[2].AsEntered != (record.AsEntered{}) {
		t.Errorf("search lost the values as entered: %+v", found)
	}

	g2 := g
	g2.Version, g2.Value, g2.AsEntered = 2, 6.1, record.AsEntered{} // corrected in mmol/L
	must(t, s.UpdateMeasurement(ctx, g2))
	sameMeasurement(t, "current after a correction in the canonical unit", get(t, s, "p1", g.ID), g2)
	h := history(t, s, "p1", g.ID)
	if len(h) != 2 {
		t.Fatalf("history has %d versions, want 2", len(h))
	}
	sameMeasurement(t, "history[0]", h[0], g2)
	sameMeasurement(t, "history[1]", h[1], g)
}

// day is base plus d days.
func day(d int) time.Time { return base.Add(time.Duration(d) * 24 * time.Hour) }

// testScope: a query's Scope narrows search, count and paging: kinds,
// windows [From, To), several allowances adding up, and the zero Scope
// matching nothing.
func testScope(t *testing.T, s Stores) {
	MustSeedPeople(t, s, "p1", "p2")
	seedDays(t, s, "p1", "", 5) // bp-DD at day DD, w-DD an hour later
	seedDays(t, s, "p2", "p2-", 5)
	bp, w := []record.Kind{record.BloodPressure}, []record.Kind{record.BodyWeight}
	cases := []struct {
		name  string
		scope record.Scope
		kinds []record.Kind
		want  []string
	}{
		{"zero scope", record.Scope{}, nil, nil},
		{"zero scope with kinds", record.Scope{}, bp, nil},
		{"everything", record.Everything, nil, []string{"bp-00", "w-00", "bp-01", "w-01", "bp-02", "w-02", "bp-03", "w-03", "bp-04", "w-04"}},
		{"one kind", scope(record.Allowance{Kinds: bp}), nil, []string{"bp-00", "bp-01", "bp-02", "bp-03", "bp-04"}},
		{"window, To excluded", scope(record.Allowance{Window: record.Window{From: day(1), To: day(3)}}), nil,
			[]string{"bp-01", "w-01", "bp-02", "w-02"}},
		{"window from only", scope(record.Allowance{Window: record.Window{From: day(3)}}), nil, []string{"bp-03", "w-03", "bp-04", "w-04"}},
		{"window to only", scope(record.Allowance{Kinds: w, Window: record.Window{To: day(1)}}), nil, []string{"w-00"}},
		{"kind and window", scope(record.Allowance{Kinds: bp, Window: record.Window{From: day(4)}}), nil, []string{"bp-04"}},
		{"two allowances add up", scope(record.Allowance{Kinds: bp, Window: record.Window{To: day(2)}},
			record.Allowance{Kinds: w, Window: record.Window{From: day(3)}}), nil, []string{"bp-00", "bp-01", "w-03", "w-04"}},
		{"overlapping allowances count once", scope(record.Allowance{Kinds: bp}, record.Allowance{Window: record.Window{From: day(4)}}), nil,
			[]string{"bp-00", "bp-01", "bp-02", "bp-03", "bp-04", "w-04"}},
		{"query kinds outside the scope", scope(record.Allowance{Kinds: bp}), w, nil},
		{"query kinds inside the scope", scope(record.Allowance{Kinds: []record.Kind{record.BodyWeight, record.BloodPressure},
			Window: record.Window{From: day(4)}}), w, []string{"w-04"}},
	}
	for _, c := range cases {
		q := record.Query{PersonID: "p1", Kinds: c.kinds, Scope: c.scope}
		if got := searchIDs(t, s, q); !slices.Equal(got, c.want) && len(got)+len(c.want) > 0 {
			t.Errorf("%s: search %v, want %v", c.name, got, c.want)
		}
		if n := count(t, s, q); n != len(c.want) {
			t.Errorf("%s: count %d, want %d", c.name, n, len(c.want))
		}
		for _, desc := range []bool{false, true} {
			q.Desc, q.Limit = desc, 2
			want := slices.Clone(c.want)
			if desc {
				slices.Reverse(want)
			}
			got := ids(walk(t, s, q, func(int, record.Measurement) {}), func(m record.Measurement) string { return m.ID })
			if !slices.Equal(got, want) && len(got)+len(want) > 0 {
				t.Errorf("%s: pages of 2 (desc=%v) gave %v, want %v", c.name, desc, got, want)
			}
		}
	}
}

func scope(allowances ...record.Allowance) record.Scope {
	return record.Scope{Allowances: allowances}
}

// testLatest: LatestMeasurements gives, for each kind, the newest current
// measurement that is not deleted and that the scope lets the caller see,
// the same row a newest-first search of that kind would start with.
func testLatest(t *testing.T, s Stores) {
	ctx := context.Background()
	MustSeedPeople(t, s, "p1", "p2")
	seedDays(t, s, "p1", "", 5)
	seedDays(t, s, "p2", "p2-", 6) // another person's newer measurements: never shown
	// a tie at the newest instant is broken by id, as in a search
	create(t, s, BloodPressure("p1", "bp-04b", day(4), 121, 81))
	gone := get(t, s, "p1", "w-04")
	gone.Version, gone.Deleted = 2, true
	must(t, s.UpdateMeasurement(ctx, gone))

	cases := []struct {
		name  string
		scope record.Scope
		want  []string
	}{
		{"everything", record.Everything, []string{"bp-04b", "w-03"}},
		{"zero scope", record.Scope{}, nil},
		{"one kind", scope(record.Allowance{Kinds: []record.Kind{record.BodyWeight}}), []string{"w-03"}},
		{"kind without data", scope(record.Allowance{Kinds: []record.Kind{record.Glucose}}), nil},
		{"window", scope(record.Allowance{Window: record.Window{To: day(2)}}), []string{"bp-01", "w-01"}},
		{"two allowances", scope(record.Allowance{Kinds: []record.Kind{record.BloodPressure}, Window: record.Window{To: day(2)}},
			record.Allowance{Kinds: []record.Kind{record.BodyWeight}, Window: record.Window{From: day(1), To: day(3)}},
			record.Allowance{Kinds: []record.Kind{record.BloodPressure}, Window: record.Window{From: day(2), To: day(3)}}),
			[]string{"bp-02", "w-02"}},
	}
	for _, c := range cases {
		latest, err := s.LatestMeasurements(ctx, "p1", c.scope)
		must(t, err)
		got := ids(latest, func(m record.Measurement) string { return m.ID })
		if !slices.Equal(got, c.want) && len(got)+len(c.want) > 0 {
			t.Errorf("%s: latest %v, want %v", c.name, got, c.want)
		}
		for _, m := range latest {
			first := search(t, s, record.Query{PersonID: "p1", Kinds: []record.Kind{m.Kind}, Scope: c.scope, Desc: true, Limit: 1})
			if len(first) != 1 {
				t.Fatalf("%s: search of %s found nothing", c.name, m.Kind)
			}
			sameMeasurement(t, fmt.Sprintf("%s: latest %s", c.name, m.Kind), m, first[0])
		}
	}
}

// CheckMigratedActors checks measurement m1 of person p1 as the stores'
// migration tests leave it: written by person p1 as version 1 and by
// professional pro-1 as version 2, in the old "kind:id" text.
func CheckMigratedActors(t *testing.T, s record.Store) {
	t.Helper()
	pro := record.Actor{Kind: record.ActorProfessional, ID: "pro-1"}
	if got := get(t, s, "p1", "m1").EnteredBy; got != pro {
		t.Errorf("current version entered by %+v, want %+v", got, pro)
	}
	h := history(t, s, "p1", "m1")
	if len(h) != 2 || h[0].EnteredBy != pro || h[1].EnteredBy != (record.Actor{Kind: record.ActorPerson, ID: "p1"}) {
		t.Errorf("history after migration: %+v", h)
	}
	if h[0].AsEntered != (record.AsEntered{}) {
		t.Errorf("a migrated version has a value as entered: %+v", h[0].AsEntered)
	}
}
