package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/audit"
	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/portal"
	"github.com/omahoito/omahoito/record"
)

// accessLogTemplates are the accesslog pages' templates, parsed with the layout at start.
var accessLogTemplates = []string{"accesslog"}

// accessLogRows is how many entries one page of the log shows.
const accessLogRows = 50

// accessLogPages registers "Who has viewed my data".
func (s *Pages) accessLogPages(r *gin.Engine) {
	r.GET("/access-log", s.signedIn(s.accessLog))
}

type accessRow struct {
	At      timeView
	Who     string
	WhoMore string // title and unit
	What    string
	Viewed  bool
	Outcome string
	Grants  []string // links to the consents used
}

type accessLogPage struct {
	layout
	Rows        []accessRow
	From, To    formField
	FilterError string
	OlderHref   string
	Filtered    bool
}

// accessLog lists who has viewed or tried to view the citizen's data,
// newest first, a page at a time; the service lets the person alone read it.
func (s *Pages) accessLog(c *gin.Context, who auth.Principal) error {
	after, err := parseLogCursor(c.Query("older"))
	if err != nil {
		return err
	}
	page := accessLogPage{layout: s.layout(c, msgAccesslogTitle)}
	q := audit.Query{PatientID: who.PersonID, Limit: accessLogRows, After: after}
	from, to := c.Query("from"), c.Query("to")
	page.From = formField{ID: "from", Label: page.T(msgAccesslogFrom), Value: from}
	page.To = formField{ID: "to", Label: page.T(msgAccesslogTo), Value: to}
	errs := fieldErrors{}
	q.From = readDay(from, "from", page.translator, errs)
	if end := readDay(to, "to", page.translator, errs); !end.IsZero() {
		q.To = end.AddDate(0, 0, 1)
	}
	if len(errs) > 0 {
		page.FilterError, q.From, q.To = page.T(msgAccesslogErrorDates), time.Time{}, time.Time{}
	}
	page.Filtered = !q.From.IsZero() || !q.To.IsZero()
	entries, next, err := s.Consents.AccessLog(c.Request.Context(), who, q)
	if err != nil {
		return err
	}
	for _, e := range entries {
		page.Rows = append(page.Rows, accessRowOf(e, page.translator))
	}
	if next != nil {
		v := url.Values{"older": {formatLogCursor(next)}}
		if page.Filtered {
			v.Set("from", from)
			v.Set("to", to)
		}
		page.OlderHref = "/access-log?" + v.Encode()
	}
	s.render(c, http.StatusOK, "accesslog", page)
	return nil
}

func accessRowOf(e audit.Entry, t translator) accessRow {
	row := accessRow{At: t.moment(e.Time), Who: e.Actor.Name, WhoMore: strings.Join(nonEmpty(e.Actor.Title, e.Actor.UnitName), ", "),
		What: entryWhat(e, t), Viewed: e.Outcome == audit.Permit}
	if row.Who == "" {
		row.Who = t.T(actorKindName(e.Actor.Kind))
	}
	if row.Viewed {
		row.Outcome = t.T(msgAccesslogViewed)
	} else {
		row.Outcome = t.T(msgAccesslogRefused, map[string]string{"Reason": t.T(denyReason(e.Reason))})
	}
	for _, g := range e.Grants {
		if idPattern.MatchString(g) {
			row.Grants = append(row.Grants, "/consents#consent-"+g)
		}
	}
	return row
}

func actorKindName(kind string) msgID {
	switch kind {
	case string(auth.KindOperator):
		return msgAccesslogActorOperator
	case string(auth.KindCitizen):
		return msgAccesslogActorCitizen
	}
	return msgAccesslogActorProfessional
}

// classNames name the classes of data an entry touched.
var classNames = map[record.Class]msgID{
	record.ClassMeasurements: msgAccesslogClassMeasurements,
	record.ClassPatient:      msgAccesslogClassPatient,
	record.ClassFiles:        msgAccesslogClassFiles,
	record.ClassConsents:     msgAccesslogClassConsents,
	record.ClassEverything:   msgAccesslogClassEverything,
}

// entryWhat is "Mittaukset: verenpaine – 3 tietoa".
func entryWhat(e audit.Entry, t translator) string {
	id, ok := classNames[record.Class(e.Class)]
	if !ok {
		id = msgAccesslogClassOther
	}
	what := t.T(id)
	var kinds []string
	for _, k := range e.Kinds {
		kinds = append(kinds, strings.ToLower(kindName(record.Kind(k), t)))
	}
	if len(kinds) > 0 {
		what += ": " + strings.Join(kinds, ", ")
	}
	if e.Outcome == audit.Permit {
		what += " – " + t.Count(msgAccesslogCount, e.Count)
	}
	return what
}

// denyReasons say in plain words why an access was refused.
var denyReasons = map[consent.Reason]msgID{
	consent.ReasonNotProfession: msgAccesslogReasonNotprofession,
	consent.ReasonOtherRegion:   msgAccesslogReasonOtherregion,
	consent.ReasonNoGrant:       msgAccesslogReasonNogrant,
	consent.ReasonRevoked:       msgAccesslogReasonRevoked,
	consent.ReasonEnded:         msgAccesslogReasonEnded,
	consent.ReasonNotStarted:    msgAccesslogReasonNotstarted,
	consent.ReasonExpired:       msgAccesslogReasonExpired,
	consent.ReasonOutsideScope:  msgAccesslogReasonOutsidescope,
}

func denyReason(r string) msgID {
	if id, ok := denyReasons[consent.Reason(r)]; ok {
		return id
	}
	return msgAccesslogReasonOther
}

// registerPattern is what a register (a region id) in a cursor may be.
var registerPattern = regexp.MustCompile(`^[a-z0-9-]{1,64}$`)

// formatLogCursor writes the position of the next page as
// <time>_<seq>_<register>: seqs are per register, so all three are kept.
func formatLogCursor(c *audit.Cursor) string {
	return c.Time.UTC().Format(time.RFC3339Nano) + "_" + strconv.FormatInt(c.Seq, 10) + "_" + c.Register
}

// parseLogCursor reads ?older=; anything malformed is a bad request.
func parseLogCursor(s string) (*audit.Cursor, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, "_")
	bad := fmt.Errorf("%w: the access log's page position is malformed", portal.ErrBadRequest)
	if len(parts) != 3 {
		return nil, bad
	}
	at, err := time.Parse(time.RFC3339Nano, parts[0])
	if err != nil {
		return nil, bad
	}
	seq, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || seq < 1 || !registerPattern.MatchString(parts[2]) {
		return nil, bad
	}
	return &audit.Cursor{Time: at, Seq: seq, Register: parts[2]}, nil
}
