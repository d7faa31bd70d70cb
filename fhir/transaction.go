package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	// Used: a conditional create on the Observation's identifier.
	IfNoneExist *string `json:"ifNoneExist"`
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

// DecodeTransaction reads a transaction Bundle of Observation creates
// (request POST Observation) from r, entry by entry, so memory grows with
// what is valid: it stops at the first bad entry without reading the rest.
// The caller limits r (10 MB). Errors are *FieldError naming the first bad
// entry, e.g. "Bundle.entry[3].resource.valueQuantity.value".
//
// No one value (an entry, or another member of the Bundle) may be larger
// than MaxValueBytes: encoding/json buffers a whole value, so without a
// bound one huge junk entry would cost several times its size.
func DecodeTransaction(r io.Reader) ([]TransactionEntry, error) {
	src := &valueLimiter{r: r}
	t := &txReader{dec: json.NewDecoder(src), src: src, seen: map[string]bool{}}
	t.allow()
	return t.read()
}

// MaxValueBytes bounds one entry of a transaction Bundle, and any other
// value in it; a measurement with the longest note takes a few kB.
const MaxValueBytes = 256 << 10

// errValueTooLarge stops the decoder in a value over MaxValueBytes;
// ErrValueTooLarge is what the caller sees (413).
var (
	errValueTooLarge = errors.New("value too large")
	ErrValueTooLarge = errors.New("a value of the transaction Bundle is too large")
)

// valueLimiter lets the decoder read up to stopAt bytes of the body.
type valueLimiter struct {
	r            io.Reader
	read, stopAt int64
}

func (l *valueLimiter) Read(p []byte) (int, error) {
	room := l.stopAt - l.read
	if room <= 0 {
		return 0, errValueTooLarge
	}
	if int64(len(p)) > room {
		p = p[:room]
	}
	n, err := l.r.Read(p)
	l.read += int64(n)
	return n, err
}

// allow lets the decoder read the next value, up to MaxValueBytes.
func (t *txReader) allow() { t.src.stopAt = t.dec.InputOffset() + MaxValueBytes }

// ParseTransaction is DecodeTransaction over a body already read.
func ParseTransaction(body []byte) ([]TransactionEntry, error) {
	return DecodeTransaction(bytes.NewReader(body))
}

// txReader walks a Bundle's members with a streaming decoder.
type txReader struct {
	dec          *json.Decoder
	src          *valueLimiter
	seen         map[string]bool
	resourceType bool // resourceType Bundle was read
	typ          bool // type transaction was read
	entries      []TransactionEntry
}

func (t *txReader) read() ([]TransactionEntry, error) {
	tok, err := t.dec.Token()
	switch {
	case errors.Is(err, io.EOF):
		return nil, malformed("Bundle", "the body is empty")
	case err != nil:
		return nil, syntaxErr(err, "Bundle")
	case tok != json.Delim('{'):
		return nil, malformed("Bundle", "expected a JSON object")
	}
	for t.dec.More() {
		if err := t.member(); err != nil {
			return nil, err
		}
	}
	if _, err := t.dec.Token(); err != nil { // the closing brace
		return nil, syntaxErr(err, "Bundle")
	}
	if _, err := t.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, malformed("Bundle", "unexpected data after the JSON object")
	}
	switch {
	case !t.resourceType:
		return nil, malformed("Bundle.resourceType", "expected resourceType Bundle, got %q", "")
	case !t.typ:
		return nil, malformed("Bundle.type", "the Bundle type is missing; send a transaction")
	}
	return t.entries, nil
}

// member reads one member of the Bundle.
func (t *txReader) member() error {
	t.allow()
	tok, err := t.dec.Token()
	if err != nil {
		return syntaxErr(err, "Bundle")
	}
	key, _ := tok.(string)
	if t.seen[key] {
		return malformed("Bundle."+key, "%s is given twice", key)
	}
	t.seen[key] = true
	t.allow()
	switch {
	case key == "resourceType":
		return t.resourceTypeMember()
	case key == "type":
		return t.typeMember()
	case key == "entry":
		return t.readEntries()
	case acceptedBundleFields[key]:
		return t.skip("Bundle." + key)
	case refusedBundleFields[key] != "":
		return fieldErr("Bundle."+key, "%s", refusedBundleFields[key])
	}
	if !t.resourceType {
		// Perhaps not a Bundle at all; reading on to find out would cost
		// memory for whatever junk follows, so say what is expected.
		return malformed("Bundle."+key, "unknown field %q; a transaction is a Bundle (resourceType Bundle, type transaction)", key)
	}
	return malformed("Bundle."+key, "unknown field %q", key)
}

func (t *txReader) resourceTypeMember() error {
	var v string
	if err := t.dec.Decode(&v); err != nil {
		return malformed("Bundle.resourceType", "expected a string")
	}
	if v != "Bundle" {
		return malformed("Bundle.resourceType", "expected resourceType Bundle, got %q", v)
	}
	t.resourceType = true
	return nil
}

func (t *txReader) typeMember() error {
	var v string
	if err := t.dec.Decode(&v); err != nil {
		return malformed("Bundle.type", "expected a string")
	}
	if v != "transaction" {
		return fieldErr("Bundle.type", "only transaction Bundles are accepted, got %q", v)
	}
	t.typ = true
	return nil
}

// skip reads a value it does not use, checking that it is JSON. Decoding
// into an empty struct keeps no copy of the value; a type error only says
// it was not an object, which does not matter here.
func (t *txReader) skip(path string) error {
	var typeErr *json.UnmarshalTypeError
	if err := t.dec.Decode(&struct{}{}); err != nil && !errors.As(err, &typeErr) {
		return syntaxErr(err, path)
	}
	return nil
}

// Entries are read in batches of at most batchEntries entries or
// batchBytes bytes, and each batch is parsed on every CPU: junk costs at
// most one batch beyond the first bad entry.
const (
	batchEntries = 256
	batchBytes   = 1 << 20
)

// readEntries reads the entry array a batch at a time.
func (t *txReader) readEntries() error {
	tok, err := t.dec.Token()
	if err != nil {
		return syntaxErr(err, "Bundle.entry")
	}
	if tok != json.Delim('[') {
		return malformed("Bundle.entry", "expected an array")
	}
	var raws [][]byte
	for t.dec.More() {
		raws, size := raws[:0], 0
		var readErr error
		for len(raws) < batchEntries && size < batchBytes && t.dec.More() {
			var raw json.RawMessage
			t.allow()
			if readErr = t.dec.Decode(&raw); readErr != nil {
				break
			}
			raws, size = append(raws, raw), size+len(raw)
		}
		// An entry before a broken one may itself be bad: it is named first.
		if err := t.parseBatch(raws); err != nil {
			return err
		}
		if readErr != nil {
			return syntaxErr(readErr, entryPath(len(t.entries)))
		}
	}
	if _, err := t.dec.Token(); err != nil {
		return syntaxErr(err, "Bundle.entry")
	}
	return nil
}

// parseBatch parses raws, the entries after those read so far, and returns
// the error of the first bad one. The fast path runs on every CPU; an
// entry it does not take is read again on its own to name the problem.
func (t *txReader) parseBatch(raws [][]byte) error {
	base := len(t.entries)
	out := make([]TransactionEntry, len(raws))
	ok := make([]bool, len(raws))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(raws)) {
		wg.Go(func() {
			for k := int(next.Add(1)) - 1; k < len(raws); k = int(next.Add(1)) - 1 {
				out[k], ok[k] = fastEntry(base+k, raws[k])
			}
		})
	}
	wg.Wait()
	for k := range raws {
		if ok[k] {
			continue
		}
		e, err := parseEntry(base+k, raws[k])
		if err != nil {
			return err
		}
		out[k] = e
	}
	t.entries = append(t.entries, out...)
	return nil
}

// syntaxErr names a decoding error at path.
func syntaxErr(err error, path string) error {
	if errors.Is(err, errValueTooLarge) {
		return fmt.Errorf("%w: %w", ErrValueTooLarge,
			malformed(path, "larger than %d kB: no value of a transaction needs so much (an entry holds one measurement)", MaxValueBytes>>10))
	}
	return decodeError(nil, err, path)
}

// entryShape is what a transaction entry may hold, for the fast path:
// the members of entryIn and requestIn, and an Observation as
// ParseObservation takes it.
var entryShape = obj(map[string]*shape{
	"fullUrl": nil, "resource": observationShape, "id": nil, "extension": nil, "link": nil,
	"modifierExtension": nil, "search": nil, "response": nil,
	"request": obj(map[string]*shape{
		"method": nil, "url": nil, "id": nil, "extension": nil, "ifMatch": nil, "ifNoneMatch": nil,
		"ifModifiedSince": nil, "modifierExtension": nil, "ifNoneExist": nil,
	}),
})

// fastEntry reads entry i in one decode when nothing in it is wrong:
// skimShape first checks every member name exactly (what
// DisallowUnknownFields and checkShape check on the slow path), so a
// plain json.Unmarshal cannot drop or case-fold a member. ok is false at
// the first doubt; parseEntry then reads the entry again to name the
// problem. A valid Bundle of 10,000 entries takes tens of milliseconds
// this way instead of seconds.
func fastEntry(i int, raw []byte) (TransactionEntry, bool) {
	if !skimShape(raw, entryShape) {
		return TransactionEntry{}, false
	}
	var e entryIn[*observationIn]
	if json.Unmarshal(raw, &e) != nil || e.check(entryPath(i), e.Resource != nil) != nil {
		return TransactionEntry{}, false
	}
	p, err := e.Resource.parse()
	if err != nil {
		return TransactionEntry{}, false
	}
	if e.Request.IfNoneExist != nil {
		id, err := ParseIfNoneExist(*e.Request.IfNoneExist)
		if err != nil || CheckIfNoneExist(id, p) != nil {
			return TransactionEntry{}, false
		}
	}
	return TransactionEntry{FullURL: deref(e.FullURL), Observation: p}, true
}

// parseEntry reads entry i: its envelope, then its Observation.
func parseEntry(i int, raw []byte) (TransactionEntry, error) {
	root := entryPath(i)
	var e entryIn[json.RawMessage]
	if err := decodeStrict(raw, &e, root); err != nil {
		return TransactionEntry{}, err
	}
	if err := e.check(root, len(e.Resource) > 0 && string(e.Resource) != "null"); err != nil {
		return TransactionEntry{}, err
	}
	p, err := ParseObservation(e.Resource)
	if err != nil {
		return TransactionEntry{}, InBundleEntry(i, err)
	}
	if e.Request.IfNoneExist != nil {
		id, err := ParseIfNoneExist(*e.Request.IfNoneExist)
		if err == nil {
			err = CheckIfNoneExist(id, p)
		}
		if err != nil {
			return TransactionEntry{}, fieldErr(root+".request.ifNoneExist", "%s", err.Error())
		}
	}
	return TransactionEntry{FullURL: deref(e.FullURL), Observation: p}, nil
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
	return &FieldError{Path: field, Msg: fe.Msg, Malformed: fe.Malformed}
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
