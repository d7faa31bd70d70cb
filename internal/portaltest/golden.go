package portaltest

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/omahoito/omahoito/internal/locale"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Golden compares got with testdata/name.golden; with -update it writes
// the file instead. Review a rewritten file as you would code.
func Golden(tb testing.TB, name, got string) {
	tb.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run the test with -update to write it)", err)
	}
	if string(want) != got {
		tb.Errorf("%s differs from %s (run with -update and review the diff):\n%s", name, path, firstDifference(string(want), got))
	}
}

// firstDifference shows the first line that differs, with its neighbours.
func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		if i >= len(w) || i >= len(g) || w[i] != g[i] {
			return "line " + itoa(i+1) + ":\nwant: " + at(w, i) + "\ngot:  " + at(g, i)
		}
	}
	return ""
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(end)"
}

func itoa(i int) string {
	var b []byte
	for ; i > 0 || len(b) == 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// Normalise makes a page comparable from run to run, on the parsed tree:
// 32-hex-digit ids and tokens become ID, the request id REQUEST-ID,
// moments within the last day (when a version was saved, a form's
// default date and time) NOW, and a chart's drawing (it depends on today)
// is left out; charts have their own golden files.
func Normalise(p *Page, now time.Time) string {
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch {
		case n.Type == html.ElementNode && n.Data == "svg":
			n.FirstChild, n.LastChild = nil, nil
			n.Attr = nil
			return
		case n.Type == html.ElementNode && n.Data == "p" && hasClass(n, "meta"):
			setText(n, "REQUEST-ID")
		case n.Type == html.ElementNode && n.Data == "time":
			if at, err := time.Parse(time.RFC3339, attr(n, "datetime")); err == nil && now.Sub(at) < 24*time.Hour && now.Sub(at) > -24*time.Hour {
				setAttr(n, "datetime", "NOW")
				setText(n, "NOW")
			}
		case n.Type == html.ElementNode && n.Data == "input" && (attr(n, "name") == "date" || attr(n, "name") == "time"):
			if v := attr(n, "value"); v == now.In(helsinki).Format("2006-01-02") || v == now.In(helsinki).Format("15:04") {
				setAttr(n, "value", "NOW")
			}
		}
		for i := range n.Attr {
			n.Attr[i].Val = hexIDs(n.Attr[i].Val)
		}
		if n.Type == html.TextNode {
			n.Data = hexIDs(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(p.Root)
	return Render(p.Root) + "\n"
}

var helsinki = locale.Helsinki

// hexIDs replaces every run of exactly 32 lower-case hex digits with ID.
func hexIDs(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && isHex(s[j]) {
			j++
		}
		switch {
		case j-i == 32:
			b.WriteString("ID")
			i = j
		case j > i:
			b.WriteString(s[i:j])
			i = j
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String()
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' }

func attr(n *html.Node, key string) string { v, _ := AttrOf(n, key); return v }

func hasClass(n *html.Node, class string) bool { return Class(class)(n) }

func setAttr(n *html.Node, key, val string) {
	for i := range n.Attr {
		if n.Attr[i].Key == key {
			n.Attr[i].Val = val
		}
	}
}

func setText(n *html.Node, text string) {
	n.FirstChild, n.LastChild = nil, nil
	n.AppendChild(&html.Node{Type: html.TextNode, Data: text})
}
