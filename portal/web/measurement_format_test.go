package web

import (
	"strings"
	"testing"
	"time"

	"github.com/omahoito/omahoito/record"
)

// TestReadNumberRefusesGuesses: whole-number kinds take no fraction, and
// in Finnish and Swedish 12.000 may mean twelve thousand.
func TestReadNumberRefusesGuesses(t *testing.T) {
	steps, _ := record.SpecOf(record.Steps)
	weight, _ := record.SpecOf(record.BodyWeight)
	tests := []struct {
		in, lang string
		spec     record.Spec
		want     float64
		msgPart  string // "" when accepted
	}{
		{"12 000", "fi", steps, 12000, ""},
		{"12000", "sv", steps, 12000, ""},
		{"12.000", "fi", steps, 0, "12000 tai 12 000"},
		{"12.000", "sv", steps, 0, "12000 eller 12 000"},
		{"12,000", "fi", steps, 12, "kokonaislukuna"},
		{"12.000", "en", steps, 12, "whole number"},
		{"64,0", "fi", steps, 64, "kokonaislukuna"},
		{"1.500", "fi", weight, 0, "1500 tai 1 500"},
		{"72.5", "fi", weight, 72.5, ""},
		{"72,50", "fi", weight, 72.5, ""},
		{"1.500", "en", weight, 1.5, ""},
	}
	b := mustBundle(t)
	for _, tc := range tests {
		errs := fieldErrors{}
		got := readNumber(tc.in, fieldValue, tc.spec, newTranslator(b, tc.lang), errs)
		msg := errs[fieldValue]
		if tc.msgPart == "" && (msg != "" || got != tc.want) {
			t.Errorf("%s %q for %s: %v, %q; want %v accepted", tc.lang, tc.in, tc.spec.Kind, got, msg, tc.want)
		}
		if tc.msgPart != "" && !strings.Contains(msg, tc.msgPart) {
			t.Errorf("%s %q for %s: message %q, want one with %q", tc.lang, tc.in, tc.spec.Kind, msg, tc.msgPart)
		}
	}
}

// TestCountText: the plural form each language needs, through go-i18n.
func TestCountText(t *testing.T) {
	b := mustBundle(t)
	for _, tc := range []struct {
		n          int
		lang, want string
	}{
		{0, "fi", "0 mittausta"}, {1, "fi", "1 mittaus"}, {5, "fi", "5 mittausta"}, {12000, "fi", "12\u00a0000 mittausta"},
		{1, "sv", "1 mätning"}, {5, "sv", "5 mätningar"}, {1, "en", "1 measurement"}, {21, "en", "21 measurements"},
		{12000, "en", "12,000 measurements"},
	} {
		if got := countText(tc.n, newTranslator(b, tc.lang)); got != tc.want {
			t.Errorf("countText(%d, %s) = %q, want %q", tc.n, tc.lang, got, tc.want)
		}
	}
}

// TestRelangKeepsTheNumbers: switching the form's language rewrites what
// was typed so that it reads the same in the new language.
func TestRelangKeepsTheNumbers(t *testing.T) {
	v := formValues{Value: "6,5", Systolic: "12.000", Diastolic: "kolme", Note: "6,5"}
	got := v.relang("fi", "en")
	if got.Value != "6.5" || got.Systolic != "12.000" || got.Diastolic != "kolme" || got.Note != "6,5" {
		t.Errorf("fi to en: %+v", got)
	}
	if back := got.relang("en", "sv"); back.Value != "6,5" {
		t.Errorf("en to sv: %+v", back)
	}
}

func TestCursorRoundTrip(t *testing.T) {
	c := &record.Cursor{At: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), ID: "abc123"}
	got, err := decodeCursor(encodeCursor(c))
	if err != nil || !got.At.Equal(c.At) || got.ID != c.ID {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	for _, bad := range []string{"!!", "bm90LWEtdGltZQ", "MjAyNi0wMS0wMlQwMzowNDowNVo"} {
		if _, err := decodeCursor(bad); err == nil {
			t.Errorf("decodeCursor(%q) accepted", bad)
		}
	}
}
