package web

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/portal"
	"github.com/omahoito/omahoito/record"
)

type proKindPage struct {
	layout
	Heading     string
	BackHref    string
	BackLabel   string
	Ranges      []rangeLink
	From, To    formField
	FilterError string
	Chart       chartView
	Caption     string
	Columns     []string
	Rows        []measurementRow
	NextHref    string
	FirstHref   string
}

// proKindPage shows one kind of a patient's measurements, read only: the
// chart and the table of the chosen period, as the citizen's own page
// does. The person is asked of the gate first; the measurements are one
// Browse, which the gate narrows to what the consents cover. A kind no
// consent covers is refused by the gate (and logged), and nothing of it
// is shown.
func (s *Pages) proKindPage(c *gin.Context, who auth.Principal) error {
	ctx := c.Request.Context()
	id := c.Param("id")
	person, err := s.Records.Patient(ctx, who, id)
	if err != nil {
		return err
	}
	spec, err := specOf(c.Param("kind"))
	if err != nil {
		return err
	}
	after, err := decodeCursor(c.Query("after"))
	if err != nil {
		return err
	}
	now := time.Now()
	page := proKindPage{layout: s.layout(c, msgProPatientTitle), BackHref: proPatientHref(id)}
	per, filterErr := choosePeriod(c, now, page.translator)
	b, err := s.Records.Browse(ctx, who, record.BrowseQuery{
		Query: per.query(id, spec.Kind), Chart: maxChartPoint, TableRows: tableRows, TableAfter: after,
	})
	if errors.Is(err, record.ErrDenied) {
		// The person is a patient (the gate just said so), so it is this
		// kind that no consent covers.
		return &portal.UserError{Status: http.StatusForbidden, MsgID: string(msgProErrorKindNotcovered), Err: err}
	}
	if err != nil {
		return err
	}
	name, patient := kindName(spec.Kind, page.translator), fullName(person.GivenName, person.FamilyName)
	page.Heading = page.T(msgProKindHeading, map[string]string{"Kind": name, "Name": patient})
	page.Title = page.Heading
	page.BackLabel = page.T(msgProBackPatient, map[string]string{"Name": patient})
	base := proKindHref(id, spec.Kind)
	page.Ranges = proRangeLinks(base, per, page.translator)
	page.FilterError = filterErr
	page.From = formField{ID: "from", Label: page.T(msgMeasFilterFrom), Value: per.FromInput}
	page.To = formField{ID: "to", Label: page.T(msgMeasFilterTo), Value: per.ToInput}
	page.Chart = s.chart(ctx, spec, b.Chart, per, now, page.translator)
	page.Caption = page.T(msgMeasTableCaption, map[string]string{"Kind": name, "Period": per.Label, "Count": countText(b.Total, page.translator)})
	page.Columns = valueColumns(spec, page.translator)
	for _, m := range b.Table {
		page.Rows = append(page.Rows, measurementRow{At: page.moment(m.At), Values: valueCells(m, spec, page.translator), Note: m.Note})
	}
	page.FirstHref, page.NextHref = proPagingHrefs(base, per, after != nil, b.TableNext)
	s.render(c, http.StatusOK, "pro_kind", page)
	return nil
}

// proRangeLinks are the period links of a kind page at base.
func proRangeLinks(base string, per period, t translator) []rangeLink {
	links := make([]rangeLink, 0, len(periodChoices))
	for _, pc := range periodChoices {
		links = append(links, rangeLink{
			Href: withQuery(base, url.Values{"range": {pc.Key}}), Label: t.T(pc.MsgID), Current: pc.Key == per.Key,
		})
	}
	return links
}

// proPagingHrefs link back to the newest rows (on later pages) and on.
func proPagingHrefs(base string, per period, paged bool, next *record.Cursor) (first, nextHref string) {
	if paged {
		first = withQuery(base, per.params())
	}
	if next != nil {
		q := per.params()
		q.Set("after", encodeCursor(next))
		nextHref = withQuery(base, q)
	}
	return first, nextHref
}
