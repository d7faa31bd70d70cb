package fhirapi

import (
	"mime"
	"net/http"

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
// service before the first byte leaves, under the sniffed type and as an
// attachment (portal.SendFile).
func (s *API) readBinary(c *gin.Context) error {
	f, rc, err := s.Files.Open(c.Request.Context(), principal(c), whose(c, ""), c.Param("id"))
	if err != nil {
		return err
	}
	defer rc.Close()
	portal.SendFile(c, s.Log, f, rc, portal.Attachment)
	return nil
}
