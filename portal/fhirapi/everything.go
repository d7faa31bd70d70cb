package fhirapi

import (
	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/fhir"
	"github.com/omahoito/omahoito/record"
)

// everythingPageSize is the page size of $everything without _count.
const everythingPageSize = 100

// everythingParams are what Patient/$everything takes: _count and the
// _cursor of its next links (R4's start, end and _since are not served).
var everythingParams = fhir.SearchDecl{Type: "Patient/$everything", Paging: true}

func (s *API) everythingRoutes(api *gin.RouterGroup) {
	api.GET("/Patient/:id/$everything", s.handle(s.everything))
	api.POST("/Patient/:id/$everything", s.handle(s.everything))
}

// everything answers Patient/{id}/$everything: the Patient first (on the
// first page), then a page of the Observations the caller may see, newest
// first; total counts them and the Patient. The service decides once and
// logs once; without consent the answer says nothing about the data.
func (s *API) everything(c *gin.Context) error {
	q, err := s.parseSearch(c, everythingParams)
	if err != nil {
		return err
	}
	rq := record.Query{PersonID: c.Param("id"), Desc: true, Limit: everythingPageSize}
	if q.Count >= 0 {
		rq.Limit = max(q.Count, 1) // _count=0 asks for the total alone
	}
	if rq.After, err = fhir.DecodeCursor(q.Cursor); err != nil {
		return err
	}
	ctx := c.Request.Context()
	v, err := s.Records.Everything(ctx, principal(c), rq)
	if err != nil {
		return err
	}
	var entries []fhir.Entry
	if rq.After == nil {
		region, err := s.Directory.Region(ctx, v.Patient.HomeRegion)
		if err != nil {
			return err
		}
		entries = append(entries, fhir.Entry{Type: "Patient", ID: v.Patient.ID, Resource: fhir.Patient(v.Patient, region)})
	}
	for _, m := range v.Page.Measurements {
		entries = append(entries, fhir.Entry{Type: "Observation", ID: m.ID, Resource: fhir.Observation(m)})
	}
	typ := "Patient/" + v.Patient.ID + "/$everything"
	page := searchPage{entries: entries, total: v.Page.Total + 1, next: fhir.NextLink(s.apiBase(), q, typ, v.Page.Next)}
	if q.Count == 0 {
		page.entries, page.next = nil, "" // _count=0: the total alone
	}
	return s.renderSearch(c, q, typ, page)
}
