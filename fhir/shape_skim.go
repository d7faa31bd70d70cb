package fhir

// skimShape checks, byte by byte and without decoding, that b is one JSON
// value whose objects have only the members s allows, each named exactly
// (FHIR names are case-sensitive) and at most once. It is the fast path of
// a transaction entry: when it says yes, one json.Unmarshal reads the
// entry, since no member can be dropped or matched by case-folding. When
// it says no, the entry is read again slowly to name what is wrong; so it
// may say no to what is valid (a key with an escape), never the reverse.
// It checks structure only loosely (json.Unmarshal checks the rest).
func skimShape(b []byte, s *shape) bool {
	w := shapeSkimmer{b: b}
	if !w.value(s, 0) {
		return false
	}
	w.space()
	return w.i == len(w.b)
}

// maxSkimDepth bounds the nesting the skimmer follows; deeper is left to
// the slow path, which encoding/json bounds.
const maxSkimDepth = 64

type shapeSkimmer struct {
	b []byte
	i int
}

func (w *shapeSkimmer) space() {
	for w.i < len(w.b) {
		switch w.b[w.i] {
		case ' ', '\t', '\n', '\r':
			w.i++
		default:
			return
		}
	}
}

// value skims one value; objects and arrays of objects are checked
// against s, and a nil s takes any value.
func (w *shapeSkimmer) value(s *shape, depth int) bool {
	w.space()
	if w.i >= len(w.b) || depth > maxSkimDepth {
		return false
	}
	switch w.b[w.i] {
	case '{':
		return w.object(s, depth)
	case '[':
		return w.array(s, depth)
	case '"':
		_, ok := w.str(false)
		return ok
	}
	return w.literal()
}

// object skims an object, its brace at w.i.
func (w *shapeSkimmer) object(s *shape, depth int) bool {
	w.i++
	var seenBuf [24][]byte
	seen := seenBuf[:0]
	for first := true; ; first = false {
		w.space()
		if w.i < len(w.b) && w.b[w.i] == '}' {
			w.i++
			return true
		}
		if !first {
			if w.i >= len(w.b) || w.b[w.i] != ',' {
				return false
			}
			w.i++
			w.space()
		}
		if w.i >= len(w.b) || w.b[w.i] != '"' {
			return false
		}
		key, ok := w.str(true)
		if !ok || !w.colon() {
			return false
		}
		var child *shape
		if s != nil {
			var known bool
			if child, known = s.members[string(key)]; !known {
				return false
			}
			for _, k := range seen {
				if string(k) == string(key) {
					return false
				}
			}
			seen = append(seen, key)
		}
		if !w.value(child, depth+1) {
			return false
		}
	}
}

func (w *shapeSkimmer) colon() bool {
	w.space()
	if w.i < len(w.b) && w.b[w.i] == ':' {
		w.i++
		return true
	}
	return false
}

// array skims an array, its bracket at w.i; every element is checked
// against s.
func (w *shapeSkimmer) array(s *shape, depth int) bool {
	w.i++
	for first := true; ; first = false {
		w.space()
		if w.i < len(w.b) && w.b[w.i] == ']' {
			w.i++
			return true
		}
		if !first {
			if w.i >= len(w.b) || w.b[w.i] != ',' {
				return false
			}
			w.i++
		}
		if !w.value(s, depth+1) {
			return false
		}
	}
}

// str skims a string, its quote at w.i, and returns its raw content. A
// key with an escape is refused: the fast path does not unescape keys.
func (w *shapeSkimmer) str(key bool) ([]byte, bool) {
	start := w.i + 1
	for w.i = start; w.i < len(w.b); w.i++ {
		switch w.b[w.i] {
		case '\\':
			if key {
				return nil, false
			}
			w.i++
		case '"':
			w.i++
			return w.b[start : w.i-1], true
		}
	}
	return nil, false
}

// literal skims a number, true, false or null.
func (w *shapeSkimmer) literal() bool {
	start := w.i
	for w.i < len(w.b) {
		switch w.b[w.i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return w.i > start
		}
		w.i++
	}
	return w.i > start
}
