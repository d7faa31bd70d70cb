package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/consent"
)

type proAskRow struct {
	Sent                         timeView
	What, Period, Reason, Status string
}

type proAsksPage struct {
	layout
	Sent string // the notice after a request was sent
	Rows []proAskRow
}

var proAskStatuses = map[consent.AskStatus]msgID{
	consent.AskPending: msgProAsksPending, consent.AskApproved: msgProAsksApproved, consent.AskDeclined: msgProAsksDeclined,
}

// proAsks lists the professional's requests for consent and where each
// stands. A request names no one: who the person is shows under My
// patients once they give consent.
func (s *Pages) proAsks(c *gin.Context, who auth.Principal) error {
	asks, err := s.Consents.AsksBy(c.Request.Context(), who)
	if err != nil {
		return err
	}
	page := proAsksPage{layout: s.layout(c, msgProAsksTitle)}
	if c.Query("sent") == "1" {
		page.Sent = page.T(msgProAskSent)
	}
	for _, a := range asks {
		period := page.T(msgProAskUntilrevoked)
		if a.Months > 0 {
			period = page.Count(msgProAskMonths, a.Months)
		}
		status := a.Status
		if _, ok := proAskStatuses[status]; !ok {
			status = consent.AskPending
		}
		page.Rows = append(page.Rows, proAskRow{
			Sent: page.moment(a.CreatedAt), What: proScopeText(a.Scope, page.translator), Period: period,
			Reason: a.Reason, Status: page.T(proAskStatuses[status]),
		})
	}
	s.render(c, http.StatusOK, "pro_asks", page)
	return nil
}
