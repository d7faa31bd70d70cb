package consent_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/record"
)

// newGrant is a grant as the citizen's form gives it: starting now, for
// the default twelve months.
func newGrant(mods ...func(*consent.Grant)) consent.Grant {
	g := grant("new", period(now, consent.DefaultEnd(now)))
	for _, m := range mods {
		m(&g)
	}
	return g
}

func TestValidateGrantAccepts(t *testing.T) {
	cases := map[string]consent.Grant{
		"every measurement":               newGrant(),
		"a care unit":                     newGrant(toUnit("unit-a")),
		"chosen kinds and chosen files":   newGrant(classes(measurements(bp, glucose), files("f1", "f2"))),
		"every file":                      newGrant(classes(files())),
		"until revoked":                   newGrant(period(now, time.Time{})),
		"starting later":                  newGrant(period(now.Add(30*day), now.Add(60*day))),
		"starting a minute ago (skew)":    newGrant(period(now.Add(-consent.ClockSkew), time.Time{})),
		"ending a nanosecond after start": newGrant(period(now, now.Add(time.Nanosecond))),
		"a data window":                   newGrant(window(now.Add(-30*day), now)),
		"a data window open at one end":   newGrant(window(now.Add(-30*day), time.Time{})),
	}
	for name, g := range cases {
		if err := consent.ValidateGrant(g, now); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestValidateGrantRefuses(t *testing.T) {
	cases := []struct {
		name  string
		g     consent.Grant
		field string
	}{
		{"no grantee kind", newGrant(func(g *consent.Grant) { g.Grantee.Kind = "" }), "grantee"},
		{"an unknown grantee kind", newGrant(func(g *consent.Grant) { g.Grantee.Kind = "team" }), "grantee"},
		{"no grantee id", newGrant(toPro("")), "grantee"},
		{"no unit id", newGrant(toUnit("")), "grantee"},
		{"no person", newGrant(of("")), "person"},
		{"no region", newGrant(givenIn("")), "region"},
		{"no class", newGrant(classes()), "scope"},
		{"the patient class", newGrant(classes(consent.ClassScope{Class: record.ClassPatient})), "scope"},
		{"the access log", newGrant(classes(measurements(), consent.ClassScope{Class: record.ClassAccessLog})), "scope"},
		{"the consents", newGrant(classes(consent.ClassScope{Class: record.ClassConsents})), "scope"},
		{"an empty class", newGrant(classes(consent.ClassScope{})), "scope"},
		{"an unknown kind", newGrant(classes(consent.ClassScope{Class: record.ClassMeasurements, Items: []string{"blood-pressure", "mood"}})), "scope"},
		{"a LOINC code for a kind", newGrant(classes(consent.ClassScope{Class: record.ClassMeasurements, Items: []string{"8867-4"}})), "scope"},
		{"a kind chosen twice", newGrant(classes(measurements(bp, glucose, bp))), "scope"},
		{"a file chosen twice", newGrant(classes(files("f1", "f1"))), "scope"},
		{"an empty file id", newGrant(classes(files(""))), "scope"},
		{"measurements chosen twice", newGrant(classes(measurements(bp), measurements(glucose))), "scope"},
		{"a data window ending at its start", newGrant(window(now, now)), "window"},
		{"a data window ending before its start", newGrant(window(now, now.Add(-day))), "window"},
		{"no start", newGrant(period(time.Time{}, time.Time{})), "start"},
		{"a start in the past", newGrant(period(now.Add(-consent.ClockSkew-time.Nanosecond), time.Time{})), "start"},
		{"an end at the start", newGrant(period(now, now)), "end"},
		{"an end before the start", newGrant(period(now.Add(day), now)), "end"},
		{"no purpose", newGrant(func(g *consent.Grant) { g.Purpose = "" }), "purpose"},
		{"another purpose", newGrant(func(g *consent.Grant) { g.Purpose = "research" }), "purpose"},
	}
	for _, c := range cases {
		err := consent.ValidateGrant(c.g, now)
		var re *consent.RuleError
		switch {
		case !errors.Is(err, consent.ErrInvalid):
			t.Errorf("%s: %v, want ErrInvalid", c.name, err)
		case !errors.As(err, &re) || re.Field != c.field || re.Msg == "":
			t.Errorf("%s: %#v, want a rule of field %q", c.name, err, c.field)
		case !strings.Contains(err.Error(), c.field):
			t.Errorf("%s: %q does not name the field", c.name, err)
		}
	}
}

func TestDefaultEnd(t *testing.T) {
	helsinki, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ start, want time.Time }{
		{time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC), time.Date(2027, 3, 10, 12, 0, 0, 0, time.UTC)},
		{time.Date(2026, 1, 31, 23, 59, 0, 0, time.UTC), time.Date(2027, 1, 31, 23, 59, 0, 0, time.UTC)},
		// A leap day has no twin: the grant ends on 1 March.
		{time.Date(2028, 2, 29, 9, 0, 0, 0, time.UTC), time.Date(2029, 3, 1, 9, 0, 0, 0, time.UTC)},
		// Local wall-clock time is kept across summer time.
		{time.Date(2026, 7, 1, 8, 0, 0, 0, helsinki), time.Date(2027, 7, 1, 8, 0, 0, 0, helsinki)},
	}
	for _, c := range cases {
		if got := consent.DefaultEnd(c.start); !got.Equal(c.want) {
			t.Errorf("DefaultEnd(%v) = %v, want %v", c.start, got, c.want)
		}
	}
}
