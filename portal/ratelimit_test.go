package portal_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/omahoito/omahoito/internal/portaltest"
	"github.com/omahoito/omahoito/internal/ratelimit"
	"github.com/omahoito/omahoito/portal"
)

func mustLimiter(t *testing.T, burst int) *ratelimit.Limiter {
	t.Helper()
	l, err := ratelimit.New(ratelimit.Config{Burst: burst, Every: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestAPIWritesAreLimitedByPersonAndAddress: past the allowance a write is
// 429 with Retry-After and an OperationOutcome, and nothing is stored;
// reads go on; another person has their own allowance.
func TestAPIWritesAreLimitedByPersonAndAddress(t *testing.T) {
	env := portaltest.New(t, portaltest.Options{Limits: portal.Limits{
		WriteByPerson: mustLimiter(t, 3), WriteByAddress: mustLimiter(t, 6), // anna tries 4, ben 2 more: then the address is spent
	}})
	anna := env.MustCitizen(t, "010190-900P", "kainuu")
	ben := env.MustCitizen(t, "150380-902U", "kainuu")
	obs := func(n int) string {
		return `{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},` +
			`"effectiveDateTime":"` + time.Now().Add(-time.Duration(n)*time.Minute).UTC().Format(time.RFC3339) + `",` +
			`"valueQuantity":{"value":60,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}}`
	}
	for i := range 3 {
		if w := env.Do(t, anna, http.MethodPost, "/fhir/r4/Observation", obs(i)); w.Code != http.StatusCreated {
			t.Fatalf("write %d within the allowance = %d %s", i, w.Code, w.Body)
		}
	}
	w := env.Do(t, anna, http.MethodPost, "/fhir/r4/Observation", obs(9))
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" || !strings.Contains(w.Body.String(), `"throttled"`) {
		t.Fatalf("write past the person's allowance = %d %q %s, want 429 with Retry-After and a throttled OperationOutcome", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	if w := env.Do(t, anna, http.MethodGet, "/fhir/r4/Observation", ""); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"total":3`) {
		t.Errorf("reads go on, and the refused write stored nothing: %d %s", w.Code, w.Body)
	}
	for i := range 2 {
		if w := env.Do(t, ben, http.MethodPost, "/fhir/r4/Observation", obs(i)); w.Code != http.StatusCreated {
			t.Fatalf("another person's write %d = %d: they have their own allowance", i, w.Code)
		}
	}
	if w := env.Do(t, ben, http.MethodPost, "/fhir/r4/Observation", obs(5)); w.Code != http.StatusTooManyRequests {
		t.Errorf("the seventh write from one address = %d, want 429 (the address's allowance)", w.Code)
	}
}
