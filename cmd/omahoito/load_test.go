package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omahoito/omahoito/internal/loadtest"
)

// TestUnderLoad runs the load driver against the whole service on each
// database: every request answered without error, every record exactly
// what the clients were told, the SQLite WAL under its limit. CI runs a
// small load; OMAHOITO_LOAD_FULL=1 runs the 256 citizens for 60 s whose
// figures are in BENCHMARKS.md.
func TestUnderLoad(t *testing.T) {
	cfg := loadtest.Config{Citizens: 16, Duration: 3 * time.Second}
	if os.Getenv("OMAHOITO_LOAD_FULL") == "1" {
		cfg = loadtest.Config{Citizens: 256, Duration: 60 * time.Second}
	}
	for _, db := range databases {
		// Not parallel: two loads at once would measure each other.
		t.Run(db, func(t *testing.T) {
			a := MustStartApp(t, db, withoutRateLimits)
			run := cfg
			run.BaseURL = a.URL
			if db == "sqlite" {
				run.WALPath = appDatabase(t) + "-wal"
			}
			rep, err := loadtest.Run(t.Context(), run)
			logReport(t, rep)
			if err != nil {
				t.Fatal(err)
			}
			if f := rep.Failures(); len(f) > 0 {
				t.Errorf("under %d citizens for %s: %s", run.Citizens, run.Duration, strings.Join(f, "; "))
			}
			if rep.Writes == 0 || rep.Verified != int(rep.Writes) {
				t.Errorf("%d writes acknowledged, %d verified: the run proved nothing", rep.Writes, rep.Verified)
			}
		})
	}
}

// The driver stops by itself at its request cap, long before its duration.
func TestLoadDriverStopsAtItsRequestCap(t *testing.T) {
	a := MustStartApp(t, "sqlite", withoutRateLimits)
	start := time.Now()
	rep, err := loadtest.Run(t.Context(), loadtest.Config{BaseURL: a.URL, Citizens: 4, Duration: time.Minute, MaxRequests: 40})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Capped || rep.Requests != 40 || time.Since(start) > 30*time.Second {
		t.Fatalf("capped %v after %d requests in %s, want capped at 40 at once", rep.Capped, rep.Requests, time.Since(start))
	}
	if f := rep.Failures(); len(f) > 0 {
		t.Fatal(f)
	}
}

// A driver that reports 0 discrepancies proves something only if it would
// see them. A proxy in front of the real service lies in the three ways
// that matter: it turns stored writes into 500s, acknowledges writes it
// never forwarded, and alters what a read returns. The driver must count
// each lie.
func TestLoadDriverCatchesLiesAndLosses(t *testing.T) {
	a := MustStartApp(t, "sqlite", withoutRateLimits)
	liar := newLyingProxy(t, a.URL)
	rep, err := loadtest.Run(t.Context(), loadtest.Config{BaseURL: liar.URL, Citizens: 3, Duration: 2 * time.Second})
	logReport(t, rep)
	if err != nil {
		t.Fatal(err)
	}
	told, forged, altered := liar.toldFailed.Load(), liar.forged.Load(), liar.altered.Load()
	if told == 0 || forged == 0 || altered == 0 {
		t.Fatalf("the proxy lied %d, %d, %d times: too short a run to test anything", told, forged, altered)
	}
	d := rep.Discrepancies
	if got := int64(d[loadtest.DiscToldFailed]); got != told || rep.Errors["write 500"] != told {
		t.Errorf("%d writes stored but answered 500: driver saw %d discrepancies, %d errors", told, got, rep.Errors["write 500"])
	}
	if got := int64(d[loadtest.DiscMissing]); got < forged {
		t.Errorf("%d writes acknowledged but never stored: driver saw %d missing", forged, got)
	}
	if got := int64(d[loadtest.DiscChanged]); got != altered {
		t.Errorf("%d reads altered: driver saw %d changed", altered, got)
	}
	if d[loadtest.DiscExtra] != 0 {
		t.Errorf("extra records reported where there were none: %d", d[loadtest.DiscExtra])
	}
	if len(rep.Failures()) == 0 {
		t.Error("a run full of lies passes")
	}
}

// lyingProxy forwards to the real service and lies now and then.
type lyingProxy struct {
	*httptest.Server
	writes, reads               atomic.Int64
	toldFailed, forged, altered atomic.Int64
}

func newLyingProxy(t *testing.T, target string) *lyingProxy {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &lyingProxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = p.modify
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/fhir/r4/Observation" {
			switch p.writes.Add(1) % 4 {
			case 2:
				p.forge(w, r)
				return
			case 0:
				r = r.WithContext(context.WithValue(r.Context(), answerFailed{}, true))
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

// answerFailed marks a write whose stored result the proxy answers with 500.
type answerFailed struct{}

// forge acknowledges a write without passing it on.
func (p *lyingProxy) forge(w http.ResponseWriter, r *http.Request) {
	var o map[string]any
	if err := json.NewDecoder(r.Body).Decode(&o); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	o["id"] = "forged-" + strconv.FormatInt(p.forged.Add(1), 10)
	w.Header().Set("Content-Type", "application/fhir+json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(o)
}

// modify answers every fourth stored write with a 500, and alters the time
// in every third read of one Observation.
func (p *lyingProxy) modify(res *http.Response) error {
	req := res.Request
	switch {
	case req.Context().Value(answerFailed{}) != nil && res.StatusCode == http.StatusCreated:
		p.toldFailed.Add(1)
		return replaceBody(res, http.StatusInternalServerError,
			[]byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"exception","diagnostics":"lying proxy"}]}`))
	case req.Method == http.MethodGet && strings.HasPrefix(req.URL.Path, "/fhir/r4/Observation/") &&
		res.StatusCode == http.StatusOK && p.reads.Add(1)%3 == 0:
		body, err := io.ReadAll(res.Body)
		if err != nil {
			return err
		}
		var o map[string]any
		if err := json.Unmarshal(body, &o); err != nil {
			return err
		}
		o["effectiveDateTime"] = "2001-01-01T00:00:00Z"
		p.altered.Add(1)
		b, _ := json.Marshal(o)
		return replaceBody(res, http.StatusOK, b)
	}
	return nil
}

func replaceBody(res *http.Response, status int, body []byte) error {
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	res.StatusCode, res.Status = status, http.StatusText(status)
	res.Body = io.NopCloser(bytes.NewReader(body))
	res.ContentLength = int64(len(body))
	res.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return nil
}

// appDatabase finds the SQLite file of the app MustStartApp started in this
// test: its data directory is the test's first temporary directory, a
// sibling of any later one.
func appDatabase(t *testing.T) string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(filepath.Dir(t.TempDir()), "*", "omahoito.db"))
	if err != nil || len(matches) != 1 {
		t.Fatalf("want the one database of this test's app, found %v (%v)", matches, err)
	}
	return matches[0]
}

func logReport(t *testing.T, rep loadtest.Report) {
	var b strings.Builder
	_ = rep.WriteText(&b)
	t.Logf("load report:\n%s", b.String())
}
