package fhirapi

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/fhir"
	"github.com/omahoito/omahoito/record"
)

func (s *API) documentRoutes(api *gin.RouterGroup) {
	api.POST("/DocumentReference", s.handle(s.createDocument))
	api.GET("/DocumentReference", s.handle(s.searchDocuments))
	api.POST("/DocumentReference/_search", s.handle(s.searchDocuments))
	api.GET("/DocumentReference/:id", s.handle(s.readDocument))
	api.GET("/DocumentReference/:id/_history/:vid", s.handle(s.documentVersion))
	api.PUT("/DocumentReference/:id", s.handle(s.updateDocument))
	api.DELETE("/DocumentReference/:id", s.handle(s.deleteDocument))
}

// maxDocumentBytes bounds a DocumentReference body: the largest file a
// person may keep, base64 encoded (4/3 of it), and room for the rest.
func (s *API) maxDocumentBytes() int64 {
	lim := s.Files.Limits
	if lim == (record.Limits{}) {
		lim = record.DefaultLimits()
	}
	return lim.MaxFileSize/3*4 + 4 + maxResourceBytes
}

// maxInlineDocuments is how many DocumentReference creates the server
// holds at once: a body with its content inline is read whole (up to
// maxDocumentBytes, and its decoded content beside it) before anyone's
// access can be decided, since the subject is inside it. Others wait for
// a place, each as long as its request lasts. The streamed way in, Binary,
// holds a few buffers and is not bounded here.
const maxInlineDocuments = 4

// documentBody reads and parses a DocumentReference of at most limit
// bytes.
func (s *API) documentBody(c *gin.Context, limit int64) (fhir.ParsedDocumentReference, error) {
	body, err := readBody(c, limit)
	if err != nil {
		return fhir.ParsedDocumentReference{}, err
	}
	return fhir.ParseDocumentReference(body)
}

// inlinePlace waits for one of the maxInlineDocuments places; release
// gives it back.
func (s *API) inlinePlace(c *gin.Context) (release func(), err error) {
	select {
	case s.inline <- struct{}{}:
		return func() { <-s.inline }, nil
	case <-c.Request.Context().Done():
		return nil, c.Request.Context().Err()
	}
}

// createDocument adds a file with its content inline, or describes a file
// uploaded as a Binary (its title from description, its name from the
// attachment's title being fixed at upload).
func (s *API) createDocument(c *gin.Context) error {
	release, err := s.inlinePlace(c)
	if err != nil {
		return err
	}
	defer release()
	parsed, err := s.documentBody(c, s.maxDocumentBytes())
	if err != nil {
		return err
	}
	ctx, who := c.Request.Context(), principal(c)
	personID := whose(c, parsed.Subject)
	var f record.File
	if parsed.BinaryID != "" {
		cur, err := s.Files.Get(ctx, who, personID, parsed.BinaryID)
		if err != nil {
			return err
		}
		f, err = s.Files.Describe(ctx, who, personID, cur.ID, cur.Version, parsed.Title, cur.Description)
		if err != nil {
			return err
		}
	} else {
		f, err = s.Files.Add(ctx, who, personID, record.Upload{Name: parsed.Name, Title: parsed.Title, Body: bytes.NewReader(parsed.Data)})
		if err != nil {
			return err
		}
	}
	c.Header("Location", fhir.VersionURL(s.apiBase(), "DocumentReference", f.ID, f.Version))
	s.renderDocument(c, http.StatusCreated, f)
	return nil
}

func (s *API) renderDocument(c *gin.Context, status int, f record.File) {
	c.Header("ETag", fhir.ETag(f.Version))
	s.renderPreferred(c, status, fhir.DocumentReference(f))
}

func (s *API) readDocument(c *gin.Context) error {
	f, err := s.Files.Get(c.Request.Context(), principal(c), whose(c, ""), c.Param("id"))
	if err != nil {
		return err
	}
	s.renderDocument(c, http.StatusOK, f)
	return nil
}

// documentVersion is a vread: the file's entry as one of its versions
// was (the Location of a create or update names it).
func (s *API) documentVersion(c *gin.Context) error {
	version, err := strconv.Atoi(c.Param("vid"))
	if err != nil || version < 1 {
		return fmt.Errorf("version %q: %w", c.Param("vid"), record.ErrNotFound)
	}
	f, err := s.Files.Version(c.Request.Context(), principal(c), whose(c, ""), c.Param("id"), version)
	if err != nil {
		return err
	}
	s.renderDocument(c, http.StatusOK, f)
	return nil
}

// updateDocument changes the title (description) alone; the content and
// everything else of a file stay as they were.
func (s *API) updateDocument(c *gin.Context) error {
	version, err := fhir.IfMatch(c.GetHeader("If-Match"))
	if err != nil {
		return err
	}
	// A retitling carries no content: a resource's usual bound.
	parsed, err := s.documentBody(c, maxResourceBytes)
	if err != nil {
		return err
	}
	if parsed.ID != c.Param("id") {
		return &fhir.FieldError{Path: "DocumentReference.id", Msg: "the id in the body must equal the id in the URL", Malformed: true}
	}
	ctx, who := c.Request.Context(), principal(c)
	personID := whose(c, parsed.Subject)
	cur, err := s.Files.Get(ctx, who, personID, parsed.ID)
	if err != nil {
		return err
	}
	f, err := s.Files.Describe(ctx, who, personID, cur.ID, version, parsed.Title, cur.Description)
	if err != nil {
		return preconditionIf(version, err)
	}
	s.renderDocument(c, http.StatusOK, f)
	return nil
}

func (s *API) deleteDocument(c *gin.Context) error {
	version, err := fhir.IfMatch(c.GetHeader("If-Match"))
	if err != nil {
		return err
	}
	_, err = s.Files.Delete(c.Request.Context(), principal(c), whose(c, ""), c.Param("id"), version)
	if err != nil && !isGone(err) { // deleting a deleted resource succeeds (R4 §3.1.0.7.1)
		return preconditionIf(version, err)
	}
	c.Status(http.StatusNoContent)
	return nil
}

// errDocumentPatient: only a citizen has files of their own to search
// without naming whose.
var errDocumentPatient = fmt.Errorf("%w: patient is required: a professional searches one patient's files (patient=Patient/{id})", fhir.ErrInvalidParam)

// searchDocuments lists a person's files the caller may see, newest first.
func (s *API) searchDocuments(c *gin.Context) error {
	values, err := s.searchValues(c)
	if err != nil {
		return err
	}
	q, err := fhir.ParseDocumentSearch(values, handling(c))
	if err != nil {
		return err
	}
	if q.Patient == "" && principal(c).Kind != auth.KindCitizen {
		return errDocumentPatient
	}
	files, err := s.Files.List(c.Request.Context(), principal(c), whose(c, q.Patient))
	if err != nil {
		return err
	}
	var entries []fhir.Entry
	for _, f := range files {
		if q.Covers(f.CreatedAt) {
			entries = append(entries, fhir.Entry{Type: "DocumentReference", ID: f.ID, Resource: fhir.DocumentReference(f)})
		}
	}
	return s.renderSearch(c, q.Search, "DocumentReference", pageOf(q.Search, entries))
}

func isGone(err error) bool { return errors.Is(err, record.ErrGone) }
