package fhirapi

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/fhir"
	"github.com/omahoito/omahoito/portal"
	"github.com/omahoito/omahoito/record"
)

// binaryName is the name of a file sent as a bare Binary: the request
// carries no name, and a header naming one would be the client's word.
const binaryName = "binary"

func (s *API) binaryRoutes(api *gin.RouterGroup) {
	api.POST("/Binary", s.handle(s.createBinary))
	api.GET("/Binary/:id", s.handle(s.readBinary))
}

// createBinary streams the raw body into a new file of the caller's; the
// type is sniffed and the size checked by the files service. A FHIR JSON
// Binary (base64 data) is refused: the raw bytes are the content.
func (s *API) createBinary(c *gin.Context) error {
	media, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if media == fhir.ContentType || media == "application/json" {
		return &fhir.FieldError{Path: "Binary", Msg: "send the file's raw bytes with their own Content-Type, not a FHIR JSON Binary"}
	}
	f, err := s.Files.Add(c.Request.Context(), principal(c), whose(c, ""), record.Upload{Name: binaryName, Body: c.Request.Body})
	if err != nil {
		return err
	}
	c.Header("Location", fhir.ResourceURL(s.apiBase(), "Binary", f.ID))
	c.Header("ETag", fhir.ETag(f.Version))
	c.Status(http.StatusCreated)
	return nil
}

// readBinary streams a file's content, logged as a download by the
// service before the first byte leaves. The type is the sniffed one, and
// the browser is told not to sniff again nor to show it inline.
func (s *API) readBinary(c *gin.Context) error {
	f, rc, err := s.Files.Open(c.Request.Context(), principal(c), whose(c, ""), c.Param("id"))
	if err != nil {
		return err
	}
	defer rc.Close()
	h := c.Writer.Header()
	h.Set("Content-Type", string(f.Type))
	h.Set("Content-Length", strconv.FormatInt(f.Size, 10))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", attachmentDisposition(f.Name))
	c.Status(http.StatusOK)
	if _, err := io.Copy(c.Writer, rc); err != nil {
		// The status is sent: the client must see a broken transfer, never
		// a short file that looks whole.
		portal.LogFailure(s.Log, c.Request, c.FullPath(), http.StatusInternalServerError, err)
		abortResponse(c)
	}
	return nil
}

// attachmentDisposition names the download by its cleaned name, encoded
// per RFC 8187 so that no byte of it can break out of the header.
func attachmentDisposition(name string) string {
	if name == "" {
		name = binaryName
	}
	var b strings.Builder
	for _, c := range []byte(name) {
		if isAttrChar(c) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return "attachment; filename*=UTF-8''" + b.String()
}

// isAttrChar: the bytes RFC 8187 lets stand unencoded in a value.
func isAttrChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}
