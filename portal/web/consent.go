package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/record"
)

// consentTemplates are the consent pages' templates, parsed with the layout at start.
var consentTemplates = []string{"consent_list", "consent_give", "consent_confirm", "consent_revoke"}

// consentPages registers the citizen's consent pages: the list with the
// requests from professionals, giving, revoking, the receipt, and the
// answers to requests. Every page calls the consent service with the
// logged-in principal; the service decides who may do what.
func (s *Pages) consentPages(r *gin.Engine) {
	g := r.Group("/consents")
	g.GET("", s.signedIn(s.consentList))
	g.GET("/new", s.signedIn(s.giveForm))
	g.POST("/new", s.signedIn(s.giveCheck))
	g.POST("/confirm", s.signedIn(s.giveConfirm))
	g.GET("/:id/revoke", s.signedIn(s.revokeConfirm))
	g.POST("/:id/revoke", s.signedIn(s.revoke))
	g.GET("/:id/receipt", s.signedIn(s.receipt))
	g.GET("/asks/:id/approve", s.signedIn(s.approveConfirm))
	g.POST("/asks/:id/approve", s.signedIn(s.approve))
	g.POST("/asks/:id/decline", s.signedIn(s.decline))
}

// signedIn serves a citizen's own page: a visitor is asked to log in
// (401), a professional's or operator's session is refused (403, see
// citizenSession). Whether the citizen may do what the page does is the
// consent service's to decide, never the page's.
func (s *Pages) signedIn(h func(*gin.Context, auth.Principal) error) gin.HandlerFunc {
	return s.page(func(c *gin.Context) error {
		who, err := citizenSession(c)
		if err != nil {
			return err
		}
		return h(c, who)
	})
}

// grantView is one grant as the list shows it.
type grantView struct {
	ID, Anchor  string
	Grantee     string
	What        string
	Window      string // empty: all data, whatever its time
	Period      string
	Ended       string // for an ended one: what happened and when
	RevokeHref  string // in force (or starting later) only
	ReceiptHref string
	StartsLater bool
}

// askView is one pending request from a professional.
type askView struct {
	ID, Who, What, Period, Reason string
	Asked                         timeView
	ApproveHref, DeclineAction    string
}

type consentListPage struct {
	layout
	Notice string
	Asks   []askView
	Active []grantView
	Ended  []grantView
}

// notices after a redirect, by the query parameter that asks for one.
var consentNotices = map[string]msgID{
	"given": msgConsentNoticeGiven, "approved": msgConsentNoticeApproved, "declined": msgConsentNoticeDeclined,
}

// consentList shows the requests waiting for an answer, the consents in
// force and those that ended.
func (s *Pages) consentList(c *gin.Context, who auth.Principal) error {
	ctx := c.Request.Context()
	grants, err := s.Consents.Consents(ctx, who, who.PersonID)
	if err != nil {
		return err
	}
	asks, err := s.Consents.Asks(ctx, who)
	if err != nil {
		return err
	}
	titles, err := s.ownFileTitles(ctx, who)
	if err != nil {
		return err
	}
	page := consentListPage{layout: s.layout(c, msgConsentListTitle)}
	page.Notice = s.consentNotice(ctx, c, grants, page.translator)
	names := s.granteeNames(ctx, page.translator)
	now := time.Now()
	for _, a := range asks {
		if a.Status == consent.AskPending {
			page.Asks = append(page.Asks, s.askViewOf(ctx, a, page.translator))
		}
	}
	for _, g := range grants {
		v := grantViewOf(g, names.of(g.Grantee), titles, page.translator, now)
		if v.Ended == "" {
			page.Active = append(page.Active, v)
		} else {
			page.Ended = append(page.Ended, v)
		}
	}
	s.render(c, http.StatusOK, "consent_list", page)
	return nil
}

// consentNotice is the status line after a change: given, approved,
// declined, or revoked (which names the grantee of the grant revoked).
func (s *Pages) consentNotice(ctx context.Context, c *gin.Context, grants []consent.Grant, t translator) string {
	for key, id := range consentNotices {
		if c.Query(key) == "1" {
			return t.T(id)
		}
	}
	id := c.Query("revoked")
	if !idPattern.MatchString(id) {
		return ""
	}
	for _, g := range grants {
		if g.ID == id && g.Status == consent.StatusRevoked {
			return t.T(msgConsentNoticeRevoked, map[string]string{"Grantee": s.granteeNames(ctx, t).of(g.Grantee)})
		}
	}
	return ""
}

func grantViewOf(g consent.Grant, grantee string, titles fileTitles, t translator, now time.Time) grantView {
	v := grantView{
		ID: g.ID, Anchor: "consent-" + g.ID, Grantee: grantee, What: scopeText(g.Scope, titles, t),
		Window: windowText(g.Scope.Window, t), Period: periodText(g.Start, g.End, t),
		ReceiptHref: "/consents/" + url.PathEscape(g.ID) + "/receipt",
	}
	switch {
	case g.Status == consent.StatusRevoked:
		v.Ended = t.T(msgConsentEndedRevoked, map[string]string{"Date": t.lang.FormatDate(g.RevokedAt)})
	case g.Status == consent.StatusEnded:
		v.Ended = t.T(msgConsentEndedEnded, map[string]string{"Date": t.lang.FormatDate(g.EndedAt), "Reason": t.T(endReason(g.EndReason))})
	case g.Expired(now):
		v.Ended = t.T(msgConsentEndedExpired, map[string]string{"Date": t.lang.FormatDate(g.End)})
	default:
		v.RevokeHref = "/consents/" + url.PathEscape(g.ID) + "/revoke"
		v.StartsLater = now.Before(g.Start)
	}
	return v
}

func endReason(r string) msgID {
	switch r {
	case consent.EndMoved:
		return msgConsentEndMoved
	case consent.EndLeftUnit:
		return msgConsentEndLeftunit
	}
	return msgConsentEndOther
}

// names caches the directory's names of grantees for one page.
type names struct {
	s   *Pages
	ctx context.Context
	t   translator
	got map[consent.Grantee]string
}

func (s *Pages) granteeNames(ctx context.Context, t translator) *names {
	return &names{s: s, ctx: ctx, t: t, got: map[consent.Grantee]string{}}
}

// of names a grantee: a professional with title and unit, or a unit. One
// no longer in the directory is named as such, not by its id.
func (n *names) of(g consent.Grantee) string {
	if name, ok := n.got[g]; ok {
		return name
	}
	name := n.t.T(msgConsentGranteeUnknown)
	switch g.Kind {
	case consent.GranteeProfessional:
		if pro, err := n.s.Directory.Professional(n.ctx, g.ID); err == nil {
			name = n.s.professionalText(n.ctx, pro)
		}
	case consent.GranteeUnit:
		if unit, err := n.s.Directory.CareUnit(n.ctx, g.ID); err == nil {
			name = unit.Name
		}
	}
	n.got[g] = name
	return name
}

// professionalText is "Aino Heikkinen, sairaanhoitaja, Kajaanin terveysasema".
func (s *Pages) professionalText(ctx context.Context, pro auth.Professional) string {
	parts := []string{fullName(pro.GivenName, pro.FamilyName)}
	if pro.Title != "" {
		parts = append(parts, pro.Title)
	}
	if unit, err := s.Directory.CareUnit(ctx, pro.CareUnitID); err == nil {
		parts = append(parts, unit.Name)
	}
	return strings.Join(parts, ", ")
}

// scopeText says in words what a scope covers: "kaikki mittauksesi",
// "mittauksesi (verenpaine, paino)", "tiedostosi: Laboratoriotulokset".
// Chosen files are named by titles (the citizen's own files), or
// counted when titles is nil.
func scopeText(sc consent.Scope, titles fileTitles, t translator) string {
	var parts []string
	for _, cs := range sc.Classes {
		switch {
		case cs.Class == record.ClassMeasurements && len(cs.Items) == 0:
			parts = append(parts, t.T(msgConsentScopeAllmeasurements))
		case cs.Class == record.ClassMeasurements:
			var kinds []string
			for _, k := range cs.Items {
				kinds = append(kinds, strings.ToLower(kindName(record.Kind(k), t)))
			}
			parts = append(parts, t.T(msgConsentScopeKinds, map[string]string{"Kinds": strings.Join(kinds, ", ")}))
		case cs.Class == record.ClassFiles && len(cs.Items) == 0:
			parts = append(parts, t.T(msgConsentScopeAllfiles))
		case cs.Class == record.ClassFiles:
			parts = append(parts, filesText(cs.Items, titles, t))
		default:
			parts = append(parts, string(cs.Class))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	text := parts[0]
	for _, p := range parts[1:] {
		text = t.T(msgConsentScopeAnd, map[string]string{"First": text, "Then": p}) // read in a sentence, not a list
	}
	return text
}

// windowText says which data by its time a scope covers; "" for all.
// The window's end is exclusive: the day before it is the last shown.
func windowText(w record.Window, t translator) string {
	switch {
	case w.From.IsZero() && w.To.IsZero():
		return ""
	case w.To.IsZero():
		return t.T(msgConsentWindowFrom, map[string]string{"From": t.lang.FormatDate(w.From)})
	case w.From.IsZero():
		return t.T(msgConsentWindowUntil, map[string]string{"To": t.lang.FormatDate(lastDay(w.To))})
	}
	return t.T(msgConsentWindowBetween, map[string]string{"From": t.lang.FormatDate(w.From), "To": t.lang.FormatDate(lastDay(w.To))})
}

// lastDay is the last day a window or period ending (exclusive) at end
// covers, as people count days: a window to midnight ends the day before.
func lastDay(end time.Time) time.Time { return end.Add(-time.Nanosecond) }

// periodText is "1.12.2026 – 30.11.2027" or "1.12.2026 alkaen, kunnes perut sen".
func periodText(start, end time.Time, t translator) string {
	if end.IsZero() {
		return t.T(msgConsentPeriodUntilrevoked, map[string]string{"From": t.lang.FormatDate(start)})
	}
	return t.T(msgConsentPeriodBetween, map[string]string{"From": t.lang.FormatDate(start), "To": t.lang.FormatDate(lastDay(end))})
}

// monthsText says how long a request asks for: "12 kuukautta" or "kunnes perut sen".
func monthsText(months int, t translator) string {
	if months == 0 {
		return t.T(msgConsentMonthsUntilrevoked)
	}
	return t.Count(msgConsentMonths, months)
}

func (s *Pages) askViewOf(ctx context.Context, a consent.Ask, t translator) askView {
	who := t.T(msgConsentGranteeUnknown)
	if pro, err := s.Directory.Professional(ctx, a.ProfessionalID); err == nil {
		who = s.professionalText(ctx, pro)
	}
	base := "/consents/asks/" + url.PathEscape(a.ID)
	return askView{
		ID: a.ID, Who: who, What: scopeText(a.Scope, nil, t) + windowSuffix(a.Scope.Window, t), Period: monthsText(a.Months, t),
		Reason: a.Reason, Asked: t.moment(a.CreatedAt), ApproveHref: base + "/approve", DeclineAction: base + "/decline",
	}
}

// windowSuffix is the data window as an addition to a scope's words.
func windowSuffix(w record.Window, t translator) string {
	if s := windowText(w, t); s != "" {
		return " (" + s + ")"
	}
	return ""
}
