package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/portal"
	"github.com/omahoito/omahoito/record"
)

// proTemplates are the pro pages' templates, parsed with the layout at start.
var proTemplates = []string{"pro_patients", "pro_patient", "pro_kind", "pro_lookup", "pro_asks", "pro_file"}

// proPages registers the professional's pages: their patients, one
// patient's data under the consents in force, looking a person up by
// personal identity code and asking them for consent. Every read goes
// through record.Service, record.Files or consent.Service, whose gate
// decides and logs;
// the pages only require a professional's session.
func (s *Pages) proPages(r *gin.Engine) {
	g := r.Group("/pro")
	g.GET("/patients", s.proPage(s.proPatients))
	g.GET("/patients/:id", s.proPage(s.proPatient))
	g.GET("/patients/:id/measurements/:kind", s.proPage(s.proKindPage))
	g.GET("/patients/:id/files/:fid", s.proPage(s.proFile))
	g.GET("/patients/:id/files/:fid/download", s.proPage(s.proFileDownload))
	g.GET("/patients/:id/files/:fid/preview", s.proPage(s.proFilePreview))
	g.GET("/lookup", s.proPage(s.proLookupForm))
	g.POST("/lookup", s.proPage(s.proLookup)) // POST: the identity code is never in a URL
	g.POST("/ask", s.proPage(s.proAskConsent))
	g.GET("/asks", s.proPage(s.proAsks))
}

func init() {
	for _, id := range []msgID{msgProErrorNotpro, msgProErrorKindNotcovered} {
		classified[string(id)] = id
	}
}

// errNotProfessionalSession: a citizen's session on a professional's page.
var errNotProfessionalSession = errors.New("a professional's page without a professional's session")

// proPage serves a page of the professional's side. Someone not logged in
// is asked to log in as a professional; a citizen's session is not one.
// Operators come through: the services refuse them (operators never see
// records), and log it where a person is touched.
func (s *Pages) proPage(h func(*gin.Context, auth.Principal) error) gin.HandlerFunc {
	return s.page(func(c *gin.Context) error {
		who := principal(c)
		switch {
		case who.IsZero():
			return &portal.UserError{Status: http.StatusUnauthorized, MsgID: string(msgErrorUnauthorized), Retry: "/pro/login", Err: portal.ErrUnauthorized}
		case who.Kind == auth.KindCitizen:
			return &portal.UserError{Status: http.StatusForbidden, MsgID: string(msgProErrorNotpro), Retry: "/pro/login",
				Err: errNotProfessionalSession}
		}
		return h(c, who)
	})
}

// proT is the translator of the request's language.
func (s *Pages) proT(c *gin.Context) translator {
	return newTranslator(s.i18n, portal.Lang(c.Request.Context()))
}

func proPatientHref(personID string) string { return "/pro/patients/" + url.PathEscape(personID) }

func proKindHref(personID string, k record.Kind) string {
	return proPatientHref(personID) + "/measurements/" + url.PathEscape(string(k))
}
