package web

import (
	"embed"
	"encoding/json"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/omahoito/omahoito/portal"
	"golang.org/x/text/language"
)

//go:embed locales/*.json
var localeFiles embed.FS

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

func newBundle() (*i18n.Bundle, error) {
	b := i18n.NewBundle(language.Finnish)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	for _, l := range portal.Languages {
		if _, err := b.LoadMessageFileFS(localeFiles, "locales/"+l+".json"); err != nil {
			return nil, err
		}
	}
	return b, nil
}
