package sqlq

import (
	"testing"
	"time"
)

func TestRebind(t *testing.T) {
	q := `SELECT '?', "a?b" FROM t WHERE a = ? AND b LIKE '%' || ? || '%' ESCAPE '\' AND c = ?`
	if got := SQLite.Rebind(q); got != q {
		t.Errorf("SQLite changed the query: %s", got)
	}
	want := `SELECT '?', "a?b" FROM t WHERE a = $1 AND b LIKE '%' || $2 || '%' ESCAPE '\' AND c = $3`
	if got := Postgres.Rebind(q); got != want {
		t.Errorf("Postgres:\n got %s\nwant %s", got, want)
	}
}

// TestTimeRoundTrip: a time written for either dialect reads back as the
// same instant in UTC, to the microsecond; SQLite's text sorts as time.
func TestTimeRoundTrip(t *testing.T) {
	in := time.Date(2025, 6, 30, 23, 59, 59, 999999999, time.FixedZone("EEST", 3*3600))
	want := time.Date(2025, 6, 30, 20, 59, 59, 999999000, time.UTC)
	for _, d := range []Dialect{SQLite, Postgres} {
		var got Time
		if err := got.Scan(d.Time(in)); err != nil {
			t.Fatal(err)
		}
		if !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("dialect %d: %v, want %v", d, got.Time, want)
		}
	}
	early, late := SQLite.Time(want).(string), SQLite.Time(want.Add(time.Microsecond)).(string)
	if early >= late {
		t.Errorf("%s does not sort before %s", early, late)
	}
}
