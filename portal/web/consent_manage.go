package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/consent"
)

// confirmPage says in plain words what a consent will let whom see, for
// giving one and for approving a professional's request.
type confirmPage struct {
	layout
	Heading  string
	Sentence string
	Window   string
	Action   string // where Confirm posts
	Submit   string
	Values   *giveValues // giving: the choices, carried in hidden fields
	Cancel   string      // approving: back to the list
}

// confirmOf is the confirmation of giving in.
func confirmOf(l layout, grantee string, in consent.Give, titles fileTitles, now time.Time) confirmPage {
	start := in.Start
	if start.IsZero() {
		start = now
	}
	return confirmPage{
		layout: l, Heading: l.T(msgConsentConfirmHeading), Action: "/consents/confirm", Submit: l.T(msgConsentConfirmSubmit),
		Sentence: sentence(l.translator, grantee, in.Scope, titles, start, in.End), Window: windowText(in.Scope.Window, l.translator),
	}
}

// sentence is "<Grantee> will see <what> from <date> until <date>".
func sentence(t translator, grantee string, sc consent.Scope, titles fileTitles, start, end time.Time) string {
	data := map[string]string{"Grantee": grantee, "What": scopeText(sc, titles, t), "From": t.lang.FormatDate(start)}
	if end.IsZero() {
		return t.T(msgConsentSentenceUntilrevoked, data)
	}
	data["To"] = t.lang.FormatDate(lastDay(end))
	return t.T(msgConsentSentence, data)
}

func (s *Pages) renderConfirm(c *gin.Context, page confirmPage, v giveValues) {
	page.Values = &v
	s.render(c, http.StatusOK, "consent_confirm", page)
}

// ownGrant is one of the citizen's grants, read through the service.
func (s *Pages) ownGrant(c *gin.Context, who auth.Principal) (consent.Grant, error) {
	return s.Consents.Consent(c.Request.Context(), who, c.Param("id"))
}

type revokePage struct {
	layout
	Question string
	Action   string
}

// revokeConfirm asks whether to revoke, naming whom and what.
func (s *Pages) revokeConfirm(c *gin.Context, who auth.Principal) error {
	g, err := s.ownGrant(c, who)
	if err != nil {
		return err
	}
	l := s.layout(c, msgConsentRevokeTitle)
	if g.Status != consent.StatusActive || g.Expired(time.Now()) {
		c.Redirect(http.StatusSeeOther, "/consents#consent-"+url.PathEscape(g.ID)) // nothing left to revoke
		return nil
	}
	titles, err := s.ownFileTitles(c.Request.Context(), who)
	if err != nil {
		return err
	}
	name := s.granteeNames(c.Request.Context(), l.translator).of(g.Grantee)
	page := revokePage{layout: l, Action: "/consents/" + url.PathEscape(g.ID) + "/revoke",
		Question: l.T(msgConsentRevokeQuestion, map[string]string{"Grantee": name, "What": scopeText(g.Scope, titles, l.translator)})}
	s.render(c, http.StatusOK, "consent_revoke", page)
	return nil
}

// revoke ends the grant at once; revoking one already ended is done.
func (s *Pages) revoke(c *gin.Context, who auth.Principal) error {
	g, err := s.Consents.Revoke(c.Request.Context(), who, c.Param("id"))
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/consents?"+url.Values{"revoked": {g.ID}}.Encode())
	return nil
}

// privacyPath is the portal's privacy statement, named in receipts.
const privacyPath = "/privacy"

// receipt serves the consent receipt (Kantara 1.1 / ISO/IEC TS 27560) as
// a JSON download. It names the citizen by internal id, never by hetu.
func (s *Pages) receipt(c *gin.Context, who auth.Principal) error {
	ctx := c.Request.Context()
	g, err := s.ownGrant(c, who)
	if err != nil {
		return err
	}
	region, err := s.Directory.Region(ctx, g.Region) // the registrar of the region the consent was given in
	if err != nil {
		return err
	}
	t := s.layout(c, msgConsentListTitle).translator
	r := consent.NewReceipt(g, region, s.granteeNames(ctx, t).of(g.Grantee), t.lang.String(), privacyPath, time.Now())
	body, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode receipt: %w", err)
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Disposition", `attachment; filename="consent-`+g.ID+`.json"`)
	c.Data(http.StatusOK, "application/json", append(body, '\n'))
	return nil
}

// pendingAsk finds the citizen's request id among those waiting.
func (s *Pages) pendingAsk(c *gin.Context, who auth.Principal) (consent.Ask, error) {
	asks, err := s.Consents.Asks(c.Request.Context(), who)
	if err != nil {
		return consent.Ask{}, err
	}
	for _, a := range asks {
		if a.ID == c.Param("id") && a.Status == consent.AskPending {
			return a, nil
		}
	}
	return consent.Ask{}, fmt.Errorf("request for consent: %w", consent.ErrNotFound)
}

// approveConfirm says in plain words who will see what until when, as
// giving does, before the request becomes a consent.
func (s *Pages) approveConfirm(c *gin.Context, who auth.Principal) error {
	a, err := s.pendingAsk(c, who)
	if err != nil {
		return err
	}
	l := s.layout(c, msgConsentApproveTitle)
	av := s.askViewOf(c.Request.Context(), a, l.translator)
	now := time.Now()
	var end time.Time
	if a.Months > 0 {
		end = now.AddDate(0, a.Months, 0)
	}
	page := confirmPage{layout: l, Heading: l.T(msgConsentApproveHeading), Action: av.ApproveHref, Submit: l.T(msgConsentApproveSubmit),
		Sentence: sentence(l.translator, av.Who, a.Scope, nil, now, end), Window: windowText(a.Scope.Window, l.translator), Cancel: "/consents"}
	s.render(c, http.StatusOK, "consent_confirm", page)
	return nil
}

func (s *Pages) approve(c *gin.Context, who auth.Principal) error {
	if _, err := s.Consents.ApproveAsk(c.Request.Context(), who, c.Param("id")); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/consents?approved=1")
	return nil
}

func (s *Pages) decline(c *gin.Context, who auth.Principal) error {
	if err := s.Consents.DeclineAsk(c.Request.Context(), who, c.Param("id")); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/consents?declined=1")
	return nil
}
