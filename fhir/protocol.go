package fhir

import (
	"errors"
	"fmt"
	"mime"
	"strconv"
	"strings"
	"time"

	"github.com/omahoito/omahoito/record"
)

// Errors of the FHIR protocol, for the API's one error table: ErrInvalidParam
// and ErrInvalidHeader are 400, ErrNotAcceptable 406, ErrUnsupportedMedia 415.
var (
	ErrInvalidParam     = errors.New("invalid search parameter")
	ErrInvalidHeader    = errors.New("invalid request header")
	ErrNotAcceptable    = errors.New("not acceptable: omahoito answers in FHIR JSON only")
	ErrUnsupportedMedia = errors.New("unsupported content type; send application/fhir+json")
)

// CheckFormat checks a _format parameter: empty, json, application/json and
// application/fhir+json (with parameters such as charset) are served;
// anything else, XML and Turtle included, is ErrNotAcceptable.
func CheckFormat(format string) error {
	f := strings.TrimSpace(format)
	if f == "" || strings.EqualFold(f, "json") {
		return nil
	}
	if media, _, err := mime.ParseMediaType(f); err == nil && isJSONMedia(media) {
		return nil
	}
	return fmt.Errorf("%w: this _format is not served; use json", ErrNotAcceptable)
}

func isJSONMedia(media string) bool {
	return media == ContentType || media == "application/json" || media == legacyContentType
}

// legacyContentType is FHIR JSON as DSTU2 and STU3 named it; clients
// written then still send it.
const legacyContentType = "application/json+fhir"

// CheckAccept decides from an Accept header whether JSON may be given:
// yes when it is absent or names application/fhir+json, application/json,
// application/*, */* or the FHIR short form json with a q above 0; else
// ErrNotAcceptable (a client asking for XML only).
func CheckAccept(accept string) error {
	if strings.TrimSpace(accept) == "" {
		return nil
	}
	for _, part := range strings.Split(accept, ",") {
		if strings.EqualFold(strings.TrimSpace(part), "json") {
			return nil // some clients send the _format short form
		}
		media, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if q, ok := params["q"]; ok {
			if v, err := strconv.ParseFloat(q, 64); err != nil || v <= 0 {
				continue // q=0 means "not this one"
			}
		}
		if isJSONMedia(media) || media == "*/*" || media == "application/*" {
			return nil
		}
	}
	return fmt.Errorf("%w: Accept %q; accept application/fhir+json", ErrNotAcceptable, accept)
}

// WantsResource tells whether a read of a Binary is to be answered as a
// FHIR Binary resource (its content base64 in data) rather than as the raw
// content (R4 Binary §"Serving Binary resources"): yes when _format is
// given, or when Accept names a FHIR JSON type (application/fhir+json or
// its R3 form application/json+fhir) with a q above 0. A browser's Accept
// (*/*, image/*, text/html) gets the raw content.
func WantsResource(accept string, formats []string) bool {
	if len(formats) > 0 {
		return true
	}
	for _, part := range strings.Split(accept, ",") {
		media, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || (media != ContentType && media != legacyContentType) {
			continue
		}
		if q, ok := params["q"]; ok {
			if v, err := strconv.ParseFloat(q, 64); err != nil || v <= 0 {
				continue
			}
		}
		return true
	}
	return false
}

// CheckContentType checks the Content-Type of a request body: absent,
// application/fhir+json or application/json; else ErrUnsupportedMedia.
func CheckContentType(contentType string) error {
	if contentType == "" {
		return nil
	}
	media, _, err := mime.ParseMediaType(contentType)
	if err != nil || !isJSONMedia(media) {
		return fmt.Errorf("%w: got %q", ErrUnsupportedMedia, contentType)
	}
	return nil
}

// Return is what a client asks to get back from a write (Prefer: return=).
type Return int

// The answers a client may prefer; ReturnDefault when it names none,
// which R4 leaves to the server: Answer says what omahoito gives.
const (
	ReturnDefault Return = iota
	ReturnMinimal
	ReturnRepresentation
	ReturnOperationOutcome
)

// Answer is what omahoito answers when r is preferred: a write of one
// resource answers ReturnDefault with the resource (ReturnRepresentation);
// a transaction answers it with each entry's response alone
// (ReturnMinimal), since echoing a Bundle of thousands of measurements
// would double what the client sent for nothing it does not know.
func (r Return) Answer(transaction bool) Return {
	switch {
	case r != ReturnDefault:
		return r
	case transaction:
		return ReturnMinimal
	}
	return ReturnRepresentation
}

// Handling is what a search does with parameters it does not know
// (Prefer: handling=).
type Handling int

// HandlingStrict is omahoito's default, although R4's is lenient: a typo
// must not silently widen a search of someone's health data.
const (
	HandlingStrict Handling = iota
	HandlingLenient
)

// Prefer holds the preferences of a request's Prefer headers that
// omahoito honours.
type Prefer struct {
	Return   Return
	Handling Handling
}

// ParsePrefer reads the values of every Prefer header (RFC 7240): several
// preferences separated by commas, each token=value with optional
// ;parameters; tokens and values are case-insensitive and values may be
// quoted. As RFC 7240 says, a preference given twice counts the first time,
// and preferences or values omahoito does not know are ignored.
func ParsePrefer(headers []string) Prefer {
	var p Prefer
	seen := map[string]bool{}
	for _, h := range headers {
		for _, pref := range strings.Split(h, ",") {
			name, value := preference(pref)
			if name == "" || seen[name] {
				continue
			}
			seen[name] = true
			switch name {
			case "return":
				p.Return = returnOf(value)
			case "handling":
				if value == "lenient" {
					p.Handling = HandlingLenient
				}
			}
		}
	}
	return p
}

// preference splits "name=value; param" into the lower-cased name and value.
func preference(s string) (name, value string) {
	s, _, _ = strings.Cut(s, ";")
	name, value, _ = strings.Cut(s, "=")
	name = strings.ToLower(strings.TrimSpace(name))
	value = strings.ToLower(strings.Trim(strings.TrimSpace(value), `"`))
	return name, value
}

func returnOf(v string) Return {
	switch v {
	case "minimal":
		return ReturnMinimal
	case "representation":
		return ReturnRepresentation
	case "operationoutcome":
		return ReturnOperationOutcome
	}
	return ReturnDefault
}

// ETag is the weak entity tag of a version: W/"3".
func ETag(version int) string { return `W/"` + strconv.Itoa(version) + `"` }

// ParseETag reads an If-Match or version value (W/"3", "3" or 3) as a
// version; errors wrap ErrInvalidHeader.
func ParseETag(s string) (int, error) {
	v := strings.TrimPrefix(strings.TrimSpace(s), "W/")
	v = strings.TrimSuffix(strings.TrimPrefix(v, `"`), `"`)
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || strconv.Itoa(n) != v {
		return 0, fmt.Errorf("%w: %q is not a version tag such as W/\"3\"", ErrInvalidHeader, s)
	}
	return n, nil
}

// IfMatch reads an If-Match header: 0 when it is absent, else the version
// it names.
func IfMatch(header string) (int, error) {
	if strings.TrimSpace(header) == "" {
		return 0, nil
	}
	v, err := ParseETag(header)
	if err != nil {
		return 0, fmt.Errorf("If-Match: %w", err)
	}
	return v, nil
}

// httpTime is the HTTP date format (net/http.TimeFormat), kept here so the
// package needs no HTTP server code.
const httpTime = "Mon, 02 Jan 2006 15:04:05 GMT"

// LastModified formats t for a Last-Modified header.
func LastModified(t time.Time) string { return t.UTC().Format(httpTime) }

// ResourceURL is the absolute URL of a resource, the fullUrl of its
// Bundle entries: base/Type/id.
func ResourceURL(base, typ, id string) string { return base + "/" + typ + "/" + id }

// VersionURL is the absolute URL of one version, the Location of a create.
func VersionURL(base, typ, id string, version int) string {
	return ResourceURL(base, typ, id) + "/_history/" + strconv.Itoa(version)
}

// VersionLocation is the relative URL of one version of a measurement.
func VersionLocation(id string, version int) string {
	return "Observation/" + id + "/_history/" + strconv.Itoa(version)
}

// Headers are the response headers of a read or write of one version.
type Headers struct {
	ETag         string
	LastModified string // "" when the time is not known
	Location     string // set only for a create
}

// ObservationHeaders are the headers that answer a read or write of m;
// created adds the Location of the new version.
func ObservationHeaders(base string, m record.Measurement, created bool) Headers {
	h := Headers{ETag: ETag(m.Version)}
	if !m.Updated.IsZero() {
		h.LastModified = LastModified(m.Updated)
	}
	if created {
		h.Location = VersionURL(base, "Observation", m.ID, m.Version)
	}
	return h
}
