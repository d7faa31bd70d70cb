package record

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/omahoito/omahoito/auth"
)

func TestOwnerOnlyPermitsOnlyTheCitizenThemself(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		who  auth.Principal
		want bool
	}{
		{"the owner", auth.Principal{Kind: auth.KindCitizen, PersonID: "anna"}, true},
		{"another citizen", auth.Principal{Kind: auth.KindCitizen, PersonID: "ben"}, false},
		{"a citizen without id", auth.Principal{Kind: auth.KindCitizen}, false},
		{"a professional", auth.Principal{Kind: auth.KindProfessional, ProfessionalID: "anna"}, false},
		{"an operator", auth.Principal{Kind: auth.KindOperator, ProfessionalID: "op"}, false},
		{"a professional with the owner's id as person", auth.Principal{Kind: auth.KindProfessional, PersonID: "anna"}, false},
		{"nobody", auth.Principal{}, false},
	}
	for _, tc := range cases {
		for _, action := range []Action{ActionRead, ActionSearch, ActionHistory, ActionWrite} {
			d, err := OwnerOnly{}.Decide(ctx, Request{Who: tc.who, PersonID: "anna", Action: action, Class: ClassMeasurements})
			if tc.want && (err != nil || !d.Scope.All) {
				t.Errorf("%s %s: %v, %+v; want everything", tc.name, action, err, d)
			}
			if !tc.want && !errors.Is(err, ErrDenied) {
				t.Errorf("%s %s: %v, want ErrDenied", tc.name, action, err)
			}
		}
	}
}

func TestScopeCovers(t *testing.T) {
	jan := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	feb := jan.AddDate(0, 1, 0)
	two := Scope{Allowances: []Allowance{
		{Kinds: []Kind{BloodPressure}},
		{Kinds: []Kind{Glucose}, Window: Window{From: jan, To: feb}},
	}}
	cases := []struct {
		name  string
		scope Scope
		kind  Kind
		at    time.Time
		want  bool
	}{
		{"everything", Everything, Steps, jan, true},
		{"the zero scope covers nothing", Scope{}, Steps, jan, false},
		{"a kind of the first allowance at any time", two, BloodPressure, jan.AddDate(-5, 0, 0), true},
		{"the second allowance at its start (inclusive)", two, Glucose, jan, true},
		{"the second allowance at its end (exclusive)", two, Glucose, feb, false},
		{"the second allowance just before its end", two, Glucose, feb.Add(-time.Microsecond), true},
		{"the second allowance before its start", two, Glucose, jan.Add(-time.Microsecond), false},
		{"a kind in no allowance", two, Steps, jan, false},
		{"an allowance of every kind", Scope{Allowances: []Allowance{{}}}, INR, jan, true},
		{"an open-ended window", Scope{Allowances: []Allowance{{Window: Window{From: jan}}}}, INR, jan.AddDate(9, 0, 0), true},
	}
	for _, tc := range cases {
		if got := tc.scope.Covers(tc.kind, tc.at); got != tc.want {
			t.Errorf("%s: Covers = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestActorOf(t *testing.T) {
	cases := []struct {
		who  auth.Principal
		want Actor
	}{
		{auth.Principal{Kind: auth.KindCitizen, PersonID: "anna"}, Actor{Kind: ActorPerson, ID: "anna"}},
		{auth.Principal{Kind: auth.KindProfessional, ProfessionalID: "pro-1"}, Actor{Kind: ActorProfessional, ID: "pro-1"}},
		{auth.Principal{Kind: auth.KindOperator, ProfessionalID: "op-1"}, Actor{Kind: ActorOperator, ID: "op-1"}},
	}
	for _, tc := range cases {
		if got := ActorOf(tc.who); got != tc.want || !got.Is(tc.who) {
			t.Errorf("ActorOf(%+v) = %+v, want %+v", tc.who, got, tc.want)
		}
	}
	if (Actor{Kind: ActorPerson, ID: "anna"}).Is(auth.Principal{Kind: auth.KindProfessional, ProfessionalID: "anna"}) {
		t.Error("a professional with the same id is not the person")
	}
}

func TestRangeIsToldInTheUnitGiven(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	_, err := Normalize(Input{Kind: Glucose, Value: 1000, Unit: "mg/dL", At: now}, now)
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Rule != RuleRange || fe.Unit != "mg/dL" {
		t.Fatalf("err = %#v, want a range error in mg/dL", err)
	}
	// 0.5–50 mmol/L is 9.008–900.8 mg/dL: rounded inwards, every value shown as allowed is.
	if fe.Range.Min != 9.1 || fe.Range.Max != 900.8 {
		t.Errorf("range in mg/dL = %v–%v, want 9.1–900.8", fe.Range.Min, fe.Range.Max)
	}
	for _, v := range []float64{fe.Range.Min, fe.Range.Max} {
		if _, err := Normalize(Input{Kind: Glucose, Value: v, Unit: "mg/dL", At: now}, now); err != nil {
			t.Errorf("%v mg/dL, shown as allowed, is refused: %v", v, err)
		}
	}
	m, err := Normalize(Input{Kind: Glucose, Value: 108, Unit: "mg/dL", At: now}, now)
	if err != nil || m.AsEntered != (AsEntered{Value: 108, Unit: "mg/dL"}) || m.Value != 5.99 {
		t.Errorf("108 mg/dL = %+v, %v; want 5.99 mmol/L kept with 108 mg/dL as entered", m, err)
	}
	m, _ = Normalize(Input{Kind: Glucose, Value: 6, At: now}, now)
	if m.AsEntered != (AsEntered{}) {
		t.Errorf("a value in the canonical unit keeps no as-entered copy: %+v", m.AsEntered)
	}
}
