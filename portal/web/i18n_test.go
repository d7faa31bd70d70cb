package web

import (
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/template/parse"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/internal/locale"
	"github.com/omahoito/omahoito/portal"
	"github.com/omahoito/omahoito/record"
)

// localeFile reads one language's messages: a text, or plural forms.
func localeFile(t *testing.T, lang string) map[string]json.RawMessage {
	t.Helper()
	m := map[string]json.RawMessage{}
	for _, name := range localeFilesOf(lang) {
		raw, err := localeFiles.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		part := map[string]json.RawMessage{}
		if err := json.Unmarshal(raw, &part); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for id, text := range part {
			if _, dup := m[id]; dup {
				t.Errorf("%s: %q is also in another %s file", name, id, lang)
			}
			m[id] = text
		}
	}
	return m
}

// texts are the texts of one message: one, or one per plural form.
func texts(t *testing.T, lang, id string, raw json.RawMessage, shape msgShape) map[string]string {
	t.Helper()
	if shape == plain {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Errorf("%s: %q is not a plain text: %s", lang, id, raw)
		}
		return map[string]string{"": s}
	}
	forms := map[string]string{}
	if err := json.Unmarshal(raw, &forms); err != nil {
		t.Errorf("%s: %q is not a set of plural forms: %s", lang, id, raw)
	}
	return forms
}

// pluralForms are the CLDR categories lang tells apart, as locale decides
// them for counts and written decimals.
func pluralForms(lang locale.Lang) []string {
	seen := map[string]bool{}
	for _, v := range []float64{0, 1, 2, 3, 5, 11, 21, 100, 1.5} {
		for d := range 3 {
			seen[string(lang.Plural(v, d))] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// placeholders lists the {{.Field}} names of a text, read by the template
// parser that renders it.
func placeholders(t *testing.T, text string) []string {
	t.Helper()
	trees, err := parse.Parse("m", text, "{{", "}}")
	if err != nil {
		t.Errorf("%q: %v", text, err)
		return nil
	}
	var names []string
	for _, n := range trees["m"].Root.Nodes {
		if a, ok := n.(*parse.ActionNode); ok {
			names = append(names, a.Pipe.String())
		}
	}
	slices.Sort(names)
	return names
}

// TestLocaleFilesHoldTheTable: each language has exactly the ids of
// messageTable, none empty, with Finnish's placeholders, and each plural
// message has the forms its language needs.
func TestLocaleFilesHoldTheTable(t *testing.T) {
	fi := localeFile(t, "fi")
	for _, lang := range portal.Languages {
		file := localeFile(t, lang)
		for id := range file {
			if _, ok := messageTable[msgID(id)]; !ok {
				t.Errorf("%s.json: %q is in no table: unused, remove it", lang, id)
			}
		}
		for id, shape := range messageTable {
			raw, ok := file[string(id)]
			if !ok {
				t.Errorf("%s.json: %q missing", lang, id)
				continue
			}
			got := texts(t, lang, string(id), raw, shape)
			want := texts(t, "fi", string(id), fi[string(id)], shape)
			if shape == plural {
				if forms := slices.Sorted(maps.Keys(got)); !slices.Equal(forms, pluralForms(locale.Best(lang))) {
					t.Errorf("%s: %q has the forms %v, the language needs %v", lang, id, forms, pluralForms(locale.Best(lang)))
				}
			}
			for form, text := range got {
				if strings.TrimSpace(text) == "" {
					t.Errorf("%s: %q %s is empty", lang, id, form)
				}
				if p, w := placeholders(t, text), placeholders(t, want[form]); !slices.Equal(p, w) {
					t.Errorf("%s: %q has placeholders %v, Finnish has %v", lang, id, p, w)
				}
			}
		}
	}
}

// TestEveryTableMessageIsUsed: each id in messageTable is passed to T by a
// template or named by Go code outside the table, so the locale files hold
// no text nobody shows. The Go side is read with go/ast: a constant is used
// when its name appears outside the declarations of the table.
func TestEveryTableMessageIsUsed(t *testing.T) {
	used := map[msgID]bool{}
	b, err := newBundle()
	if err != nil {
		t.Fatal(err)
	}
	p := &Pages{i18n: b}
	if err := p.init(); err != nil {
		t.Fatal(err)
	}
	for _, tmpl := range p.pages {
		for _, id := range templateMessageIDs(tmpl) {
			used[id] = true
		}
	}
	names := constNames(t)
	for name := range goUses(t) {
		if id, ok := names[name]; ok {
			used[id] = true
		}
	}
	for id := range messageTable {
		if !used[id] {
			t.Errorf("%q is in the table but nothing shows it", id)
		}
	}
}

// constNames maps the msgID constants' names to their ids.
func constNames(t *testing.T) map[string]msgID {
	t.Helper()
	names := map[string]msgID{}
	for name, id := range eachConst(t) {
		names[name] = id
	}
	if len(names) != len(messageTable) {
		t.Fatalf("%d msgID constants, %d ids in the table", len(names), len(messageTable))
	}
	return names
}

func eachConst(t *testing.T) map[string]msgID {
	files, err := filepath.Glob("messages*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]msgID{}
	for _, name := range files {
		if !strings.HasSuffix(name, "_test.go") {
			constsOf(t, name, out)
		}
	}
	return out
}

func constsOf(t *testing.T, name string, out map[string]msgID) {
	f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok && len(vs.Values) == 1 {
			if lit, ok := vs.Values[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				out[vs.Names[0].Name] = msgID(strings.Trim(lit.Value, `"`))
			}
		}
		return true
	})
}

// goUses counts the identifiers of the package's non-test Go files,
// outside messages.go (where the constants and the table are declared).
func goUses(t *testing.T) map[string]int {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	uses := map[string]int{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || strings.HasPrefix(name, "messages") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				uses[id.Name]++
			}
			return true
		})
	}
	return uses
}

// TestDynamicMessagesAreListed: the ids chosen at run time — by kind, by
// role, by the error table of portal — are in the table and translated.
func TestDynamicMessagesAreListed(t *testing.T) {
	b := mustBundle(t)
	for _, spec := range record.Specs() {
		if _, ok := kindNames[spec.Kind]; !ok {
			t.Errorf("kind %s has no name", spec.Kind)
		}
	}
	for _, role := range []auth.Role{auth.RoleProfessional, auth.RoleOperator} {
		if r, ok := roles[role]; !ok || r.Name == "" || r.Now == "" || r.Coming == "" {
			t.Errorf("role %s: %+v", role, r)
		}
	}
	for _, err := range []error{portal.ErrTooLarge, portal.ErrRateLimited, portal.ErrUnauthorized, portal.ErrForbidden,
		portal.ErrNoRoute, portal.ErrNoMethod, portal.ErrUnsupportedMedia, record.ErrGone, record.ErrConflict,
		record.ErrInvalid, auth.ErrInvalidHetu, errUnknownProfessional, errNotClassified} {
		_, id, _ := portal.Classify(err)
		if _, ok := classified[id]; !ok {
			t.Errorf("portal.Classify(%v) names %q, which the pages have no text for", err, id)
		}
	}
	for _, lang := range portal.Languages {
		loc := i18n.NewLocalizer(b, lang)
		for id := range messageTable {
			if _, err := loc.Localize(&i18n.LocalizeConfig{MessageID: string(id), PluralCount: 2}); err != nil {
				t.Errorf("%s: %q: %v", lang, id, err)
			}
		}
	}
}

var errNotClassified = errors.ErrUnsupported

func mustBundle(t *testing.T) *i18n.Bundle {
	t.Helper()
	b, err := newBundle()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
