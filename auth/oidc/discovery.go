package oidc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
)

// ProviderRetry is how long a failed discovery is remembered: callers in
// that window fail at once with ErrUnavailable instead of each waiting for an
// issuer that is down. It is also how long to tell clients to wait before
// trying again (Retry-After) after an ErrUnavailable.
const ProviderRetry = 30 * time.Second

// maxIssuerErrorLen bounds what an error quotes of the issuer's answers.
const maxIssuerErrorLen = 256

// discovery fetches one issuer's metadata for a RelyingParty or a
// BearerVerifier and keeps what build makes of it. Concurrent callers share
// the one fetch in flight, each waiting no longer than its own context
// allows; the fetch itself runs to its end (bounded by the HTTP client's
// timeout and defaultHTTPTimeout) whoever stops waiting. A success is kept
// for good; a failure for ProviderRetry, during which callers fail at
// once with ErrUnavailable. It is safe for concurrent use.
type discovery[T any] struct {
	name   string // for messages: the relying party's name, or "bearer"
	issuer string
	client *http.Client
	build  func(*gooidc.Provider) T
	now    func() time.Time // the backoff's clock; tests replace it

	mu      sync.Mutex
	known   bool // value holds what build made of a successful discovery
	value   T
	call    *discoveryCall[T] // the fetch in flight; nil if none
	failure error             // the last failure, remembered until retryAt
	retryAt time.Time
}

// discoveryCall is one fetch that several callers may wait for.
type discoveryCall[T any] struct {
	done  chan struct{} // closed when value and err are set
	value T
	err   error
}

func newDiscovery[T any](name, issuer string, client *http.Client, build func(*gooidc.Provider) T) *discovery[T] {
	return &discovery[T]{name: name, issuer: issuer, client: client, build: build, now: time.Now}
}

// get returns what build made of the issuer's metadata, discovering it if
// need be. Every error wraps ErrUnavailable.
func (d *discovery[T]) get(ctx context.Context) (T, error) {
	call, value, err := d.join(ctx)
	if call == nil {
		return value, err
	}
	select {
	case <-call.done:
		return call.value, call.err
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("%w: %s: gave up waiting for discovery: %v", ErrUnavailable, d.name, context.Cause(ctx))
	}
}

// join returns the known value, or the remembered failure, or else the
// fetch in flight, starting one if there is none.
func (d *discovery[T]) join(ctx context.Context) (*discoveryCall[T], T, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var zero T
	switch {
	case d.known:
		return nil, d.value, nil
	case d.call != nil:
		return d.call, zero, nil
	case d.failure != nil && d.now().Before(d.retryAt):
		wait := d.retryAt.Sub(d.now()).Round(time.Second)
		return nil, zero, fmt.Errorf("%w: %s: discovery failed recently and will be retried in %s: %v",
			ErrUnavailable, d.name, wait, d.failure)
	}
	d.call = &discoveryCall[T]{done: make(chan struct{})}
	go d.fetch(context.WithoutCancel(ctx), d.call)
	return d.call, zero, nil
}

// fetch runs one discovery and publishes its outcome to call's waiters.
// ctx carries the first caller's values but not its cancellation: the
// fetch serves every waiter.
func (d *discovery[T]) fetch(ctx context.Context, call *discoveryCall[T]) {
	ctx, cancel := context.WithTimeout(gooidc.ClientContext(ctx, d.client), defaultHTTPTimeout)
	defer cancel()
	provider, err := gooidc.NewProvider(ctx, d.issuer)
	d.mu.Lock()
	defer d.mu.Unlock()
	if err != nil {
		d.failure = errors.New(strings.TrimSpace(truncate(err.Error(), maxIssuerErrorLen)))
		d.retryAt = d.now().Add(ProviderRetry)
		call.err = fmt.Errorf("%w: %s: discovery failed and will be retried in %s: %v", ErrUnavailable, d.name, ProviderRetry, d.failure)
	} else {
		call.value = d.build(provider)
		d.value, d.known, d.failure = call.value, true, nil
	}
	d.call = nil
	close(call.done)
}

// keysUnavailable reports whether go-oidc failed to verify a signature
// because it could not fetch the issuer's key set (jwks_uri unreachable, not
// 200, or not a key set): the issuer's fault, not the token's. go-oidc v3
// keeps only the text of that error, "failed to verify signature: fetching
// keys ...". It checks the signature before any claim, so no text from the
// token can come first. TestBearerKeysUnavailable and
// TestCompleteKeysUnavailable pin the text.
func keysUnavailable(err error) bool {
	return strings.HasPrefix(err.Error(), "failed to verify signature: fetching keys")
}

// keysError is the ErrUnavailable error for a key set that could not be fetched.
func keysError(name string, err error) error {
	return fmt.Errorf("%w: %s: could not fetch the issuer's signing keys; try again later: %s",
		ErrUnavailable, name, strings.TrimSpace(truncate(err.Error(), maxIssuerErrorLen)))
}
