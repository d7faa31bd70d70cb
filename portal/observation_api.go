package portal

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/fhir"
	"github.com/omahoito/omahoito/record"
)

// Body limits: one resource, and a transaction Bundle of many.
const (
	maxResourceBytes = 1 << 20
	maxBundleBytes   = 10 << 20
)

var (
	errTooLarge         = errors.New("request body too large")
	errPrecondition     = errors.New("If-Match does not name the current version")
	errUnsupportedMedia = errors.New("unsupported content type")
	// errDeletedIdentifier: re-sending a reading the citizen deleted must not bring it back.
	errDeletedIdentifier = errors.New("the measurement with this identifier was deleted; it is not stored again")
)

func (s *Server) observationRoutes(api *gin.RouterGroup) {
	api.POST("", s.page(s.transaction))
	api.POST("/Observation", s.page(s.createObservation))
	api.GET("/Observation", s.page(s.searchObservations))
	api.GET("/Observation/:id", s.page(s.readObservation))
	api.PUT("/Observation/:id", s.page(s.updateObservation))
	api.DELETE("/Observation/:id", s.page(s.deleteObservation))
	api.GET("/Observation/:id/_history", s.page(s.observationHistory))
	api.GET("/Observation/:id/_history/:vid", s.page(s.observationVersion))
}

// recordOwner is whose record the caller works on: a citizen their own.
// Professionals reach records only through consents, which come later.
func recordOwner(c *gin.Context) (auth.Principal, string, error) {
	who := principal(c)
	if who.Kind != auth.KindCitizen {
		return who, "", fmt.Errorf("%w: only citizens have a record of their own", errForbidden)
	}
	return who, who.PersonID, nil
}

// readBody reads at most limit bytes; more is 413 and nothing is stored.
func readBody(c *gin.Context, limit int64) ([]byte, error) {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		media, _, err := mime.ParseMediaType(ct)
		if err != nil || (media != fhir.ContentType && media != "application/json") {
			return nil, fmt.Errorf("%w: %q; send application/fhir+json", errUnsupportedMedia, ct)
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, limit))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, fmt.Errorf("%w: the limit is %d bytes", errTooLarge, limit)
	}
	return body, err
}

// parseError marks a body that is not a valid resource: 400, not 422.
type parseError struct{ err error }

func (e *parseError) Error() string { return e.err.Error() }
func (e *parseError) Unwrap() error { return e.err }

// checkSubject refuses a resource about someone other than the caller.
func checkSubject(subject, personID, field string) error {
	if subject == "" || subject == "Patient/"+personID {
		return nil
	}
	return &record.FieldError{Field: field, Msg: "the subject must be the logged-in person (Patient/" + personID + ")"}
}

// apiSource is where a measurement sent through the API came from: the
// app or device whose bearer token authorised the call, or the portal's
// own pages for a session-authorised call.
func apiSource(who auth.Principal) record.Source {
	if who.Client != "" {
		return record.Source{Kind: record.SourceDevice, Client: who.Client}
	}
	return record.Source{Kind: record.SourceDevice, Client: sessionClient}
}

// sessionClient is the client named as the source of measurements sent to
// the API with the portal's own session rather than an app's token.
const sessionClient = "portal-session"

// observationBody reads and parses one Observation about the caller.
func observationBody(c *gin.Context, personID string) (fhir.ParsedObservation, error) {
	body, err := readBody(c, maxResourceBytes)
	if err != nil {
		return fhir.ParsedObservation{}, err
	}
	parsed, err := fhir.ParseObservation(body)
	if err != nil {
		return parsed, &parseError{err}
	}
	return parsed, checkSubject(parsed.Subject, personID, "Observation.subject")
}

func (s *Server) createObservation(c *gin.Context) error {
	who, personID, err := recordOwner(c)
	if err != nil {
		return err
	}
	parsed, err := observationBody(c, personID)
	if err != nil {
		return err
	}
	added, err := s.Records.Record(c.Request.Context(), who, personID, apiSource(who), []record.Input{parsed.Input})
	if err != nil {
		return unwrapEntry(err)
	}
	status := http.StatusCreated
	if !added[0].Created {
		status = http.StatusOK
	}
	if added[0].Measurement.Deleted {
		return fmt.Errorf("%w: %w", errDeletedIdentifier, record.ErrConflict)
	}
	s.renderObservation(c, status, added[0].Measurement)
	return nil
}

// unwrapEntry turns a single-entry EntryError back into its cause.
func unwrapEntry(err error) error {
	var ee *record.EntryError
	if errors.As(err, &ee) {
		return ee.Err
	}
	return err
}

func (s *Server) renderObservation(c *gin.Context, status int, m record.Measurement) {
	v := strconv.Itoa(m.Version)
	c.Header("ETag", `W/"`+v+`"`)
	c.Header("Last-Modified", m.Updated.UTC().Format(http.TimeFormat))
	if status == http.StatusCreated {
		c.Header("Location", s.apiBase()+"/Observation/"+m.ID+"/_history/"+v)
	}
	s.renderFHIR(c, status, fhir.Observation(m))
}

func (s *Server) readObservation(c *gin.Context) error {
	who, personID, err := recordOwner(c)
	if err != nil {
		return err
	}
	m, err := s.Records.Get(c.Request.Context(), who, personID, c.Param("id"))
	if err != nil {
		return err
	}
	s.renderObservation(c, http.StatusOK, m)
	return nil
}

// ifMatch reads If-Match: W/"3" or "3"; 0 when absent.
func ifMatch(c *gin.Context) (int, error) {
	h := strings.TrimSpace(c.GetHeader("If-Match"))
	if h == "" {
		return 0, nil
	}
	v, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(h, "W/"), `"`))
	if err != nil || v < 1 {
		return 0, fmt.Errorf("%w: If-Match %q is not a version such as W/\"2\"", errBadRequest, h)
	}
	return v, nil
}

func (s *Server) updateObservation(c *gin.Context) error {
	who, personID, err := recordOwner(c)
	if err != nil {
		return err
	}
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	parsed, err := observationBody(c, personID)
	if err != nil {
		return err
	}
	if parsed.ID != c.Param("id") {
		return &parseError{&record.FieldError{Field: "Observation.id", Msg: "the id in the body must equal the id in the URL"}}
	}
	m, err := s.Records.Update(c.Request.Context(), who, personID, c.Param("id"), parsed.Input, version)
	if err != nil {
		return preconditionIf(version, err)
	}
	s.renderObservation(c, http.StatusOK, m)
	return nil
}

// preconditionIf reports a version conflict as 412 when the client named a
// version (If-Match), as FHIR asks; without one it stays 409.
func preconditionIf(version int, err error) error {
	if version != 0 && errors.Is(err, record.ErrConflict) {
		return fmt.Errorf("%w: %w", errPrecondition, err)
	}
	return err
}

func (s *Server) deleteObservation(c *gin.Context) error {
	who, personID, err := recordOwner(c)
	if err != nil {
		return err
	}
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	if _, err := s.Records.Delete(c.Request.Context(), who, personID, c.Param("id"), version); err != nil {
		return preconditionIf(version, err)
	}
	c.Status(http.StatusNoContent)
	return nil
}

// versions loads every version of the Observation in the URL, for its owner.
func (s *Server) versions(c *gin.Context) ([]record.Measurement, error) {
	who, personID, err := recordOwner(c)
	if err != nil {
		return nil, err
	}
	return s.Records.History(c.Request.Context(), who, personID, c.Param("id"))
}

func (s *Server) observationHistory(c *gin.Context) error {
	versions, err := s.versions(c)
	if err != nil {
		return err
	}
	s.renderFHIR(c, http.StatusOK, fhir.History(s.apiBase(), versions))
	return nil
}

func (s *Server) observationVersion(c *gin.Context) error {
	versions, err := s.versions(c)
	if err != nil {
		return err
	}
	for _, m := range versions {
		if strconv.Itoa(m.Version) != c.Param("vid") {
			continue
		}
		if m.Deleted {
			return fmt.Errorf("version %d of Observation/%s: %w", m.Version, m.ID, record.ErrGone)
		}
		s.renderObservation(c, http.StatusOK, m)
		return nil
	}
	return fmt.Errorf("version %s: %w", c.Param("vid"), record.ErrNotFound)
}

// transaction stores a transaction Bundle of Observations: all or nothing.
func (s *Server) transaction(c *gin.Context) error {
	who, personID, err := recordOwner(c)
	if err != nil {
		return err
	}
	body, err := readBody(c, maxBundleBytes)
	if err != nil {
		return err
	}
	entries, err := fhir.ParseTransaction(body)
	if err != nil {
		return &parseError{err}
	}
	inputs := make([]record.Input, len(entries))
	for i, e := range entries {
		field := fmt.Sprintf("Bundle.entry[%d].resource.subject", i)
		if err := checkSubject(e.Observation.Subject, personID, field); err != nil {
			return err
		}
		inputs[i] = e.Observation.Input
	}
	added, err := s.Records.Record(c.Request.Context(), who, personID, apiSource(who), inputs)
	if err != nil {
		return entryPath(err)
	}
	s.renderFHIR(c, http.StatusOK, fhir.TransactionResponse(added))
	return nil
}

// entryPath rewrites a rule violation in entry i to point into the Bundle.
func entryPath(err error) error {
	var ee *record.EntryError
	var fe *record.FieldError
	if !errors.As(err, &ee) || !errors.As(ee.Err, &fe) {
		return err
	}
	prefix := fmt.Sprintf("Bundle.entry[%d].resource", ee.Index)
	return &record.FieldError{Field: prefix + strings.TrimPrefix(fe.Field, "Observation"), Msg: fe.Msg}
}

// searchObservations: patient, code, date (ge, gt, le, lt, eq), _count,
// _sort (date or -date) and _cursor, the opaque keyset position of next links.
func (s *Server) searchObservations(c *gin.Context) error {
	who, personID, err := recordOwner(c)
	if err != nil {
		return err
	}
	q, err := observationQuery(c.Request.URL.Query(), personID)
	if err != nil {
		return err
	}
	totalOnly := q.Limit == 0 // FHIR's _count=0 asks for the total alone
	if totalOnly {
		q.Limit = 1
	}
	page, err := s.Records.Search(c.Request.Context(), who, q)
	if err != nil {
		return err
	}
	if totalOnly {
		page.Measurements, page.Next = nil, nil
	}
	entries := make([]fhir.Entry, len(page.Measurements))
	for i, m := range page.Measurements {
		entries[i] = fhir.Entry{Type: "Observation", ID: m.ID, Resource: fhir.Observation(m)}
	}
	next := ""
	if page.Next != nil {
		next = s.nextURL(c, page.Next)
	}
	b, err := fhir.SearchPage(s.apiBase(), s.selfURL(c), next, page.Total, entries)
	if err != nil {
		return err
	}
	s.renderFHIR(c, http.StatusOK, b)
	return nil
}

const defaultPageSize = 50

func observationQuery(params url.Values, personID string) (record.Query, error) {
	q := record.Query{PersonID: personID, Limit: defaultPageSize, Desc: true}
	for name, values := range params {
		var err error
		switch name {
		case "patient", "subject":
			err = checkPatientParam(values, personID)
		case "code":
			q.Kinds, err = kindsParam(values)
		case "date":
			err = dateParams(values, &q)
		case "_count":
			q.Limit, err = countParam(values)
		case "_sort":
			q.Desc, err = sortParam(values)
		case "_cursor":
			q.After, err = decodeCursor(values[0])
		default:
			err = fmt.Errorf("%w: unknown search parameter %q (supported: patient, code, date, _count, _sort)", errBadRequest, name)
		}
		if err != nil {
			return q, err
		}
	}
	return q, nil
}

// checkPatientParam: the search is of the caller's own record; naming
// another patient is forbidden whether or not that patient exists.
func checkPatientParam(values []string, personID string) error {
	for _, v := range values {
		if strings.TrimPrefix(v, "Patient/") != personID {
			return fmt.Errorf("%w: no consent covers Patient/%s", errForbidden, strings.TrimPrefix(v, "Patient/"))
		}
	}
	return nil
}

func kindsParam(values []string) ([]record.Kind, error) {
	var kinds []record.Kind
	for _, v := range values {
		for _, tok := range strings.Split(v, ",") {
			system, code, hasSystem := token(tok)
			spec, ok := record.SpecByCode(code)
			if (hasSystem && system != "" && system != "http://loinc.org") || !ok {
				return nil, fmt.Errorf("%w: code %q is not a known measurement (LOINC)", errBadRequest, tok)
			}
			kinds = append(kinds, spec.Kind)
		}
	}
	return kinds, nil
}

func dateParams(values []string, q *record.Query) error {
	for _, v := range values {
		prefix, raw := "eq", v
		if len(v) > 2 && v[0] >= 'a' && v[0] <= 'z' {
			prefix, raw = v[:2], v[2:]
		}
		lo, hi, err := fhirDateRange(raw)
		if err != nil {
			return fmt.Errorf("%w: date %q: %v", errBadRequest, v, err)
		}
		switch prefix {
		case "ge":
			q.From, q.FromOpen = lo, false
		case "gt":
			q.From, q.FromOpen = hi, false
		case "le":
			q.To, q.ToOpen = hi, true
		case "lt":
			q.To, q.ToOpen = lo, true
		case "eq":
			q.From, q.FromOpen, q.To, q.ToOpen = lo, false, hi, true
		default:
			return fmt.Errorf("%w: date prefix %q is not supported (use ge, gt, le, lt, eq)", errBadRequest, prefix)
		}
	}
	return nil
}

// fhirDateRange turns a FHIR date or dateTime of any precision into the
// half-open interval [lo, hi) it denotes: 2026-11-23T08:30:00Z is the whole
// second, 2026-11-23 the whole day. A date without a time zone is taken in
// Finnish time, as people here mean it.
func fhirDateRange(v string) (lo, hi time.Time, err error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), t.Add(secondsPrecision(v)).UTC(), nil
	}
	layouts := []struct {
		layout string
		next   func(time.Time) time.Time
	}{
		{"2006-01-02T15:04Z07:00", func(t time.Time) time.Time { return t.Add(time.Minute) }},
		{time.DateOnly, func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
	}
	for _, l := range layouts {
		t, err := time.ParseInLocation(l.layout, v, helsinki)
		if err == nil {
			return t.UTC(), l.next(t).UTC(), nil
		}
	}
	return lo, hi, errors.New("not a FHIR date or dateTime (e.g. 2026-11-23 or 2026-11-23T08:00:00+02:00)")
}

// secondsPrecision is the width of the instant a dateTime names: a second,
// or 10^-n seconds with n fraction digits, but at least the microsecond
// that the stores keep.
func secondsPrecision(v string) time.Duration {
	width := time.Second
	if dot := strings.IndexByte(v, '.'); dot >= 0 {
		for i := dot + 1; i < len(v) && v[i] >= '0' && v[i] <= '9'; i++ {
			width /= 10
		}
	}
	return max(width, time.Microsecond)
}

func countParam(values []string) (int, error) {
	n, err := strconv.Atoi(values[0])
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w: _count must be a whole number of at least 0", errBadRequest)
	}
	return min(n, record.MaxPageSize), nil
}

func sortParam(values []string) (bool, error) {
	switch values[0] {
	case "-date":
		return true, nil
	case "date":
		return false, nil
	}
	return false, fmt.Errorf("%w: _sort supports date and -date", errBadRequest)
}

func (s *Server) nextURL(c *gin.Context, cur *record.Cursor) string {
	q := c.Request.URL.Query()
	q.Set("_cursor", encodeCursor(cur))
	return s.apiBase() + "/Observation?" + q.Encode()
}
