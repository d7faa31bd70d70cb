package fhirapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/fhir"
	"github.com/omahoito/omahoito/portal"
)

// negotiate refuses, before anything else is done, a request that will
// not take FHIR JSON: a _format or an Accept header naming only XML (or
// any other format) is 406 on every interaction, reads and writes alike.
// The refusal itself is FHIR JSON: there is nothing else to give. A read
// of a Binary is the exception: its raw content goes to any Accept, the
// resource form to an Accept of FHIR JSON (fhir.WantsResource).
func (s *API) negotiate(c *gin.Context) {
	if c.Request.Method == http.MethodGet && c.FullPath() == portal.APIPrefix+"/Binary/:id" &&
		!fhir.WantsResource(c.GetHeader("Accept"), c.QueryArray("_format")) {
		c.Next() // the raw content, whatever type the client accepts
		return
	}
	err := fhir.CheckAccept(c.GetHeader("Accept"))
	for _, f := range c.QueryArray("_format") {
		if err == nil {
			err = fhir.CheckFormat(f)
		}
	}
	if err != nil {
		s.fail(c, err)
		c.Abort()
		return
	}
	c.Next()
}
