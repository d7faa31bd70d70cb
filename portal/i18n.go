package portal

import (
	"embed"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*.json
var localeFiles embed.FS

// Languages the pages speak, Finnish first: it is the default.
var Languages = []string{"fi", "sv", "en"}

const langCookie = "omahoito_lang"

func newBundle() (*i18n.Bundle, error) {
	b := i18n.NewBundle(language.Finnish)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	for _, l := range Languages {
		if _, err := b.LoadMessageFileFS(localeFiles, "locales/"+l+".json"); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// chooseLanguage picks the page language: an explicit ?lang= (remembered in
// a cookie), then the cookie, then Finnish. The browser's Accept-Language
// is not used: the portal speaks Finnish first, as the law and users expect,
// and the switch on every page is one click away.
func chooseLanguage(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); isLanguage(l) {
		http.SetCookie(w, &http.Cookie{
			Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil,
		})
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && isLanguage(c.Value) {
		return c.Value
	}
	return "fi"
}

func isLanguage(l string) bool {
	for _, known := range Languages {
		if l == known {
			return true
		}
	}
	return false
}

// translator renders message ids in one language.
type translator struct {
	lang string
	loc  *i18n.Localizer
}

func newTranslator(b *i18n.Bundle, lang string) translator {
	return translator{lang: lang, loc: i18n.NewLocalizer(b, lang)}
}

// T returns the text of id, with data filling its {{.Field}} placeholders.
// A missing id shows the id itself so the gap is visible, and the
// completeness test keeps that from reaching users.
func (t translator) T(id string, data ...any) string {
	cfg := &i18n.LocalizeConfig{MessageID: id}
	if len(data) > 0 {
		cfg.TemplateData = data[0]
	}
	s, err := t.loc.Localize(cfg)
	if err != nil {
		return strings.ToUpper(id)
	}
	return s
}
