// Package sqlq is the one way omahoito's stores write SQL for both
// databases. A table's SQL is written once, with '?' placeholders, in a
// package of its own under store/internal (see store/internal/obsql, the
// measurements); the dialect turns it into each database's form:
//
//   - Rebind turns '?' into PostgreSQL's $1, $2, …;
//   - Time and Bool encode arguments as each database keeps them (SQLite:
//     fixed-width UTC text and 0/1; PostgreSQL: timestamptz and boolean);
//   - Time and Bool are also scan destinations that read either form, so
//     one scan function per table serves both drivers (*sql.Rows and
//     pgx.Rows both have Scan);
//   - Map wraps a domain's sentinel errors around a driver error that a
//     store has classified (Class): each store has one classifier.
//
// Adding a table therefore means: its migration in each store (the DDL
// differs in types), its SQL, argument encoding and scan function once
// under store/internal, and in each adapter only methods that build a
// query with the store's Dialect, run it on the store's driver and map the
// error. Nothing in this package imports a driver.
package sqlq

import (
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Dialect is the database a query is written for.
type Dialect int

// The dialects of omahoito's stores.
const (
	SQLite Dialect = iota
	Postgres
)

// TimeLayout is how SQLite keeps times: UTC text of fixed width to the
// microsecond (the precision PostgreSQL keeps too), so that text order is
// time order and ranges use the indexes.
const TimeLayout = "2006-01-02T15:04:05.000000Z07:00"

// Rebind returns q with its '?' placeholders in the dialect's form. A '?'
// inside a quoted literal or identifier is left alone.
func (d Dialect) Rebind(q string) string {
	if d != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	var quote byte // the quote character we are inside of, or 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// UTCMicro is t in UTC, truncated to the microsecond both databases keep.
func UTCMicro(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Time is t as the dialect keeps it.
func (d Dialect) Time(t time.Time) any {
	if d == Postgres {
		return UTCMicro(t)
	}
	return UTCMicro(t).Format(TimeLayout)
}

// Bool is b as the dialect keeps it.
func (d Dialect) Bool(b bool) any {
	if d == Postgres {
		return b
	}
	if b {
		return 1
	}
	return 0
}

// Placeholders is n comma-separated question marks.
func Placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// NullFloat is v as an argument, NULL (nil) when zero.
func NullFloat(v float64) any {
	if v == 0 {
		return nil
	}
	return v
}

// NullString is s as an argument, NULL (nil) when empty.
func NullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Scanner is a row of either driver: *sql.Row, *sql.Rows, pgx.Row, pgx.Rows.
type Scanner interface{ Scan(dest ...any) error }

// Time is a scan destination for a time column of either dialect: text in
// TimeLayout (or any RFC 3339) from SQLite, a time from PostgreSQL. It is
// always in UTC.
type Time struct{ time.Time }

// Scan implements sql.Scanner.
func (t *Time) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		t.Time = v.UTC()
		return nil
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	}
	return fmt.Errorf("sqlq: cannot scan %T into a time", src)
}

func (t *Time) parse(s string) error {
	p, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("sqlq: time: %w", err)
	}
	t.Time = p.UTC()
	return nil
}

// Bool is a scan destination for a boolean column of either dialect
// (SQLite keeps 0 and 1).
type Bool bool

// Scan implements sql.Scanner.
func (b *Bool) Scan(src any) error {
	switch v := src.(type) {
	case bool:
		*b = Bool(v)
	case int64:
		*b = v != 0
	default:
		return fmt.Errorf("sqlq: cannot scan %T into a boolean", src)
	}
	return nil
}

// Where collects the conditions of a WHERE clause and their arguments, in
// order, with '?' placeholders.
type Where struct {
	conds []string
	args  []any
}

// Add appends cond, whose placeholders take args.
func (w *Where) Add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// String is the conditions joined by AND; TRUE when there are none.
func (w *Where) String() string {
	if len(w.conds) == 0 {
		return "1 = 1"
	}
	return strings.Join(w.conds, " AND ")
}

// Args are the arguments of the conditions, in placeholder order.
func (w *Where) Args() []any { return w.args }

// Class is what a store's classifier makes of a driver error.
type Class int

// Classes of driver errors that map to a domain's sentinel errors.
const (
	Other      Class = iota
	NoRows           // the query found no row
	Unique           // a unique or primary key violation
	ForeignKey       // a referenced row is missing
)

// Sentinels are a domain's errors that store errors wrap.
type Sentinels struct {
	NotFound error
	Conflict error
}

// Map wraps the domain's sentinel errors around err according to its class:
// no row and a missing referenced row are NotFound, a unique violation is
// Conflict. The driver's error stays in the chain; nil stays nil.
func Map(err error, c Class, s Sentinels) error {
	switch {
	case err == nil:
		return nil
	case c == NoRows || errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%w: %w", s.NotFound, err)
	case c == Unique:
		return fmt.Errorf("%w: %w", s.Conflict, err)
	case c == ForeignKey:
		return fmt.Errorf("%w: referenced row missing: %w", s.NotFound, err)
	}
	return err
}

// After is the keyset condition "(timeCol, idCol) after (at, id)" in the
// order asked for, in the form each database's index serves best:
// PostgreSQL compares the row; SQLite gets a plain range on timeCol beside
// the exact condition, so its planner uses the index for the range.
func (d Dialect) After(w *Where, timeCol, idCol string, desc bool, at time.Time, id string) {
	cmp := ">"
	if desc {
		cmp = "<"
	}
	if d == Postgres {
		w.Add("("+timeCol+", "+idCol+") "+cmp+" (?, ?)", d.Time(at), id)
		return
	}
	t := d.Time(at)
	w.Add(timeCol+" "+cmp+"= ?", t)
	w.Add("("+timeCol+" "+cmp+" ? OR "+idCol+" "+cmp+" ?)", t, id)
}

// NullFloat64 is a scan destination for a nullable number: NULL reads as 0.
type NullFloat64 float64

// Scan implements sql.Scanner.
func (f *NullFloat64) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*f = 0
	case float64:
		*f = NullFloat64(v)
	case int64:
		*f = NullFloat64(v)
	default:
		return fmt.Errorf("sqlq: cannot scan %T into a number", src)
	}
	return nil
}

// NullText is a scan destination for nullable text: NULL reads as "".
type NullText string

// Scan implements sql.Scanner.
func (s *NullText) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s = ""
	case string:
		*s = NullText(v)
	case []byte:
		*s = NullText(v)
	default:
		return fmt.Errorf("sqlq: cannot scan %T into text", src)
	}
	return nil
}

// DateLayout is how SQLite keeps a date without time.
const DateLayout = "2006-01-02"

// Date is the calendar date of t as the dialect keeps it.
func (d Dialect) Date(t time.Time) any {
	if d == Postgres {
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	return t.Format(DateLayout)
}

// Date is a scan destination for a date column of either dialect: midnight
// UTC of the date.
type Date struct{ time.Time }

// Scan implements sql.Scanner.
func (dt *Date) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		dt.Time = time.Date(v.Year(), v.Month(), v.Day(), 0, 0, 0, 0, time.UTC)
		return nil
	case string:
		return dt.parse(v)
	case []byte:
		return dt.parse(string(v))
	}
	return fmt.Errorf("sqlq: cannot scan %T into a date", src)
}

func (dt *Date) parse(s string) error {
	p, err := time.Parse(DateLayout, s)
	if err != nil {
		return fmt.Errorf("sqlq: date: %w", err)
	}
	dt.Time = p
	return nil
}

// ByteOrder is col compared in byte order, as SQLite compares text:
// PostgreSQL would otherwise sort by the database's collation.
func (d Dialect) ByteOrder(col string) string {
	if d == Postgres {
		return col + ` COLLATE "C"`
	}
	return col
}
