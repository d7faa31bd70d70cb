package portal

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/omahoito/omahoito/fhir"
)

// layout is what every page shows around its content.
type layout struct {
	translator
	Title     string
	Path      string     // current path, for the language links
	Query     url.Values // current query, kept by the language links
	LoggedIn  bool
	RequestID string
}

// Lang is the page language (the html lang attribute).
func (l layout) Lang() string { return l.lang }

type languageLink struct {
	Code, Label, Href string
	Current           bool
}

// languageLabels name each language in itself, as language switches should.
var languageLabels = map[string]string{"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}

// LanguageLinks are the language switch: the same page in each language.
func (l layout) LanguageLinks() []languageLink {
	links := make([]languageLink, 0, len(Languages))
	for _, code := range Languages {
		q := url.Values{}
		for k, v := range l.Query {
			q[k] = v
		}
		q.Set("lang", code)
		links = append(links, languageLink{
			Code: code, Label: languageLabels[code],
			Href:    l.Path + "?" + q.Encode(),
			Current: code == l.lang,
		})
	}
	return links
}

func (s *Server) layout(c *gin.Context, titleID string) layout {
	lang := chooseLanguage(c.Writer, c.Request)
	t := newTranslator(s.i18n, lang)
	return layout{
		translator: t,
		Title:      t.T(titleID),
		Path:       c.Request.URL.Path,
		Query:      c.Request.URL.Query(),
		LoggedIn:   !principal(c).IsZero(),
	}
}

type errorPage struct {
	layout
	MessageID string
	RetryHref string
}

// render executes a page into a buffer first, so a template error becomes
// a clean 500 rather than half a page.
func (s *Server) render(c *gin.Context, status int, name string, data any) {
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		s.Log.ErrorContext(c.Request.Context(), "render page", "page", name, "err", err,
			"request_id", requestIDFrom(c.Request.Context()))
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// renderFHIR writes a FHIR resource as application/fhir+json.
func (s *Server) renderFHIR(c *gin.Context, status int, resource any) {
	body, err := marshalFHIR(resource)
	if err != nil {
		s.Log.ErrorContext(c.Request.Context(), "marshal FHIR", "err", err)
		status, body = http.StatusInternalServerError, []byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"exception"}]}`)
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, fhir.ContentType+"; charset=utf-8", body)
}

// marshalFHIR calls a model's own MarshalJSON directly: json.Marshal would
// validate and compact its output once more, which for a search page of
// hundreds of embedded resources is most of the encoding time.
func marshalFHIR(resource any) ([]byte, error) {
	if m, ok := resource.(json.Marshaler); ok {
		return m.MarshalJSON()
	}
	return json.Marshal(resource)
}
