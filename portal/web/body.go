package web

import (
	"errors"
	"fmt"
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/portal"
)

// MaxFormBytes is the most a page form may send. The largest form, a
// measurement with a note of record.MaxNoteLength characters of four bytes
// each, percent-encoded, stays well under it.
const MaxFormBytes = 64 << 10

// formBodies guards every page request with a body before a handler reads
// it: only URL-encoded forms are taken (a multipart body is refused with
// 415 before anything parses it, so no temporary file is ever written),
// and at most MaxFormBytes of it (413). The form is parsed here, once.
//
// The one exception is the file upload (uploadPath): its handler streams
// the multipart body itself, under its own size limit, straight into the
// files service.
func (s *Pages) formBodies(c *gin.Context) {
	r := c.Request
	if r.Body == nil || r.Body == http.NoBody || r.Method == http.MethodGet || r.Method == http.MethodHead ||
		r.Method == http.MethodPost && c.FullPath() == uploadPath {
		c.Next()
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		media, _, err := mime.ParseMediaType(ct)
		if err != nil || media != "application/x-www-form-urlencoded" {
			s.fail(c, fmt.Errorf("%w: page forms are sent as application/x-www-form-urlencoded, not %q", portal.ErrUnsupportedMedia, media))
			c.Abort()
			return
		}
	}
	r.Body = http.MaxBytesReader(c.Writer, r.Body, MaxFormBytes)
	if err := r.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			err = fmt.Errorf("%w: a page form over %d bytes", portal.ErrTooLarge, MaxFormBytes)
		} else {
			err = fmt.Errorf("%w: %v", portal.ErrBadRequest, err)
		}
		s.fail(c, err)
		c.Abort()
		return
	}
	c.Next()
}
