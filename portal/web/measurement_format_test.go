package web

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/omahoito/omahoito/portal"
	"github.com/omahoito/omahoito/record"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in, lang string
		want     float64
		ok       bool
	}{
		{"128", "fi", 128, true},
		{"6,5", "fi", 6.5, true},
		{"6,5", "sv", 6.5, true},
		{"6.5", "fi", 6.5, true},
		{"6.5", "en", 6.5, true},
		{" 12 000 ", "fi", 12000, true},
		{"12\u00a0000", "sv", 12000, true},
		{"6,5", "en", 0, false}, // a comma in English could be a thousands separator
		{"1,2,3", "fi", 0, false},
		{"", "fi", 0, false},
		{"NaN", "en", 0, false},
		{"Inf", "en", 0, false},
		{"0x1p3", "en", 0, false},
		{"1e3", "en", 0, false},
		{"kolme", "fi", 0, false},
		{"-3,5", "fi", -3.5, true},
	}
	for _, tc := range tests {
		got, ok := parseNumber(tc.in, tc.lang)
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseNumber(%q, %s) = %v, %v; want %v, %v", tc.in, tc.lang, got, ok, tc.want, tc.ok)
		}
	}
}

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
		if tc.msgPart != "" && !regexp.MustCompile(regexp.QuoteMeta(tc.msgPart)).MatchString(msg) {
			t.Errorf("%s %q for %s: message %q, want one with %q", tc.lang, tc.in, tc.spec.Kind, msg, tc.msgPart)
		}
	}
}

func TestCountText(t *testing.T) {
	b := mustBundle(t)
	for _, tc := range []struct {
		n          int
		lang, want string
	}{
		{0, "fi", "0 mittausta"}, {1, "fi", "1 mittaus"}, {5, "fi", "5 mittausta"}, {12000, "fi", "12\u00a0000 mittausta"},
		{1, "sv", "1 mätning"}, {5, "sv", "5 mätningar"}, {1, "en", "1 measurement"}, {21, "en", "21 measurements"},
	} {
		if got := countText(tc.n, newTranslator(b, tc.lang)); got != tc.want {
			t.Errorf("countText(%d, %s) = %q, want %q", tc.n, tc.lang, got, tc.want)
		}
	}
}

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		v        float64
		decimals int
		lang     string
		want     string
	}{
		{5.99, 1, "fi", "6,0"},
		{5.99, 1, "en", "6.0"},
		{128, 0, "sv", "128"},
		{12000, 0, "fi", "12\u00a0000"},
		{12000, 0, "en", "12,000"},
		{1234, 0, "fi", "1234"},
		{1234567.25, 2, "sv", "1\u00a0234\u00a0567,25"},
		{-0.04, 1, "fi", "0,0"},
	}
	for _, tc := range tests {
		if got := formatNumber(tc.v, tc.decimals, tc.lang); got != tc.want {
			t.Errorf("formatNumber(%v, %d, %s) = %q, want %q", tc.v, tc.decimals, tc.lang, got, tc.want)
		}
	}
	if got := formatInput(6.25, "fi"); got != "6,25" {
		t.Errorf("formatInput = %q", got)
	}
}

func TestTimesAreHelsinki(t *testing.T) {
	summer := time.Date(2026, 6, 30, 21, 5, 0, 0, time.UTC) // 1.7. 00.05 in Helsinki (UTC+3)
	for lang, want := range map[string]string{"fi": "1.7.2026 klo 0.05", "sv": "1.7.2026 kl. 0.05", "en": "1 Jul 2026, 00:05"} {
		if got := formatTime(summer, lang); got.Text != want || got.ISO != "2026-06-30T21:05:00Z" {
			t.Errorf("formatTime(%s) = %+v, want %q", lang, got, want)
		}
	}
	day, ok := parseDate("2026-03-29") // the spring change: 03.00 becomes 04.00
	clock, ok2 := parseClock("4.30")
	if !ok || !ok2 {
		t.Fatal("parse failed")
	}
	if got := atClock(day, clock).UTC(); !got.Equal(time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)) {
		t.Errorf("29.3.2026 4.30 in Helsinki = %v UTC", got)
	}
	if d, ok := parseDate("29.3.2026"); !ok || !d.Equal(day) {
		t.Errorf("d.m.yyyy date: %v %v", d, ok)
	}
	for _, bad := range []string{"", "2026-02-30", "tomorrow"} {
		if _, ok := parseDate(bad); ok {
			t.Errorf("parseDate(%q) accepted", bad)
		}
	}
	for _, bad := range []string{"", "25:00", "8"} {
		if _, ok := parseClock(bad); ok {
			t.Errorf("parseClock(%q) accepted", bad)
		}
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

// TestMeasurementMessagesExist: every meas.* id the Go code names, and
// every one it builds from a kind or a notice, is translated.
func TestMeasurementMessagesExist(t *testing.T) {
	fi := loadLocale(t, "fi")
	ids := map[string]bool{}
	files, _ := filepath.Glob("measurement_*.go")
	quoted := regexp.MustCompile(`"(meas\.[a-z.]+[a-z])"`)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range quoted.FindAllStringSubmatch(string(raw), -1) {
			ids[m[1]] = true
		}
	}
	if len(ids) < 40 {
		t.Fatalf("found only %d ids; the scan is broken", len(ids))
	}
	for _, key := range []string{"added", "updated", "deleted"} {
		ids["meas.notice."+key] = true
	}
	for _, lang := range portal.Languages {
		tr := newTranslator(mustBundle(t), lang)
		for _, spec := range record.Specs() {
			if name := kindName(spec.Kind, tr); name == "" || regexp.MustCompile(`^MEAS\.`).MatchString(name) {
				t.Errorf("%s: kind %s has no name", lang, spec.Kind)
			}
		}
	}
	for id := range ids {
		if _, ok := fi[id]; !ok {
			t.Errorf("message %q is used but not translated", id)
		}
	}
}

func mustBundle(t *testing.T) *i18n.Bundle {
	t.Helper()
	b, err := newBundle()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
