package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/consent"
	"github.com/omahoito/omahoito/record"
)

// proAskMonths are the periods a professional may ask for; 0 is until revoked.
var proAskMonths = []int{1, 3, 6, 12, 0}

// proDefaultMonths is chosen when the form opens: a grant's default length.
const proDefaultMonths = 12

type proChoice struct {
	ID, Value, Label string
	Checked          bool
}

// proAskForm is the request for consent, below a look-up that found no
// consent. The identity code rides in a hidden field of the POST form.
type proAskForm struct {
	Hetu        string
	What        []proChoice
	WhatError   string
	Kinds       []proChoice
	KindsError  string
	Periods     []proChoice
	PeriodError string
	Reason      formField
	MaxReason   int
}

type proLookupPage struct {
	layout
	Heading string
	Errors  []summaryItem
	Hetu    formField // the look-up field; unused when Ask is shown
	Ask     *proAskForm
}

// proLookupForm is the empty look-up form. The services answer first whether
// the caller may look for patients at all (operators may not).
func (s *Pages) proLookupForm(c *gin.Context, who auth.Principal) error {
	if _, err := s.Records.SearchPatients(c.Request.Context(), who, record.PatientSearch{}); err != nil {
		return err
	}
	s.proRenderLookup(c, http.StatusOK, "", "")
	return nil
}

func (s *Pages) proRenderLookup(c *gin.Context, status int, typed, problem string) {
	page := proLookupPage{layout: s.layout(c, msgProLookupTitle)}
	page.Heading = page.Title
	page.Hetu = formField{ID: "hetu", Label: page.T(msgProLookupHetu), Hint: page.T(msgProLookupHint), Value: typed, Error: problem}
	if problem != "" {
		page.Title = page.T(msgMeasErrorTitle) + ": " + page.Title
		page.Errors = []summaryItem{{Href: "#hetu", Text: problem}}
	}
	s.render(c, status, "pro_lookup", page)
}

// proLookup finds the person with the identity code among those whose
// consent covers the professional. The gate decides for each candidate
// and logs a refusal in that person's register; the page answers the same
// whether or not anyone has the code.
func (s *Pages) proLookup(c *gin.Context, who auth.Principal) error {
	typed := strings.TrimSpace(c.PostForm("hetu"))
	h, problem := s.proReadHetu(c, typed)
	if problem != "" {
		s.proRenderLookup(c, http.StatusUnprocessableEntity, typed, problem)
		return nil
	}
	found, err := s.Records.SearchPatients(c.Request.Context(), who, record.PatientSearch{Hetu: h})
	if err != nil {
		return err
	}
	if len(found) > 0 {
		c.Redirect(http.StatusSeeOther, proPatientHref(found[0].ID))
		return nil
	}
	t := s.proT(c)
	s.proRenderAsk(c, http.StatusOK, proNewAskForm(typed, t), nil)
	return nil
}

// proReadHetu reads the identity code, or says in the page language what is
// wrong with it. The code itself never goes into an error or a log.
func (s *Pages) proReadHetu(c *gin.Context, typed string) (auth.Hetu, string) {
	t := s.proT(c)
	if typed == "" {
		return auth.Hetu{}, t.T(msgProLookupErrorEmpty)
	}
	h, err := auth.ParseHetu(typed)
	if err != nil {
		return auth.Hetu{}, t.T(msgProLookupErrorHetu)
	}
	return h, ""
}

func proNewAskForm(hetu string, t translator) *proAskForm {
	return proFillAskForm(&proAskForm{Hetu: hetu}, "", nil, strconv.Itoa(proDefaultMonths), "", t)
}

// proFillAskForm sets the form's choices as chosen.
func proFillAskForm(f *proAskForm, what string, kinds []string, months, reason string, t translator) *proAskForm {
	f.MaxReason = consent.MaxAskReason
	f.What = []proChoice{
		{ID: "what-all", Value: "all", Label: t.T(msgProAskWhatAll), Checked: what == "all"},
		{ID: "what-kinds", Value: "kinds", Label: t.T(msgProAskWhatKinds), Checked: what == "kinds"},
	}
	f.Kinds = nil
	for _, spec := range record.Specs() {
		k := string(spec.Kind)
		f.Kinds = append(f.Kinds, proChoice{ID: "kind-" + k, Value: k, Label: kindName(spec.Kind, t), Checked: slices.Contains(kinds, k)})
	}
	f.Periods = nil
	for _, m := range proAskMonths {
		label := t.T(msgProAskUntilrevoked)
		if m > 0 {
			label = t.Count(msgProAskMonths, m)
		}
		v := strconv.Itoa(m)
		f.Periods = append(f.Periods, proChoice{ID: "months-" + v, Value: v, Label: label, Checked: months == v})
	}
	f.Reason = formField{ID: "reason", Label: t.T(msgProAskReason), Hint: t.T(msgProAskReasonHint), Value: reason, Error: f.Reason.Error}
	return f
}

func (s *Pages) proRenderAsk(c *gin.Context, status int, f *proAskForm, errs []summaryItem) {
	page := proLookupPage{layout: s.layout(c, msgProLookupNoconsentTitle), Ask: f, Errors: errs}
	page.Heading = page.Title
	if len(errs) > 0 {
		page.Title = page.T(msgMeasErrorTitle) + ": " + page.Title
	}
	s.render(c, status, "pro_lookup", page)
}

// proAskConsent sends a request for consent to the person with the identity
// code. The answer is the same whether or not anyone has it.
func (s *Pages) proAskConsent(c *gin.Context, who auth.Principal) error {
	typed := strings.TrimSpace(c.PostForm("hetu"))
	h, problem := s.proReadHetu(c, typed)
	if problem != "" {
		s.proRenderLookup(c, http.StatusUnprocessableEntity, typed, problem)
		return nil
	}
	t := s.proT(c)
	what, kinds, months, reason := c.PostForm("what"), c.PostFormArray("kinds"), c.PostForm("months"), c.PostForm("reason")
	if what == "" && len(kinds) > 0 {
		what = "kinds" // kinds ticked without the proChoice above them: that is the proChoice
	}
	f := proFillAskForm(&proAskForm{Hetu: typed}, what, kinds, months, reason, t)
	in, ok := proReadAsk(f, what, kinds, months, reason, t)
	if ok {
		err := s.Consents.AskConsentByHetu(c.Request.Context(), who, h, in)
		var re *consent.RuleError
		if err == nil {
			c.Redirect(http.StatusSeeOther, "/pro/asks?sent=1")
			return nil
		}
		if !errors.As(err, &re) {
			return err
		}
		proAskRuleError(f, re, t)
	}
	s.proRenderAsk(c, http.StatusUnprocessableEntity, f, proAskSummary(f))
	return nil
}

// proReadAsk checks the form and marks its errors on f.
func proReadAsk(f *proAskForm, what string, kinds []string, months, reason string, t translator) (consent.AskFor, bool) {
	var in consent.AskFor
	cs := consent.ClassScope{Class: record.ClassMeasurements}
	switch what {
	case "all":
	case "kinds":
		for _, k := range kinds {
			if _, ok := record.SpecOf(record.Kind(k)); ok && !slices.Contains(cs.Items, k) {
				cs.Items = append(cs.Items, k)
			}
		}
		if len(cs.Items) == 0 {
			f.KindsError = t.T(msgProAskErrorKinds)
		}
	default:
		f.WhatError = t.T(msgProAskErrorWhat)
	}
	in.Scope = consent.Scope{Classes: []consent.ClassScope{cs}}
	m, err := strconv.Atoi(months)
	if err != nil || !slices.Contains(proAskMonths, m) {
		f.PeriodError = t.T(msgProAskErrorPeriod)
	}
	in.Months = m
	in.Reason = strings.TrimSpace(reason)
	switch {
	case in.Reason == "":
		f.Reason.Error = t.T(msgProAskErrorReason)
	case utf8.RuneCountInString(in.Reason) > consent.MaxAskReason:
		f.Reason.Error = t.T(msgProAskErrorReasonlong)
	}
	return in, f.WhatError == "" && f.KindsError == "" && f.PeriodError == "" && f.Reason.Error == ""
}

// proAskRuleError shows a rule the service refused beside its field.
func proAskRuleError(f *proAskForm, re *consent.RuleError, t translator) {
	switch re.Field {
	case "months":
		f.PeriodError = t.T(msgProAskErrorPeriod)
	case "reason":
		f.Reason.Error = t.T(msgProAskErrorReason)
	default:
		f.KindsError = t.T(msgProAskErrorKinds)
	}
}

// proAskSummary links each error of the form to its field.
func proAskSummary(f *proAskForm) []summaryItem {
	var out []summaryItem
	if f.WhatError != "" {
		out = append(out, summaryItem{Href: "#what-all", Text: f.WhatError})
	}
	if f.KindsError != "" {
		out = append(out, summaryItem{Href: "#" + f.Kinds[0].ID, Text: f.KindsError})
	}
	if f.PeriodError != "" {
		out = append(out, summaryItem{Href: "#" + f.Periods[0].ID, Text: f.PeriodError})
	}
	if f.Reason.Error != "" {
		out = append(out, summaryItem{Href: "#reason", Text: f.Reason.Error})
	}
	return out
}
