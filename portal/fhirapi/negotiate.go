package fhirapi

import (
	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/fhir"
)

// negotiate refuses, before anything else is done, a request that will
// not take FHIR JSON: a _format or an Accept header naming only XML (or
// any other format) is 406 on every interaction, reads and writes alike.
// The refusal itself is FHIR JSON: there is nothing else to give.
func (s *API) negotiate(c *gin.Context) {
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
