package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/omahoito/omahoito/record"
)

// TransactionEntry is one create of a transaction Bundle.
type TransactionEntry struct {
	FullURL     string
	Observation ParsedObservation
}

// entryIn decodes one transaction entry; R is the resource: decoded
// directly (*observationIn) on the fast path, or kept raw to report an
// error precisely.
type entryIn[R any] struct {
	FullURL  *string    `json:"fullUrl"`
	Resource R          `json:"resource"`
	Request  *requestIn `json:"request"`
	// Accepted and not used.
	ID        json.RawMessage `json:"id"`
	Extension json.RawMessage `json:"extension"`
	Link      json.RawMessage `json:"link"`
	// Refused.
	ModifierExtension json.RawMessage `json:"modifierExtension"`
	Search            json.RawMessage `json:"search"`
	Response          json.RawMessage `json:"response"`
}

// requestIn decodes an entry's request.
type requestIn struct {
	Method *string `json:"method"`
	URL    *string `json:"url"`
	// Accepted and not used.
	ID              json.RawMessage `json:"id"`
	Extension       json.RawMessage `json:"extension"`
	IfMatch         json.RawMessage `json:"ifMatch"`
	IfNoneMatch     json.RawMessage `json:"ifNoneMatch"`
	IfModifiedSince json.RawMessage `json:"ifModifiedSince"`
	// Refused.
	ModifierExtension json.RawMessage `json:"modifierExtension"`
	IfNoneExist       json.RawMessage `json:"ifNoneExist"`
}

// Bundle elements other than resourceType, type and entry: accepted (and
// not used), or refused with a reason.
var (
	acceptedBundleFields = map[string]bool{"id": true, "meta": true, "language": true, "identifier": true, "timestamp": true, "signature": true}
	refusedBundleFields  = map[string]string{
		"implicitRules": "implicit rules are not understood",
		"total":         "total belongs only in search and history Bundles",
		"link":          "links are not accepted in a transaction",
	}
)

// ParseTransaction reads a transaction Bundle of Observation creates
// (request POST Observation). Errors are *FieldError naming the
// first bad entry, e.g. "Bundle.entry[3].resource.valueQuantity.value".
//
// The Bundle is split into entries without decoding them, and the entries
// are decoded in parallel, each in one pass: 10,000 entries take tens of
// milliseconds.
func ParseTransaction(body []byte) ([]TransactionEntry, error) {
	members, entries, err := skimObject(body, "Bundle", "entry")
	if err != nil {
		return nil, err
	}
	if err := checkBundleHead(members); err != nil {
		return nil, err
	}
	for _, m := range members {
		switch {
		case m.key == "resourceType" || m.key == "type":
		case m.key == "entry":
			if m.value[0] != '[' {
				return nil, fieldErr("Bundle.entry", "expected an array")
			}
		case acceptedBundleFields[m.key]:
			if !json.Valid(m.value) {
				return nil, fieldErr("Bundle."+m.key, "malformed JSON")
			}
		case refusedBundleFields[m.key] != "":
			return nil, fieldErr("Bundle."+m.key, "%s", refusedBundleFields[m.key])
		default:
			return nil, fieldErr("Bundle."+m.key, "unknown field %q", m.key)
		}
	}
	return parseEntries(entries)
}

// checkBundleHead checks resourceType and type before anything else, and
// that no element is given twice.
func checkBundleHead(members []member) error {
	seen := make(map[string]bool, len(members))
	var resourceType, typ *string
	for _, m := range members {
		if seen[m.key] {
			return fieldErr("Bundle."+m.key, "%s is given twice", m.key)
		}
		seen[m.key] = true
		switch m.key {
		case "resourceType":
			resourceType = new(string)
			if json.Unmarshal(m.value, resourceType) != nil {
				return fieldErr("Bundle.resourceType", "expected a string")
			}
		case "type":
			typ = new(string)
			if json.Unmarshal(m.value, typ) != nil {
				return fieldErr("Bundle.type", "expected a string")
			}
		}
	}
	switch {
	case deref(resourceType) != "Bundle":
		return fieldErr("Bundle.resourceType", "expected resourceType Bundle, got %q", deref(resourceType))
	case typ == nil:
		return fieldErr("Bundle.type", "the Bundle type is missing; send a transaction")
	case *typ != "transaction":
		return fieldErr("Bundle.type", "only transaction Bundles are accepted, got %q", *typ)
	}
	return nil
}

// entriesPerTask is how many entries a worker takes at a time.
const entriesPerTask = 64

// parseEntries parses every entry on all CPUs and returns the error of the
// first bad entry, in order, if any.
func parseEntries(raws [][]byte) ([]TransactionEntry, error) {
	out := make([]TransactionEntry, len(raws))
	var (
		next     atomic.Int64
		firstBad atomic.Int64 // lowest bad index so far; later entries need no work
		mu       sync.Mutex
		badErr   error
		wg       sync.WaitGroup
	)
	firstBad.Store(int64(len(raws)))
	work := func() {
		var buf []byte
		for {
			start := int(next.Add(entriesPerTask)) - entriesPerTask
			if start >= len(raws) || int64(start) > firstBad.Load() {
				return
			}
			end := min(start+entriesPerTask, len(raws))
			i, err := parseChunk(start, raws[start:end], out[start:end], &buf)
			if err == nil {
				continue
			}
			mu.Lock()
			if int64(i) < firstBad.Load() {
				firstBad.Store(int64(i))
				badErr = err
			}
			mu.Unlock()
		}
	}
	workers := min(runtime.GOMAXPROCS(0), (len(raws)+entriesPerTask-1)/entriesPerTask)
	for range workers {
		wg.Go(work)
	}
	wg.Wait()
	if badErr != nil {
		return nil, badErr
	}
	return out, nil
}

// parseChunk parses the entries raws, numbered from start, into out. One
// json.Decoder reads them all, one per line (a Decoder per entry would
// spend more on its buffers than on decoding). It stops at the first bad
// entry and returns its index and error; that entry is read again on its
// own, resource kept raw, to name the problem as ParseObservation would.
func parseChunk(start int, raws [][]byte, out []TransactionEntry, buf *[]byte) (int, error) {
	*buf = (*buf)[:0]
	ends := make([]int64, len(raws))
	for k, raw := range raws {
		*buf = append(append(*buf, raw...), '\n')
		ends[k] = int64(len(*buf) - 1)
	}
	dec := json.NewDecoder(bytes.NewReader(*buf))
	dec.DisallowUnknownFields()
	for k := range raws {
		i := start + k
		var e entryIn[*observationIn]
		if err := dec.Decode(&e); err != nil || dec.InputOffset() != ends[k] {
			return i, slowEntryError(i, raws[k], err)
		}
		te, err := finishEntry(i, &e)
		if err != nil {
			return i, err
		}
		out[k] = te
	}
	return 0, nil
}

// finishEntry checks decoded entry i and reads its Observation.
func finishEntry(i int, e *entryIn[*observationIn]) (TransactionEntry, error) {
	if err := e.check(entryPath(i), e.Resource != nil); err != nil {
		return TransactionEntry{}, err
	}
	p, err := e.Resource.parse()
	if err != nil {
		return TransactionEntry{}, InBundleEntry(i, err)
	}
	return TransactionEntry{FullURL: deref(e.FullURL), Observation: p}, nil
}

// slowEntryError names what is wrong with entry i, which failed to decode
// with err as part of a chunk.
func slowEntryError(i int, raw []byte, err error) error {
	if slow := parseEntrySlowly(i, raw); slow != nil {
		return slow
	}
	if err == nil {
		err = errors.New("the entry is not one JSON value")
	}
	return fieldErr(entryPath(i), "%s", strings.TrimPrefix(err.Error(), "json: "))
}

// parseEntrySlowly decodes the entry with its resource kept raw and the
// resource on its own.
func parseEntrySlowly(i int, raw []byte) error {
	root := entryPath(i)
	var e entryIn[json.RawMessage]
	if err := decodeStrict(raw, &e, root); err != nil {
		return err
	}
	if err := e.check(root, len(e.Resource) > 0 && string(e.Resource) != "null"); err != nil {
		return err
	}
	if _, err := ParseObservation(e.Resource); err != nil {
		return InBundleEntry(i, err)
	}
	return nil
}

func (e *entryIn[R]) check(root string, hasResource bool) error {
	switch {
	case e.ModifierExtension != nil:
		return fieldErr(root+".modifierExtension", "modifier extensions are not understood")
	case e.Search != nil:
		return fieldErr(root+".search", "search belongs only in searchset Bundles")
	case e.Response != nil:
		return fieldErr(root+".response", "response belongs only in response and history Bundles")
	case e.Request == nil:
		return fieldErr(root+".request", "each entry needs a request: method POST, url Observation")
	case !hasResource:
		return fieldErr(root+".resource", "each entry needs an Observation")
	}
	return e.Request.check(root + ".request")
}

func (r *requestIn) check(root string) error {
	switch {
	case r.ModifierExtension != nil:
		return fieldErr(root+".modifierExtension", "modifier extensions are not understood")
	case deref(r.Method) == "":
		return fieldErr(root+".method", "the method is missing; use POST")
	case *r.Method != "POST":
		return fieldErr(root+".method", "only POST (create) is supported in a transaction, got %q; send updates and deletes one by one", *r.Method)
	case deref(r.URL) != "Observation":
		return fieldErr(root+".url", "only Observation creates are supported: url must be \"Observation\", got %q", deref(r.URL))
	case r.IfNoneExist != nil:
		return fieldErr(root+".ifNoneExist", "conditional create is not supported; give the Observation an identifier instead: the same identifier is stored once")
	}
	return nil
}

func entryPath(i int) string { return "Bundle.entry[" + strconv.Itoa(i) + "]" }

// InBundleEntry moves a FieldError about an Observation (a *FieldError or
// a *record.FieldError) to entry i of a transaction Bundle
// ("Observation.x" becomes "Bundle.entry[i].resource.x"); other errors are
// returned as they are. Use it for the errors of record.Service.Record,
// whose record.EntryError gives the index.
func InBundleEntry(i int, err error) error {
	var fe *FieldError
	if !errors.As(FromRecord(err), &fe) {
		return err
	}
	field := fe.Path
	if rest, ok := strings.CutPrefix(field, "Observation"); ok {
		field = entryPath(i) + ".resource" + rest
	} else if !strings.HasPrefix(field, "Bundle.") {
		field = entryPath(i) + "." + field
	}
	return &FieldError{Path: field, Msg: fe.Msg}
}

// EntryError turns an error of record.Service.Record into one naming its
// Bundle entry: a *record.EntryError holding a field error becomes a
// *FieldError at Bundle.entry[i].resource...; others pass unchanged.
func EntryError(err error) error {
	var ee *record.EntryError
	if !errors.As(err, &ee) {
		return err
	}
	if moved := InBundleEntry(ee.Index, ee.Err); moved != ee.Err {
		return moved
	}
	return err
}

// TransactionResponse answers a transaction: one entry per input, in order,
// "201 Created" for a new measurement and "200 OK" for one whose identifier
// was already stored.
func TransactionResponse(results []record.Added) fm.Bundle {
	b := fm.Bundle{Type: fm.BundleTypeTransactionResponse, Entry: make([]fm.BundleEntry, len(results))}
	for i, r := range results {
		status := "200 OK"
		switch {
		case r.Created:
			status = "201 Created"
		case r.Measurement.Deleted:
			status = "410 Gone" // its identifier names a measurement the citizen deleted
		}
		b.Entry[i] = fm.BundleEntry{Response: versionResponse(status, r.Measurement)}
	}
	return b
}

// versionResponse is an entry response naming the version written.
func versionResponse(status string, m record.Measurement) *fm.BundleEntryResponse {
	r := &fm.BundleEntryResponse{
		Status:   status,
		Location: ptr(VersionLocation(m.ID, m.Version)),
		Etag:     ptr(ETag(m.Version)),
	}
	if !m.Updated.IsZero() {
		r.LastModified = ptr(formatTime(m.Updated))
	}
	return r
}

// member is one name/value pair of a JSON object, the value undecoded.
type member struct {
	key   string
	value []byte
}

// skimmer finds where JSON values begin and end without decoding them. It
// checks the structure it walks (brackets, strings, separators); the values
// it returns are checked when they are decoded.
type skimmer struct {
	b    []byte
	i    int
	path string // FHIR path of what is skimmed, for errors
}

func (s *skimmer) malformed() error {
	if s.i >= len(s.b) {
		return fieldErr(s.path, "malformed JSON: the body ends early")
	}
	return fieldErr(s.path, "malformed JSON at byte %d: unexpected %q", s.i, s.b[s.i])
}

func (s *skimmer) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// next skips white space and reports whether the next byte is c, taking it if so.
func (s *skimmer) next(c byte) bool {
	s.space()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// value returns the next value.
func (s *skimmer) value() ([]byte, error) {
	s.space()
	start := s.i
	if s.i >= len(s.b) {
		return nil, s.malformed()
	}
	var err error
	switch s.b[s.i] {
	case '"':
		err = s.str()
	case '{', '[':
		err = s.nested()
	default:
		err = s.literal()
	}
	return s.b[start:s.i], err
}

// str skips a string, the opening quote at s.i.
func (s *skimmer) str() error {
	for s.i++; s.i < len(s.b); s.i++ {
		switch s.b[s.i] {
		case '\\':
			s.i++
		case '"':
			s.i++
			return nil
		}
	}
	return s.malformed()
}

// nested skips an object or array, matching brackets.
func (s *skimmer) nested() error {
	closers := make([]byte, 0, 16)
	for s.i < len(s.b) {
		switch c := s.b[s.i]; c {
		case '"':
			if err := s.str(); err != nil {
				return err
			}
			continue
		case '{':
			closers = append(closers, '}')
		case '[':
			closers = append(closers, ']')
		case '}', ']':
			if closers[len(closers)-1] != c {
				return s.malformed()
			}
			closers = closers[:len(closers)-1]
			if len(closers) == 0 {
				s.i++
				return nil
			}
		}
		s.i++
	}
	return s.malformed()
}

// literal skips a number, true, false or null.
func (s *skimmer) literal() error {
	start := s.i
	for s.i < len(s.b) && strings.IndexByte(",}] \t\n\r", s.b[s.i]) < 0 {
		s.i++
	}
	if s.i == start {
		return s.malformed()
	}
	return nil
}

// end checks that nothing but white space follows.
func (s *skimmer) end() error {
	s.space()
	if s.i < len(s.b) {
		return fieldErr(s.path, "unexpected data after the JSON object")
	}
	return nil
}

// skimObject splits a JSON object into its members. The value of the
// member named split, when it is an array, is also split into its
// elements, in the same pass.
func skimObject(b []byte, path, split string) ([]member, [][]byte, error) {
	s := &skimmer{b: b, path: path}
	if s.space(); s.i >= len(s.b) {
		return nil, nil, fieldErr(path, "the body is empty")
	}
	if !s.next('{') {
		return nil, nil, fieldErr(path, "expected a JSON object")
	}
	var members []member
	var elems [][]byte
	for first := true; !s.next('}'); first = false {
		if !first && !s.next(',') {
			return nil, nil, s.malformed()
		}
		m, err := s.member(split, &elems)
		if err != nil {
			return nil, nil, err
		}
		members = append(members, m)
	}
	return members, elems, s.end()
}

func (s *skimmer) member(split string, elems *[][]byte) (member, error) {
	if s.space(); s.i >= len(s.b) || s.b[s.i] != '"' {
		return member{}, s.malformed()
	}
	key, err := s.value()
	if err != nil {
		return member{}, err
	}
	var name string
	if json.Unmarshal(key, &name) != nil || !s.next(':') {
		return member{}, s.malformed()
	}
	if s.space(); name == split && s.i < len(s.b) && s.b[s.i] == '[' {
		start := s.i
		*elems, err = s.array()
		return member{key: name, value: s.b[start:s.i]}, err
	}
	value, err := s.value()
	return member{key: name, value: value}, err
}

// array splits the array at s.i into its elements.
func (s *skimmer) array() ([][]byte, error) {
	if !s.next('[') {
		return nil, s.malformed()
	}
	var elems [][]byte
	for first := true; !s.next(']'); first = false {
		if !first && !s.next(',') {
			return nil, s.malformed()
		}
		v, err := s.value()
		if err != nil {
			return nil, err
		}
		elems = append(elems, v)
	}
	return elems, nil
}
