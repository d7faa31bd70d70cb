package web

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/omahoito/omahoito/portal"
)

func loadLocale(t *testing.T, lang string) map[string]string {
	t.Helper()
	raw, err := localeFiles.ReadFile("locales/" + lang + ".json")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s.json: %v", lang, err)
	}
	return m
}

// TestTranslationsComplete: every message exists, non-empty, in fi, sv and
// en, with the same placeholders.
func TestTranslationsComplete(t *testing.T) {
	fi := loadLocale(t, "fi")
	placeholder := regexp.MustCompile(`\{\{\.[A-Za-z]+\}\}`)
	for _, lang := range portal.Languages {
		m := loadLocale(t, lang)
		for id, text := range fi {
			other, ok := m[id]
			switch {
			case !ok:
				t.Errorf("%s: %q missing", lang, id)
			case strings.TrimSpace(other) == "":
				t.Errorf("%s: %q empty", lang, id)
			case strings.Join(placeholder.FindAllString(other, -1), ",") != strings.Join(placeholder.FindAllString(text, -1), ","):
				t.Errorf("%s: %q placeholders differ from fi", lang, id)
			}
		}
		for id := range m {
			if _, ok := fi[id]; !ok {
				t.Errorf("%s: %q not in fi", lang, id)
			}
		}
	}
}

// TestEveryUsedMessageExists scans templates and Go sources for message ids
// and checks that Finnish has each one.
func TestEveryUsedMessageExists(t *testing.T) {
	fi := loadLocale(t, "fi")
	used := regexp.MustCompile(`(?:T |msgID: |MessageID: |"error\.|RoleMessage: )"?([a-z]+(?:\.[a-z]+)+)"`)
	ids := map[string]bool{}
	err := fs.WalkDir(templateFiles, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, _ := templateFiles.ReadFile(path)
		for _, m := range used.FindAllStringSubmatch(string(raw), -1) {
			ids[m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	goFiles, _ := filepath.Glob("*.go")
	quoted := regexp.MustCompile(`"((?:error|home|nav|app)\.[a-z.]+[a-z])"`)
	for _, f := range goFiles {
		raw, _ := os.ReadFile(f)
		for _, m := range quoted.FindAllStringSubmatch(string(raw), -1) {
			if !strings.HasSuffix(m[1], ".") && !strings.HasSuffix(f, "_test.go") {
				ids[m[1]] = true
			}
		}
	}
	if len(ids) < 10 {
		t.Fatalf("found only %d message ids; the scan is broken", len(ids))
	}
	for id := range ids {
		if _, ok := fi[id]; !ok && id != "home.pro.role" {
			t.Errorf("message %q is used but not translated", id)
		}
	}
	for _, role := range []string{"professional", "operator"} {
		if _, ok := fi["home.pro.role."+role]; !ok {
			t.Errorf("role message for %s missing", role)
		}
	}
}
