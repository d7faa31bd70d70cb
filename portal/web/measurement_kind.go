package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/internal/locale"
	"github.com/omahoito/omahoito/record"
)

// Limits of the kind page: table rows per page, and the most measurements
// one chart loads (over fifty years of daily readings).
const (
	tableRows     = 100
	maxChartPoint = 20000
)

// periodChoice is one of the range links.
type periodChoice struct {
	Key         string
	MsgID       msgID
	Years, Days int // how far back from now; both zero: all
}

// periodEnd is where the preset ranges end: now, and the few minutes
// ahead that record accepts for a clock that runs fast, so that every
// reading just saved is shown.
func periodEnd(now time.Time) time.Time { return now.Add(record.FutureTolerance) }

var periodChoices = []periodChoice{
	{Key: "7d", MsgID: msgMeasRangeWeek, Days: 7},
	{Key: "30d", MsgID: msgMeasRangeMonth, Days: 30}, // the default
	{Key: "90d", MsgID: msgMeasRangeQuarter, Days: 90},
	{Key: "1y", MsgID: msgMeasRangeYear, Years: 1},
	{Key: "all", MsgID: msgMeasRangeAll},
}

// period is the time range a kind page shows.
type period struct {
	Key      string    // a periodChoice key; empty for dates the person chose
	From, To time.Time // zero: open; To is exclusive for chosen dates
	Label    string
	// FromInput and ToInput are the chosen dates, as typed back into the filter form.
	FromInput, ToInput string
}

// choosePeriod reads ?range= or ?from=&to=. Unreadable dates give the
// default range and a message for the filter form.
func choosePeriod(c *gin.Context, now time.Time, t translator) (period, string) {
	from, to := c.Query("from"), c.Query("to")
	if from != "" || to != "" {
		p, ok := chosenDates(from, to, now, t)
		if ok {
			return p, ""
		}
		return presetPeriod(c.Query("range"), now, t), t.T(msgMeasErrorDaterange)
	}
	return presetPeriod(c.Query("range"), now, t), ""
}

func presetPeriod(key string, now time.Time, t translator) period {
	choice := periodChoices[1]
	for _, pc := range periodChoices {
		if pc.Key == key {
			choice = pc
		}
	}
	p := period{Key: choice.Key, Label: t.T(choice.MsgID)}
	if choice.Years != 0 || choice.Days != 0 {
		p.From, p.To = now.AddDate(-choice.Years, 0, -choice.Days), periodEnd(now)
	}
	return p
}

func chosenDates(from, to string, now time.Time, t translator) (period, bool) {
	p := period{FromInput: from, ToInput: to}
	if from != "" {
		d, err := locale.ParseDate(from)
		if err != nil {
			return p, false
		}
		p.From = d
	}
	if to != "" {
		d, err := locale.ParseDate(to)
		if err != nil {
			return p, false
		}
		p.To = d.AddDate(0, 0, 1) // the whole last day
	}
	if !p.From.IsZero() && !p.To.IsZero() && !p.From.Before(p.To) {
		return p, false
	}
	p.Label = t.T(msgMeasRangeChosen, map[string]string{"From": dateOrDots(p.From, t.lang), "To": dateOrDots(p.To.AddDate(0, 0, -1), t.lang)})
	if p.To.IsZero() {
		p.Label = t.T(msgMeasRangeChosen, map[string]string{"From": dateOrDots(p.From, t.lang), "To": t.lang.FormatDate(now)})
	}
	return p, true
}

func dateOrDots(d time.Time, lang locale.Lang) string {
	if d.IsZero() || d.Year() < 1900 {
		return "…"
	}
	return lang.FormatDate(d)
}

func (p period) query(personID string, kind record.Kind) record.Query {
	return record.Query{
		PersonID: personID, Kinds: []record.Kind{kind}, From: p.From, To: p.To,
		ToOpen: p.Key == "" && !p.To.IsZero(), Desc: true,
	}
}

// params are the query parameters that select p, for links.
func (p period) params() url.Values {
	if p.Key != "" {
		return url.Values{"range": {p.Key}}
	}
	q := url.Values{}
	if p.FromInput != "" {
		q.Set("from", p.FromInput)
	}
	if p.ToInput != "" {
		q.Set("to", p.ToInput)
	}
	return q
}

type rangeLink struct {
	Href, Label string
	Current     bool
}

type kindPage struct {
	layout
	Heading     string
	Notice      *noticeView
	AddHref     string
	AddLabel    string
	Ranges      []rangeLink
	From, To    formField
	FilterError string
	Chart       chartView
	Caption     string
	Columns     []string
	Rows        []measurementRow
	NextHref    string
	FirstHref   string // back to the newest, on later pages
}

// kindPage shows one kind: a chart of the chosen period and the table of
// its measurements, newest first.
func (s *Pages) kindPage(c *gin.Context, who auth.Principal) error {
	spec, err := specOf(c.Param("kind"))
	if err != nil {
		return err
	}
	after, err := decodeCursor(c.Query("after"))
	if err != nil {
		return err
	}
	now := time.Now()
	page := kindPage{layout: s.layout(c, msgMeasOverviewTitle)}
	per, filterErr := choosePeriod(c, now, page.translator)
	b, err := s.Records.Browse(c.Request.Context(), who, record.BrowseQuery{
		Query: per.query(who.PersonID, spec.Kind), Chart: maxChartPoint, TableRows: tableRows, TableAfter: after,
	})
	if err != nil {
		return err
	}
	ms, total := b.Chart, b.Total
	name := kindName(spec.Kind, page.translator)
	page.Title, page.Heading = name, name
	page.Notice = notice(c.Query, page.translator)
	page.AddHref, page.AddLabel = "/measurements/new?kind="+string(spec.Kind), page.T(msgMeasPageAdd, map[string]string{"Kind": name})
	page.Ranges = rangeLinks(spec.Kind, per, page.translator)
	page.FilterError = filterErr
	page.From = formField{ID: "from", Label: page.T(msgMeasFilterFrom), Value: per.FromInput}
	page.To = formField{ID: "to", Label: page.T(msgMeasFilterTo), Value: per.ToInput}
	page.Chart = s.chart(c.Request.Context(), spec, ms, per, now, page.translator)
	page.Caption = page.T(msgMeasTableCaption, map[string]string{"Kind": name, "Period": per.Label, "Count": countText(total, page.translator)})
	page.Columns = valueColumns(spec, page.translator)
	s.tablePage(spec, per, b, after != nil, &page)
	s.render(c, http.StatusOK, "measurement_kind", page)
	return nil
}

// tablePage fills the table from what Browse loaded, with links on.
func (s *Pages) tablePage(spec record.Spec, per period, b record.Browsed, paged bool, page *kindPage) {
	if paged {
		page.FirstHref = withQuery(kindHref(spec.Kind), per.params())
	}
	for _, m := range b.Table {
		page.Rows = append(page.Rows, rowOf(m, spec, page.translator))
	}
	if b.TableNext != nil {
		q := per.params()
		q.Set("after", encodeCursor(b.TableNext))
		page.NextHref = withQuery(kindHref(spec.Kind), q)
	}
}

func rangeLinks(kind record.Kind, per period, t translator) []rangeLink {
	links := make([]rangeLink, 0, len(periodChoices))
	for _, pc := range periodChoices {
		links = append(links, rangeLink{
			Href:    withQuery(kindHref(kind), url.Values{"range": {pc.Key}}),
			Label:   t.T(pc.MsgID),
			Current: pc.Key == per.Key,
		})
	}
	return links
}
