package fhirapi

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/fhir"
	"github.com/omahoito/omahoito/portal"
	"github.com/omahoito/omahoito/record"
)

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
	f, err := s.Files.Add(c.Request.Context(), principal(c), whose(c, ""), record.Upload{Body: c.Request.Body})
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
// A client that asks for FHIR JSON gets the Binary resource, its content
// base64 in data, streamed as well (sendBinaryResource).
func (s *API) readBinary(c *gin.Context) error {
	f, rc, err := s.Files.Open(c.Request.Context(), principal(c), whose(c, ""), c.Param("id"))
	if err != nil {
		return err
	}
	defer rc.Close()
	if fhir.WantsResource(c.GetHeader("Accept"), c.QueryArray("_format")) {
		s.sendBinaryResource(c, f, rc)
		return nil
	}
	portal.SendFile(c, s.Log, f, rc, portal.Attachment)
	return nil
}

// sendBinaryResource writes f as a FHIR Binary resource, encoding its
// content to base64 as it streams: a file is never held whole. A read that
// fails once the answer has begun cuts the connection, as a raw download
// does, so a client never takes a cut resource for a whole one.
func (s *API) sendBinaryResource(c *gin.Context, f record.File, content io.Reader) {
	head, _ := json.Marshal(map[string]any{
		"resourceType": "Binary", "id": f.ID, "contentType": string(f.Type),
		"meta": map[string]string{"versionId": strconv.Itoa(f.Version), "lastUpdated": f.UpdatedAt.UTC().Format(time.RFC3339Nano)},
	})
	c.Header("Content-Type", fhir.ContentType+"; charset=utf-8")
	c.Header("ETag", fhir.ETag(f.Version))
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	w := bufio.NewWriterSize(c.Writer, 64<<10)
	w.Write(head[:len(head)-1]) // the object left open for data
	w.WriteString(`,"data":"`)
	enc := base64.NewEncoder(base64.StdEncoding, w)
	_, err := io.Copy(enc, content)
	if err == nil {
		err = enc.Close()
	}
	if err == nil {
		w.WriteString(`"}`)
		err = w.Flush()
	}
	if err != nil {
		portal.LogFailure(s.Log, c.Request, c.FullPath(), http.StatusInternalServerError, err)
		portal.AbortResponse(c)
	}
}
