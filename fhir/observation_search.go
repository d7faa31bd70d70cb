package fhir

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Helsinki must load on hosts without a zoneinfo database

	"github.com/omahoito/omahoito/record"
)

// finnishTime is where a date without a zone is taken: people here mean
// their own day.
var finnishTime = mustLoadLocation("Europe/Helsinki")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// DateBound is one date search value: a prefix and the half-open interval
// [Lo, Hi) its date or dateTime denotes at its precision.
type DateBound struct {
	Prefix string // eq, gt, ge, lt, le, sa or eb
	Lo, Hi time.Time
}

// datePrefixes are the prefixes served; ne and ap are refused.
var datePrefixes = []string{"eq", "gt", "ge", "lt", "le", "sa", "eb"}

// ParseDateBound reads a date search value such as ge2026-11-23.
func ParseDateBound(v string) (DateBound, error) {
	b := DateBound{Prefix: "eq"}
	raw := v
	if len(v) > 2 && v[0] >= 'a' && v[0] <= 'z' {
		b.Prefix, raw = v[:2], v[2:]
	}
	known := false
	for _, p := range datePrefixes {
		known = known || p == b.Prefix
	}
	if !known {
		return b, errors.New("the date prefix is not supported (use eq, gt, ge, lt, le, sa or eb)")
	}
	var err error
	b.Lo, b.Hi, err = dateRange(raw)
	return b, err
}

// dateRange turns a FHIR date or dateTime of any precision into the
// half-open interval [lo, hi) it denotes: 2026-11-23T08:30:00Z is the whole
// second, 2026-11-23 the whole day (in Finnish time).
func dateRange(v string) (lo, hi time.Time, err error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), t.Add(secondsPrecision(v)).UTC(), nil
	}
	layouts := []struct {
		layout string
		next   func(time.Time) time.Time
	}{
		{"2006-01-02T15:04Z07:00", func(t time.Time) time.Time { return t.Add(time.Minute) }},
		{time.DateOnly, func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
	}
	for _, l := range layouts {
		if t, err := time.ParseInLocation(l.layout, v, finnishTime); err == nil {
			return t.UTC(), l.next(t).UTC(), nil
		}
	}
	return lo, hi, errors.New("not a FHIR date or dateTime (e.g. 2026-11-23 or 2026-11-23T08:00:00+02:00)")
}

// secondsPrecision is the width of the instant a dateTime names: a second,
// or 10^-n seconds with n fraction digits, but at least the microsecond
// that the stores keep.
func secondsPrecision(v string) time.Duration {
	width := time.Second
	if dot := strings.IndexByte(v, '.'); dot >= 0 {
		for i := dot + 1; i < len(v) && v[i] >= '0' && v[i] <= '9'; i++ {
			width /= 10
		}
	}
	return max(width, time.Microsecond)
}

// narrow tightens q's time window to the instants the bound matches; a
// measurement is an instant, so sa is gt and eb is lt.
func (b DateBound) narrow(q *record.Query) {
	switch b.Prefix {
	case "ge":
		raiseFrom(q, b.Lo, false)
	case "gt", "sa":
		raiseFrom(q, b.Hi, false)
	case "le":
		lowerTo(q, b.Hi, true)
	case "lt", "eb":
		lowerTo(q, b.Lo, true)
	default: // eq
		raiseFrom(q, b.Lo, false)
		lowerTo(q, b.Hi, true)
	}
}

func raiseFrom(q *record.Query, t time.Time, open bool) {
	if q.From.IsZero() || t.After(q.From) || (t.Equal(q.From) && open) {
		q.From, q.FromOpen = t, open
	}
}

func lowerTo(q *record.Query, t time.Time, open bool) {
	if q.To.IsZero() || t.Before(q.To) || (t.Equal(q.To) && open) {
		q.To, q.ToOpen = t, open
	}
}

// DefaultPageSize is the page size of a search without _count.
const DefaultPageSize = 50

// ObservationQuery is a parsed Observation search.
type ObservationQuery struct {
	// Query holds kinds, time window, order, page size and position;
	// PersonID is left for the caller, who knows whose record is searched.
	Query record.Query
	// Patient is the id named by patient or subject; "" when none is.
	Patient string
	// TotalOnly: _count=0 asks for the total alone (Query.Limit is 1).
	TotalOnly bool
	// Empty: the criteria contradict each other (e.g. code=A&code=B), so
	// nothing matches. Query then still names every kind the criteria
	// name, with a time window no instant is in: the search is asked all
	// the same, so that the gate decides (and logs) it like any other.
	Empty  bool
	Search *Search
}

// ParseObservationSearch reads an Observation search: patient or subject,
// code, date, _count, _sort (date, -date) and _cursor. Errors wrap
// ErrInvalidParam or ErrNotAcceptable.
func ParseObservationSearch(values url.Values, h Handling) (ObservationQuery, error) {
	s, err := ObservationSearch.Parse(values, h)
	if err != nil {
		return ObservationQuery{}, err
	}
	out := ObservationQuery{Search: s, Query: record.Query{Limit: DefaultPageSize, Desc: true}}
	if out.Patient, err = patientOf(s); err != nil {
		return ObservationQuery{}, err
	}
	if out.Query.Kinds, out.Empty, err = kindsOf(s.Get("code")); err != nil {
		return ObservationQuery{}, err
	}
	if out.Empty {
		out.Query.Kinds = namedKinds(s.Get("code"))
	}
	for _, c := range s.Get("date") {
		if len(c.Dates) != 1 {
			return ObservationQuery{}, fmt.Errorf("%w: date takes one value per parameter; repeat date for a range (date=ge…&date=lt…)", ErrInvalidParam)
		}
		c.Dates[0].narrow(&out.Query)
	}
	if s.Count >= 0 {
		out.Query.Limit = s.Count
	}
	if out.TotalOnly = out.Query.Limit == 0; out.TotalOnly {
		out.Query.Limit = 1
	}
	if out.Empty {
		matchNothing(&out.Query)
	}
	out.Query.Desc = s.Sort != "date"
	out.Query.After, err = DecodeCursor(s.Cursor)
	return out, err
}

// patientOf reads the one patient the search names through patient or
// subject; searching several records at once is not supported.
func patientOf(s *Search) (string, error) {
	var ids []string
	for _, c := range append(s.Get("patient"), s.Get("subject")...) {
		for _, r := range c.References {
			typ, id, found := strings.Cut(r, "/")
			if !found {
				id = typ
			} else if typ != "Patient" {
				return "", fmt.Errorf("%w: %s must name a Patient, got a reference to %s", ErrInvalidParam, c.Param.Name, typeName(typ))
			}
			ids = append(ids, id)
		}
	}
	for _, id := range ids[min(1, len(ids)):] {
		if id != ids[0] {
			return "", fmt.Errorf("%w: a search covers one patient's record; search each patient on their own", ErrInvalidParam)
		}
	}
	if len(ids) == 0 {
		return "", nil
	}
	return ids[0], nil
}

// kindsOf reads code criteria into the kinds they select: values of one
// criterion are ORed, criteria ANDed. A criterion that selects no kind
// omahoito keeps is an error (a typo must not look like "no data"); empty
// reports criteria whose intersection is empty.
func kindsOf(criteria []Criterion) (kinds []record.Kind, empty bool, err error) {
	var selected map[record.Kind]bool
	for _, c := range criteria {
		these := map[record.Kind]bool{}
		for _, spec := range record.Specs() {
			if matchesKind(spec, c) {
				these[spec.Kind] = true
			}
		}
		if len(these) == 0 {
			return nil, false, fmt.Errorf("%w: no value of code names a measurement omahoito keeps (LOINC, %s)", ErrInvalidParam, LOINCSystem)
		}
		if selected == nil {
			selected = these
			continue
		}
		for k := range selected {
			if !these[k] {
				delete(selected, k)
			}
		}
	}
	if selected == nil {
		return nil, false, nil
	}
	for _, spec := range record.Specs() {
		if selected[spec.Kind] {
			kinds = append(kinds, spec.Kind)
		}
	}
	return kinds, len(kinds) == 0, nil
}

// namedKinds lists every kind any code criterion names, for the gate.
func namedKinds(criteria []Criterion) []record.Kind {
	var kinds []record.Kind
	for _, spec := range record.Specs() {
		for _, c := range criteria {
			if matchesKind(spec, c) {
				kinds = append(kinds, spec.Kind)
				break
			}
		}
	}
	return kinds
}

// matchNothing gives q a time window no instant is in: after and before
// the same moment.
func matchNothing(q *record.Query) {
	never := time.Unix(0, 0).UTC()
	q.From, q.FromOpen, q.To, q.ToOpen = never, true, never, true
}

// matchesKind reports whether the criterion matches one of the kind's codes.
func matchesKind(spec record.Spec, c Criterion) bool {
	if c.MatchToken(LOINCSystem, spec.Code) {
		return true
	}
	for _, alt := range spec.AltCodes {
		if c.MatchToken(LOINCSystem, alt) {
			return true
		}
	}
	return false
}

// typeName is a resource type named in an error, when it looks like one.
func typeName(typ string) string {
	if LooksLikeName(typ) {
		return typ
	}
	return "another type"
}

// EncodeCursor writes a search position for a next link.
func EncodeCursor(c *record.Cursor) string {
	if c == nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(c.At.UTC().Format(time.RFC3339Nano) + " " + c.ID))
}

// DecodeCursor reads a position written by EncodeCursor; "" is nil.
func DecodeCursor(s string) (*record.Cursor, error) {
	if s == "" {
		return nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: _cursor is not a page position of this server", ErrInvalidParam)
	}
	at, id, ok := strings.Cut(string(raw), " ")
	t, err := time.Parse(time.RFC3339Nano, at)
	if !ok || err != nil || id == "" {
		return nil, fmt.Errorf("%w: _cursor is malformed", ErrInvalidParam)
	}
	return &record.Cursor{At: t, ID: id}, nil
}

// NextLink is the URL of the page after cur, from the search as applied.
func NextLink(base string, s *Search, typ string, cur *record.Cursor) string {
	if cur == nil {
		return ""
	}
	q := s.Query()
	q.Set("_cursor", EncodeCursor(cur))
	return base + "/" + typ + "?" + q.Encode()
}

// SelfLink is the URL of the search as applied (without what lenient
// handling ignored).
func SelfLink(base string, s *Search, typ string) string {
	q := s.Query()
	if len(q) == 0 {
		return base + "/" + typ
	}
	return base + "/" + typ + "?" + q.Encode()
}
