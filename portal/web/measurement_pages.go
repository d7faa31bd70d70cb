package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/internal/locale"
	"github.com/omahoito/omahoito/portal"
	"github.com/omahoito/omahoito/record"
)

// measurementPages registers the citizen's home-measurement pages. Every
// read and write goes through record.Service with the logged-in citizen
// as both the actor and the owner of the record.
func (s *Pages) measurementPages(r *gin.Engine) {
	g := r.Group("/measurements")
	g.GET("", s.citizenPage(s.measurementsOverview))
	g.GET("/new", s.citizenPage(s.newMeasurement))
	g.POST("/new", s.citizenPage(s.addMeasurement)) // also re-renders the form in another language
	g.GET("/k/:kind", s.citizenPage(s.kindPage))
	g.GET("/m/:id/edit", s.citizenPage(s.editMeasurement))
	g.POST("/m/:id/edit", s.citizenPage(s.updateMeasurement)) // also re-renders in another language
	g.GET("/m/:id/delete", s.citizenPage(s.confirmDelete))
	g.POST("/m/:id/delete", s.citizenPage(s.deleteMeasurement))
	g.GET("/m/:id/history", s.citizenPage(s.measurementHistory))
}

// citizenPage serves a page of the logged-in person's own record. It asks
// a visitor who is not logged in to log in; whether the caller may see the
// record is the service's to decide (one gate), never the page's.
func (s *Pages) citizenPage(h func(*gin.Context, auth.Principal) error) gin.HandlerFunc {
	return s.ownPage(measurementError, h)
}

// ownPage serves a page of the logged-in citizen's own (citizenSession),
// with told rewording record's errors in the feature's own words.
func (s *Pages) ownPage(told func(error) error, h func(*gin.Context, auth.Principal) error) gin.HandlerFunc {
	return s.page(func(c *gin.Context) error {
		who, err := citizenSession(c)
		if err != nil {
			return err
		}
		return told(h(c, who))
	})
}

// errNotCitizenSession: a professional's or operator's session on a
// citizen's own page.
var errNotCitizenSession = errors.New("a citizen's own page without a citizen's session")

// citizenSession is the principal of a citizen's own page: a visitor is
// asked to log in (401); a professional's or operator's session is not a
// citizen's (403) — their pages are under /pro/. This chooses the face, as
// proPage does; whose data a request reaches is the services' decision.
func citizenSession(c *gin.Context) (auth.Principal, error) {
	who := principal(c)
	switch {
	case who.IsZero():
		return who, &portal.UserError{Status: http.StatusUnauthorized, MsgID: string(msgErrorUnauthorized), Retry: "/login", Err: portal.ErrUnauthorized}
	case who.Kind != auth.KindCitizen:
		return who, &portal.UserError{Status: http.StatusForbidden, MsgID: string(msgErrorNotcitizen), Retry: "/", Err: errNotCitizenSession}
	}
	return who, nil
}

// measurementError gives two of record's errors the measurement pages'
// own words; the status stays the shell's table's (portal.Classify).
func measurementError(err error) error {
	var ue *portal.UserError
	if err == nil || errors.As(err, &ue) {
		return err
	}
	for target, msg := range map[error]msgID{record.ErrGone: msgMeasErrorGone, record.ErrConflict: msgMeasErrorConflict} {
		if errors.Is(err, target) {
			status, _, _ := portal.Classify(err)
			return &portal.UserError{Status: status, MsgID: string(msg), Err: err}
		}
	}
	return err
}

var errUnknownKind = fmt.Errorf("%w: unknown measurement kind", portal.ErrNoRoute)

func specOf(kind string) (record.Spec, error) {
	spec, ok := record.SpecOf(record.Kind(kind))
	if !ok {
		return record.Spec{}, errUnknownKind
	}
	return spec, nil
}

type kindOption struct {
	Value, Label string
}

type overviewRow struct {
	Name, Href, Latest string
	At                 *timeView
}

type overviewPage struct {
	layout
	Rows  []overviewRow
	Kinds []kindOption
}

// measurementsOverview shows each kind's latest value and offers a new one.
func (s *Pages) measurementsOverview(c *gin.Context, who auth.Principal) error {
	page := overviewPage{layout: s.layout(c, msgMeasOverviewTitle)}
	latest, err := s.Records.Latest(c.Request.Context(), who, who.PersonID)
	if err != nil {
		return err
	}
	byKind := map[record.Kind]record.Measurement{}
	for _, m := range latest {
		byKind[m.Kind] = m
	}
	for _, spec := range record.Specs() {
		name := kindName(spec.Kind, page.translator)
		row := overviewRow{Name: name, Href: kindHref(spec.Kind), Latest: page.T(msgMeasOverviewNone)}
		if m, ok := byKind[spec.Kind]; ok {
			at := page.moment(m.At)
			row.Latest, row.At = valueWithUnit(m, spec, page.translator), &at
		}
		page.Rows = append(page.Rows, row)
		page.Kinds = append(page.Kinds, kindOption{Value: string(spec.Kind), Label: name})
	}
	s.render(c, http.StatusOK, "measurements", page)
	return nil
}

func (s *Pages) newMeasurement(c *gin.Context, _ auth.Principal) error {
	if c.Query("kind") == "" {
		// The language links lead here without the kind: choose it again,
		// on the overview (the shell has already kept the language chosen).
		c.Redirect(http.StatusSeeOther, "/measurements")
		return nil
	}
	spec, err := specOf(c.Query("kind"))
	if err != nil {
		return err
	}
	s.renderNewForm(c, http.StatusOK, spec, defaultValues(time.Now()), nil, "")
	return nil
}

func (s *Pages) renderNewForm(c *gin.Context, status int, spec record.Spec, v formValues, errs fieldErrors, problem string) {
	l := s.layout(c, msgMeasNewTitle)
	page := measurementForm(l, spec, v, errs)
	page.Languages = formLanguages(l, "/measurements/new")
	page.Title = l.T(msgMeasNewHeading, map[string]string{"Kind": kindName(spec.Kind, l.translator)})
	page.Heading, page.Action, page.SubmitLabel = page.Title, "/measurements/new", l.T(msgMeasNewSubmit)
	page.Problem = problem
	if len(errs) > 0 || problem != "" {
		page.Title = l.T(msgMeasErrorTitle) + ": " + page.Title
	}
	s.render(c, status, "measurement_form", page)
}

// addMeasurement records what the form says, or shows it again with the
// reasons it was refused; nothing is stored then.
//
// The form's token makes a repeated send store one measurement. A send
// whose token is already stored with other values (the back button, new
// values typed over the old) is not a repeat: the form comes back with
// those values, a fresh token and a message, so nothing is lost silently.
func (s *Pages) addMeasurement(c *gin.Context, who auth.Principal) error {
	spec, err := specOf(c.PostForm("kind"))
	if err != nil {
		return err
	}
	t := newTranslator(s.i18n, portal.Lang(c.Request.Context()))
	v := postedValues(c)
	if switchingLanguage(c) {
		s.renderNewForm(c, http.StatusOK, spec, v.relang(formLang(c), t.lang), nil, "")
		return nil
	}
	in, errs := v.input(spec, t, time.Now())
	if len(errs) == 0 {
		added, err := s.Records.Record(c.Request.Context(), who, who.PersonID, record.Source{Kind: record.SourceManual}, []record.Input{in})
		switch {
		case err == nil && !added[0].Measurement.Deleted:
			c.Redirect(http.StatusSeeOther, kindHref(spec.Kind)+"?added=1")
			return nil
		case err == nil || errors.Is(err, record.ErrIdentifierReused):
			// The token's measurement has other values, or was deleted since.
			v.Token = newFormToken()
			s.renderNewForm(c, http.StatusConflict, spec, v, nil, t.T(msgMeasErrorResent))
			return nil
		}
		var ok bool
		if errs, ok = ruleError(err, spec, t); !ok {
			return err
		}
	}
	s.renderNewForm(c, http.StatusUnprocessableEntity, spec, v, errs, "")
	return nil
}

// sameReading reports whether stored holds what in says, compared in
// canonical units: 80 kg and 80000 g are the same reading.
func sameReading(stored record.Measurement, in record.Input) bool {
	m, err := record.Normalize(in, time.Now())
	return err == nil && record.SameReading(m, stored)
}

// switchingLanguage reports whether the form was sent with one of its
// language buttons: it is shown again in that language, nothing is saved.
func switchingLanguage(c *gin.Context) bool { return portal.IsLanguage(c.PostForm("relang")) }

// formLang is the language the form's numbers were typed in.
func formLang(c *gin.Context) locale.Lang { return locale.Best(c.PostForm("formlang")) }

// formLanguages are the form's language buttons: each sends the form, as
// typed, back to action in that language (formaction, formnovalidate), so
// nothing typed is lost and no script is needed.
func formLanguages(l layout, action string) []languageLink {
	links := make([]languageLink, 0, len(portal.Languages)-1)
	for _, code := range portal.Languages {
		if code != l.lang.String() {
			links = append(links, languageLink{Code: code, Label: languageLabels[code], Href: action + "?lang=" + code})
		}
	}
	return links
}

func (s *Pages) editMeasurement(c *gin.Context, who auth.Principal) error {
	m, spec, err := s.ownMeasurement(c, who)
	if err != nil {
		return err
	}
	s.renderEditForm(c, http.StatusOK, m, spec, valuesOf(m, locale.Best(portal.Lang(c.Request.Context()))), nil, "")
	return nil
}

// ownMeasurement loads the citizen's current measurement named in the path.
func (s *Pages) ownMeasurement(c *gin.Context, who auth.Principal) (record.Measurement, record.Spec, error) {
	m, err := s.Records.Get(c.Request.Context(), who, who.PersonID, c.Param("id"))
	if err != nil {
		return m, record.Spec{}, err
	}
	spec, err := specOf(string(m.Kind))
	return m, spec, err
}

func (s *Pages) renderEditForm(c *gin.Context, status int, m record.Measurement, spec record.Spec, v formValues, errs fieldErrors, problem string) {
	l := s.layout(c, msgMeasEditTitle)
	page := measurementForm(l, spec, v, errs)
	page.Languages = formLanguages(l, measurementHref(m.ID, "edit"))
	page.Title = l.T(msgMeasEditHeading, map[string]string{"Kind": kindName(spec.Kind, l.translator)})
	page.Heading, page.SubmitLabel = page.Title, l.T(msgMeasEditSubmit)
	page.Action, page.Version, page.Token, page.Problem = measurementHref(m.ID, "edit"), m.Version, "", problem
	if len(errs) > 0 || problem != "" {
		page.Title = l.T(msgMeasErrorTitle) + ": " + page.Title
	}
	s.render(c, status, "measurement_form", page)
}

// updateMeasurement stores a correction as a new version, in one service
// call (one gate decision): the stored kind decides how the form is read.
// A change made elsewhere since the form was loaded wins: the form shows
// it and asks for the correction again.
func (s *Pages) updateMeasurement(c *gin.Context, who auth.Principal) error {
	version, err := strconv.Atoi(c.PostForm("version"))
	if err != nil || version < 1 {
		return fmt.Errorf("%w: version %q", portal.ErrBadRequest, c.PostForm("version"))
	}
	t := newTranslator(s.i18n, portal.Lang(c.Request.Context()))
	v := postedValues(c)
	v.Token = ""
	if switchingLanguage(c) {
		m, spec, err := s.ownMeasurement(c, who)
		if err != nil {
			return err
		}
		m.Version = version
		s.renderEditForm(c, http.StatusOK, m, spec, v.relang(formLang(c), t.lang), nil, "")
		return nil
	}
	var errs fieldErrors
	var in record.Input
	_, cur, err := s.Records.Correct(c.Request.Context(), who, who.PersonID, c.Param("id"), version,
		func(cur record.Measurement) (record.Input, error) {
			spec, err := specOf(string(cur.Kind))
			if err != nil {
				return record.Input{}, err
			}
			if in, errs = v.input(spec, t, time.Now()); len(errs) > 0 {
				return record.Input{}, errFormRefused
			}
			return in, nil
		})
	spec, _ := specOf(string(cur.Kind))
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, kindHref(spec.Kind)+"?updated=1")
		return nil
	case errors.Is(err, record.ErrConflict):
		in, _ = v.input(spec, t, time.Now()) // the form as read for the current kind: is it this very correction?
		return s.conflictingUpdate(c, who, cur, in, version, spec, t)
	case errors.Is(err, errFormRefused):
	default:
		var ok bool
		if errs, ok = ruleError(err, spec, t); !ok {
			return err
		}
	}
	cur.Version = version
	s.renderEditForm(c, http.StatusUnprocessableEntity, cur, spec, v, errs, "")
	return nil
}

// errFormRefused: the form did not pass its own checks; nothing was stored.
var errFormRefused = errors.New("the form has errors")

// conflictingUpdate answers a correction made against an older version.
// When the current version is this very correction, entered by this
// citizen (a double click on the button), the correction is done.
// Otherwise the change made elsewhere wins: the form shows it and asks
// for the correction again.
func (s *Pages) conflictingUpdate(c *gin.Context, who auth.Principal, cur record.Measurement, in record.Input, version int, spec record.Spec, t translator) error {
	if cur.Version > version && cur.EnteredBy.Is(who) && sameReading(cur, in) {
		c.Redirect(http.StatusSeeOther, kindHref(spec.Kind)+"?updated=1")
		return nil
	}
	s.renderEditForm(c, http.StatusConflict, cur, spec, valuesOf(cur, t.lang), nil, t.T(msgMeasErrorConflict))
	return nil
}

type deletePage struct {
	layout
	Question   string
	Action     string
	Version    int
	CancelHref string
}

func (s *Pages) confirmDelete(c *gin.Context, who auth.Principal) error {
	m, spec, err := s.ownMeasurement(c, who)
	if err != nil {
		return err
	}
	page := deletePage{layout: s.layout(c, msgMeasDeleteTitle), Action: measurementHref(m.ID, "delete"),
		Version: m.Version, CancelHref: kindHref(m.Kind)}
	page.Question = page.T(msgMeasDeleteQuestion, map[string]string{
		"Kind": kindName(m.Kind, page.translator), "Value": valueWithUnit(m, spec, page.translator),
		"Time": page.lang.FormatDateTime(m.At),
	})
	s.render(c, http.StatusOK, "measurement_delete", page)
	return nil
}

func (s *Pages) deleteMeasurement(c *gin.Context, who auth.Principal) error {
	version, err := strconv.Atoi(c.PostForm("version"))
	if err != nil || version < 1 {
		return fmt.Errorf("%w: version %q", portal.ErrBadRequest, c.PostForm("version"))
	}
	m, err := s.Records.Delete(c.Request.Context(), who, who.PersonID, c.Param("id"), version)
	if errors.Is(err, record.ErrGone) {
		err = nil // deleted already, by a first click on the button: that is done
	}
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, kindHref(m.Kind)+"?"+url.Values{"deleted": {"1"}, "m": {m.ID}}.Encode())
	return nil
}

type historyRow struct {
	Version   int
	Changed   timeView
	At        timeView
	Value     string
	Entered   string // the value as typed or sent, when in another unit
	Note      string
	EnteredBy string // who wrote this version
	Source    string // typed by hand, or the app or device that sent it
	Status    string
	Deleted   bool
}

type historyPage struct {
	layout
	Heading  string
	Caption  string
	Rows     []historyRow
	KindHref string
	KindName string
	EditHref string // empty when the measurement is deleted
}

// measurementHistory lists every version of a measurement, newest first,
// so the citizen sees what they changed and what they deleted.
func (s *Pages) measurementHistory(c *gin.Context, who auth.Principal) error {
	versions, err := s.Records.History(c.Request.Context(), who, who.PersonID, c.Param("id"))
	if err != nil {
		return err
	}
	if len(versions) == 0 {
		return fmt.Errorf("measurement %s: %w", c.Param("id"), record.ErrNotFound)
	}
	spec, err := specOf(string(versions[0].Kind))
	if err != nil {
		return err
	}
	page := historyPage{layout: s.layout(c, msgMeasHistoryTitle), KindHref: kindHref(spec.Kind)}
	page.KindName = kindName(spec.Kind, page.translator)
	page.Heading = page.T(msgMeasHistoryHeading, map[string]string{"Kind": page.KindName})
	page.Caption = page.T(msgMeasHistoryCaption, map[string]string{"Kind": page.KindName})
	if !versions[0].Deleted {
		page.EditHref = measurementHref(versions[0].ID, "edit")
	}
	for i, m := range versions {
		page.Rows = append(page.Rows, historyRow{
			Version: m.Version, Changed: page.moment(m.Updated), At: page.moment(m.At),
			Value: valueWithUnit(m, spec, page.translator), Entered: enteredText(m, spec, page.translator),
			Note: m.Note, Deleted: m.Deleted,
			EnteredBy: enteredByText(m, who, page.translator), Source: sourceText(m.Source, page.translator),
			Status: page.T(versionStatus(i, m)),
		})
	}
	s.render(c, http.StatusOK, "measurement_history", page)
	return nil
}

// enteredByText names who wrote a version, as the citizen reads it.
func enteredByText(m record.Measurement, who auth.Principal, t translator) string {
	switch {
	case m.EnteredBy.Is(who):
		return t.T(msgMeasEnteredbyYou)
	case m.EnteredBy.Kind == record.ActorProfessional:
		return t.T(msgMeasEnteredbyProfessional)
	}
	return t.T(msgMeasEnteredbyOther)
}

// sourceText says where a measurement came from: typed on the page, or
// the app or device (API client) that sent it.
func sourceText(src record.Source, t translator) string {
	switch {
	case src.Kind == record.SourceManual:
		return t.T(msgMeasSourceManual)
	case src.Client == "" || src.Client == record.SessionClient:
		return t.T(msgMeasSourceApp, map[string]string{"Client": t.T(msgMeasSourcePortalapi)})
	}
	return t.T(msgMeasSourceApp, map[string]string{"Client": src.Client})
}

func versionStatus(i int, m record.Measurement) msgID {
	switch {
	case m.Deleted:
		return msgMeasHistoryDeleted
	case i == 0:
		return msgMeasHistoryCurrent
	}
	return msgMeasHistoryEarlier
}

// withQuery appends q to path when it has any values.
func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}
