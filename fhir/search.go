package fhir

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"
	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/omahoito/omahoito/record"
)

// ParamType is the type of a search parameter, as FHIR R4 names it.
type ParamType string

// The search parameter types omahoito serves.
const (
	TypeToken     ParamType = "token"
	TypeString    ParamType = "string"
	TypeDate      ParamType = "date"
	TypeReference ParamType = "reference"
	TypeNumber    ParamType = "number"
)

// Param declares one search parameter of a resource type. The parser and
// the CapabilityStatement both read these declarations, so what the
// server says it supports and what it accepts cannot drift apart.
type Param struct {
	Name          string
	Type          ParamType
	Definition    string   // canonical URL of the SearchParameter
	Modifiers     []string // modifiers accepted besides none, e.g. "exact"
	Documentation string
	// Single: the parameter takes exactly one value per search, neither
	// repeated nor an OR list, because each value costs a lookup that is
	// decided and logged on its own (a personal identity code).
	Single bool
}

// MaxValues caps the values of one search parameter over all its
// occurrences (ANDed) and alternatives (ORed): a search is one question,
// not a batch of lookups smuggled into one request.
const MaxValues = 50

// SearchDecl is what one resource type can be searched by.
type SearchDecl struct {
	Type   string // e.g. "Observation"
	Params []Param
	Sorts  []string // accepted _sort values; none: _sort is refused
	Paging bool     // takes _cursor, the opaque position of next links
}

const spDef = "http://hl7.org/fhir/SearchParameter/"

// The search declarations of the API.
var (
	PatientSearch = SearchDecl{Type: "Patient", Params: []Param{
		{Name: "identifier", Type: TypeToken, Definition: spDef + "Patient-identifier", Single: true,
			Documentation: "The personal identity code (urn:oid:1.2.246.21|...), one per search; send it in the body of POST Patient/_search, never in a URL."},
	}}
	PractitionerSearch = SearchDecl{Type: "Practitioner", Params: []Param{
		{Name: "identifier", Type: TypeToken, Definition: spDef + "Practitioner-identifier",
			Documentation: "Terhikki number (urn:oid:1.2.246.537.26|...)."},
		{Name: "name", Type: TypeString, Definition: spDef + "Practitioner-name", Modifiers: []string{"exact", "contains"},
			Documentation: "Starts with, ignoring case and accents; :exact and :contains."},
	}}
	OrganizationSearch = SearchDecl{Type: "Organization", Params: []Param{
		{Name: "identifier", Type: TypeToken, Definition: spDef + "Organization-identifier",
			Documentation: "SOTE organisation OID (urn:ietf:rfc:3986|urn:oid:...)."},
		{Name: "name", Type: TypeString, Definition: spDef + "Organization-name", Modifiers: []string{"exact", "contains"},
			Documentation: "Starts with, ignoring case and accents; :exact and :contains."},
	}}
	ObservationSearch = SearchDecl{Type: "Observation", Sorts: []string{"date", "-date"}, Paging: true, Params: []Param{
		{Name: "patient", Type: TypeReference, Definition: spDef + "clinical-patient",
			Documentation: "Patient/{id}: the record searched."},
		{Name: "subject", Type: TypeReference, Definition: spDef + "Observation-subject", Modifiers: []string{"Patient"},
			Documentation: "Patient/{id}, as patient."},
		{Name: "code", Type: TypeToken, Definition: spDef + "clinical-code",
			Documentation: "LOINC code of the measurement; system|code, |code, code or system|."},
		{Name: "date", Type: TypeDate, Definition: spDef + "clinical-date",
			Documentation: "Time of the measurement, with prefix eq, gt, ge, lt, le, sa or eb; a date without a zone is in Finnish time."},
	}}
)

// SearchDecls lists every searchable type, for the CapabilityStatement.
func SearchDecls() []SearchDecl {
	return []SearchDecl{PatientSearch, PractitionerSearch, OrganizationSearch, ObservationSearch, ConsentSearch, AuditEventSearch, DocumentReferenceSearch}
}

// Param returns the declaration of the named parameter.
func (d SearchDecl) Param(name string) (Param, bool) {
	for _, p := range d.Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// Search is a parsed search request.
type Search struct {
	// Criteria holds one criterion per occurrence of a parameter, in name
	// order: occurrences are ANDed, the values of one are ORed.
	Criteria []Criterion
	Count    int    // _count; -1 when absent
	Sort     string // _sort as given; "" when absent
	Cursor   string // _cursor as given; "" when absent
	// Ignored names the unknown parameters left out under
	// Prefer: handling=lenient, sorted; the self link leaves them out too.
	Ignored []string
	applied url.Values
}

// Criterion is one occurrence of a search parameter; its values, split at
// unescaped commas, are alternatives (OR). Only the slice of the
// parameter's type is set.
type Criterion struct {
	Param      Param
	Modifier   string // e.g. "exact"; "" when none
	Tokens     []Token
	Strings    []StringMatch
	Dates      []DateBound
	References []string // "Type/id", or "id" when no type is given
	Numbers    []float64
}

// Get returns every criterion on the named parameter.
func (s *Search) Get(name string) []Criterion {
	var out []Criterion
	for _, c := range s.Criteria {
		if c.Param.Name == name {
			out = append(out, c)
		}
	}
	return out
}

// Query is the search as applied, for the Bundle's self link: what was
// ignored and _format are left out.
func (s *Search) Query() url.Values {
	out := url.Values{}
	for k, v := range s.applied {
		out[k] = slices.Clone(v)
	}
	return out
}

// controlParams are result parameters every search takes.
var controlParams = []string{"_count", "_sort", "_format", "_cursor"}

// Parse reads q (a GET query string or a POST _search form body) against
// the declaration. Errors wrap ErrInvalidParam (400), or ErrNotAcceptable
// (406) for a _format other than JSON. Under HandlingStrict an unknown
// parameter is an error naming it; under HandlingLenient it is ignored
// and listed in Search.Ignored. Modifiers and values are checked in both.
func (d SearchDecl) Parse(q url.Values, h Handling) (*Search, error) {
	s := &Search{Count: -1, applied: url.Values{}}
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, key := range names {
		ignored, err := d.parseKey(s, key, q[key], h)
		if err != nil {
			return nil, err
		}
		if ignored {
			s.Ignored = append(s.Ignored, key)
		} else if key != "_format" {
			s.applied[key] = q[key]
		}
	}
	if err := d.checkValues(s); err != nil {
		return nil, err
	}
	return s, nil
}

// checkValues refuses a parameter given more values than it takes: one
// for a Single parameter, else MaxValues. The message names the parameter
// and the count, never a value.
func (d SearchDecl) checkValues(s *Search) error {
	for _, p := range d.Params {
		n := 0
		for _, c := range s.Get(p.Name) {
			n += c.values()
		}
		switch {
		case p.Single && n > 1:
			return fmt.Errorf("%w: %s takes one value per %s search, got %d; search for each on its own", ErrInvalidParam, p.Name, d.Type, n)
		case n > MaxValues:
			return fmt.Errorf("%w: %s is given %d values; at most %d are taken in one search", ErrInvalidParam, p.Name, n, MaxValues)
		}
	}
	return nil
}

// values counts the criterion's alternatives.
func (c Criterion) values() int {
	return len(c.Tokens) + len(c.Strings) + len(c.Dates) + len(c.References) + len(c.Numbers)
}

// parseKey reads every value of one query key; ignored reports a key left
// out under lenient handling.
func (d SearchDecl) parseKey(s *Search, key string, values []string, h Handling) (ignored bool, err error) {
	if strings.HasPrefix(key, "_") {
		return d.parseControl(s, key, values, h)
	}
	name, modifier, _ := strings.Cut(key, ":")
	p, ok := d.Param(name)
	if !ok {
		if h == HandlingLenient {
			return true, nil
		}
		return false, d.unknown(key)
	}
	if modifier != "" && !slices.Contains(p.Modifiers, modifier) {
		return false, fmt.Errorf("%w: %s does not support the modifier :%s%s", ErrInvalidParam, name, modifier, modifierHint(p))
	}
	for _, v := range values {
		c, err := parseCriterion(p, modifier, v)
		if err != nil {
			return false, err
		}
		s.Criteria = append(s.Criteria, c)
	}
	return false, nil
}

// unknown refuses an unknown parameter, naming it only when the name looks
// like one: a client that sends a value (a personal identity code) as a
// name must not find it echoed.
func (d SearchDecl) unknown(key string) error {
	if !LooksLikeName(key) {
		return fmt.Errorf("%w: a search parameter of %s is unknown, and its name is not a parameter name (supported: %s)", ErrInvalidParam, d.Type, d.names())
	}
	return fmt.Errorf("%w: unknown search parameter %q for %s (supported: %s)", ErrInvalidParam, key, d.Type, d.names())
}

// LooksLikeName reports whether a query key has the form of a FHIR search
// parameter name (with a modifier): a letter or _ first, then letters,
// digits, -, _, : and ., at most 64 in all. A personal identity code
// starts with a digit, so it never passes for a name.
func LooksLikeName(key string) bool {
	if key == "" || len(key) > 64 {
		return false
	}
	for i, r := range key {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_'
		if !letter && (i == 0 || !(r >= '0' && r <= '9' || r == '-' || r == ':' || r == '.')) {
			return false
		}
	}
	return true
}

func modifierHint(p Param) string {
	if len(p.Modifiers) == 0 {
		return " (it takes no modifiers)"
	}
	return " (supported: :" + strings.Join(p.Modifiers, ", :") + ")"
}

func (d SearchDecl) names() string {
	names := make([]string, 0, len(d.Params)+len(controlParams))
	for _, p := range d.Params {
		names = append(names, p.Name)
	}
	names = append(names, "_count", "_format")
	if len(d.Sorts) > 0 {
		names = append(names, "_sort")
	}
	return strings.Join(names, ", ")
}

// parseControl reads _count, _sort, _format and _cursor, given once each.
func (d SearchDecl) parseControl(s *Search, key string, values []string, h Handling) (bool, error) {
	known := slices.Contains(controlParams, key) && (key != "_sort" || len(d.Sorts) > 0) && (key != "_cursor" || d.Paging)
	if !known {
		if h == HandlingLenient {
			return true, nil
		}
		return false, d.unknown(key)
	}
	if len(values) != 1 {
		return false, fmt.Errorf("%w: %s is given %d times; give it once", ErrInvalidParam, key, len(values))
	}
	v := values[0]
	switch key {
	case "_count":
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return false, fmt.Errorf("%w: _count must be a whole number of at least 0", ErrInvalidParam)
		}
		s.Count = min(n, record.MaxPageSize)
	case "_sort":
		if !slices.Contains(d.Sorts, v) {
			return false, fmt.Errorf("%w: this _sort is not supported (supported: %s)", ErrInvalidParam, strings.Join(d.Sorts, ", "))
		}
		s.Sort = v
	case "_format":
		return false, CheckFormat(v)
	case "_cursor":
		s.Cursor = v
	}
	return false, nil
}

// parseCriterion reads one occurrence: comma-separated alternatives. Its
// errors name the parameter and what is wrong, never the value: a value
// may be a personal identity code, and error texts reach the client.
func parseCriterion(p Param, modifier, raw string) (Criterion, error) {
	c := Criterion{Param: p, Modifier: modifier}
	if raw == "" {
		return c, fmt.Errorf("%w: %s has no value", ErrInvalidParam, p.Name)
	}
	alternatives := splitEscaped(raw, ',')
	if len(alternatives) > MaxValues {
		return c, fmt.Errorf("%w: %s is given %d values; at most %d are taken in one search", ErrInvalidParam, p.Name, len(alternatives), MaxValues)
	}
	for i, v := range alternatives {
		if err := c.add(v); err != nil {
			if len(alternatives) == 1 {
				return c, fmt.Errorf("%w: %s: %w", ErrInvalidParam, p.Name, err)
			}
			return c, fmt.Errorf("%w: %s, value %d of %d: %w", ErrInvalidParam, p.Name, i+1, len(alternatives), err)
		}
	}
	return c, nil
}

// add reads one alternative value into the criterion.
func (c *Criterion) add(v string) error {
	switch c.Param.Type {
	case TypeToken:
		t, err := ParseToken(v)
		c.Tokens = append(c.Tokens, t)
		return err
	case TypeString:
		c.Strings = append(c.Strings, NewStringMatch(unescape(v), c.Modifier))
	case TypeDate:
		d, err := ParseDateBound(v)
		c.Dates = append(c.Dates, d)
		return err
	case TypeReference:
		r, err := parseReference(unescape(v), c.Modifier)
		c.References = append(c.References, r)
		return err
	case TypeNumber:
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return errors.New("not a number")
		}
		c.Numbers = append(c.Numbers, n)
	}
	return nil
}

// parseReference reads "Type/id" or "id"; a :Type modifier names the type.
func parseReference(v, modifier string) (string, error) {
	if strings.Contains(v, "://") {
		return "", errors.New("give a relative reference such as Patient/{id}, not an absolute URL")
	}
	if modifier != "" && !strings.Contains(v, "/") {
		v = modifier + "/" + v
	}
	typ, id, found := strings.Cut(v, "/")
	if found && (typ == "" || id == "" || strings.Contains(id, "/") || (modifier != "" && typ != modifier)) {
		return "", errors.New("not a reference such as Patient/{id}")
	}
	return v, nil
}

// MatchToken reports whether any alternative matches the coding.
func (c Criterion) MatchToken(system, code string) bool {
	return slices.ContainsFunc(c.Tokens, func(t Token) bool { return t.Match(system, code) })
}

// MatchString reports whether any alternative matches s.
func (c Criterion) MatchString(s string) bool {
	return slices.ContainsFunc(c.Strings, func(m StringMatch) bool { return m.Match(s) })
}

// Token is a token search value: system|code, |code (no system), code
// (any system) or system| (any code of the system).
type Token struct {
	System    string
	Code      string
	HasSystem bool // a | was given: System "" then means "no system"
}

// ParseToken reads a token value; "\|" is a literal bar.
func ParseToken(v string) (Token, error) {
	parts := splitEscaped(v, '|')
	switch len(parts) {
	case 1:
		if parts[0] == "" {
			return Token{}, errors.New("empty token")
		}
		return Token{Code: unescape(parts[0])}, nil
	case 2:
		t := Token{System: unescape(parts[0]), Code: unescape(parts[1]), HasSystem: true}
		if t.System == "" && t.Code == "" {
			return Token{}, errors.New("a token needs a system or a code")
		}
		return t, nil
	}
	return Token{}, errors.New("a token has at most one | (system|code)")
}

// Match reports whether a coding or identifier (system, code) matches.
func (t Token) Match(system, code string) bool {
	switch {
	case !t.HasSystem:
		return code == t.Code
	case t.Code == "":
		return system == t.System
	}
	return system == t.System && code == t.Code
}

// StringMode is how a string search compares.
type StringMode int

// The string search modes: the default starts-with, :exact and :contains.
const (
	StartsWith StringMode = iota
	Exact
	Contains
)

// StringMatch is one string search value.
type StringMatch struct {
	Mode  StringMode
	Value string // as given
	norm  string // folded, unless Exact
}

// NewStringMatch prepares value for matching under the modifier ("",
// "exact" or "contains").
func NewStringMatch(value, modifier string) StringMatch {
	m := StringMatch{Value: value}
	switch modifier {
	case "exact":
		m.Mode = Exact
		return m
	case "contains":
		m.Mode = Contains
	}
	m.norm = FoldString(value)
	return m
}

// Match reports whether s matches: :exact compares exactly (case and
// accents count); otherwise both sides are folded, and s must start with
// (or for :contains contain) the value.
func (m StringMatch) Match(s string) bool {
	switch m.Mode {
	case Exact:
		return s == m.Value
	case Contains:
		return strings.Contains(FoldString(s), m.norm)
	}
	return strings.HasPrefix(FoldString(s), m.norm)
}

// FoldString is the form in which string searches compare: decomposed
// (NFD), combining marks dropped and case-folded, so "Kor" and "kör"
// both match "Körkkö". Stores that search in SQL should keep this form of
// the searched column.
func FoldString(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), cases.Fold(), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		return strings.ToLower(s)
	}
	return out
}

// splitEscaped splits s at every sep not escaped with a backslash,
// keeping the escapes for unescape.
func splitEscaped(s string, sep byte) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// unescape removes the search escapes \, \| \$ and \\.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte(`,|$\`, s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// capabilityParams lists the declaration's parameters for the
// CapabilityStatement.
func (d SearchDecl) capabilityParams() []fm.CapabilityStatementRestResourceSearchParam {
	out := make([]fm.CapabilityStatementRestResourceSearchParam, 0, len(d.Params))
	for _, p := range d.Params {
		out = append(out, fm.CapabilityStatementRestResourceSearchParam{
			Name: p.Name, Type: searchParamType(p.Type), Definition: ptr(p.Definition), Documentation: ptrOrNil(p.Documentation),
		})
	}
	return out
}

func searchParamType(t ParamType) fm.SearchParamType {
	switch t {
	case TypeString:
		return fm.SearchParamTypeString
	case TypeDate:
		return fm.SearchParamTypeDate
	case TypeReference:
		return fm.SearchParamTypeReference
	case TypeNumber:
		return fm.SearchParamTypeNumber
	}
	return fm.SearchParamTypeToken
}
