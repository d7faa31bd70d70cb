// Package locale writes and reads what differs between the languages of
// omahoito — Finnish, Swedish and English — and keeps the one time zone its
// people live in: numbers (6,5 or 6.5; 12 000 or 12,000), dates and times
// in Europe/Helsinki, month names, and CLDR plural categories. Pages,
// charts and the readable summary of a download all use it, so the same
// value reads the same everywhere.
//
// Swedish follows the usage in Finland (sv-FI): dates as 2.1.2006 and times
// as 8.05, like Finnish.
package locale

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/text/language"
)

// Lang is one of the languages omahoito speaks.
type Lang string

// The languages, Finnish first: it is the default.
const (
	Finnish Lang = "fi"
	Swedish Lang = "sv"
	English Lang = "en"
)

// Langs lists every language, the default first.
var Langs = []Lang{Finnish, Swedish, English}

// Default is the language of a request that has chosen none.
const Default = Finnish

// ErrUnknownLang is wrapped by Parse for a tag of a language omahoito does
// not speak.
var ErrUnknownLang = errors.New("locale: unknown language")

// Parse reads a language tag such as "fi", "sv-FI" or "en_GB"; the region
// is ignored. Only the three languages are accepted, in any letter case.
func Parse(tag string) (Lang, error) {
	base := strings.ToLower(tag)
	if i := strings.IndexAny(base, "-_"); i >= 0 {
		base = base[:i]
	}
	for _, l := range Langs {
		if base == string(l) {
			return l, nil
		}
	}
	return "", fmt.Errorf("%w: %q", ErrUnknownLang, tag)
}

// Best returns the language for tag, never failing: the default (Finnish)
// for an empty tag, English for a language omahoito does not speak (the
// shared language of those who read neither Finnish nor Swedish).
func Best(tag string) Lang {
	if tag == "" {
		return Default
	}
	if l, err := Parse(tag); err == nil {
		return l
	}
	return English
}

// String returns the BCP 47 tag: "fi", "sv" or "en".
func (l Lang) String() string { return string(l) }

// Tag returns l as a golang.org/x/text tag, e.g. for a go-i18n Localizer.
func (l Lang) Tag() language.Tag { return language.Make(string(l.orDefault())) }

// orDefault maps the zero Lang (and anything not made by this package) to
// a real language, so that a forgotten field formats rather than panics.
func (l Lang) orDefault() Lang {
	switch l {
	case Finnish, Swedish, English:
		return l
	case "":
		return Default
	}
	return Best(string(l))
}
