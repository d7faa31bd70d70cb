package main

import (
	"bytes"
	"strings"
	"testing"
)

// The command cannot be pointed at another machine, and says why.
func TestRefusesNonLoopbackBaseURL(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(t.Context(), []string{"--base-url", "https://omahoito.example.fi", "--citizens", "1", "--duration", "1s"}, &out, &errOut)
	if code != 2 || !strings.Contains(errOut.String(), "only loopback") {
		t.Fatalf("exit %d, stderr %q; want 2 and the loopback refusal", code, errOut.String())
	}
}

func TestRefusesStrayArguments(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(t.Context(), []string{"--citizens", "1", "extra"}, &out, &errOut); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
}
