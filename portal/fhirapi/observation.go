package fhirapi

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/fhir"
	"github.com/omahoito/omahoito/portal"
	"github.com/omahoito/omahoito/record"
)

// Body limits: one resource, and a transaction Bundle of many.
const (
	maxResourceBytes = 1 << 20
	maxBundleBytes   = 10 << 20
)

// errDeletedIdentifier: re-sending a reading the citizen deleted must not bring it back.
var errDeletedIdentifier = errors.New("the measurement with this identifier was deleted; it is not stored again")

func (s *API) observationRoutes(api *gin.RouterGroup) {
	api.POST("", s.handle(s.transaction))
	api.POST("/Observation", s.handle(s.createObservation))
	api.GET("/Observation", s.handle(s.searchObservations))
	api.POST("/Observation/_search", s.handle(s.searchObservations))
	api.GET("/Observation/:id", s.handle(s.readObservation))
	api.PUT("/Observation/:id", s.handle(s.updateObservation))
	api.DELETE("/Observation/:id", s.handle(s.deleteObservation))
	api.GET("/Observation/:id/_history", s.handle(s.observationHistory))
	api.GET("/Observation/:id/_history/:vid", s.handle(s.observationVersion))
}

// whose is the person whose record a request is about: the patient it
// names (a reference "Patient/id" or a bare id), or else the caller's own
// record. It decides nothing: the service asks the gate.
func whose(c *gin.Context, named string) string {
	if named != "" {
		return strings.TrimPrefix(named, "Patient/")
	}
	return principal(c).PersonID
}

// readBody reads at most limit bytes of a FHIR JSON body; more is 413 and
// nothing is stored.
func readBody(c *gin.Context, limit int64) ([]byte, error) {
	if err := fhir.CheckContentType(c.GetHeader("Content-Type")); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, limit))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, fmt.Errorf("%w: the limit is %d bytes", portal.ErrTooLarge, limit)
	}
	return body, err
}

// apiSource is where a measurement sent through the API came from: the
// app or device whose bearer token authorised the call, or the portal's
// own pages for a session-authorised call.
func apiSource(who auth.Principal) record.Source {
	if who.Client != "" {
		return record.Source{Kind: record.SourceDevice, Client: who.Client}
	}
	return record.Source{Kind: record.SourceDevice, Client: record.SessionClient}
}

// observationBody reads and parses one Observation.
func observationBody(c *gin.Context) (fhir.ParsedObservation, error) {
	body, err := readBody(c, maxResourceBytes)
	if err != nil {
		return fhir.ParsedObservation{}, err
	}
	return fhir.ParseObservation(body)
}

// createObservation stores one Observation. With If-None-Exist (on the
// identifier the body carries) an existing measurement with that
// identifier is the answer, 200, and the body is ignored even if it
// differs (R4 conditional create); without it a known identifier with
// other content is 409. A deleted measurement's identifier is never
// stored again, with or without the condition.
func (s *API) createObservation(c *gin.Context) error {
	parsed, err := observationBody(c)
	if err != nil {
		return err
	}
	conditional, err := ifNoneExist(c, parsed)
	if err != nil {
		return err
	}
	who := principal(c)
	added, err := s.Records.Record(c.Request.Context(), who, whose(c, parsed.Subject), apiSource(who), []record.Input{parsed.Input})
	if conditional && errors.Is(err, record.ErrIdentifierReused) && len(added) == 1 && added[0].Measurement.ID != "" {
		err = nil // the match: R4 answers it, whatever the body says
	}
	if err != nil {
		return unwrapEntry(err)
	}
	if added[0].Measurement.Deleted {
		return fmt.Errorf("%w: %w", errDeletedIdentifier, record.ErrConflict)
	}
	status := http.StatusCreated
	if !added[0].Created {
		status = http.StatusOK
	}
	s.renderObservation(c, status, added[0].Measurement)
	return nil
}

// ifNoneExist reads the If-None-Exist header, if any: it must name the
// identifier the Observation carries.
func ifNoneExist(c *gin.Context, parsed fhir.ParsedObservation) (bool, error) {
	h := c.GetHeader("If-None-Exist")
	if h == "" {
		return false, nil
	}
	identifier, err := fhir.ParseIfNoneExist(h)
	if err != nil {
		return false, err
	}
	return true, fhir.CheckIfNoneExist(identifier, parsed)
}

// unwrapEntry turns a single-entry EntryError back into its cause.
func unwrapEntry(err error) error {
	var ee *record.EntryError
	if errors.As(err, &ee) {
		return ee.Err
	}
	return err
}

// renderObservation answers with one version, as Prefer: return= asks.
func (s *API) renderObservation(c *gin.Context, status int, m record.Measurement) {
	h := fhir.ObservationHeaders(s.apiBase(), m, status == http.StatusCreated)
	c.Header("ETag", h.ETag)
	if h.LastModified != "" {
		c.Header("Last-Modified", h.LastModified)
	}
	if h.Location != "" {
		c.Header("Location", h.Location)
	}
	s.renderPreferred(c, status, fhir.Observation(m))
}

// renderPreferred honours Prefer: return=minimal (no body) and
// return=OperationOutcome (an outcome saying it worked) on writes.
func (s *API) renderPreferred(c *gin.Context, status int, resource any) {
	if c.Request.Method == http.MethodGet {
		s.render(c, status, resource)
		return
	}
	switch fhir.ParsePrefer(c.Request.Header.Values("Prefer")).Return.Answer(false) {
	case fhir.ReturnMinimal:
		c.Status(status)
	case fhir.ReturnOperationOutcome:
		s.render(c, status, doneOutcome(strconv.Itoa(status)+" "+http.StatusText(status)))
	default:
		s.render(c, status, resource)
	}
}

func (s *API) readObservation(c *gin.Context) error {
	m, err := s.Records.Get(c.Request.Context(), principal(c), whose(c, ""), c.Param("id"))
	if err != nil {
		return err
	}
	s.renderObservation(c, http.StatusOK, m)
	return nil
}

func (s *API) updateObservation(c *gin.Context) error {
	version, err := fhir.IfMatch(c.GetHeader("If-Match"))
	if err != nil {
		return err
	}
	parsed, err := observationBody(c)
	if err != nil {
		return err
	}
	if parsed.ID != c.Param("id") {
		return &fhir.FieldError{Path: "Observation.id", Msg: "the id in the body must equal the id in the URL", Malformed: true}
	}
	m, err := s.Records.Update(c.Request.Context(), principal(c), whose(c, parsed.Subject), c.Param("id"), parsed.Input, version)
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
		return fmt.Errorf("%w: %w", portal.ErrPrecondition, err)
	}
	return err
}

func (s *API) deleteObservation(c *gin.Context) error {
	version, err := fhir.IfMatch(c.GetHeader("If-Match"))
	if err != nil {
		return err
	}
	_, err = s.Records.Delete(c.Request.Context(), principal(c), whose(c, ""), c.Param("id"), version)
	if err != nil && !errors.Is(err, record.ErrGone) { // deleting a deleted resource succeeds (R4 §3.1.0.7.1)
		return preconditionIf(version, err)
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *API) observationHistory(c *gin.Context) error {
	count, err := historyCount(c)
	if err != nil {
		return err
	}
	versions, err := s.Records.History(c.Request.Context(), principal(c), whose(c, ""), c.Param("id"))
	if err != nil {
		return err
	}
	b := fhir.History(s.apiBase(), versions)
	if count >= 0 && count < len(b.Entry) {
		b.Entry = b.Entry[:count] // newest first; total still counts every version
	}
	s.render(c, http.StatusOK, b)
	return nil
}

// historyCount reads _count of a history: at most that many versions,
// newest first; -1 when absent.
func historyCount(c *gin.Context) (int, error) {
	for name := range c.Request.URL.Query() {
		if name != "_count" && name != "_format" && handling(c) == fhir.HandlingStrict {
			return 0, fmt.Errorf("%w: unknown parameter %q of _history (supported: _count)", fhir.ErrInvalidParam, name)
		}
	}
	if len(c.QueryArray("_count")) > 1 {
		return 0, fmt.Errorf("%w: _count is given more than once; give it once", fhir.ErrInvalidParam)
	}
	v, ok := c.GetQuery("_count")
	if !ok {
		return -1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w: _count must be a whole number of at least 0", fhir.ErrInvalidParam)
	}
	return n, nil
}

func (s *API) observationVersion(c *gin.Context) error {
	versions, err := s.Records.History(c.Request.Context(), principal(c), whose(c, ""), c.Param("id"))
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
// The body is decoded as it arrives, never read whole: a Bundle of junk
// costs memory in proportion to what is valid in it.
func (s *API) transaction(c *gin.Context) error {
	if err := fhir.CheckContentType(c.GetHeader("Content-Type")); err != nil {
		return err
	}
	tooLarge := fmt.Errorf("%w: the limit is %d bytes", portal.ErrTooLarge, maxBundleBytes)
	if c.Request.ContentLength > maxBundleBytes {
		return tooLarge // said before a byte is read
	}
	body := &limitedBody{r: http.MaxBytesReader(c.Writer, c.Request.Body, maxBundleBytes)}
	entries, err := fhir.DecodeTransaction(body)
	switch {
	case body.tooLarge:
		return tooLarge
	case errors.Is(err, fhir.ErrValueTooLarge):
		return fmt.Errorf("%w: %w", portal.ErrTooLarge, err)
	case err != nil:
		return err
	}
	subject := ""
	inputs := make([]record.Input, len(entries))
	for i, e := range entries {
		if subject == "" {
			subject = e.Observation.Subject
		}
		if e.Observation.Subject != "" && e.Observation.Subject != subject {
			return &fhir.FieldError{Path: fmt.Sprintf("Bundle.entry[%d].resource.subject", i),
				Msg: "every entry of a transaction must be about the same patient"}
		}
		inputs[i] = e.Observation.Input
	}
	who := principal(c)
	added, err := s.Records.Record(c.Request.Context(), who, whose(c, subject), apiSource(who), inputs)
	if err != nil {
		return fhir.EntryError(err)
	}
	s.render(c, http.StatusOK, s.transactionResponse(c, added))
	return nil
}

// transactionResponse answers a transaction as Prefer: return= asks, and
// without it as fhir.Return.Answer says: each entry's response alone;
// representation adds each stored Observation, OperationOutcome an
// outcome per entry.
func (s *API) transactionResponse(c *gin.Context, added []record.Added) fm.Bundle {
	b := fhir.TransactionResponse(added)
	switch fhir.ParsePrefer(c.Request.Header.Values("Prefer")).Return.Answer(true) {
	case fhir.ReturnRepresentation:
		for i, a := range added {
			b.Entry[i].FullUrl = ptr(fhir.ResourceURL(s.apiBase(), "Observation", a.Measurement.ID))
			b.Entry[i].Resource, _ = marshalFHIR(fhir.Observation(a.Measurement))
		}
	case fhir.ReturnOperationOutcome:
		for i := range added {
			b.Entry[i].Response.Outcome, _ = marshalFHIR(doneOutcome(b.Entry[i].Response.Status))
		}
	}
	return b
}

// doneOutcome says that a write worked, for Prefer: return=OperationOutcome.
func doneOutcome(status string) fm.OperationOutcome {
	o := fhir.Outcome(http.StatusOK, "done: "+status)
	o.Issue[0].Severity, o.Issue[0].Code = fm.IssueSeverityInformation, fm.IssueTypeInformational
	return o
}

func ptr[T any](v T) *T { return &v }

// limitedBody notes whether the body limit was reached: the decoder turns
// read errors into a message about the JSON, and a body over the limit is
// 413, not 400.
type limitedBody struct {
	r        io.Reader
	tooLarge bool
}

func (b *limitedBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		b.tooLarge = true
	}
	return n, err
}

// errObservationPatient: only a citizen has a record of their own to
// search without naming it.
var errObservationPatient = fmt.Errorf("%w: patient is required: a professional searches one patient's record (patient=Patient/{id})", fhir.ErrInvalidParam)

// searchObservations: patient, code, date, _count, _sort and _cursor (the
// opaque keyset position of next links), by GET or POST _search.
func (s *API) searchObservations(c *gin.Context) error {
	values, err := s.searchValues(c)
	if err != nil {
		return err
	}
	oq, err := fhir.ParseObservationSearch(values, handling(c))
	if err != nil {
		return err
	}
	if oq.Patient == "" && principal(c).Kind != auth.KindCitizen {
		return errObservationPatient
	}
	q := oq.Query
	q.PersonID = whose(c, oq.Patient)
	// Always asked, even when the criteria contradict each other (the
	// query then matches nothing): the gate decides every search.
	page, err := s.Records.Search(c.Request.Context(), principal(c), q)
	if err != nil {
		return err
	}
	if oq.TotalOnly {
		page.Measurements, page.Next = nil, nil
	}
	entries := make([]fhir.Entry, len(page.Measurements))
	for i, m := range page.Measurements {
		entries[i] = fhir.Entry{Type: "Observation", ID: m.ID, Resource: fhir.Observation(m)}
	}
	next := fhir.NextLink(s.apiBase(), oq.Search, "Observation", page.Next)
	return s.renderSearch(c, oq.Search, "Observation", searchPage{entries: entries, total: page.Total, next: next})
}
