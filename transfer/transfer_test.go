package transfer

import (
	"errors"
	"testing"
)

func TestCheck(t *testing.T) {
	regions := map[string]bool{"kainuu": true, "oulu": true}
	ok := Request{PersonID: "p1", Source: "kainuu", Target: "oulu", OperatorID: "op-kainuu"}
	facts := Facts{OperatorRegion: "kainuu", Regions: regions, HomeRegion: "kainuu"}
	if err := Check(ok, facts); err != nil {
		t.Fatalf("a valid request: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(*Request, *Facts)
		want error
	}{
		{"unknown target", func(r *Request, _ *Facts) { r.Target = "lappi" }, ErrUnknownRegion},
		{"empty target", func(r *Request, _ *Facts) { r.Target = "" }, ErrUnknownRegion},
		{"the person's own region", func(r *Request, _ *Facts) { r.Target = "kainuu" }, ErrSameRegion},
		{"already moved there", func(_ *Request, f *Facts) { f.HomeRegion = "oulu" }, ErrSameRegion},
		{"a person of no region here", func(_ *Request, f *Facts) { f.HomeRegion = "" }, ErrNotInSource},
		{"a person of a third region", func(_ *Request, f *Facts) { f.HomeRegion = "lappi" }, ErrNotInSource},
		{"being moved", func(_ *Request, f *Facts) { f.Moving = true }, ErrAlreadyMoving},
		{"another region's operator", func(_ *Request, f *Facts) { f.OperatorRegion = "oulu" }, ErrNotOperator},
		{"no source", func(r *Request, _ *Facts) { r.Source = "" }, ErrNotOperator},
	} {
		r, f := ok, facts
		tc.edit(&r, &f)
		if err := Check(r, f); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestStepsOrder(t *testing.T) {
	for i := 1; i < len(Steps); i++ {
		if !Steps[i].After(Steps[i-1]) || Steps[i-1].After(Steps[i]) {
			t.Errorf("%s is not after %s", Steps[i], Steps[i-1])
		}
	}
	for _, s := range []Step{StepFreeze, StepCopy, StepVerify, StepSwitch} {
		if s.Committed() {
			t.Errorf("%s counts as committed; the switch is the commit point", s)
		}
	}
	for _, s := range []Step{StepEnd, StepRelease, StepDone} {
		if !s.Committed() {
			t.Errorf("%s does not count as committed", s)
		}
	}
}
