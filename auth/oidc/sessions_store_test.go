package oidc

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2/memstore"

	"github.com/omahoito/omahoito/auth"
)

var errStoreDown = errors.New("store down")

// flakyStore is the real scs memstore with failures on demand: the next n
// commits or deletes fail, as a database under load or gone away would.
type flakyStore struct {
	*memstore.MemStore
	mu                      sync.Mutex
	failCommits, failDelete int
	expiry                  map[string]time.Time // by token, as last committed
}

func newFlakyStore() *flakyStore {
	return &flakyStore{MemStore: memstore.NewWithCleanupInterval(0), expiry: map[string]time.Time{}}
}

func (f *flakyStore) failNext(commits, deletes int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failCommits, f.failDelete = commits, deletes
}

func (f *flakyStore) Commit(token string, b []byte, expiry time.Time) error {
	f.mu.Lock()
	fail := f.failCommits > 0
	f.failCommits--
	f.mu.Unlock()
	if fail {
		return errStoreDown
	}
	f.mu.Lock()
	f.expiry[token] = expiry
	f.mu.Unlock()
	return f.MemStore.Commit(token, b, expiry)
}

// expiryOf is the expiry last committed for token.
func (f *flakyStore) expiryOf(t *testing.T, token string) time.Time {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.expiry[token]
	if !ok {
		t.Fatalf("no session stored under the cookie's token")
	}
	return e
}

func (f *flakyStore) Delete(token string) error {
	f.mu.Lock()
	fail := f.failDelete > 0
	f.failDelete--
	f.mu.Unlock()
	if fail {
		return errStoreDown
	}
	return f.MemStore.Delete(token)
}

func (f *flakyStore) sessions(t *testing.T) map[string][]byte {
	t.Helper()
	all, err := f.All()
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// storeServer serves, behind Sessions over store, what the portal's
// handlers do with sessions: a stored measurement (201 and a body), a
// login start, a sign-in, a sign-out, and pages that only read.
type storeServer struct {
	*httptest.Server
	sessions *Sessions
	now      time.Time
	log      bytes.Buffer
}

func newStoreServer(t *testing.T, store *flakyStore) *storeServer {
	t.Helper()
	ss := &storeServer{now: time.Unix(1_800_000_000, 0)}
	s := NewSessions(store, false)
	s.Now = func() time.Time { return ss.now }
	s.Log = slog.New(slog.NewTextHandler(&ss.log, nil))
	ss.sessions = s
	mux := http.NewServeMux()
	mux.HandleFunc("POST /fhir/r4/Observation", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/fhir+json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"resourceType":"Observation","id":"obs-1"}`)
	})
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "hello "+s.Principal(r.Context()).PersonID)
	})
	mux.HandleFunc("GET /auth/citizen/callback", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := s.TakeFlow(r.Context(), "citizen"); !ok {
			http.Error(w, "no login under way", http.StatusBadRequest)
		}
	})
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		answer(w, r, s.SaveFlow(r.Context(), "citizen", Flow{State: "s", Nonce: "n", Verifier: "v", Started: ss.now}))
	})
	mux.HandleFunc("GET /signin", func(w http.ResponseWriter, r *http.Request) {
		answer(w, r, s.SignIn(r.Context(), auth.Principal{Kind: auth.KindCitizen, PersonID: "person-1"}))
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		answer(w, r, s.SignOut(r.Context()))
	})
	ss.Server = httptest.NewServer(s.Middleware(mux))
	t.Cleanup(ss.Close)
	return ss
}

// answer is what the portal does after a session write that matters:
// report the error, or go on to the next page.
func answer(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, ErrSession) {
		http.Error(w, "try again later", http.StatusServiceUnavailable)
		return
	}
	if err != nil {
		http.Error(w, "unexpected: "+err.Error(), http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

type reply struct {
	status int
	body   string
	cookie *http.Cookie
}

func (ss *storeServer) do(t *testing.T, method, path, token string) reply {
	t.Helper()
	req, err := http.NewRequest(method, ss.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.AddCookie(&http.Cookie{Name: SessionCookieName, Value: token})
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{resp.StatusCode, string(body), sessionCookie(resp, SessionCookieName)}
}

func (ss *storeServer) signIn(t *testing.T) string {
	t.Helper()
	r := ss.do(t, http.MethodGet, "/signin", "")
	if r.status != http.StatusSeeOther || r.cookie == nil {
		t.Fatalf("sign-in: %d %q", r.status, r.body)
	}
	return r.cookie.Value
}

// An anonymous visitor — no cookie, a made-up cookie, a stray callback —
// leaves nothing in the session store and gets no session cookie.
func TestAnonymousVisitorStoresNoSession(t *testing.T) {
	store := newFlakyStore()
	ss := newStoreServer(t, store)
	for _, req := range []struct{ method, path, token string }{
		{http.MethodGet, "/", ""},
		{http.MethodGet, "/measurements", ""},
		{http.MethodGet, "/", "made-up-token"},
		{http.MethodGet, "/auth/citizen/callback?state=x&code=y", ""},
		{http.MethodPost, "/fhir/r4/Observation", ""},
		{http.MethodPost, "/logout", ""},
	} {
		if r := ss.do(t, req.method, req.path, req.token); r.cookie != nil && r.cookie.MaxAge >= 0 {
			t.Errorf("%s %s set a session cookie", req.method, req.path)
		}
	}
	if n := len(store.sessions(t)); n != 0 {
		t.Errorf("anonymous requests stored %d sessions", n)
	}
	// The check can fail: starting a login does store one.
	ss.do(t, http.MethodGet, "/login", "")
	if n := len(store.sessions(t)); n != 1 {
		t.Errorf("a login start stored %d sessions, want 1", n)
	}
}

// A login start stores a session, but one that no one signed in to ends
// with the login flow: a client rotating addresses past the rate limit
// cannot fill the disk with 12-hour rows. Signing in gives the full lifetime.
func TestLoginStartSessionEndsWithTheFlow(t *testing.T) {
	store := newFlakyStore()
	ss := newStoreServer(t, store)
	// Store expiries are wall-clock time (the store deletes rows by it);
	// the test clock only drives the idle timeout.
	within := func(e, before time.Time, d time.Duration) bool {
		return !e.Before(before.Add(d)) && !e.After(time.Now().Add(d))
	}
	before := time.Now()
	r := ss.do(t, http.MethodGet, "/login", "")
	if r.cookie == nil {
		t.Fatalf("login start: %d, no cookie", r.status)
	}
	if e := store.expiryOf(t, r.cookie.Value); !within(e, before, FlowLifetime) {
		t.Errorf("a login start's session expires %v after it, want the flow's %v", time.Until(e).Round(time.Minute), FlowLifetime)
	}
	before = time.Now()
	r = ss.do(t, http.MethodGet, "/signin", r.cookie.Value)
	if r.cookie == nil {
		t.Fatalf("sign-in: %d, no cookie", r.status)
	}
	token := r.cookie.Value
	if e := store.expiryOf(t, token); !within(e, before, SessionLifetime) {
		t.Errorf("a signed-in session expires %v after sign-in, want %v", time.Until(e).Round(time.Minute), SessionLifetime)
	}
	// Starting another login while signed in keeps the signed-in lifetime.
	ss.do(t, http.MethodGet, "/login", token)
	if e := store.expiryOf(t, token); time.Until(e) < SessionLifetime-time.Minute {
		t.Errorf("a login start while signed in cut the session to %v", time.Until(e).Round(time.Minute))
	}
}

// When the idle timestamp cannot be saved after a write was stored, the
// client still gets the write's answer, byte for byte; the failure is
// logged, and the session goes on.
func TestFailedIdleRefreshLeavesTheAnswerAlone(t *testing.T) {
	store := newFlakyStore()
	ss := newStoreServer(t, store)
	token := ss.signIn(t)
	ss.now = ss.now.Add(5 * time.Minute) // the last-seen time is due to be written back
	store.failNext(1, 0)
	r := ss.do(t, http.MethodPost, "/fhir/r4/Observation", token)
	if r.status != http.StatusCreated || r.body != `{"resourceType":"Observation","id":"obs-1"}` {
		t.Fatalf("stored write answered %d %q, want 201 and the resource alone", r.status, r.body)
	}
	if !strings.Contains(ss.log.String(), "session not saved") || !strings.Contains(ss.log.String(), errStoreDown.Error()) {
		t.Errorf("the failed save was not logged: %q", ss.log.String())
	}
	if strings.Contains(ss.log.String(), token) {
		t.Error("the log quotes the session token")
	}
	if r := ss.do(t, http.MethodGet, "/", token); r.body != "hello person-1" {
		t.Errorf("after a failed refresh the session answered %q", r.body)
	}
}

// A sign-in that cannot be stored fails before anything is answered: the
// client is told, gets no cookie, and nothing of it is stored later in the
// request either.
func TestFailedSignInIsReportedAndNotStored(t *testing.T) {
	store := newFlakyStore()
	ss := newStoreServer(t, store)
	store.failNext(1, 0) // only the sign-in's own save fails
	r := ss.do(t, http.MethodGet, "/signin", "")
	if r.status != http.StatusServiceUnavailable || r.cookie != nil {
		t.Fatalf("failed sign-in answered %d %q, cookie %v", r.status, r.body, r.cookie)
	}
	if n := len(store.sessions(t)); n != 0 {
		t.Errorf("the client was told sign-in failed, yet %d sessions were stored", n)
	}
}

func TestFailedLoginStartIsReported(t *testing.T) {
	store := newFlakyStore()
	ss := newStoreServer(t, store)
	store.failNext(1, 0)
	if r := ss.do(t, http.MethodGet, "/login", ""); r.status != http.StatusServiceUnavailable {
		t.Errorf("a login start whose flow was not saved answered %d: the browser would go to the provider for nothing", r.status)
	}
	if n := len(store.sessions(t)); n != 0 {
		t.Errorf("%d sessions stored after a failed login start", n)
	}
}

// A sign-out the store refuses is reported, and the session is indeed still
// there; once the store is back, sign-out works.
func TestFailedSignOutIsReported(t *testing.T) {
	store := newFlakyStore()
	ss := newStoreServer(t, store)
	token := ss.signIn(t)
	store.failNext(0, 1)
	if r := ss.do(t, http.MethodPost, "/logout", token); r.status != http.StatusServiceUnavailable || r.cookie != nil {
		t.Fatalf("failed sign-out answered %d, cookie %v", r.status, r.cookie)
	}
	if r := ss.do(t, http.MethodGet, "/", token); r.body != "hello person-1" {
		t.Fatalf("the client was told sign-out failed, yet the session answered %q", r.body)
	}
	r := ss.do(t, http.MethodPost, "/logout", token)
	if r.status != http.StatusSeeOther || r.cookie == nil || r.cookie.MaxAge >= 0 {
		t.Fatalf("sign-out answered %d, cookie %v", r.status, r.cookie)
	}
	if r := ss.do(t, http.MethodGet, "/", token); r.body != "hello " {
		t.Errorf("signed out, yet the session answered %q", r.body)
	}
}

// An idle session that cannot be deleted still ends for this request.
func TestIdleSessionEndsWhenTheStoreCannotDelete(t *testing.T) {
	store := newFlakyStore()
	ss := newStoreServer(t, store)
	token := ss.signIn(t)
	ss.now = ss.now.Add(SessionIdleTimeout + time.Minute)
	store.failNext(0, 1)
	if r := ss.do(t, http.MethodGet, "/", token); r.status != http.StatusOK || r.body != "hello " {
		t.Errorf("idle session with a failing store answered %d %q, want the anonymous page", r.status, r.body)
	}
}
