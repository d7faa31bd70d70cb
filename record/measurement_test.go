package record

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func TestNormalizeAccepts(t *testing.T) {
	cases := []struct {
		name      string
		in        Input
		value     float64
		diastolic float64
	}{
		{"blood pressure", Input{Kind: BloodPressure, Value: 128, Diastolic: 82}, 128, 82},
		{"heart rate", Input{Kind: HeartRate, Value: 64, Unit: "/min"}, 64, 0},
		{"weight in kg", Input{Kind: BodyWeight, Value: 72.45}, 72.45, 0},
		{"weight in lb", Input{Kind: BodyWeight, Value: 160, Unit: "[lb_av]"}, 72.57, 0},
		{"height in m", Input{Kind: BodyHeight, Value: 1.78, Unit: "m"}, 178, 0},
		{"temperature in °F", Input{Kind: BodyTemperature, Value: 98.6, Unit: "[degF]"}, 37, 0},
		{"glucose in mmol/L", Input{Kind: Glucose, Value: 5.6}, 5.6, 0},
		{"glucose in mg/dL", Input{Kind: Glucose, Value: 108, Unit: "mg/dL"}, 5.99, 0},
		{"SpO2 at the top", Input{Kind: OxygenSaturation, Value: 100, Unit: "%"}, 100, 0},
		{"INR", Input{Kind: INR, Value: 2.5, Unit: "{INR}"}, 2.5, 0},
		{"peak flow", Input{Kind: PeakFlow, Value: 450, Unit: "L/min"}, 450, 0},
		{"steps", Input{Kind: Steps, Value: 8500, Unit: "{steps}"}, 8500, 0},
		{"BMI", Input{Kind: BMI, Value: 23.4, Unit: "kg/m2"}, 23.4, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.At = now.Add(-time.Hour)
			m, err := Normalize(tc.in, now)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(m.Value-tc.value) > 0.01 || math.Abs(m.Diastolic-tc.diastolic) > 0.01 {
				t.Errorf("got %g/%g, want %g/%g", m.Value, m.Diastolic, tc.value, tc.diastolic)
			}
		})
	}
}

func TestNormalizeRefuses(t *testing.T) {
	at := now.Add(-time.Hour)
	cases := []struct {
		name  string
		in    Input
		field Field
	}{
		{"unknown kind", Input{Kind: "mood", Value: 5, At: at}, FieldKind},
		{"wrong unit", Input{Kind: BodyWeight, Value: 70, Unit: "cm", At: at}, FieldUnit},
		{"weight too low", Input{Kind: BodyWeight, Value: 0.4, At: at}, FieldValue},
		{"weight too high", Input{Kind: BodyWeight, Value: 501, At: at}, FieldValue},
		{"weight too high in lb", Input{Kind: BodyWeight, Value: 1200, Unit: "[lb_av]", At: at}, FieldValue},
		{"systolic too high", Input{Kind: BloodPressure, Value: 301, Diastolic: 80, At: at}, FieldValue},
		{"systolic too low", Input{Kind: BloodPressure, Value: 39, Diastolic: 30, At: at}, FieldValue},
		{"systolic equals diastolic", Input{Kind: BloodPressure, Value: 90, Diastolic: 90, At: at}, FieldValue},
		{"systolic below diastolic", Input{Kind: BloodPressure, Value: 80, Diastolic: 90, At: at}, FieldValue},
		{"diastolic out of range", Input{Kind: BloodPressure, Value: 250, Diastolic: 210, At: at}, FieldDiastolic},
		{"glucose too high", Input{Kind: Glucose, Value: 51, At: at}, FieldValue},
		{"glucose mg/dL too high", Input{Kind: Glucose, Value: 1000, Unit: "mg/dL", At: at}, FieldValue},
		{"SpO2 below 50", Input{Kind: OxygenSaturation, Value: 49, At: at}, FieldValue},
		{"SpO2 above 100", Input{Kind: OxygenSaturation, Value: 100.5, At: at}, FieldValue},
		{"not a number", Input{Kind: HeartRate, Value: math.NaN(), At: at}, FieldValue},
		{"infinite", Input{Kind: HeartRate, Value: math.Inf(1), At: at}, FieldValue},
		{"six minutes ahead", Input{Kind: HeartRate, Value: 60, At: now.Add(6 * time.Minute)}, FieldTime},
		{"no time", Input{Kind: HeartRate, Value: 60}, FieldTime},
		{"note too long", Input{Kind: HeartRate, Value: 60, At: at, Note: strings.Repeat("ä", MaxNoteLength+1)}, FieldNote},
		{"note not text", Input{Kind: HeartRate, Value: 60, At: at, Note: "\xff"}, FieldNote},
		{"NUL in note", Input{Kind: HeartRate, Value: 60, At: at, Note: "a\x00b"}, FieldNote},
		{"escape in note", Input{Kind: HeartRate, Value: 60, At: at, Note: "a\x1b[31mb"}, FieldNote},
		{"NUL in identifier", Input{Kind: HeartRate, Value: 60, At: at, Identifier: "x|a\x00"}, FieldIdentifier},
		{"year 0", Input{Kind: HeartRate, Value: 60, At: time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)}, FieldTime},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Normalize(tc.in, now)
			var fe *FieldError
			if !errors.Is(err, ErrInvalid) || !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("Normalize = %v, want a FieldError on %s", err, tc.field)
			}
		})
	}
}

func TestNormalizeBoundaries(t *testing.T) {
	ok := []Input{
		{Kind: HeartRate, Value: 60, At: now.Add(FutureTolerance)},
		{Kind: HeartRate, Value: 60, At: now.Add(-20 * 365 * 24 * time.Hour)},
		{Kind: HeartRate, Value: 60, At: now, Note: strings.Repeat("ä", MaxNoteLength)},
		{Kind: HeartRate, Value: 60, At: now, Note: "aamulla\nennen lääkettä\tkotona"},
		{Kind: BodyWeight, Value: 0.5, At: now},
		{Kind: BodyWeight, Value: 500, At: now},
		{Kind: BloodPressure, Value: 41, Diastolic: 40, At: now},
	}
	for _, in := range ok {
		if _, err := Normalize(in, now); err != nil {
			t.Errorf("Normalize(%+v) = %v, want accepted", in, err)
		}
	}
}

func TestEverySpecIsComplete(t *testing.T) {
	if len(Specs()) != 11 {
		t.Fatalf("%d kinds, want the 11 of DESIGN.md §6", len(Specs()))
	}
	for _, s := range Specs() {
		if s.Code == "" || s.Unit == "" || s.Range.Min >= s.Range.Max || s.UnitDisplay == "" {
			t.Errorf("%s: incomplete spec %+v", s.Kind, s)
		}
		got, ok := SpecByCode(s.Code)
		if !ok || got.Kind != s.Kind {
			t.Errorf("SpecByCode(%s) = %v", s.Code, got.Kind)
		}
	}
	if s, ok := SpecByCode("15074-8"); !ok || s.Kind != Glucose {
		t.Error("15074-8 is not accepted as glucose")
	}
	if s, ok := SpecByCode("59408-5"); !ok || s.Kind != OxygenSaturation {
		t.Error("59408-5 is not accepted as oxygen saturation")
	}
}

func TestSplitKnown(t *testing.T) {
	m := func(id, identifier string) Measurement {
		return Measurement{ID: id, PersonID: "p", Identifier: identifier, At: now.In(time.FixedZone("EET", 7200)).Add(123)}
	}
	stored := map[IdentifierKey]Measurement{{"p", "x|known"}: m("old", "x|known")}
	ms := []Measurement{m("a", "x|known"), m("b", ""), m("c", "x|new"), m("d", "x|new"), m("e", "")}
	existing := map[int]Measurement{}
	fresh, err := SplitKnown(ms, stored, existing)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range fresh {
		ids = append(ids, f.ID)
	}
	if strings.Join(ids, ",") != "b,c,e" {
		t.Fatalf("fresh = %v, want b,c,e", ids)
	}
	if existing[0].ID != "old" || existing[3].ID != "c" || len(existing) != 2 {
		t.Fatalf("existing = %+v", existing)
	}
	if existing[3].At.Location() != time.UTC || existing[3].At.Nanosecond()%1000 != 0 {
		t.Errorf("a duplicate within the batch is not returned as stored: %v", existing[3].At)
	}
	// Other content under a known identifier, stored or earlier in the
	// batch, refuses the whole batch and names the entry.
	other := m("f", "x|known")
	other.Value = 99
	for name, batch := range map[string][]Measurement{
		"stored":        {m("b", ""), other},
		"earlier in it": {m("c", "x|same"), func() Measurement { d := m("d", "x|same"); d.Note = "toinen"; return d }()},
	} {
		fresh, err := SplitKnown(batch, stored, map[int]Measurement{})
		var ee *EntryError
		if !errors.Is(err, ErrIdentifierReused) || !errors.As(err, &ee) || ee.Index != 1 || fresh != nil {
			t.Errorf("%s: SplitKnown = %v, %v; want ErrIdentifierReused at entry 1 and nothing to insert", name, fresh, err)
		}
	}
	deleted := map[IdentifierKey]Measurement{{"p", "x|known"}: func() Measurement { d := m("old", "x|known"); d.Deleted = true; d.Value = 1; return d }()}
	if _, err := SplitKnown([]Measurement{other}, deleted, map[int]Measurement{}); err != nil {
		t.Errorf("a deleted reading under the identifier is the caller's to refuse: %v", err)
	}
}
