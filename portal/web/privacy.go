package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/auth"
)

// privacyTemplates are the privacy statement's templates, parsed with the layout at start.
var privacyTemplates = []string{"privacy"}

// privacyPages registers the privacy statement (privacyPath), which
// consent receipts name as their policy: anyone may read it, logged in
// or not, so it is public.
func (s *Pages) privacyPages(r *gin.Engine) {
	r.GET(privacyPath, s.page(s.privacy))
}

type privacyPage struct {
	layout
	// Citizen: links to the pages the statement speaks of.
	Citizen bool
	// Registrar is a citizen's own controller, the registrar of their
	// home region; empty for anyone else.
	Registrar string
}

// privacy shows what the service does with a citizen's data. A citizen
// also reads which registrar is theirs.
func (s *Pages) privacy(c *gin.Context) error {
	page := privacyPage{layout: s.layout(c, msgPrivacyTitle)}
	if who := principal(c); who.Kind == auth.KindCitizen {
		home, err := s.citizenHome(c, who)
		if err != nil {
			return err
		}
		page.Citizen, page.Registrar = true, home.Registrar
	}
	s.render(c, http.StatusOK, "privacy", page)
	return nil
}
