package web

import (
	"bytes"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/portal"
)

// layout is what every page shows around its content.
type layout struct {
	translator
	Title     string
	Path      string     // current path, cleaned and escaped: always one leading slash
	Query     url.Values // current query, kept by the language links
	LoggedIn  bool
	RequestID string
}

// Lang is the page language (the html lang attribute).
func (l layout) Lang() string { return l.lang.String() }

type languageLink struct {
	Code, Label, Href string
	Current           bool
}

// languageLabels name each language in itself, as language switches should.
var languageLabels = map[string]string{"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}

// LanguageLinks are the language switch: the same page in each language.
func (l layout) LanguageLinks() []languageLink {
	links := make([]languageLink, 0, len(portal.Languages))
	for _, code := range portal.Languages {
		q := url.Values{}
		for k, v := range l.Query {
			q[k] = v
		}
		q.Set("lang", code)
		links = append(links, languageLink{
			Code: code, Label: languageLabels[code],
			Href:    l.Path + "?" + q.Encode(),
			Current: code == l.lang.String(),
		})
	}
	return links
}

// localPath is p made safe to link to on this site: cleaned, escaped, and
// starting with exactly one slash. A request for /%2F%2Fevil.example/ has
// the path //evil.example/, which a browser would read as another site;
// so would /\evil.example/ (browsers treat a backslash as a slash).
func localPath(p string) string {
	clean := path.Clean("/" + strings.ReplaceAll(p, `\`, "/"))
	escaped := (&url.URL{Path: clean}).EscapedPath()
	return "/" + strings.TrimLeft(escaped, "/")
}

func (s *Pages) layout(c *gin.Context, titleID msgID) layout {
	lang := portal.Lang(c.Request.Context())
	t := newTranslator(s.i18n, lang)
	return layout{
		translator: t,
		Title:      t.T(titleID),
		Path:       localPath(c.Request.URL.Path),
		Query:      c.Request.URL.Query(),
		LoggedIn:   !principal(c).IsZero(),
	}
}

// render executes a page into a buffer first, so a template error becomes
// a clean 500 rather than half a page.
func (s *Pages) render(c *gin.Context, status int, name string, data any) {
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		s.Log.ErrorContext(c.Request.Context(), "render page", "page", name, "err", err,
			"request_id", portal.RequestID(c.Request.Context()))
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}
