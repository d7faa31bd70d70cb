package fhirapi

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/fhir"
)

func (s *API) auditEventRoutes(api *gin.RouterGroup) {
	api.GET("/AuditEvent", s.handle(s.searchAuditEvents))
	api.POST("/AuditEvent/_search", s.handle(s.searchAuditEvents))
}

// searchAuditEvents: the citizen's access log, newest first: who has
// viewed or tried to view their data. Anyone else is refused by the
// service. The log can be long, so it pages by an opaque _cursor and the
// total is given only when the whole answer fits on one page.
func (s *API) searchAuditEvents(c *gin.Context) error {
	values, err := s.searchValues(c)
	if err != nil {
		return err
	}
	after, err := takeAuditCursor(values)
	if err != nil {
		return err
	}
	q, err := fhir.ParseAuditEventSearch(values, handling(c))
	if err != nil {
		return err
	}
	q.Query.PatientID, q.Query.After = whose(c, q.Patient), after
	ctx, who := c.Request.Context(), principal(c)
	if q.TotalOnly {
		n, err := s.countAccessLog(ctx, who, q.Query)
		if err != nil {
			return err
		}
		return s.renderSearch(c, q.Search, "AuditEvent", searchPage{total: n})
	}
	es, next, err := s.Consents.AccessLog(ctx, who, q.Query)
	if err != nil {
		return err
	}
	if q.Empty {
		es, next = nil, nil
	}
	entries, err := s.auditEntries(ctx, es)
	if err != nil {
		return err
	}
	page := searchPage{entries: entries, total: -1}
	if next != nil {
		page.next = auditNextLink(s.apiBase(), q.Search, next)
	} else if after == nil {
		page.total = len(entries)
	}
	return s.renderSearch(c, q.Search, "AuditEvent", page)
}

// countAccessLog counts the entries of a search, page by page, for
// _count=0.
func (s *API) countAccessLog(ctx context.Context, who auth.Principal, q audit.Query) (int, error) {
	q.Limit = audit.MaxSearchLimit
	n := 0
	for {
		es, next, err := s.Consents.AccessLog(ctx, who, q)
		if err != nil {
			return 0, err
		}
		n += len(es)
		if next == nil {
			return n, nil
		}
		q.After = next
	}
}

// auditEntries maps entries, naming each register's controller as the
// observer that keeps the log.
func (s *API) auditEntries(ctx context.Context, es []audit.Entry) ([]fhir.Entry, error) {
	observers := map[string]string{}
	out := make([]fhir.Entry, 0, len(es))
	for _, e := range es {
		observer, ok := observers[e.Register]
		if !ok {
			region, err := s.Directory.Region(ctx, e.Register)
			if err != nil && !errors.Is(err, auth.ErrNotFound) {
				return nil, err
			}
			observer = region.RegistrarName
			if observer == "" {
				observer = "omahoito"
			}
			observers[e.Register] = observer
		}
		ev := fhir.FromEntry(e, fhir.AuditRefs{Agent: agentRef(e.Actor), Observer: observer})
		out = append(out, fhir.Entry{Type: "AuditEvent", ID: ev.ID, Resource: ev})
	}
	return out, nil
}

// agentRef is the resource that stands for who acted: a professional is a
// Practitioner. Another citizen who tried to reach the person's data is
// not named to them: a person's id is theirs alone. An operator has none
// in the API.
func agentRef(a audit.Actor) string {
	if a.ID != "" && a.Kind == string(auth.KindProfessional) {
		return "Practitioner/" + a.ID
	}
	return ""
}

// An AuditEvent page position is opaque to clients: the time, sequence
// number and register of the last entry of the page before.
const auditCursorParam = "_cursor"

// takeAuditCursor removes _cursor from the search and reads it: the
// AuditEvent declaration knows no _cursor, since its position is not a
// record.Cursor.
func takeAuditCursor(values url.Values) (*audit.Cursor, error) {
	raw, ok := values[auditCursorParam]
	if !ok {
		return nil, nil
	}
	delete(values, auditCursorParam)
	if len(raw) != 1 {
		return nil, fmt.Errorf("%w: _cursor is given %d times; give it once", fhir.ErrInvalidParam, len(raw))
	}
	return decodeAuditCursor(raw[0])
}

func encodeAuditCursor(c *audit.Cursor) string {
	s := c.Time.UTC().Format(time.RFC3339Nano) + " " + strconv.FormatInt(c.Seq, 10) + " " + c.Register
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

var errAuditCursor = fmt.Errorf("%w: _cursor is not a page position of this server", fhir.ErrInvalidParam)

func decodeAuditCursor(s string) (*audit.Cursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, errAuditCursor
	}
	parts := strings.Split(string(raw), " ")
	if len(parts) != 3 || !validRegister(parts[2]) {
		return nil, errAuditCursor
	}
	at, err := time.Parse(time.RFC3339Nano, parts[0])
	if err != nil {
		return nil, errAuditCursor
	}
	seq, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || seq < 1 {
		return nil, errAuditCursor
	}
	return &audit.Cursor{Time: at, Seq: seq, Register: parts[2]}, nil
}

// validRegister: a region id, as the directory writes them.
func validRegister(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// auditNextLink is the URL of the page after cur, from the search as
// applied.
func auditNextLink(base string, search *fhir.Search, cur *audit.Cursor) string {
	v := search.Query()
	v.Set(auditCursorParam, encodeAuditCursor(cur))
	return base + "/AuditEvent?" + v.Encode()
}
