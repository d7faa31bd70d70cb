package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestLoginStartsAreRateLimited: a flood of login starts from one address
// is refused with 429, Retry-After and a readable page, before any login
// flow is stored; a login already under way is not affected.
func TestLoginStartsAreRateLimited(t *testing.T) {
	a := MustStartApp(t, "sqlite")
	c := browser(t)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	refused := 0
	for range 40 {
		res, body := get(t, c, a.URL+"/login")
		switch res.StatusCode {
		case http.StatusFound:
		case http.StatusTooManyRequests:
			refused++
			if res.Header.Get("Retry-After") == "" || !strings.Contains(body, "Liian monta yritystä") {
				t.Fatalf("429 without Retry-After or a Finnish explanation: %v\n%s", res.Header, body)
			}
		default:
			t.Fatalf("login start = %d", res.StatusCode)
		}
	}
	if refused == 0 || refused > 40-20 {
		t.Errorf("%d of 40 login starts refused; the default allows a burst of 20", refused)
	}
	if res, _ := get(t, c, a.URL+"/healthz"); res.StatusCode != http.StatusOK {
		t.Errorf("the probe is not limited: %d", res.StatusCode)
	}
}
