package loadtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html"
)

// maxBody bounds what the driver reads of one answer: a verify page of
// 1000 Observations is well under it.
const maxBody = 16 << 20

const fhirJSON = "application/fhir+json"

// newTransport is the connection pool all citizens share, with room for
// every citizen to keep its connection alive, as browsers do.
func newTransport(cfg Config) *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = cfg.Citizens + cfg.LoginConcurrency
	tr.MaxIdleConnsPerHost = tr.MaxIdleConns
	tr.Proxy = nil // loopback only: never through a proxy
	return tr
}

// newBrowser is one citizen's client: its own cookie jar, the shared
// transport, and redirects followed only to loopback hosts.
func newBrowser(tr http.RoundTripper, timeout time.Duration) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		panic(err) // cookiejar.New with nil options never fails
	}
	return &http.Client{Jar: jar, Transport: tr, Timeout: timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return errors.New("stopped after 10 redirects")
			}
			return checkLoopbackHost(req.URL.Hostname())
		}}
}

// answer is one response read in full.
type answer struct {
	status int
	url    *url.URL // where the answer came from, after redirects
	body   []byte
}

// do sends one request and records it under op. Every URL, also the
// absolute next links the server hands out, is checked to be loopback.
func (d *driver) do(ctx context.Context, c *http.Client, op, method, u string, body []byte, contentType string) (answer, error) {
	pu, err := url.Parse(u)
	if err == nil {
		err = checkLoopbackHost(pu.Hostname())
	}
	if err != nil {
		d.rec.request(op, 0, 0, err, nil)
		return answer{}, err
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", fhirJSON)
	start := time.Now()
	res, err := c.Do(req)
	var a answer
	if err == nil {
		a = answer{status: res.StatusCode, url: res.Request.URL}
		a.body, err = io.ReadAll(io.LimitReader(res.Body, maxBody))
		res.Body.Close()
	}
	d.rec.request(op, time.Since(start), a.status, err, a.body)
	return a, err
}

// form sends a login form; its body holds the hetu, so only the status
// and the page it leads to are kept.
func (d *driver) form(ctx context.Context, c *http.Client, u string, v url.Values) (answer, error) {
	return d.do(ctx, c, OpLogin, http.MethodPost, u, []byte(v.Encode()), "application/x-www-form-urlencoded")
}

var errNoForm = errors.New("no login form")

// loginForm finds the development provider's form on page: where it posts
// (resolved against the page's URL) and the auth request id it carries.
func loginForm(page answer) (action, id string, err error) {
	doc, err := html.Parse(bytes.NewReader(page.body))
	if err != nil {
		return "", "", fmt.Errorf("%w: %v", errNoForm, err)
	}
	for n := range doc.Descendants() {
		switch {
		case n.Type == html.ElementNode && n.Data == "form" && strings.EqualFold(attr(n, "method"), "post"):
			action = attr(n, "action")
		case n.Type == html.ElementNode && n.Data == "input" && attr(n, "name") == "id" && id == "":
			id = attr(n, "value")
		}
	}
	if action == "" || id == "" {
		return "", "", fmt.Errorf("%w at %s", errNoForm, page.url.Path)
	}
	target, err := page.url.Parse(action)
	if err != nil {
		return "", "", fmt.Errorf("%w: action: %v", errNoForm, err)
	}
	return target.String(), id, nil
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}
