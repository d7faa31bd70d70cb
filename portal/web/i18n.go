package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"strings"
	"text/template/parse"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/omahoito/omahoito/internal/locale"
	"github.com/omahoito/omahoito/portal"
)

//go:embed locales/*.json
var localeFiles embed.FS

// translator renders message ids, numbers and times in one language.
type translator struct {
	lang locale.Lang
	loc  *i18n.Localizer
}

func newTranslator(b *i18n.Bundle, lang string) translator {
	l := locale.Best(lang)
	return translator{lang: l, loc: i18n.NewLocalizer(b, l.String())}
}

// T returns the text of id, with data filling its {{.Field}} placeholders.
// A missing id shows the id itself so the gap is visible; the table of
// ids and its test keep that from reaching users.
func (t translator) T(id msgID, data ...any) string {
	cfg := &i18n.LocalizeConfig{MessageID: string(id)}
	if len(data) > 0 {
		cfg.TemplateData = data[0]
	}
	s, err := t.loc.Localize(cfg)
	if err != nil {
		return strings.ToUpper(string(id))
	}
	return s
}

// Count renders a plural message for n things: the CLDR form the language
// needs for n, with {{.N}} written as the language writes numbers.
func (t translator) Count(id msgID, n int) string {
	s, err := t.loc.Localize(&i18n.LocalizeConfig{
		MessageID:    string(id),
		PluralCount:  n,
		TemplateData: map[string]string{"N": t.lang.FormatNumber(float64(n), 0)},
	})
	if err != nil {
		return strings.ToUpper(string(id))
	}
	return s
}

// localeFilesOf names a language's locale files: locales/<lang>.json and
// each feature's locales/<feature>.<lang>.json.
func localeFilesOf(lang string) []string {
	names := []string{"locales/" + lang + ".json"}
	more, _ := fs.Glob(localeFiles, "locales/*."+lang+".json")
	return append(names, more...)
}

func newBundle() (*i18n.Bundle, error) {
	b := i18n.NewBundle(language.Finnish)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	for _, l := range portal.Languages {
		for _, name := range localeFilesOf(l) {
			if _, err := b.LoadMessageFileFS(localeFiles, name); err != nil {
				return nil, err
			}
		}
	}
	return b, nil
}

// checkTemplateMessages refuses a template that passes T an id the table
// does not list: a typo fails the start, not a page in front of a user.
func checkTemplateMessages(t *template.Template) error {
	for _, id := range templateMessageIDs(t) {
		if _, ok := messageTable[id]; !ok {
			return fmt.Errorf("template %s: message %q is not in messageTable", t.Name(), id)
		}
	}
	return nil
}

// templateMessageIDs lists the literal ids t passes to T, read from the
// parsed templates (a call {{.T "id"}} or {{$.T "id" ...}}).
func templateMessageIDs(t *template.Template) []msgID {
	var ids []msgID
	for _, tt := range t.Templates() {
		if tt.Tree != nil {
			ids = append(ids, nodeMessageIDs(tt.Tree.Root)...)
		}
	}
	return ids
}

func nodeMessageIDs(n parse.Node) []msgID {
	var ids []msgID
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			ids = append(ids, nodeMessageIDs(c)...)
		}
	case *parse.ActionNode:
		ids = append(ids, nodeMessageIDs(n.Pipe)...)
	case *parse.PipeNode:
		if n == nil {
			return nil
		}
		for _, cmd := range n.Cmds {
			ids = append(ids, commandMessageIDs(cmd)...)
		}
	case *parse.IfNode:
		ids = append(ids, branchMessageIDs(&n.BranchNode)...)
	case *parse.RangeNode:
		ids = append(ids, branchMessageIDs(&n.BranchNode)...)
	case *parse.WithNode:
		ids = append(ids, branchMessageIDs(&n.BranchNode)...)
	case *parse.TemplateNode:
		ids = append(ids, nodeMessageIDs(n.Pipe)...)
	}
	return ids
}

func branchMessageIDs(b *parse.BranchNode) []msgID {
	ids := nodeMessageIDs(b.Pipe)
	ids = append(ids, nodeMessageIDs(b.List)...)
	return append(ids, nodeMessageIDs(b.ElseList)...)
}

// commandMessageIDs finds T calls in one command: the method T on a field
// chain (.T, $.T) followed by a string literal.
func commandMessageIDs(cmd *parse.CommandNode) []msgID {
	var ids []msgID
	for i, arg := range cmd.Args {
		if isT(arg) && i+1 < len(cmd.Args) {
			if s, ok := cmd.Args[i+1].(*parse.StringNode); ok {
				ids = append(ids, msgID(s.Text))
			}
		}
		if p, ok := arg.(*parse.PipeNode); ok {
			ids = append(ids, nodeMessageIDs(p)...)
		}
	}
	return ids
}

func isT(n parse.Node) bool {
	var idents []string
	switch n := n.(type) {
	case *parse.FieldNode:
		idents = n.Ident
	case *parse.VariableNode:
		idents = n.Ident
	}
	return len(idents) > 0 && idents[len(idents)-1] == "T"
}
