package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// A skipped test's reason goes to the terminal once, since go test shows
// skip messages only with -v.
func TestMissingSkipsAndTellsTheTerminalOnce(t *testing.T) {
	t.Setenv("OMAHOITO_TEST_REQUIRE_ALL", "")
	tty := filepath.Join(t.TempDir(), "tty")
	if err := os.WriteFile(tty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	terminal = tty
	t.Cleanup(func() { terminal = "/dev/tty" })

	for range 2 {
		var sub *testing.T
		reached := false
		t.Run("needs a tool", func(t *testing.T) {
			sub = t
			Missing(t, "the tool is not installed")
			reached = true
		})
		if !sub.Skipped() || reached {
			t.Errorf("skipped = %v, ran on after Missing = %v", sub.Skipped(), reached)
		}
	}
	got, err := os.ReadFile(tty)
	if err != nil {
		t.Fatal(err)
	}
	if want := "internal/testenv: skipped: the tool is not installed\n"; string(got) != want {
		t.Errorf("the terminal got %q, want %q", got, want)
	}
}

// fatalTB records Fatalf and stops its goroutine, as testing.T does.
type fatalTB struct {
	testing.TB
	fatal string
}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestMissingFailsWhenCIRequiresAll(t *testing.T) {
	t.Setenv("OMAHOITO_TEST_REQUIRE_ALL", "1")
	f := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Missing(f, "the tool is not installed")
	}()
	<-done
	if !strings.Contains(f.fatal, "OMAHOITO_TEST_REQUIRE_ALL=1") || !strings.Contains(f.fatal, "the tool is not installed") {
		t.Errorf("Missing under REQUIRE_ALL: %q", f.fatal)
	}
}
