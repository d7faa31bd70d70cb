package oidc

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// testClock is a clock that moves only when told to.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock { return &testClock{t: time.Now()} }

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// hungIssuer is an issuer whose discovery endpoint accepts requests and
// does not answer until unblocked; its key set is empty.
type hungIssuer struct {
	srv      *httptest.Server
	requests atomic.Int32 // discovery requests
	release  chan struct{}
	once     sync.Once
}

func newHungIssuer(t *testing.T) *hungIssuer {
	t.Helper()
	h := &hungIssuer{release: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		h.requests.Add(1)
		select {
		case <-r.Context().Done():
		case <-h.release:
			writeJSON(w, http.StatusOK, map[string]any{
				"issuer": h.srv.URL, "authorization_endpoint": h.srv.URL + "/authorize",
				"token_endpoint": h.srv.URL + "/token", "jwks_uri": h.srv.URL + "/jwks",
			})
		}
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"keys": []any{}})
	})
	h.srv = httptest.NewServer(mux)
	t.Cleanup(h.srv.Close)
	t.Cleanup(h.unblock) // runs before Close, which waits for handlers
	return h
}

// unblock lets discovery requests, those waiting and those to come, answer.
func (h *hungIssuer) unblock() { h.once.Do(func() { close(h.release) }) }

// discoverer is one of the two users of discovery: a relying party's Begin
// or a bearer verifier's Verify.
type discoverer struct {
	name  string
	start func(t *testing.T, issuer string, client *http.Client) (call func(context.Context) error, clockNow *func() time.Time)
}

var discoverers = []discoverer{
	{"relying party", func(t *testing.T, issuer string, client *http.Client) (func(context.Context) error, *func() time.Time) {
		cfg := ProviderConfig{Name: "citizen", Issuer: issuer, ClientID: testClientID, ClientSecret: testSecret, RedirectURL: redirectURL}
		rp, err := NewRelyingParty(cfg, client)
		if err != nil {
			t.Fatal(err)
		}
		return func(ctx context.Context) error { _, _, err := rp.Begin(ctx); return err }, &rp.disc.now
	}},
	{"bearer", func(t *testing.T, issuer string, client *http.Client) (func(context.Context) error, *func() time.Time) {
		v, err := NewBearerVerifier(BearerConfig{Issuer: issuer, Clients: []string{testAppID}}, client)
		if err != nil {
			t.Fatal(err)
		}
		_, _, _, other := testKeys(t)
		raw := signJWT(t, jose.RS256, other, "k", map[string]any{"iss": issuer})
		return func(ctx context.Context) error { _, _, err := v.Verify(ctx, raw); return err }, &v.disc.now
	}},
}

// With a hung issuer, concurrent callers share one discovery request and
// all fail with ErrUnavailable within about one client timeout, instead of
// queueing one timeout after another.
func TestDiscoveryHungIssuerIsAskedOnce(t *testing.T) {
	const callers, timeout = 5, time.Second
	for _, d := range discoverers {
		t.Run(d.name, func(t *testing.T) {
			hung := newHungIssuer(t)
			call, _ := d.start(t, hung.srv.URL, &http.Client{Timeout: timeout})
			errs := make(chan error, callers)
			start := time.Now()
			for range callers {
				go func() { errs <- call(t.Context()) }()
			}
			for range callers {
				if err := <-errs; !errors.Is(err, ErrUnavailable) {
					t.Errorf("err %v, want ErrUnavailable", err)
				}
			}
			if took := time.Since(start); took > timeout+timeout/2 {
				t.Errorf("%d callers took %v with a %v timeout: they queued", callers, took, timeout)
			}
			if n := hung.requests.Load(); n != 1 {
				t.Errorf("the issuer got %d discovery requests, want 1", n)
			}
		})
	}
}

// A caller waits no longer than its own context, and its giving up does not
// cancel the discovery that other callers wait for.
func TestDiscoveryWaiterHonoursItsContext(t *testing.T) {
	for _, d := range discoverers {
		t.Run(d.name, func(t *testing.T) {
			hung := newHungIssuer(t)
			call, _ := d.start(t, hung.srv.URL, &http.Client{Timeout: 10 * time.Second})

			patient := make(chan error, 1)
			go func() { patient <- call(t.Context()) }()
			ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			err := call(ctx)
			if !errors.Is(err, ErrUnavailable) || time.Since(start) > time.Second {
				t.Fatalf("impatient caller: %v after %v, want ErrUnavailable after about 100ms", err, time.Since(start))
			}
			hung.unblock()
			err = <-patient
			if errors.Is(err, ErrUnavailable) {
				t.Fatalf("patient caller: %v; the discovery was cancelled with the impatient caller", err)
			}
			if n := hung.requests.Load(); n != 1 {
				t.Errorf("the issuer got %d discovery requests, want 1", n)
			}
		})
	}
}

// After a failed discovery, callers fail at once for ProviderRetry without
// asking the issuer, then the issuer is asked again.
func TestDiscoveryFailureIsRemembered(t *testing.T) {
	for _, d := range discoverers {
		t.Run(d.name, func(t *testing.T) {
			op := newFakeOP(t, nil)
			op.unavailable.Store(1)
			call, now := d.start(t, op.issuer(), op.srv.Client())
			clock := newTestClock()
			*now = clock.now
			if err := call(t.Context()); !errors.Is(err, ErrUnavailable) {
				t.Fatalf("first call: %v, want ErrUnavailable", err)
			}
			clock.advance(ProviderRetry - time.Second)
			err := call(t.Context())
			if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "will be retried in 1s") {
				t.Fatalf("within the window: %v, want ErrUnavailable saying when it is retried", err)
			}
			if n := op.requests.Load(); n != 1 {
				t.Fatalf("the issuer got %d discovery requests within the window, want 1", n)
			}
			clock.advance(time.Second)
			if err := call(t.Context()); errors.Is(err, ErrUnavailable) {
				t.Fatalf("after the window: %v", err)
			}
			if n := op.requests.Load(); n != 2 {
				t.Errorf("the issuer got %d discovery requests, want 2", n)
			}
		})
	}
}

// Keys that cannot be fetched after discovery succeeded (the key set
// endpoint down, a key rotated meanwhile) are the issuer's fault: the token
// is not refused as invalid.
func TestBearerKeysUnavailable(t *testing.T) {
	op := newFakeOP(t, nil)
	v := newTestBearer(t, op)
	good := op.signed(t, op.accessClaims())
	op.jwksDown.Store(true)
	_, _, err := v.Verify(t.Context(), good)
	if !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrBearer) || !strings.Contains(err.Error(), "signing keys") {
		t.Fatalf("key set down before the first fetch: %v, want ErrUnavailable only", err)
	}
	op.jwksDown.Store(false)
	if err := afterKeyFailure(func() error { _, _, err := v.Verify(t.Context(), good); return err }); err != nil {
		t.Fatalf("key set back: %v", err)
	}

	op.jwksDown.Store(true)
	if _, _, err := v.Verify(t.Context(), good); err != nil {
		t.Errorf("a token under a cached key, key set down: %v", err)
	}
	_, _, _, rotated := testKeys(t)
	newKey := signJWT(t, jose.RS256, rotated, "op-signing-2", op.accessClaims())
	// go-oidc hands a fetch that starts just after the previous one finished
	// that previous (successful) result, under which the new key is unknown:
	// give its in-flight fetch a moment to clear.
	var err2 error
	for deadline := time.Now().Add(time.Second); ; time.Sleep(10 * time.Millisecond) {
		_, _, err2 = v.Verify(t.Context(), newKey)
		if !errors.Is(err2, ErrBearer) || time.Now().After(deadline) {
			break
		}
	}
	if !errors.Is(err2, ErrUnavailable) || errors.Is(err2, ErrBearer) {
		t.Errorf("a token under a new key, key set down: %v, want ErrUnavailable only", err2)
	}
	op.jwksDown.Store(false)
	if err := afterKeyFailure(func() error { _, _, err := v.Verify(t.Context(), newKey); return err }); !errors.Is(err, ErrBearer) {
		t.Errorf("a key the issuer does not publish: %v, want ErrBearer", err)
	}
}

func TestCompleteKeysUnavailable(t *testing.T) {
	op := newFakeOP(t, nil)
	rp := mustRP(t, secretConfig(op))
	flow, params := begin(t, rp)
	op.jwksDown.Store(true)
	_, err := rp.Complete(t.Context(), flow, callback(op, flow, params, op.signed(t, op.claims(flow.Nonce))))
	if !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrToken) || !strings.Contains(err.Error(), "signing keys") {
		t.Fatalf("key set down: %v, want ErrUnavailable only", err)
	}
	op.jwksDown.Store(false)
	err = afterKeyFailure(func() error {
		flow, params := begin(t, rp)
		_, err := rp.Complete(t.Context(), flow, callback(op, flow, params, op.signed(t, op.claims(flow.Nonce))))
		return err
	})
	if err != nil {
		t.Fatalf("key set back: %v", err)
	}
}

// afterKeyFailure runs f again, for up to a second, while it fails with
// ErrUnavailable: go-oidc lets a verification that starts just after a failed
// key fetch share that fetch's result.
func afterKeyFailure(f func() error) error {
	deadline := time.Now().Add(time.Second)
	for {
		err := f()
		if !errors.Is(err, ErrUnavailable) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(10 * time.Millisecond)
	}
}
