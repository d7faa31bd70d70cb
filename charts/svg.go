package charts

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"
)

var errMalformed = errors.New("charts: unexpected svg from gonum")

// finish turns gonum's SVG document into the element Render returns: it
// drops the XML declaration, replaces the root start tag with a responsive,
// labelled one followed by <title> and <desc>, and turns every style
// attribute into presentation attributes.
func finish(raw []byte, c Chart) ([]byte, error) {
	start := bytes.Index(raw, []byte("<svg"))
	if start < 0 {
		return nil, fmt.Errorf("%w: no <svg>", errMalformed)
	}
	end := bytes.IndexByte(raw[start:], '>')
	if end < 0 {
		return nil, fmt.Errorf("%w: unterminated <svg>", errMalformed)
	}
	var out bytes.Buffer
	out.Grow(len(raw))
	writeRoot(&out, c)
	if err := unstyle(&out, raw[start+end+1:]); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// writeRoot writes the root start tag, <title> and <desc>. The presentation
// attributes on the root are inherited by every element.
func writeRoot(out *bytes.Buffer, c Chart) {
	w, h := num(c.Width), num(c.Height)
	fmt.Fprintf(out, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="100%%"`+
		` preserveAspectRatio="xMidYMid meet" role="img" aria-labelledby="%s-title %s-desc"`+
		` font-family="%s" stroke-linejoin="round">`,
		w, h, c.ID, c.ID, fontFamily)
	fmt.Fprintf(out, `<title id="%s-title">`, c.ID)
	xml.EscapeText(out, []byte(c.Title))
	fmt.Fprintf(out, `</title><desc id="%s-desc">`, c.ID)
	xml.EscapeText(out, []byte(c.Description))
	out.WriteString("</desc>\n")
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// unstyle copies body to out, replacing each style="a:b;c:d" attribute with
// a="b" c="d". Default values, and the font family already set on the
// root, are left out.
func unstyle(out *bytes.Buffer, body []byte) error {
	const attr = `style="`
	for {
		i := bytes.Index(body, []byte(attr))
		if i < 0 {
			out.Write(body)
			return nil
		}
		out.Write(body[:i])
		rest := body[i+len(attr):]
		j := bytes.IndexByte(rest, '"')
		if j < 0 {
			return fmt.Errorf("%w: unterminated style attribute", errMalformed)
		}
		writeDeclarations(out, rest[:j])
		body = rest[j+1:]
	}
}

// writeDeclarations writes CSS declarations as presentation attributes.
func writeDeclarations(out *bytes.Buffer, decls []byte) {
	sep := false
	for d := range bytes.SplitSeq(decls, []byte(";")) {
		k, v, ok := bytes.Cut(d, []byte(":"))
		name, value := string(bytes.TrimSpace(k)), string(bytes.TrimSpace(v))
		if !ok || name == "" || redundant(name, value) {
			continue
		}
		if name == "font-family" {
			value += ", sans-serif"
		}
		if sep {
			out.WriteByte(' ')
		}
		sep = true
		out.WriteString(name)
		out.WriteString(`="`)
		xml.EscapeText(out, []byte(value))
		out.WriteByte('"')
	}
}

// redundant reports declarations that only restate the inherited value.
func redundant(name, value string) bool {
	switch name {
	case "font-family":
		return value == gonumFamily
	case "font-variant", "font-weight", "font-style":
		return value == "none" || value == "normal"
	}
	return false
}
