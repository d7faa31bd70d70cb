package web

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/omahoito/omahoito/portal"
	"github.com/omahoito/omahoito/record"
)

// timeView is a moment for a template: machine-readable and as shown.
type timeView struct{ ISO, Text string }

// moment shows at in Helsinki time the way the page language writes it:
// 2.1.2006 klo 8.05, 2.1.2006 kl. 8.05, 2 Jan 2006, 08:05.
func (t translator) moment(at time.Time) timeView {
	return timeView{ISO: at.UTC().Format(time.RFC3339), Text: t.lang.FormatDateTime(at)}
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
