package loadtest

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/omahoito/omahoito/auth"
	"github.com/omahoito/omahoito/internal/fhirschema"
)

// The driver must not be aimable at anything but this machine: it would
// otherwise register people and write measurements on a shared server.
func TestRunRefusesNonLoopbackHosts(t *testing.T) {
	for _, u := range []string{
		"http://example.com", "https://omahoito.fi/", "http://10.0.0.1:8080", "http://[2001:db8::1]:80",
		"http://0.0.0.0:8080", "http://localhost.example.com", "ftp://127.0.0.1", "127.0.0.1:8080",
	} {
		_, err := Run(context.Background(), Config{BaseURL: u, Citizens: 1, Duration: time.Millisecond})
		if !errors.Is(err, ErrNotLoopback) {
			t.Errorf("Run(%s) = %v, want ErrNotLoopback", u, err)
		}
	}
	for _, u := range []string{"http://127.0.0.1:8080", "http://127.1.2.3", "http://[::1]:8080", "https://LOCALHOST:1"} {
		if err := CheckLoopback(u); err != nil {
			t.Errorf("CheckLoopback(%s) = %v, want nil", u, err)
		}
	}
}

// A redirect that leaves the machine is not followed.
func TestBrowserDoesNotFollowRedirectsOffLoopback(t *testing.T) {
	c := newBrowser(nil, time.Second)
	req, _ := http.NewRequest(http.MethodGet, "http://example.com/x", nil)
	if err := c.CheckRedirect(req, nil); !errors.Is(err, ErrNotLoopback) {
		t.Fatalf("redirect to example.com: %v", err)
	}
}

// Runs register people: they must have test codes (individual number
// 900–999) that the service accepts, distinct across a run.
func TestTestHetusAreValidTestCodesAndDistinct(t *testing.T) {
	seen := map[string]bool{}
	for _, i := range []int{0, 1, 27, 28, 335, 336, 33599, 33600, hetuCount - 1, hetuCount + 5} {
		s := testHetu(i)
		h, err := auth.ParseHetu(s)
		if err != nil || !h.IsTestCode() {
			t.Fatalf("testHetu(%d) = %s: %v", i, s, err)
		}
		if seen[s] && i < hetuCount {
			t.Fatalf("testHetu(%d) = %s repeats", i, s)
		}
		seen[s] = true
	}
}

// What is sent must read back as equal, and any change to what is stored
// must be noticed.
func TestMeasurementRoundTripAndDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	for range 30 {
		m := randomMeasurement(rng, "run-1-2-3", now)
		if !m.At.Before(now) || m.At.Before(now.AddDate(0, 0, -31)) {
			t.Fatalf("time %s not in the last 30 days", m.At)
		}
		if m.Code == bpCode && m.Values[0] <= m.Values[1] {
			t.Fatalf("systolic %g not above diastolic %g", m.Values[0], m.Values[1])
		}
		stored := strings.Replace(string(m.body("p1")), `"resourceType":"Observation"`, `"resourceType":"Observation","id":"o1"`, 1)
		id, got, err := parseObservation([]byte(stored))
		if err != nil || id != "o1" || differs(m, got) != "" {
			t.Fatalf("round trip of %s: id %q, %v, %s", stored, id, err, differs(m, got))
		}
		changed := got
		changed.Values = append([]float64(nil), got.Values...)
		changed.Values[len(changed.Values)-1] += 0.1
		if differs(m, changed) == "" {
			t.Fatal("a changed value is not noticed")
		}
		changed = got
		changed.At = got.At.Add(time.Second)
		if differs(m, changed) == "" {
			t.Fatal("a changed time is not noticed")
		}
	}
}

// What the driver sends must be FHIR as the specification spells it: the
// service refuses element names in the wrong case.
func TestBodiesAreValidFHIR(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var bodies [][]byte
	kinds := map[string]bool{}
	for len(kinds) < 3 {
		m := randomMeasurement(rng, "run-1-0-1", time.Now())
		if !kinds[m.Code] {
			kinds[m.Code] = true
			b := m.body("p1")
			if !strings.Contains(string(b), `"identifier":[{"system":"`+IdentifierSystem+`","value":"run-1-0-1"}]`) {
				t.Fatalf("identifier not as FHIR spells it: %s", b)
			}
			for _, wrong := range []string{`"System"`, `"Code"`, `"Coding"`, `"Reference"`, `"Value"`} {
				if strings.Contains(string(b), wrong) {
					t.Fatalf("element %s in the wrong case: %s", wrong, b)
				}
			}
			bodies = append(bodies, b)
		}
	}
	fhirschema.Validate(t, bodies...)
}

func TestFailuresNameEveryReason(t *testing.T) {
	r := Report{Citizens: 4, LoggedIn: 3, Errors: map[string]int64{"write 500": 2},
		Discrepancies: map[string]int{DiscToldFailed: 1}, WALPath: "x", WALMax: 65 << 20, WALLimit: 64 << 20}
	got := strings.Join(r.Failures(), "; ")
	for _, want := range []string{"1 of 4 citizens", "2 requests failed", "1 discrepancies", "WAL reached 65.0 MiB"} {
		if !strings.Contains(got, want) {
			t.Errorf("failures %q lack %q", got, want)
		}
	}
	if f := (Report{Citizens: 1, LoggedIn: 1}).Failures(); len(f) != 0 {
		t.Errorf("a clean report fails: %v", f)
	}
}
