package portaltest

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// Page is a parsed HTML page. Tests look at pages through its selectors,
// as a browser and a screen reader would, never with regular expressions
// over the markup.
type Page struct {
	Root *html.Node
}

// ParsePage parses body as HTML.
func ParsePage(tb testing.TB, body string) *Page {
	tb.Helper()
	root, err := html.Parse(strings.NewReader(body))
	if err != nil {
		tb.Fatalf("parse page: %v", err)
	}
	return &Page{Root: root}
}

// Matcher selects elements.
type Matcher func(*html.Node) bool

// Tag matches elements by name: Tag("input").
func Tag(name string) Matcher {
	return func(n *html.Node) bool { return n.Data == name }
}

// Attr matches elements whose attribute key is exactly value.
func Attr(key, value string) Matcher {
	return func(n *html.Node) bool { v, ok := AttrOf(n, key); return ok && v == value }
}

// HasAttr matches elements that have the attribute key, with any value.
func HasAttr(key string) Matcher {
	return func(n *html.Node) bool { _, ok := AttrOf(n, key); return ok }
}

// ID matches the element with id.
func ID(id string) Matcher { return Attr("id", id) }

// Class matches elements with class among their classes.
func Class(class string) Matcher {
	return func(n *html.Node) bool {
		v, _ := AttrOf(n, "class")
		for _, c := range strings.Fields(v) {
			if c == class {
				return true
			}
		}
		return false
	}
}

// Within matches elements that have an ancestor matching all of outer.
func Within(outer ...Matcher) Matcher {
	return func(n *html.Node) bool {
		for p := n.Parent; p != nil; p = p.Parent {
			if p.Type == html.ElementNode && matchAll(p, outer) {
				return true
			}
		}
		return false
	}
}

func matchAll(n *html.Node, ms []Matcher) bool {
	for _, m := range ms {
		if !m(n) {
			return false
		}
	}
	return true
}

// Find returns the elements under n that match every matcher, in document order.
func Find(n *html.Node, ms ...Matcher) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && matchAll(c, ms) {
				out = append(out, c)
			}
			walk(c)
		}
	}
	walk(n)
	return out
}

// All returns the page's elements that match every matcher.
func (p *Page) All(ms ...Matcher) []*html.Node { return Find(p.Root, ms...) }

// First returns the first element that matches, or nil.
func (p *Page) First(ms ...Matcher) *html.Node {
	if all := p.All(ms...); len(all) > 0 {
		return all[0]
	}
	return nil
}

// One returns the only element that matches; the test fails otherwise.
func (p *Page) One(tb testing.TB, ms ...Matcher) *html.Node {
	tb.Helper()
	all := p.All(ms...)
	if len(all) != 1 {
		tb.Fatalf("%d elements match, want 1", len(all))
	}
	return all[0]
}

// Text is the text of the first element that matches, "" when none does.
func (p *Page) Text(ms ...Matcher) string { return Text(p.First(ms...)) }

// Texts are the texts of every element that matches.
func (p *Page) Texts(ms ...Matcher) []string {
	var out []string
	for _, n := range p.All(ms...) {
		out = append(out, Text(n))
	}
	return out
}

// Attrs are the values of attribute key of every element that matches
// and has it.
func (p *Page) Attrs(key string, ms ...Matcher) []string {
	var out []string
	for _, n := range p.All(append(ms, HasAttr(key))...) {
		v, _ := AttrOf(n, key)
		out = append(out, v)
	}
	return out
}

// Value is the value of input name in the first form that has one.
func (p *Page) Value(name string) string {
	n := p.First(Attr("name", name))
	if n == nil {
		return ""
	}
	if n.Data == "textarea" {
		return Text(n)
	}
	if n.Data == "select" {
		if o := Find(n, Tag("option"), HasAttr("selected")); len(o) > 0 {
			v, _ := AttrOf(o[0], "value")
			return v
		}
	}
	v, _ := AttrOf(n, "value")
	return v
}

// AttrOf returns an element's attribute.
func AttrOf(n *html.Node, key string) (string, bool) {
	if n == nil {
		return "", false
	}
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// Text is the text inside n, with runs of white space made one space.
func Text(n *html.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	// Only ASCII white space collapses: a no-break space (12 000, 6,0 mmol/l) is text.
	return strings.Join(strings.FieldsFunc(b.String(), func(r rune) bool { return strings.ContainsRune(" \t\n\r\f", r) }), " ")
}

// Render writes n back as HTML.
func Render(n *html.Node) string {
	var buf bytes.Buffer
	_ = html.Render(&buf, n)
	return buf.String()
}
