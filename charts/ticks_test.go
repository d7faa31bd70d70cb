package charts

import (
	"slices"
	"testing"
	"time"

	"github.com/omahoito/omahoito/internal/locale"
)

func labels(ticks []tick) []string {
	var out []string
	for _, t := range ticks {
		if t.Label != "" {
			out = append(out, t.Label)
		}
	}
	return out
}

func TestDateTicks(t *testing.T) {
	hel := locale.Helsinki
	to := time.Date(2025, 6, 30, 21, 0, 0, 0, hel) // a Monday
	cases := []struct {
		name string
		from time.Time
		lang locale.Lang
		want []string
	}{
		{"7 d fi", to.AddDate(0, 0, -7), locale.Finnish, []string{"24.6.", "25.6.", "26.6.", "27.6.", "28.6.", "29.6.", "30.6."}},
		{"7 d sv", to.AddDate(0, 0, -7), locale.Swedish, []string{"24 juni", "25 juni", "26 juni", "27 juni", "28 juni", "29 juni", "30 juni"}},
		{"30 d en: Mondays", to.AddDate(0, 0, -30), locale.English, []string{"2 Jun", "9 Jun", "16 Jun", "23 Jun", "30 Jun"}},
		{"90 d fi: every other Monday", to.AddDate(0, 0, -90), locale.Finnish, []string{"14.4.", "28.4.", "12.5.", "26.5.", "9.6.", "23.6."}},
		{"1 y fi: every other month, year on the first and January", to.AddDate(-1, 0, 0), locale.Finnish,
			[]string{"heinä 2024", "syys", "marras", "tammi 2025", "maalis", "touko"}},
		{"10 y en: every other year", to.AddDate(-10, 0, 0), locale.English, []string{"2016", "2018", "2020", "2022", "2024"}},
	}
	for _, tc := range cases {
		d := dateTicks{loc: hel, lang: tc.lang, max: 7}
		ticks := d.Ticks(unixSeconds(tc.from), unixSeconds(to))
		if got := labels(ticks); !slices.Equal(got, tc.want) {
			t.Errorf("%s: labels %q, want %q", tc.name, got, tc.want)
		}
		for _, tk := range ticks {
			at := fromUnixSeconds(tk.Value).In(hel)
			if at.Hour() != 0 || at.Minute() != 0 {
				t.Errorf("%s: tick %q at %v, not at local midnight", tc.name, tk.Label, at)
			}
		}
	}
}

// TestDateTicksOnAPhoneUpToMidnight: a 30-day period that ends at the
// coming midnight, on a 280 px plot, keeps weekly labels; the Monday at the
// very end, whose label would touch the one before, is the one left out.
func TestDateTicksOnAPhoneUpToMidnight(t *testing.T) {
	to := time.Date(2026, 11, 30, 0, 0, 0, 0, locale.Helsinki) // a Monday
	d := dateTicks{loc: locale.Helsinki, lang: locale.Finnish, max: 7, width: DefaultWidth}
	got := labels(d.Ticks(unixSeconds(to.AddDate(0, 0, -30)), unixSeconds(to)))
	if want := []string{"2.11.", "9.11.", "16.11.", "23.11."}; !slices.Equal(got, want) {
		t.Errorf("labels %q, want %q", got, want)
	}
}

// TestDateTicksStayPut: sliding the range by a day or a week keeps every
// other Monday on the same Mondays.
func TestDateTicksStayPut(t *testing.T) {
	to := time.Date(2025, 6, 30, 21, 0, 0, 0, time.UTC)
	d := dateTicks{loc: time.UTC, lang: locale.Finnish, max: 7}
	base := labels(d.Ticks(unixSeconds(to.AddDate(0, 0, -90)), unixSeconds(to)))
	for _, shift := range []int{1, 7} {
		to2 := to.AddDate(0, 0, shift)
		got := labels(d.Ticks(unixSeconds(to2.AddDate(0, 0, -90)), unixSeconds(to2)))
		for _, l := range got[:len(got)-1] {
			if !slices.Contains(base, l) {
				t.Errorf("shift %d: tick %q not among %q", shift, l, base)
			}
		}
	}
}

func TestDateTicksWithinOneDay(t *testing.T) {
	from := time.Date(2025, 3, 5, 8, 0, 0, 0, time.UTC)
	d := dateTicks{loc: time.UTC, lang: locale.Finnish, max: 7}
	got := labels(d.Ticks(unixSeconds(from), unixSeconds(from.Add(6*time.Hour))))
	if !slices.Equal(got, []string{"5.3."}) {
		t.Errorf("labels %q, want the day", got)
	}
}

func TestValueTicks(t *testing.T) {
	cases := []struct {
		lo, hi float64
		want   []string
	}{
		{24.6, 275.4, []string{"50", "100", "150", "200", "250"}},
		{3.6, 10.4, []string{"4", "6", "8", "10"}},
		{-0.3, 1.1, []string{"-0.25", "0.00", "0.25", "0.50", "0.75", "1.00"}},
		{70.1, 71.3, []string{"70.2", "70.4", "70.6", "70.8", "71.0", "71.2"}},
		{-0.6, 0.2, []string{"-0.6", "-0.4", "-0.2", "0.0", "0.2"}},
		{0, 12000, []string{"0", "2500", "5000", "7500", "10,000"}},
	}
	for _, tc := range cases {
		got := labels(valueTicks{want: 5, lang: locale.English}.Ticks(tc.lo, tc.hi))
		if !slices.Equal(got, tc.want) {
			t.Errorf("%v..%v: labels %q, want %q", tc.lo, tc.hi, got, tc.want)
		}
	}
}

func TestValueTicksFollowLang(t *testing.T) {
	for lang, want := range map[locale.Lang][2]string{
		locale.Finnish: {"4,5", "-12\u00a0500"}, locale.Swedish: {"4,5", "-12\u00a0500"}, locale.English: {"4.5", "-12,500"},
	} {
		if got := labels(valueTicks{want: 2, lang: lang}.Ticks(4, 5)); !slices.Contains(got, want[0]) {
			t.Errorf("%s: labels %q, want %q among them", lang, got, want[0])
		}
		if got := labels(valueTicks{want: 4, lang: lang}.Ticks(-13000, -11000)); !slices.Contains(got, want[1]) {
			t.Errorf("%s: labels %q, want %q among them", lang, got, want[1])
		}
	}
}
