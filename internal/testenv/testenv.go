// Package testenv decides whether a test that needs something outside Go
// (PostgreSQL, Chromium, an npm tool) runs, skips with a one-line reason on
// a developer's machine that lacks it, or fails because CI requires it
// (OMAHOITO_TEST_REQUIRE_ALL=1).
//
// go test shows why a test skipped only with -v, so Missing also writes the
// reason, once per package and reason, to the terminal (/dev/tty) when there
// is one: a newcomer running `go test ./...` sees what was left out.
package testenv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// RequireAll reports whether CI asked for every optional test to run.
func RequireAll() bool { return os.Getenv("OMAHOITO_TEST_REQUIRE_ALL") == "1" }

// Missing skips the test with reason, or fails it when RequireAll is set.
func Missing(tb testing.TB, reason string) {
	tb.Helper()
	if RequireAll() {
		tb.Fatalf("required by OMAHOITO_TEST_REQUIRE_ALL=1 but unavailable: %s", reason)
	}
	announce(reason)
	tb.Skip(reason)
}

// terminal is where announce writes; a test points it at a file.
var terminal = "/dev/tty"

// announced holds the reasons this test binary has written to the terminal.
var announced sync.Map

// announce writes "package: skipped: reason" to the terminal once per
// reason. Without a terminal (CI, an editor) it writes nothing: the reason
// is still in the -v output and in the test's skip message.
func announce(reason string) {
	if _, dup := announced.LoadOrStore(reason, true); dup {
		return
	}
	tty, err := os.OpenFile(terminal, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return
	}
	defer tty.Close()
	fmt.Fprintf(tty, "%s: skipped: %s\n", packageDir(), reason)
}

// packageDir is the test's package directory relative to the repository
// root (tests run in their package's directory), or the directory itself.
func packageDir() string {
	dir, err := os.Getwd()
	if err != nil {
		return "?"
	}
	if root, err := RepoRoot(); err == nil {
		if rel, err := filepath.Rel(root, dir); err == nil {
			return filepath.ToSlash(rel)
		}
	}
	return dir
}

// PostgresURL returns OMAHOITO_TEST_DATABASE_URL or skips/fails the test.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("OMAHOITO_TEST_DATABASE_URL")
	if u == "" {
		Missing(tb, "PostgreSQL tests need OMAHOITO_TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test)")
	}
	return u
}

// RepoRoot walks up from the working directory (a package directory while
// tests run) to the directory that holds go.mod, where npm installs the
// test tools.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
