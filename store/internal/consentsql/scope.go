package consentsql

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/record"
	"github.com/omahoito/omahoito/store/internal/sqlq"
)

// scopeJSON is the stored form of a consent.Scope. Its field order is
// fixed, so the same scope is the same text on both databases.
type scopeJSON struct {
	Classes []classJSON `json:"classes"`
	From    string      `json:"from,omitempty"` // the data window, TimeLayout; empty: open
	To      string      `json:"to,omitempty"`
}

type classJSON struct {
	Class string   `json:"class"`
	Items []string `json:"items,omitempty"`
}

// EncodeScope is s as stored: JSON text, window times in UTC to the
// microsecond.
func EncodeScope(s consent.Scope) string {
	j := scopeJSON{Classes: []classJSON{}, From: windowTime(s.Window.From), To: windowTime(s.Window.To)}
	for _, c := range s.Classes {
		j.Classes = append(j.Classes, classJSON{Class: string(c.Class), Items: c.Items})
	}
	// Marshalling strings and slices of strings cannot fail.
	b, _ := json.Marshal(j)
	return string(b)
}

// DecodeScope reads a scope written by EncodeScope. No items read as nil
// (everything of the class), as do no classes.
func DecodeScope(text string) (consent.Scope, error) {
	var j scopeJSON
	if err := json.Unmarshal([]byte(text), &j); err != nil {
		return consent.Scope{}, fmt.Errorf("scope: %w", err)
	}
	var s consent.Scope
	for _, c := range j.Classes {
		cs := consent.ClassScope{Class: record.Class(c.Class)}
		if len(c.Items) > 0 {
			cs.Items = c.Items
		}
		s.Classes = append(s.Classes, cs)
	}
	var err error
	if s.Window.From, err = parseWindowTime(j.From); err != nil {
		return consent.Scope{}, err
	}
	if s.Window.To, err = parseWindowTime(j.To); err != nil {
		return consent.Scope{}, err
	}
	return s, nil
}

func windowTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return sqlq.UTCMicro(t).Format(sqlq.TimeLayout)
}

func parseWindowTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("scope window: %w", err)
	}
	return t.UTC(), nil
}

// nullTime is t as the dialect keeps it, NULL (nil) when zero.
func nullTime(d sqlq.Dialect, t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return d.Time(t)
}

// NullTime is a scan destination for a nullable time column of either
// dialect: NULL reads as the zero time, anything else as sqlq.Time does.
type NullTime struct{ time.Time }

// Scan implements sql.Scanner.
func (t *NullTime) Scan(src any) error {
	if src == nil {
		t.Time = time.Time{}
		return nil
	}
	var v sqlq.Time
	if err := v.Scan(src); err != nil {
		return err
	}
	t.Time = v.Time
	return nil
}
