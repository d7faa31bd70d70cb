// Package testenv decides whether a test that needs something outside Go
// (PostgreSQL, Chromium, an npm tool) runs, skips with a one-line reason on
// a developer's machine that lacks it, or fails because CI requires it
// (OMAHOITO_TEST_REQUIRE_ALL=1).
package testenv

import (
	"errors"
	"os"
	"path/filepath"
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
	tb.Skip(reason)
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
