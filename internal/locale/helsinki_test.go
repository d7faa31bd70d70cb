package locale

import (
	"errors"
	"testing"
	"time"
)

func utc(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

func TestFormatInHelsinki(t *testing.T) {
	tests := []struct {
		name string
		at   time.Time
		fi   string
		sv   string
		en   string
	}{
		{"summer midnight: UTC+3, already the next day", utc(2026, 6, 30, 21, 5),
			"1.7.2026 klo 0.05", "1.7.2026 kl. 0.05", "1 Jul 2026, 00:05"},
		{"winter: UTC+2", utc(2026, 1, 2, 6, 5),
			"2.1.2026 klo 8.05", "2.1.2026 kl. 8.05", "2 Jan 2026, 08:05"},
		{"exact midnight in winter", utc(2025, 12, 31, 22, 0),
			"1.1.2026 klo 0.00", "1.1.2026 kl. 0.00", "1 Jan 2026, 00:00"},
		{"spring change: last Sunday of March, 2.59 EET", utc(2026, 3, 29, 0, 59),
			"29.3.2026 klo 2.59", "29.3.2026 kl. 2.59", "29 Mar 2026, 02:59"},
		{"spring change: a minute later is 4.00 EEST", utc(2026, 3, 29, 1, 0),
			"29.3.2026 klo 4.00", "29.3.2026 kl. 4.00", "29 Mar 2026, 04:00"},
		{"autumn change: last Sunday of October, 3.30 EEST", utc(2026, 10, 25, 0, 30),
			"25.10.2026 klo 3.30", "25.10.2026 kl. 3.30", "25 Oct 2026, 03:30"},
		{"autumn change: 3.30 again, in EET", utc(2026, 10, 25, 1, 30),
			"25.10.2026 klo 3.30", "25.10.2026 kl. 3.30", "25 Oct 2026, 03:30"},
		{"in another zone, shown in Helsinki", time.Date(2026, 5, 1, 23, 30, 0, 0, time.FixedZone("NYC", -4*3600)),
			"2.5.2026 klo 6.30", "2.5.2026 kl. 6.30", "2 May 2026, 06:30"},
	}
	for _, tc := range tests {
		for l, want := range map[Lang]string{Finnish: tc.fi, Swedish: tc.sv, English: tc.en} {
			if got := l.FormatDateTime(tc.at); got != want {
				t.Errorf("%s, %s: FormatDateTime = %q, want %q", tc.name, l, got, want)
			}
		}
	}
	at := utc(2026, 3, 4, 22, 30) // 5.3. 0.30 in Helsinki
	for l, want := range map[Lang][3]string{
		Finnish: {"5.3.2026", "5.3.", "0.30"},
		Swedish: {"5.3.2026", "5 mars", "0.30"},
		English: {"5 Mar 2026", "5 Mar", "00:30"},
	} {
		got := [3]string{l.FormatDate(at), l.FormatDayMonth(at), l.FormatTime(at)}
		if got != want {
			t.Errorf("%s: date, day and month, time = %q, want %q", l, got, want)
		}
	}
}

func TestMonthShort(t *testing.T) {
	for l, want := range map[Lang][2]string{Finnish: {"tammi", "joulu"}, Swedish: {"jan", "dec"}, English: {"Jan", "Dec"}} {
		if got := [2]string{l.MonthShort(time.January), l.MonthShort(time.December)}; got != want {
			t.Errorf("%s: %q, want %q", l, got, want)
		}
	}
	if got := Lang("").MonthShort(time.May); got != "touko" {
		t.Errorf("zero Lang: %q, want Finnish", got)
	}
	if got := English.MonthShort(13); got != "13" {
		t.Errorf("month 13: %q", got)
	}
}

func TestAtClockAcrossDaylightSaving(t *testing.T) {
	tests := []struct {
		date, clock string
		want        time.Time
	}{
		{"2026-03-29", "2.30", utc(2026, 3, 29, 0, 30)}, // EET, UTC+2
		{"2026-03-29", "3.30", utc(2026, 3, 29, 1, 30)}, // skipped: read as 4.30 EEST
		{"2026-03-29", "4.30", utc(2026, 3, 29, 1, 30)}, // EEST, UTC+3
		{"2026-10-25", "2.30", utc(2026, 10, 24, 23, 30)},
		{"2026-10-25", "3.30", utc(2026, 10, 25, 0, 30)}, // twice: the first, summer time
		{"2026-10-25", "4.30", utc(2026, 10, 25, 2, 30)}, // EET
		{"25.10.2026", "00:00", utc(2026, 10, 24, 21, 0)},
		{"2026-12-31", "23:59:59", time.Date(2026, 12, 31, 21, 59, 59, 0, time.UTC)},
	}
	for _, tc := range tests {
		day, err := ParseDate(tc.date)
		if err != nil {
			t.Fatalf("ParseDate(%q): %v", tc.date, err)
		}
		clock, err := ParseClock(tc.clock)
		if err != nil {
			t.Fatalf("ParseClock(%q): %v", tc.clock, err)
		}
		if got := AtClock(day, clock); !got.Equal(tc.want) {
			t.Errorf("%s %s in Helsinki = %v, want %v", tc.date, tc.clock, got.UTC(), tc.want)
		}
	}
}

func TestParseDateAndClock(t *testing.T) {
	day, err := ParseDate(" 29.3.2026 ")
	if err != nil || !day.Equal(utc(2026, 3, 28, 22, 0)) {
		t.Errorf("29.3.2026 = %v, %v; want the start of the day in Helsinki", day, err)
	}
	for _, bad := range []string{"", "2026-02-30", "tomorrow", "29.3.", "2026-3-29"} {
		if _, err := ParseDate(bad); !errors.Is(err, ErrDate) {
			t.Errorf("ParseDate(%q) = %v, want ErrDate", bad, err)
		}
	}
	for in, want := range map[string]time.Duration{"08:15": 8*time.Hour + 15*time.Minute, "8.15": 8*time.Hour + 15*time.Minute,
		"0:00": 0, "23:59:30": 23*time.Hour + 59*time.Minute + 30*time.Second} {
		if got, err := ParseClock(in); err != nil || got != want {
			t.Errorf("ParseClock(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "25:00", "8", "12:60", "noon"} {
		if _, err := ParseClock(bad); !errors.Is(err, ErrClock) {
			t.Errorf("ParseClock(%q) = %v, want ErrClock", bad, err)
		}
	}
}

func TestHelsinkiIsTheZone(t *testing.T) {
	if Helsinki.String() != "Europe/Helsinki" {
		t.Fatalf("Helsinki = %s", Helsinki)
	}
	_, winter := utc(2026, 1, 15, 12, 0).In(Helsinki).Zone()
	_, summer := utc(2026, 7, 15, 12, 0).In(Helsinki).Zone()
	if winter != 2*3600 || summer != 3*3600 {
		t.Errorf("offsets %d and %d, want UTC+2 and UTC+3", winter, summer)
	}
}
