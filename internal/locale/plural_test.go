package locale

import (
	"encoding/json"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

func TestPlural(t *testing.T) {
	tests := []struct {
		v        float64
		decimals int
		want     PluralForm
	}{
		{1, 0, One}, {-1, 0, One}, {0.96, 0, One}, // written "1"
		{0, 0, Other}, {2, 0, Other}, {11, 0, Other}, {21, 0, Other}, {101, 0, Other},
		{1, 1, Other},    // "1,0": visible fraction digits
		{1.04, 1, Other}, // "1,0"
		{0.5, 0, One},    // written "1": half rounds up
		{1.5, 1, Other},
	}
	for _, tc := range tests {
		for _, l := range Langs {
			if got := l.Plural(tc.v, tc.decimals); got != tc.want {
				t.Errorf("%s.Plural(%v, %d) = %s, want %s", l, tc.v, tc.decimals, got, tc.want)
			}
		}
	}
	for n, want := range map[int]PluralForm{0: Other, 1: One, -1: One, 2: Other, 21: Other} {
		if got := Swedish.PluralCount(n); got != want {
			t.Errorf("PluralCount(%d) = %s", n, got)
		}
	}
}

// TestPluralAgreesWithGoI18n: for the same written number, go-i18n picks
// the message variant that Plural names, in every language.
func TestPluralAgreesWithGoI18n(t *testing.T) {
	b := i18n.NewBundle(language.Finnish)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	for _, l := range Langs {
		msg := `{"n": {"one": "one", "other": "other"}}`
		if _, err := b.ParseMessageFileBytes([]byte(msg), l.String()+".json"); err != nil {
			t.Fatal(err)
		}
	}
	values := []float64{0, 1, -1, 2, 0.5, 0.96, 1.04, 1.5, 11, 21, 100, 1000001}
	for _, l := range Langs {
		loc := i18n.NewLocalizer(b, l.String())
		for _, v := range values {
			for _, d := range []int{0, 1, 2} {
				written := plain(v, d)
				got, err := loc.Localize(&i18n.LocalizeConfig{MessageID: "n", PluralCount: written})
				if err != nil {
					t.Fatal(err)
				}
				if want := string(l.Plural(v, d)); got != want {
					t.Errorf("%s %q: go-i18n says %s, Plural says %s", l, written, got, want)
				}
			}
		}
	}
}

// plain writes v as FormatNumber does but with a point and no digit
// groups, the only form go-i18n reads.
func plain(v float64, decimals int) string {
	neg, i, f := roundHalfUp(v, decimals)
	s := i
	if decimals > 0 {
		s += "." + f
	}
	if neg {
		s = "-" + s
	}
	return s
}
