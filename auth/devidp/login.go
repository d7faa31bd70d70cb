package devidp

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/omahoito/omahoito/auth"
	"github.com/zitadel/oidc/v3/pkg/op"
)

//go:embed templates/*.html
var templateFS embed.FS

func parseTemplates() (*template.Template, error) {
	t, err := template.ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("devidp: templates: %w", err)
	}
	return t, nil
}

// maxFormBytes bounds a login POST.
const maxFormBytes = 16 << 10

// loginPage is what the login templates render.
type loginPage struct {
	Title     string
	Action    string
	RequestID string

	Hetu, GivenName, FamilyName string
	Regions                     []regionOption
	Username                    string

	HetuError, RegionError, UsernameError bool
}

// HasErrors reports whether any field is marked invalid.
func (p *loginPage) HasErrors() bool { return p.HetuError || p.RegionError || p.UsernameError }

type regionOption struct {
	ID, Name string
	Selected bool
}

// problemPage explains why there is no form to show. The heading is
// bilingual: Finnish, then English.
type problemPage struct {
	HeadingFI, HeadingEN string
	Message              string
}

// Title is the document title.
func (p problemPage) Title() string { return p.HeadingFI + " / " + p.HeadingEN }

// loginHandler is the login UI of one issuer: GET shows the form, POST
// completes the auth request and redirects to the client.
type loginHandler struct {
	issuer        *issuer
	directory     Directory
	defaultRegion string
	pages         *template.Template
	subjectKey    []byte // citizens: HMAC key of the subject
}

func (h *loginHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		h.show(w, r)
	case http.MethodPost:
		h.submit(w, r)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (h *loginHandler) show(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	if _, err := h.issuer.store.pending(id); err != nil {
		h.problem(w, r, err)
		return
	}
	page, err := h.newPage(r.Context(), id, url.Values{})
	if err != nil {
		h.failure(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, h.issuer.kind.slug(), page)
}

func (h *loginHandler) submit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.render(w, r, http.StatusBadRequest, "problem", problemPage{HeadingFI: "Virheellinen pyyntö", HeadingEN: "Bad request", Message: "The form could not be read."})
		return
	}
	id := r.PostForm.Get("id")
	if _, err := h.issuer.store.pending(id); err != nil {
		h.problem(w, r, err)
		return
	}
	page, err := h.newPage(r.Context(), id, r.PostForm)
	if err != nil {
		h.failure(w, r, err)
		return
	}
	who, err := h.identify(r.Context(), page)
	if err != nil {
		h.failure(w, r, err)
		return
	}
	if page.HasErrors() {
		page.Title = "Virhe / Error: " + page.Title
		h.render(w, r, http.StatusBadRequest, h.issuer.kind.slug(), page)
		return
	}
	req, err := h.issuer.store.complete(id, who)
	if err != nil {
		h.problem(w, r, err)
		return
	}
	ctx := op.ContextWithIssuer(r.Context(), h.issuer.issuer)
	op.AuthResponse(req, h.issuer.op, w, r.WithContext(ctx))
}

// newPage builds the form, filled from form (empty on GET).
func (h *loginHandler) newPage(ctx context.Context, id string, form url.Values) (*loginPage, error) {
	page := &loginPage{Action: h.issuer.path + "/login", RequestID: id}
	if h.issuer.kind == kindProfessional {
		page.Title = "Ammattilaisen kirjautuminen / Professional login"
		page.Username = strings.TrimSpace(form.Get("username"))
		return page, nil
	}
	page.Title = "Kirjautuminen / Citizen login"
	page.Hetu = strings.TrimSpace(form.Get("hetu"))
	page.GivenName = strings.TrimSpace(form.Get("given_name"))
	page.FamilyName = strings.TrimSpace(form.Get("family_name"))
	regions, err := h.directory.Regions(ctx)
	if err != nil {
		return nil, fmt.Errorf("devidp: list regions: %w", err)
	}
	chosen := h.defaultRegion
	if form.Has("region") {
		chosen = form.Get("region")
	}
	for _, reg := range regions {
		page.Regions = append(page.Regions, regionOption{ID: reg.ID, Name: reg.Name, Selected: reg.ID == chosen})
	}
	return page, nil
}

func hasSelected(opts []regionOption) bool {
	for _, o := range opts {
		if o.Selected {
			return true
		}
	}
	return false
}

// identify checks the submitted fields, marking the page's invalid ones.
// The error is for failures other than bad input.
func (h *loginHandler) identify(ctx context.Context, page *loginPage) (identity, error) {
	if h.issuer.kind == kindProfessional {
		return h.professional(ctx, page)
	}
	return h.citizen(page), nil
}

func (h *loginHandler) citizen(page *loginPage) identity {
	hetu, err := auth.ParseHetu(page.Hetu)
	page.HetuError = err != nil
	page.RegionError = !hasSelected(page.Regions)
	if page.HasErrors() {
		return identity{}
	}
	given, family := derivedName(hetu)
	who := identity{
		Subject:    citizenSubject(h.subjectKey, hetu),
		Hetu:       hetu.Value(),
		GivenName:  orDefault(page.GivenName, given),
		FamilyName: orDefault(page.FamilyName, family),
	}
	for _, r := range page.Regions {
		if r.Selected {
			who.Region = r.ID
		}
	}
	return who
}

func (h *loginHandler) professional(ctx context.Context, page *loginPage) (identity, error) {
	if page.Username == "" {
		page.UsernameError = true
		return identity{}, nil
	}
	pro, err := h.directory.ProfessionalByUsername(ctx, page.Username)
	if errors.Is(err, auth.ErrNotFound) {
		page.UsernameError = true
		return identity{}, nil
	}
	if err != nil {
		return identity{}, fmt.Errorf("devidp: look up professional: %w", err)
	}
	return identity{
		Subject:    pro.ID,
		Username:   pro.Username,
		GivenName:  pro.GivenName,
		FamilyName: pro.FamilyName,
	}, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// problem answers a login for an unknown, expired or finished auth request.
func (h *loginHandler) problem(w http.ResponseWriter, r *http.Request, err error) {
	msg := "This login request is unknown or has expired. Go back to the service and start the login again."
	if errors.Is(err, errAlreadyDone) {
		msg = "This login request has already been completed. Go back to the service and start the login again."
	}
	h.render(w, r, http.StatusBadRequest, "problem", problemPage{HeadingFI: "Kirjautuminen ei onnistu", HeadingEN: "Login not possible", Message: msg})
}

// failure answers an internal error; err carries no personal data.
func (h *loginHandler) failure(w http.ResponseWriter, r *http.Request, err error) {
	slog.ErrorContext(r.Context(), "devidp login", "issuer", h.issuer.kind.slug(), "error", err)
	h.render(w, r, http.StatusInternalServerError, "problem", problemPage{HeadingFI: "Virhe", HeadingEN: "Error", Message: "Something went wrong. Try again later."})
}

func (h *loginHandler) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := h.pages.ExecuteTemplate(&buf, name, data); err != nil {
		slog.ErrorContext(r.Context(), "devidp render", "template", name, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = buf.WriteTo(w)
	}
}
