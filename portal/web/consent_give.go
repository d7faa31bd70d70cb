package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/internal/locale"
	"github.com/omahoito/omahoito/record"
)

// Field names of the give form; the error summary links to the first
// input of each (a radio group: its first radio).
const (
	giveGrantee  = "grantee"
	giveWhat     = "what"
	giveKind     = "kind"
	giveDataFrom = "datafrom"
	giveDataTo   = "datato"
	givePeriod   = "period"
	giveStart    = "start"
)

var giveFieldOrder = []string{giveGrantee, giveWhat, giveFiles, giveDataFrom, giveDataTo, givePeriod, giveStart}

// periodMonths are the periods offered; 0 is until revoked.
var periodMonths = []int{1, 3, 6, 12, 0}

const defaultPeriod = "12"

// giveValues is the give form as sent, kept as text so that a refused
// form, and the confirmation's hidden fields, carry it exactly.
type giveValues struct {
	Grantee, What, Files, DataFrom, DataTo, Period, Start string
	Kinds, FileIDs                                        []string
}

func postedGive(c *gin.Context) giveValues {
	return giveValues{
		Grantee: c.PostForm(giveGrantee), What: c.PostForm(giveWhat), Kinds: c.PostFormArray(giveKind),
		Files: c.PostForm(giveFiles), FileIDs: c.PostFormArray(giveFile),
		DataFrom: c.PostForm(giveDataFrom), DataTo: c.PostForm(giveDataTo), Period: c.PostForm(givePeriod), Start: c.PostForm(giveStart),
	}
}

// give reads the form into what GiveConsent takes, or says what is wrong
// with it, every field at once. The rules of a grant are consent's
// (ValidateGrant); the form reads dates and choices.
func (v giveValues) give(t translator, now time.Time) (consent.Give, fieldErrors) {
	errs := fieldErrors{}
	var in consent.Give
	kind, id, ok := strings.Cut(v.Grantee, ":")
	in.Grantee = consent.Grantee{Kind: consent.GranteeKind(kind), ID: id}
	if !ok || id == "" || (in.Grantee.Kind != consent.GranteeUnit && in.Grantee.Kind != consent.GranteeProfessional) {
		errs[giveGrantee] = t.T(msgConsentErrorGrantee)
	}
	cs := consent.ClassScope{Class: record.ClassMeasurements}
	switch v.What {
	case "all":
		in.Scope.Classes = append(in.Scope.Classes, cs)
	case "chosen":
		cs.Items = v.Kinds
		if len(v.Kinds) == 0 {
			errs[giveWhat] = t.T(msgConsentErrorNokind)
		}
		in.Scope.Classes = append(in.Scope.Classes, cs)
	case "none":
	default:
		errs[giveWhat] = t.T(msgConsentErrorWhat)
	}
	if fs := v.filesScope(t, errs); fs != nil {
		in.Scope.Classes = append(in.Scope.Classes, *fs)
	}
	if len(in.Scope.Classes) == 0 && errs[giveWhat] == "" && errs[giveFiles] == "" {
		errs[giveWhat] = t.T(msgConsentErrorNothing) // consent's rule too; said here in the form's words
	}
	in.Scope.Window.From = readDay(v.DataFrom, giveDataFrom, t, errs)
	if to := readDay(v.DataTo, giveDataTo, t, errs); !to.IsZero() {
		in.Scope.Window.To = to.AddDate(0, 0, 1) // the day chosen is the last one covered
	}
	months, err := strconv.Atoi(v.Period)
	if err != nil || !slices.Contains(periodMonths, months) {
		errs[givePeriod] = t.T(msgConsentErrorPeriod)
	}
	if start := readDay(v.Start, giveStart, t, errs); !start.IsZero() {
		today, _ := locale.ParseDate(now.In(locale.Helsinki).Format("2006-01-02"))
		switch {
		case start.Before(today):
			errs[giveStart] = t.T(msgConsentErrorStart)
		case start.After(now):
			in.Start = start // a later day starts at its midnight; today is now
		}
	}
	in.UntilRevoked = months == 0
	if months > 0 {
		begin := in.Start
		if begin.IsZero() {
			begin = now
		}
		in.End = begin.AddDate(0, months, 0)
	}
	if len(errs) == 0 {
		for f, msg := range grantRuleErrors(in, now, t) {
			errs[f] = msg
		}
	}
	return in, errs
}

// readDay reads an optional date in Helsinki; "" is the zero time.
func readDay(s, field string, t translator, errs fieldErrors) time.Time {
	if strings.TrimSpace(s) == "" {
		return time.Time{}
	}
	d, err := locale.ParseDate(s)
	if err != nil {
		errs[field] = t.T(msgConsentErrorDate)
		return time.Time{}
	}
	return d
}

// grantRuleErrors checks consent's rules of a grant on what the form
// says, before anything is shown as ready to confirm.
func grantRuleErrors(in consent.Give, now time.Time, t translator) fieldErrors {
	g := consent.Grant{ID: "-", PersonID: "-", Region: "-", Grantee: in.Grantee, Scope: in.Scope,
		Start: in.Start, End: in.End, Purpose: consent.PurposeTreatment}
	if g.Start.IsZero() {
		g.Start = now
	}
	errs, _ := ruleFieldErrors(consent.ValidateGrant(g, now), t)
	return errs
}

// ruleFields maps consent's rule fields to the form's.
var ruleFields = map[string]struct {
	field string
	msg   msgID
}{
	"grantee": {giveGrantee, msgConsentErrorGrantee},
	"scope":   {giveWhat, msgConsentErrorWhat},
	"window":  {giveDataTo, msgConsentErrorWindow},
	"start":   {giveStart, msgConsentErrorStart},
	"end":     {givePeriod, msgConsentErrorPeriod},
}

// ruleFieldErrors turns consent's refusal into a message at the field it
// names; ok is false for an error that is not a rule.
func ruleFieldErrors(err error, t translator) (fieldErrors, bool) {
	var re *consent.RuleError
	if !errors.As(err, &re) {
		return nil, false
	}
	if f, ok := ruleFields[re.Field]; ok {
		return fieldErrors{f.field: t.T(f.msg)}, true
	}
	return fieldErrors{giveWhat: t.T(msgConsentErrorWhat)}, true
}

// choice is one radio or checkbox.
type choice struct {
	Name, ID, Value, Label, Hint string
	Checked                      bool
}

// giveFormPage is step 1: whom, what, for how long.
type giveFormPage struct {
	layout
	Name                 string // the professionals' name filter
	Units, Professionals []choice
	What                 []choice
	Kinds                []choice
	Files, FileBoxes     []choice // the files radios; a checkbox for each of the citizen's files
	Periods              []choice
	DataFrom, DataTo     formField
	Start                formField
	GranteeError         string
	WhatError            string
	FilesError           string
	PeriodError          string
	Errors               []summaryItem
	Values               giveValues
}

func (s *Pages) giveForm(c *gin.Context, who auth.Principal) error {
	if _, err := s.Consents.Consents(c.Request.Context(), who, who.PersonID); err != nil {
		return err // the service says whether this caller has consents to give
	}
	return s.renderGiveForm(c, who, http.StatusOK, giveValues{What: "all", Files: filesNone, Period: defaultPeriod}, nil)
}

func (s *Pages) renderGiveForm(c *gin.Context, who auth.Principal, status int, v giveValues, errs fieldErrors) error {
	l := s.layout(c, msgConsentGiveTitle)
	page := giveFormPage{layout: l, Name: strings.TrimSpace(c.Query("name")), Values: v}
	if err := s.granteeChoices(c.Request.Context(), who, &page); err != nil {
		return err
	}
	files, err := s.ownFiles(c.Request.Context(), who)
	if err != nil {
		return err
	}
	page.What = []choice{
		{Name: giveWhat, ID: "what-all", Value: "all", Label: l.T(msgConsentWhatAll), Checked: v.What == "all"},
		{Name: giveWhat, ID: "what-chosen", Value: "chosen", Label: l.T(msgConsentWhatChosen), Checked: v.What == "chosen"},
		{Name: giveWhat, ID: "what-none", Value: "none", Label: l.T(msgConsentWhatNone), Checked: v.What == "none"},
	}
	page.Files, page.FileBoxes = fileChoices(files, v, l.translator)
	for _, spec := range record.Specs() {
		page.Kinds = append(page.Kinds, choice{Name: giveKind, ID: "kind-" + string(spec.Kind), Value: string(spec.Kind),
			Label: kindName(spec.Kind, l.translator), Checked: slices.Contains(v.Kinds, string(spec.Kind))})
	}
	for _, m := range periodMonths {
		label := monthsText(m, l.translator)
		page.Periods = append(page.Periods, choice{Name: givePeriod, ID: "period-" + strconv.Itoa(m), Value: strconv.Itoa(m), Label: label, Checked: v.Period == strconv.Itoa(m)})
	}
	page.DataFrom = formField{ID: giveDataFrom, Label: l.T(msgConsentFieldDatafrom), Value: v.DataFrom, Error: errs[giveDataFrom]}
	page.DataTo = formField{ID: giveDataTo, Label: l.T(msgConsentFieldDatato), Value: v.DataTo, Error: errs[giveDataTo]}
	page.Start = formField{ID: giveStart, Label: l.T(msgConsentFieldStart), Hint: l.T(msgConsentHintStart), Value: v.Start, Error: errs[giveStart]}
	page.GranteeError, page.WhatError, page.FilesError, page.PeriodError = errs[giveGrantee], errs[giveWhat], errs[giveFiles], errs[givePeriod]
	page.Errors = giveSummary(page, errs)
	if len(errs) > 0 {
		page.Title = l.T(msgConsentErrorTitle) + ": " + page.Title
	}
	s.render(c, status, "consent_give", page)
	return nil
}

// granteeChoices lists the care units and professionals of the citizen's
// home region; operators are never offered (they never see records).
func (s *Pages) granteeChoices(ctx context.Context, who auth.Principal, page *giveFormPage) error {
	units, err := s.Directory.SearchCareUnits(ctx, who.RegionID, "", "")
	if err != nil {
		return err
	}
	for _, u := range units {
		v := string(consent.GranteeUnit) + ":" + u.ID
		page.Units = append(page.Units, choice{Name: giveGrantee, ID: "grantee-unit-" + u.ID, Value: v, Label: u.Name, Checked: page.Values.Grantee == v})
	}
	pros, err := s.Directory.SearchProfessionals(ctx, who.RegionID, "", page.Name)
	if err != nil {
		return err
	}
	unitNames := map[string]string{}
	for _, u := range units {
		unitNames[u.ID] = u.Name
	}
	for _, p := range pros {
		if p.Role != auth.RoleProfessional {
			continue
		}
		v := string(consent.GranteeProfessional) + ":" + p.ID
		page.Professionals = append(page.Professionals, choice{Name: giveGrantee, ID: "grantee-pro-" + p.ID, Value: v,
			Label: fullName(p.GivenName, p.FamilyName), Hint: strings.Join(nonEmpty(p.Title, unitNames[p.CareUnitID]), ", "),
			Checked: page.Values.Grantee == v})
	}
	return nil
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// giveSummary lists the errors in form order, each linking to its field.
func giveSummary(p giveFormPage, errs fieldErrors) []summaryItem {
	labels := map[string]string{
		giveGrantee: p.T(msgConsentLegendWho), giveWhat: p.T(msgConsentLegendWhat), giveFiles: p.T(msgConsentLegendFiles),
		givePeriod:   p.T(msgConsentLegendPeriod),
		giveDataFrom: p.DataFrom.Label, giveDataTo: p.DataTo.Label, giveStart: p.Start.Label,
	}
	targets := map[string]string{giveGrantee: firstID(p.Units, p.Professionals), giveWhat: "what-all", giveFiles: "files-none", givePeriod: "period-12",
		giveDataFrom: giveDataFrom, giveDataTo: giveDataTo, giveStart: giveStart}
	var items []summaryItem
	for _, f := range giveFieldOrder {
		if msg := errs[f]; msg != "" {
			items = append(items, summaryItem{Href: "#" + targets[f], Text: labels[f] + ": " + msg})
		}
	}
	return items
}

func firstID(lists ...[]choice) string {
	for _, l := range lists {
		if len(l) > 0 {
			return l[0].ID
		}
	}
	return "grantee-fieldset"
}

// giveCheck reads the form and shows the confirmation, or the form again
// with its errors (422). Nothing is stored here. "Change" on the
// confirmation comes back here to show the form as it was.
func (s *Pages) giveCheck(c *gin.Context, who auth.Principal) error {
	v := postedGive(c)
	if c.PostForm("change") != "" {
		return s.renderGiveForm(c, who, http.StatusOK, v, nil)
	}
	t := s.layout(c, msgConsentConfirmTitle).translator
	now := time.Now()
	in, errs := v.give(t, now)
	titles, err := s.ownFileTitles(c.Request.Context(), who)
	if err != nil {
		return err
	}
	var grantee string
	if len(errs) == 0 {
		errs = unknownFiles(in, titles, t)
	}
	if len(errs) == 0 {
		grantee, errs = s.offeredGrantee(c.Request.Context(), who, in.Grantee, t)
	}
	if len(errs) > 0 {
		return s.renderGiveForm(c, who, http.StatusUnprocessableEntity, v, errs)
	}
	s.renderConfirm(c, confirmOf(s.layout(c, msgConsentConfirmTitle), grantee, in, titles, now), v)
	return nil
}

// offeredGrantee names the grantee chosen if the form offered it: of the
// citizen's home region, and a professional rather than an operator. The
// consent service checks the same when the grant is stored.
func (s *Pages) offeredGrantee(ctx context.Context, who auth.Principal, g consent.Grantee, t translator) (string, fieldErrors) {
	refused := fieldErrors{giveGrantee: t.T(msgConsentErrorGrantee)}
	switch g.Kind {
	case consent.GranteeUnit:
		u, err := s.Directory.CareUnit(ctx, g.ID)
		if err != nil || u.RegionID != who.RegionID {
			return "", refused
		}
		return u.Name, nil
	case consent.GranteeProfessional:
		p, err := s.Directory.Professional(ctx, g.ID)
		if err != nil || p.RegionID != who.RegionID || p.Role != auth.RoleProfessional {
			return "", refused
		}
		return s.professionalText(ctx, p), nil
	}
	return "", refused
}

// giveConfirm stores the consent confirmed and goes to the list. The
// form is read and checked again: what the page showed is what is stored.
func (s *Pages) giveConfirm(c *gin.Context, who auth.Principal) error {
	ctx := c.Request.Context()
	v := postedGive(c)
	t := s.layout(c, msgConsentGiveTitle).translator
	now := time.Now()
	in, errs := v.give(t, now)
	if len(errs) == 0 {
		titles, err := s.ownFileTitles(ctx, who)
		if err != nil {
			return err
		}
		errs = unknownFiles(in, titles, t)
	}
	if len(errs) > 0 {
		return s.renderGiveForm(c, who, http.StatusUnprocessableEntity, v, errs)
	}
	if s.givenJustNow(ctx, who, in, now) {
		c.Redirect(http.StatusSeeOther, "/consents?given=1") // the Confirm button sent twice: stored once
		return nil
	}
	_, err := s.Consents.GiveConsent(ctx, who, who.PersonID, in)
	if fe, ok := ruleFieldErrors(err, t); ok {
		return s.renderGiveForm(c, who, http.StatusUnprocessableEntity, v, fe)
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/consents?given=1")
	return nil
}

// resendWindow is how long after a grant the same grant confirmed again
// is taken for the same click sent twice (a double click, a reload).
const resendWindow = 2 * time.Minute

// givenJustNow reports whether the citizen gave this very consent a
// moment ago and it is still active.
func (s *Pages) givenJustNow(ctx context.Context, who auth.Principal, in consent.Give, now time.Time) bool {
	grants, err := s.Consents.Consents(ctx, who, who.PersonID)
	if err != nil {
		return false // the service will answer the same to GiveConsent
	}
	for _, g := range grants {
		if g.Status == consent.StatusActive && g.Grantee == in.Grantee && now.Sub(g.CreatedAt) < resendWindow &&
			sameScope(g.Scope, in.Scope) && samePeriod(g, in, now) {
			return true
		}
	}
	return false
}

// samePeriod reports whether g has the period in asks for: the same later
// start, or a start of now (a moment ago); and the same end, which for a
// start of now moved on with the clock.
func samePeriod(g consent.Grant, in consent.Give, now time.Time) bool {
	near := func(a, b time.Time) bool { return a.Sub(b).Abs() < resendWindow }
	start := in.Start
	if start.IsZero() {
		start = now
	}
	if !near(g.Start, start) || g.End.IsZero() != in.UntilRevoked {
		return false
	}
	return in.UntilRevoked || near(g.End, in.End)
}

func sameScope(a, b consent.Scope) bool {
	return a.Window.From.Equal(b.Window.From) && a.Window.To.Equal(b.Window.To) &&
		slices.EqualFunc(a.Classes, b.Classes, func(x, y consent.ClassScope) bool {
			return x.Class == y.Class && slices.Equal(x.Items, y.Items)
		})
}
