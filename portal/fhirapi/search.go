package fhirapi

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/omahoito/omahoito/fhir"
	"github.com/omahoito/omahoito/portal"
)

// maxSearchBody bounds a POST [type]/_search form.
const maxSearchBody = 64 << 10

// searchValues are a search's parameters: the URL's query for GET, and for
// POST [type]/_search the form body as well (FHIR R4 §3.1.0.8.1: both
// together are the search). The body is what keeps a personal identity
// code out of URLs.
func (s *API) searchValues(c *gin.Context) (url.Values, error) {
	values := c.Request.URL.Query()
	if c.Request.Method != http.MethodPost || (c.Request.ContentLength == 0 && c.GetHeader("Content-Type") == "") {
		return values, nil // no body: the URL is the whole search
	}
	media, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || media != "application/x-www-form-urlencoded" {
		return nil, fmt.Errorf("%w: a search by POST takes an application/x-www-form-urlencoded body", portal.ErrUnsupportedMedia)
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxSearchBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, fmt.Errorf("%w: a search form is at most %d bytes", portal.ErrTooLarge, maxSearchBody)
	}
	if err != nil {
		return nil, err
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("%w: the search form is not valid form encoding", portal.ErrBadRequest)
	}
	for k, vs := range form {
		values[k] = append(values[k], vs...)
	}
	return values, nil
}

// handling is what the request asks done with unknown search parameters
// (Prefer: handling=strict|lenient; omahoito's default is strict).
func handling(c *gin.Context) fhir.Handling {
	return fhir.ParsePrefer(c.Request.Header.Values("Prefer")).Handling
}

// parseSearch reads the search of decl's type from the URL and, for POST
// _search, the form body.
func (s *API) parseSearch(c *gin.Context, decl fhir.SearchDecl) (*fhir.Search, error) {
	values, err := s.searchValues(c)
	if err != nil {
		return nil, err
	}
	return decl.Parse(values, handling(c))
}

// searchPage is one page of a search's answer: the matches the caller may
// see, how many there are in all, and where the next page is.
type searchPage struct {
	entries []fhir.Entry
	total   int    // -1: not known (a long log paged by position)
	next    string // "" on the last page
}

// pageOf cuts a complete result to the search's _count (total still
// counts every match); the directory's results are small and unpaged.
func pageOf(q *fhir.Search, entries []fhir.Entry) searchPage {
	p := searchPage{entries: entries, total: len(entries)}
	if q.Count >= 0 && q.Count < len(entries) {
		p.entries = entries[:q.Count]
	}
	return p
}

// renderSearch answers a search with a searchset Bundle. Its self link is
// the search as applied: parameters ignored under lenient handling are
// left out of it and reported in an OperationOutcome entry (search mode
// outcome), as R4 §3.1.1.5.5 asks; hidden names parameters whose values
// must not appear in any link (a personal identity code).
func (s *API) renderSearch(c *gin.Context, q *fhir.Search, typ string, page searchPage, hidden ...string) error {
	b, err := fhir.SearchPage(s.apiBase(), searchLink(s.apiBase(), typ, q, hidden), page.next, page.total, page.entries)
	if err != nil {
		return err
	}
	if page.total < 0 {
		b.Total = nil // optional in a searchset: left out rather than guessed
	}
	if len(q.Ignored) > 0 {
		b.Entry = append(b.Entry, ignoredOutcome(q.Ignored))
	}
	s.render(c, http.StatusOK, b)
	return nil
}

// searchLink is the URL of the search as applied, without the hidden
// parameters.
func searchLink(base, typ string, q *fhir.Search, hidden []string) string {
	v := q.Query()
	for _, h := range hidden {
		for k := range v {
			if name, _, _ := strings.Cut(k, ":"); name == h {
				v.Del(k)
			}
		}
	}
	if len(v) == 0 {
		return base + "/" + typ
	}
	return base + "/" + typ + "?" + v.Encode()
}

// ignoredOutcome is the searchset entry that says which parameters a
// lenient search ignored. A key that is no parameter name (a value sent
// as one, such as a personal identity code) is counted, not named.
func ignoredOutcome(ignored []string) fm.BundleEntry {
	var named []string
	for _, k := range ignored {
		if fhir.LooksLikeName(k) {
			named = append(named, k)
		}
	}
	text := "these search parameters are not supported and were ignored: " + strings.Join(named, ", ")
	if unnamed := len(ignored) - len(named); unnamed > 0 {
		text += fmt.Sprintf(" (and %d whose names are not parameter names)", unnamed)
	}
	o := fhir.Outcome(http.StatusOK, text)
	o.Issue[0].Severity, o.Issue[0].Code = fm.IssueSeverityWarning, fm.IssueTypeNotSupported
	raw, _ := marshalFHIR(o)
	mode := fm.SearchEntryModeOutcome
	return fm.BundleEntry{Resource: raw, Search: &fm.BundleEntrySearch{Mode: &mode}}
}
