package web

import (
	"encoding/base64"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Helsinki must load on hosts without a zoneinfo database

	"github.com/omahoito/omahoito/portal"
	"github.com/omahoito/omahoito/record"
)

// helsinki is where citizens live: times are entered and shown in it.
var helsinki = mustLoadLocation("Europe/Helsinki")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("load time zone %s: %v", name, err))
	}
	return loc
}

// decimalComma reports whether lang writes 6,5 rather than 6.5.
func decimalComma(lang string) bool { return lang == "fi" || lang == "sv" }

// formatNumber writes v with the given decimals in the page language:
// a decimal comma in Finnish and Swedish, and digit groups of large
// numbers (12 000 in fi and sv, 12,000 in en).
func formatNumber(v float64, decimals int, lang string) string {
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if strings.Trim(s, "-0.") == "" { // -0.0: no minus on a zero
		s = strings.TrimPrefix(s, "-")
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	sign := ""
	if strings.HasPrefix(intPart, "-") {
		sign, intPart = "-", intPart[1:]
	}
	point, group := ".", ","
	if decimalComma(lang) {
		point, group = ",", "\u00a0"
	}
	if len(intPart) > 4 {
		intPart = groupDigits(intPart, group)
	}
	if hasFrac {
		return sign + intPart + point + frac
	}
	return sign + intPart
}

func groupDigits(digits, sep string) string {
	var b strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(d)
	}
	return b.String()
}

// formatInput writes v for an input field: as many decimals as it has,
// with the page language's decimal separator and no digit groups.
func formatInput(v float64, lang string) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if decimalComma(lang) {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

var numberPattern = regexp.MustCompile(`^[+-]?[0-9]{1,9}(\.[0-9]{1,6})?$`)

// parseNumber reads a number as people type it: "6,5" in Finnish and
// Swedish, "6.5" in every language, spaces as digit groups ("12 000").
func parseNumber(s, lang string) (float64, bool) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' {
			return -1
		}
		return r
	}, s)
	if decimalComma(lang) {
		s = strings.Replace(s, ",", ".", 1)
	}
	if !numberPattern.MatchString(s) {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

var thousandsPattern = regexp.MustCompile(`^[0-9]{1,3}\.[0-9]{3}$`)

// ambiguousThousands reports a number such as 12.000: in Finnish and
// Swedish the point may be meant as a thousands separator (twelve
// thousand) or, as the parser would read it, a decimal point (twelve).
func ambiguousThousands(typed string) bool {
	return thousandsPattern.MatchString(strings.TrimSpace(typed))
}

// hasFraction reports whether a number parseNumber accepted was typed
// with a decimal separator, even a zero fraction (64,0).
func hasFraction(typed string) bool { return strings.ContainsAny(typed, ".,") }

// timeView is a moment for a template: machine-readable and as shown.
type timeView struct{ ISO, Text string }

// formatTime shows t in Helsinki time the way the page language writes
// it: 2.1.2006 klo 8.05, 2.1.2006 kl. 8.05, 2 Jan 2006, 08:05.
func formatTime(t time.Time, lang string) timeView {
	local := t.In(helsinki)
	var text string
	switch lang {
	case "fi", "sv":
		word := map[string]string{"fi": "klo", "sv": "kl."}[lang]
		text = fmt.Sprintf("%s %s %d.%02d", local.Format("2.1.2006"), word, local.Hour(), local.Minute())
	default:
		text = local.Format("2 Jan 2006, 15:04")
	}
	return timeView{ISO: t.UTC().Format(time.RFC3339), Text: text}
}

// formatDate shows the Helsinki date of t in the page language.
func formatDate(t time.Time, lang string) string {
	local := t.In(helsinki)
	if lang == "en" {
		return local.Format("2 Jan 2006")
	}
	return local.Format("2.1.2006")
}

// parseDate reads a date input: ISO (what type=date sends) or d.m.yyyy
// (what people type where the browser offers no date picker), as the
// start of that day in Helsinki.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "2.1.2006"} {
		if t, err := time.ParseInLocation(layout, s, helsinki); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseClock reads a time input: 08:15, 08:15:30 or 8.15, as a duration
// since midnight.
func parseClock(s string) (time.Duration, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ".", ":")
	for _, layout := range []string{"15:04", "15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute +
				time.Duration(t.Second())*time.Second, true
		}
	}
	return 0, false
}

// atClock is the moment clock after midnight on day (both Helsinki),
// correct across daylight-saving changes.
func atClock(day time.Time, clock time.Duration) time.Time {
	h, m, sec := int(clock/time.Hour), int(clock%time.Hour/time.Minute), int(clock%time.Minute/time.Second)
	return time.Date(day.Year(), day.Month(), day.Day(), h, m, sec, 0, helsinki)
}

// encodeCursor and decodeCursor carry a search position in a link.
func encodeCursor(c *record.Cursor) string {
	if c == nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(c.At.UTC().Format(time.RFC3339Nano) + " " + c.ID))
}

func decodeCursor(s string) (*record.Cursor, error) {
	if s == "" {
		return nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: page cursor: %v", portal.ErrBadRequest, err)
	}
	at, id, ok := strings.Cut(string(raw), " ")
	t, err := time.Parse(time.RFC3339Nano, at)
	if !ok || err != nil || id == "" {
		return nil, fmt.Errorf("%w: page cursor is malformed", portal.ErrBadRequest)
	}
	return &record.Cursor{At: t, ID: id}, nil
}
