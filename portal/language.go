package portal

import (
	"context"
	"net/http"
	"slices"
)

// Languages the pages speak, Finnish first: it is the default.
var Languages = []string{"fi", "sv", "en"}

// LangCookie remembers the language chosen with ?lang=.
const LangCookie = "omahoito_lang"

type langKey struct{}

// withLanguage resolves the page language once per request (the cookie is
// Secure when the public base URL is https, also behind a TLS proxy): an explicit
// ?lang= (remembered in a cookie), then the cookie, then Finnish. The
// browser's Accept-Language is not used: the portal speaks Finnish first,
// as the law and users expect, and the switch on every page is one click away.
func withLanguage(secure bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := "fi"
		if l := r.URL.Query().Get("lang"); IsLanguage(l) {
			http.SetCookie(w, &http.Cookie{
				Name: LangCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secure,
			})
			lang = l
		} else if c, err := r.Cookie(LangCookie); err == nil && IsLanguage(c.Value) {
			lang = c.Value
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), langKey{}, lang)))
	})
}

// Lang is the language resolved for the request; Finnish when none was.
func Lang(ctx context.Context) string {
	if l, ok := ctx.Value(langKey{}).(string); ok {
		return l
	}
	return "fi"
}

// IsLanguage reports whether the pages speak l.
func IsLanguage(l string) bool { return slices.Contains(Languages, l) }
