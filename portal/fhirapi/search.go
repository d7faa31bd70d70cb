package fhirapi

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/fhir"
	"github.com/omahoito/omahoito/portal"
)

// maxSearchBody bounds a POST [type]/_search form.
const maxSearchBody = 64 << 10

// searchValues are a search's parameters: the URL's query for GET, and for
// POST [type]/_search the form body as well (FHIR R4 §3.1.0.8.1: both
// together are the search). The body is what keeps a personal identity
// code out of URLs.
func (s *API) searchValues(c *gin.Context) (url.Values, error) {
	values := c.Request.URL.Query()
	if c.Request.Method != http.MethodPost {
		return values, nil
	}
	media, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || media != "application/x-www-form-urlencoded" {
		return nil, fmt.Errorf("%w: a search by POST takes an application/x-www-form-urlencoded body", portal.ErrUnsupportedMedia)
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxSearchBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, fmt.Errorf("%w: a search form is at most %d bytes", portal.ErrTooLarge, maxSearchBody)
	}
	if err != nil {
		return nil, err
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("%w: the search form is not valid form encoding", portal.ErrBadRequest)
	}
	for k, vs := range form {
		values[k] = append(values[k], vs...)
	}
	return values, nil
}

func (s *API) searchSet(c *gin.Context, entries []fhir.Entry) error {
	b, err := fhir.SearchSet(s.apiBase(), s.selfURL(c), entries)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, b)
	return nil
}
