package locale

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Helsinki must load on hosts without a zoneinfo database
)

// Helsinki is where omahoito's people live: times are entered and shown in
// it. It is loaded once, from the embedded time zone database if the host
// has none.
var Helsinki = mustLoadLocation("Europe/Helsinki")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("locale: load time zone %s: %v", name, err))
	}
	return loc
}

// Sentinel errors of the date and clock parsers.
var (
	ErrDate  = errors.New("locale: not a date")
	ErrClock = errors.New("locale: not a time of day")
)

var monthsShort = map[Lang][12]string{
	Finnish: {"tammi", "helmi", "maalis", "huhti", "touko", "kesä", "heinä", "elo", "syys", "loka", "marras", "joulu"},
	Swedish: {"jan", "feb", "mars", "apr", "maj", "juni", "juli", "aug", "sep", "okt", "nov", "dec"},
	English: {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
}

// MonthShort returns the short name of month m as a chart axis shows it:
// fi "maalis", sv "mars", en "Mar".
func (l Lang) MonthShort(m time.Month) string {
	if m < time.January || m > time.December {
		return strconv.Itoa(int(m))
	}
	return monthsShort[l.orDefault()][m-1]
}

// FormatDate writes the Helsinki date of t: fi and sv 2.1.2006, en
// 2 Jan 2006.
func (l Lang) FormatDate(t time.Time) string {
	local := t.In(Helsinki)
	if l.orDefault() == English {
		return local.Format("2 Jan 2006")
	}
	return local.Format("2.1.2006")
}

// FormatDayMonth writes the Helsinki day and month of t, for a date whose
// year is clear from its surroundings: fi 5.3., sv 5 mars, en 5 Mar.
func (l Lang) FormatDayMonth(t time.Time) string {
	return l.DayMonth(t.In(Helsinki))
}

// DayMonth is FormatDayMonth for a time already in the location it is to be
// shown in (a chart may be drawn in another zone).
func (l Lang) DayMonth(t time.Time) string {
	l = l.orDefault()
	if l == Finnish {
		return strconv.Itoa(t.Day()) + "." + strconv.Itoa(int(t.Month())) + "."
	}
	return strconv.Itoa(t.Day()) + " " + l.MonthShort(t.Month())
}

// FormatTime writes the Helsinki time of day of t: fi and sv 8.05, en
// 08:05.
func (l Lang) FormatTime(t time.Time) string {
	local := t.In(Helsinki)
	if l.orDefault() == English {
		return local.Format("15:04")
	}
	return fmt.Sprintf("%d.%02d", local.Hour(), local.Minute())
}

// FormatDateTime writes a moment in Helsinki time: fi 2.1.2006 klo 8.05,
// sv 2.1.2006 kl. 8.05, en 2 Jan 2006, 08:05.
func (l Lang) FormatDateTime(t time.Time) string {
	switch l.orDefault() {
	case Finnish:
		return l.FormatDate(t) + " klo " + l.FormatTime(t)
	case Swedish:
		return l.FormatDate(t) + " kl. " + l.FormatTime(t)
	default:
		return l.FormatDate(t) + ", " + l.FormatTime(t)
	}
}

// ParseDate reads a date as a form sends it: ISO 2006-01-02 (what
// type=date sends) or d.m.yyyy (what people type where the browser offers
// no date picker). It returns the start of that day in Helsinki.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "2.1.2006"} {
		if t, err := time.ParseInLocation(layout, s, Helsinki); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: %q", ErrDate, s)
}

// ParseClock reads a time of day: 08:15, 08:15:30 or 8.15 (the Finnish
// way), as the duration since midnight.
func ParseClock(s string) (time.Duration, error) {
	typed := s
	s = strings.ReplaceAll(strings.TrimSpace(s), ".", ":")
	for _, layout := range []string{"15:04", "15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute +
				time.Duration(t.Second())*time.Second, nil
		}
	}
	return 0, fmt.Errorf("%w: %q", ErrClock, typed)
}

// AtClock is the moment the wall clock in Helsinki shows clock on the day
// of day (taken in Helsinki). Across the daylight-saving changes it is
// what a person means: on the last Sunday of March, 3.30 does not exist
// and is read as 4.30 (the clock was late by the hour just skipped); on the
// last Sunday of October, 3.30 happens twice and the first (summer time)
// is meant.
func AtClock(day time.Time, clock time.Duration) time.Time {
	d := day.In(Helsinki)
	h, m := int(clock/time.Hour), int(clock%time.Hour/time.Minute)
	sec := int(clock % time.Minute / time.Second)
	t := time.Date(d.Year(), d.Month(), d.Day(), h, m, sec, 0, Helsinki)
	// Go picks the later of two moments with the same wall clock; an
	// hour earlier with the same wall clock is the summer-time one.
	if earlier := t.Add(-time.Hour); sameWallClock(earlier, t) {
		return earlier
	}
	return t
}

func sameWallClock(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd && a.Hour() == b.Hour() && a.Minute() == b.Minute() && a.Second() == b.Second()
}
