package locale

import (
	"errors"
	"math"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		tag  string
		want Lang
		err  bool
	}{
		{"fi", Finnish, false}, {"sv-FI", Swedish, false}, {"en_GB", English, false}, {"FI", Finnish, false},
		{"", "", true}, {"de", "", true}, {"fin", "", true}, {"f", "", true},
	} {
		got, err := Parse(tc.tag)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("Parse(%q) = %q, %v", tc.tag, got, err)
		}
		if err != nil && !errors.Is(err, ErrUnknownLang) {
			t.Errorf("Parse(%q): error %v is not ErrUnknownLang", tc.tag, err)
		}
	}
	for tag, want := range map[string]Lang{"": Finnish, "sv": Swedish, "de": English, "en-US": English, "x": English} {
		if got := Best(tag); got != want {
			t.Errorf("Best(%q) = %q, want %q", tag, got, want)
		}
	}
	if Swedish.Tag().String() != "sv" || Lang("").Tag().String() != "fi" {
		t.Errorf("Tag: %v %v", Swedish.Tag(), Lang("").Tag())
	}
}

func TestFormatNumber(t *testing.T) {
	const nbsp = "\u00a0"
	tests := []struct {
		v        float64
		decimals int
		fi, sv   string
		en       string
	}{
		{128, 0, "128", "128", "128"},
		{6.5, 1, "6,5", "6,5", "6.5"},
		{5.99, 1, "6,0", "6,0", "6.0"},
		{1234, 0, "1234", "1234", "1234"}, // four digits are not grouped
		{12000, 0, "12" + nbsp + "000", "12" + nbsp + "000", "12,000"},
		{1234567.25, 2, "1" + nbsp + "234" + nbsp + "567,25", "1" + nbsp + "234" + nbsp + "567,25", "1,234,567.25"},
		{-12345.5, 1, "-12" + nbsp + "345,5", "-12" + nbsp + "345,5", "-12,345.5"},
		{-3.5, 1, "-3,5", "-3,5", "-3.5"},
		{-0.04, 1, "0,0", "0,0", "0.0"}, // no minus on a zero
		{math.Copysign(0, -1), 0, "0", "0", "0"},
		// Rounding: half away from zero, of the decimal the value is written as.
		{2.5, 0, "3", "3", "3"},
		{-2.5, 0, "-3", "-3", "-3"},
		{0.125, 2, "0,13", "0,13", "0.13"},
		{1.005, 2, "1,01", "1,01", "1.01"},
		{72.45, 1, "72,5", "72,5", "72.5"},
		{72.44, 1, "72,4", "72,4", "72.4"},
		{9.995, 2, "10,00", "10,00", "10.00"},
		{9999.5, 0, "10" + nbsp + "000", "10" + nbsp + "000", "10,000"},
		{0.4, 0, "0", "0", "0"},
		{-0.5, 0, "-1", "-1", "-1"},
		{3, 2, "3,00", "3,00", "3.00"},
		{1e-7, 2, "0,00", "0,00", "0.00"},
		{7, -1, "7", "7", "7"}, // negative decimals mean none
	}
	for _, tc := range tests {
		for l, want := range map[Lang]string{Finnish: tc.fi, Swedish: tc.sv, English: tc.en} {
			if got := l.FormatNumber(tc.v, tc.decimals); got != want {
				t.Errorf("%s.FormatNumber(%v, %d) = %q, want %q", l, tc.v, tc.decimals, got, want)
			}
		}
	}
	if got := English.FormatNumber(math.NaN(), 1); got != "NaN" {
		t.Errorf("NaN: %q", got)
	}
}

func TestFormatInputReadsBack(t *testing.T) {
	for _, v := range []float64{6.25, -3.5, 12000, 0.1, 128} {
		for _, l := range Langs {
			s := l.FormatInput(v)
			got, err := l.ParseNumber(s)
			if err != nil || got != v {
				t.Errorf("%s: %v written %q read back as %v, %v", l, v, s, got, err)
			}
		}
	}
	if got := Finnish.FormatInput(6.25); got != "6,25" {
		t.Errorf("fi FormatInput = %q", got)
	}
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		lang Lang
		want float64
		ok   bool
	}{
		{"128", Finnish, 128, true},
		{"6,5", Finnish, 6.5, true},
		{"6,5", Swedish, 6.5, true},
		{"6.5", Finnish, 6.5, true},
		{"6.5", English, 6.5, true},
		{" 12 000 ", Finnish, 12000, true},
		{"12\u00a0000", Swedish, 12000, true},
		{"12\u202f000", Finnish, 12000, true},
		{"-3,5", Finnish, -3.5, true},
		{"+4", English, 4, true},
		{"6,5", English, 0, false}, // a comma in English could be a thousands separator
		{"1,2,3", Finnish, 0, false},
		{"", Finnish, 0, false},
		{"NaN", English, 0, false},
		{"Inf", English, 0, false},
		{"0x1p3", English, 0, false},
		{"1e3", English, 0, false},
		{"kolme", Finnish, 0, false},
		{"1234567890", Finnish, 0, false}, // ten integer digits
		{"1,1234567", Finnish, 0, false},  // seven fraction digits
	}
	for _, tc := range tests {
		got, err := tc.lang.ParseNumber(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("%s.ParseNumber(%q) = %v, %v; want %v, ok %v", tc.lang, tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrNumber) {
			t.Errorf("%s.ParseNumber(%q): %v is not ErrNumber", tc.lang, tc.in, err)
		}
	}
}

func TestTypedNumberHints(t *testing.T) {
	for typed, want := range map[string]bool{"12.000": true, " 1.500 ": true, "12.5": false, "12,000": false, "1234.000": false} {
		if got := AmbiguousThousands(typed); got != want {
			t.Errorf("AmbiguousThousands(%q) = %v", typed, got)
		}
	}
	for typed, want := range map[string]bool{"64,0": true, "64.0": true, "64": false} {
		if got := HasFraction(typed); got != want {
			t.Errorf("HasFraction(%q) = %v", typed, got)
		}
	}
}
