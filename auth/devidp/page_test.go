package devidp

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/omahoito/omahoito/auth"
)

type pred func(*html.Node) bool

func mustParse(t *testing.T, body string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	return doc
}

func findAll(n *html.Node, p pred) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && p(d) {
			out = append(out, d)
		}
	}
	return out
}

func find(n *html.Node, p pred) *html.Node {
	if n == nil {
		return nil
	}
	if all := findAll(n, p); len(all) > 0 {
		return all[0]
	}
	return nil
}

func attr(n *html.Node, key string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func byTag(tag string) pred { return func(n *html.Node) bool { return n.Data == tag } }

// byAttr matches an attribute; an empty val matches presence.
func byAttr(key, val string) pred {
	return func(n *html.Node) bool { return hasAttr(n, key) && (val == "" || attr(n, key) == val) }
}

func byTagAttr(tag, key, val string) pred {
	return func(n *html.Node) bool { return n.Data == tag && byAttr(key, val)(n) }
}

func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}

// wantInvalid checks that the field with id is marked invalid and described
// by an error message containing word.
func wantInvalid(t *testing.T, doc *html.Node, id, word string) {
	t.Helper()
	field := find(doc, byAttr("id", id))
	if field == nil {
		t.Fatalf("no field #%s", id)
	}
	if attr(field, "aria-invalid") != "true" {
		t.Errorf("#%s: aria-invalid=%q, want true", id, attr(field, "aria-invalid"))
	}
	errID := id + "-error"
	if !strings.Contains(" "+attr(field, "aria-describedby")+" ", " "+errID+" ") {
		t.Errorf("#%s: aria-describedby=%q does not name %s", id, attr(field, "aria-describedby"), errID)
	}
	msg := find(doc, byAttr("id", errID))
	if msg == nil || !strings.Contains(strings.ToLower(text(msg)), word) {
		t.Errorf("#%s: error message missing or without %q", errID, word)
	}
}

// checkPage asserts the structural accessibility and CSP rules the pages
// must keep.
func checkPage(t *testing.T, body string) {
	t.Helper()
	if !strings.HasPrefix(body, "<!doctype html>") {
		t.Error("page does not start with <!doctype html>")
	}
	doc := mustParse(t, body)
	if h := find(doc, byTag("html")); attr(h, "lang") != "en" {
		t.Errorf("html lang=%q, want en", attr(h, "lang"))
	}
	if title := find(doc, byTag("title")); title == nil || strings.TrimSpace(text(title)) == "" {
		t.Error("no title")
	}
	mains := findAll(doc, byTag("main"))
	if len(mains) != 1 || len(findAll(doc, byTag("h1"))) != 1 || len(findAll(mains[0], byTag("h1"))) != 1 {
		t.Error("want one main with the page's one h1")
	}
	if !strings.Contains(text(doc), "Development identity provider") {
		t.Error("no development provider note")
	}
	checkNoInline(t, doc)
	checkLabels(t, doc)
	checkIDRefs(t, doc)
	if form := find(doc, byTag("form")); form != nil {
		if b := find(form, byTagAttr("button", "type", "submit")); b == nil || strings.TrimSpace(text(b)) == "" {
			t.Error("form has no visible submit button")
		}
		if find(form, byTagAttr("input", "type", "hidden")) == nil {
			t.Error("form does not carry the auth request id")
		}
	}
}

func checkNoInline(t *testing.T, doc *html.Node) {
	t.Helper()
	if len(findAll(doc, byTag("script"))) > 0 || len(findAll(doc, byTag("style"))) > 0 {
		t.Error("page has a script or style element")
	}
	for _, n := range findAll(doc, func(*html.Node) bool { return true }) {
		for _, a := range n.Attr {
			if a.Key == "style" || strings.HasPrefix(a.Key, "on") {
				t.Errorf("<%s> has inline %s", n.Data, a.Key)
			}
		}
	}
}

func checkLabels(t *testing.T, doc *html.Node) {
	t.Helper()
	fields := findAll(doc, func(n *html.Node) bool {
		return (n.Data == "input" && attr(n, "type") != "hidden") || n.Data == "select"
	})
	for _, f := range fields {
		id := attr(f, "id")
		label := find(doc, byTagAttr("label", "for", id))
		if id == "" || label == nil || strings.TrimSpace(text(label)) == "" {
			t.Errorf("field %q has no label", attr(f, "name"))
		}
	}
}

func checkIDRefs(t *testing.T, doc *html.Node) {
	t.Helper()
	seen := map[string]bool{}
	for _, n := range findAll(doc, byAttr("id", "")) {
		if seen[attr(n, "id")] {
			t.Errorf("duplicate id %q", attr(n, "id"))
		}
		seen[attr(n, "id")] = true
	}
	for _, n := range findAll(doc, byAttr("aria-describedby", "")) {
		for _, ref := range strings.Fields(attr(n, "aria-describedby")) {
			if !seen[ref] {
				t.Errorf("aria-describedby names missing id %q", ref)
			}
		}
	}
}

func TestPagesAccessible(t *testing.T) {
	pages, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	regions := []regionOption{{ID: "kainuu", Name: "Kainuun hyvinvointialue", Selected: true}, {ID: "oulu", Name: "Pohjois-Pohjanmaan hyvinvointialue"}}
	cases := map[string]struct {
		name string
		data any
	}{
		"citizen":              {"citizen", &loginPage{Title: "t", Action: "/a", RequestID: "r", Regions: regions}},
		"citizen errors":       {"citizen", &loginPage{Title: "t", Action: "/a", RequestID: "r", Regions: regions, HetuError: true, RegionError: true}},
		"professional":         {"professional", &loginPage{Title: "t", Action: "/a", RequestID: "r"}},
		"professional unknown": {"professional", &loginPage{Title: "t", Action: "/a", RequestID: "r", UsernameError: true}},
		"problem":              {"problem", problemPage{HeadingFI: "o", HeadingEN: "t", Message: "m"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := pages.ExecuteTemplate(&buf, c.name, c.data); err != nil {
				t.Fatal(err)
			}
			checkPage(t, buf.String())
		})
	}
}

func TestDerivedName(t *testing.T) {
	seen := map[string]bool{}
	for _, code := range []string{hetuA, hetuB, hetuC, "010190-900P"} {
		h := auth.MustParseHetu(code)
		g1, f1 := derivedName(h)
		g2, f2 := derivedName(h)
		if g1 == "" || f1 == "" || g1 != g2 || f1 != f2 {
			t.Errorf("%s: names %q %q then %q %q", h, g1, f1, g2, f2)
		}
		seen[g1+" "+f1] = true
	}
	if len(seen) < 2 {
		t.Error("every code got the same name")
	}
}

func TestCitizenSubject(t *testing.T) {
	h := auth.MustParseHetu(hetuA)
	k1, k2 := []byte("one key of 32 bytes for the test"), []byte("another key of 32 bytes for test")
	if first, again := citizenSubject(k1, h), citizenSubject(k1, h); first != again {
		t.Error("subject not stable")
	}
	if citizenSubject(k1, h) == citizenSubject(k2, h) {
		t.Error("subject does not depend on the key")
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	good := func() Config {
		return Config{
			BaseURL:      "http://127.0.0.1:8080",
			Directory:    demoDir{auth.DemoDirectory()},
			Citizen:      Client{ID: "c", Secret: "s", RedirectURIs: []string{"http://127.0.0.1:8080/cb"}},
			Professional: Client{ID: "p", Secret: "s", RedirectURIs: []string{"http://127.0.0.1:8080/cb"}},
		}
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]func(*Config){
		"relative base": func(c *Config) { c.BaseURL = "127.0.0.1:8080" },
		"base path":     func(c *Config) { c.BaseURL = "http://127.0.0.1:8080/app" },
		"no directory":  func(c *Config) { c.Directory = nil },
		"no secret":     func(c *Config) { c.Citizen.Secret = "" },
		"no redirect":   func(c *Config) { c.Professional.RedirectURIs = nil },
		"short key":     func(c *Config) { c.SigningKey = small },
	}
	for name, mutate := range cases {
		cfg := good()
		mutate(&cfg)
		if _, err := New(cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: err = %v, want ErrConfig", name, err)
		}
	}
	cfg := good()
	cfg.BaseURL += "/"
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if p.CitizenIssuer() != "http://127.0.0.1:8080/dev-idp/citizen" {
		t.Errorf("CitizenIssuer %q", p.CitizenIssuer())
	}
}
