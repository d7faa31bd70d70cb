package ratelimit

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clock is a settable time source for the limiter.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Unix(1_800_000_000, 0)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newLimiter(t *testing.T, cfg Config) *Limiter {
	t.Helper()
	l, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// allowed counts how many of n attempts by key pass.
func allowed(l *Limiter, key string, n int) int {
	ok := 0
	for range n {
		if pass, _ := l.Allow(key); pass {
			ok++
		}
	}
	return ok
}

func TestBurstThenRefused(t *testing.T) {
	c := newClock()
	l := newLimiter(t, Config{Burst: 5, Every: 10 * time.Second, Now: c.Now})
	if got := allowed(l, "198.51.100.7", 5); got != 5 {
		t.Fatalf("%d of a burst of 5 allowed", got)
	}
	ok, retry := l.Allow("198.51.100.7")
	if ok {
		t.Fatal("the sixth attempt at once was allowed")
	}
	if retry <= 0 || retry > 10*time.Second {
		t.Errorf("retry after %v, want within (0, 10s]", retry)
	}
	// Refused attempts cost nothing: the wait does not grow with them.
	allowed(l, "198.51.100.7", 100)
	if _, again := l.Allow("198.51.100.7"); again != retry {
		t.Errorf("retry after %v once refused 100 more times, was %v", again, retry)
	}
}

func TestRefill(t *testing.T) {
	c := newClock()
	l := newLimiter(t, Config{Burst: 3, Every: time.Minute, Now: c.Now})
	allowed(l, "k", 3)
	c.Advance(59 * time.Second)
	if ok, retry := l.Allow("k"); ok || retry != time.Second {
		t.Fatalf("after 59 s: ok=%v retry=%v, want refused with 1s to wait", ok, retry)
	}
	c.Advance(time.Second)
	if got := allowed(l, "k", 3); got != 1 {
		t.Errorf("one interval after emptying, %d allowed, want 1", got)
	}
	c.Advance(time.Hour)
	if got := allowed(l, "k", 10); got != 3 {
		t.Errorf("after an hour, %d allowed, want the burst of 3 and no more", got)
	}
}

func TestKeysAreIndependent(t *testing.T) {
	c := newClock()
	l := newLimiter(t, Config{Burst: 2, Every: time.Hour, Now: c.Now})
	allowed(l, "person-a", 10)
	if ok, _ := l.Allow("person-a"); ok {
		t.Fatal("person-a not limited")
	}
	if got := allowed(l, "person-b", 2); got != 2 {
		t.Errorf("person-b got %d of its own burst of 2 after person-a used up theirs", got)
	}
}

func TestConcurrentUseAllowsExactlyTheBurst(t *testing.T) {
	c := newClock() // frozen: no refill during the test
	l := newLimiter(t, Config{Burst: 50, Every: time.Hour, Now: c.Now})
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			for range 20 {
				if pass, _ := l.Allow("203.0.113.1"); pass {
					ok.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if ok.Load() != 50 {
		t.Errorf("400 concurrent attempts: %d allowed, want exactly 50", ok.Load())
	}
}

func TestFloodOfKeysStaysWithinTheCap(t *testing.T) {
	c := newClock()
	l := newLimiter(t, Config{Burst: 5, Every: time.Second, MaxKeys: 1000, Now: c.Now})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range 200_000 {
		l.Allow(fmt.Sprintf("2001:db8:%x::1", i))
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if n := l.Len(); n > 1000 {
		t.Errorf("%d keys kept, cap 1000", n)
	}
	// 200 000 buckets would take tens of MB; 1000 take well under one.
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 4<<20 {
		t.Errorf("heap grew by %d bytes for a flood of distinct keys", grown)
	}
}

// A client that keeps coming back stays limited during a flood of new keys:
// only idle or least recently used buckets make room.
func TestActiveKeySurvivesEviction(t *testing.T) {
	c := newClock()
	l := newLimiter(t, Config{Burst: 3, Every: time.Hour, MaxKeys: 10, Now: c.Now})
	allowed(l, "attacker", 3)
	for i := range 100 {
		l.Allow(fmt.Sprint("other-", i))
		if ok, _ := l.Allow("attacker"); ok {
			t.Fatalf("the attacker's bucket was reset after %d other keys", i+1)
		}
	}
}

func TestIdleKeysAreForgotten(t *testing.T) {
	c := newClock()
	l := newLimiter(t, Config{Burst: 2, Every: time.Minute, MaxKeys: 100, Now: c.Now})
	for i := range 50 {
		l.Allow(fmt.Sprint("k", i))
	}
	c.Advance(2 * time.Minute) // every bucket is full again
	l.Allow("newcomer")
	if n := l.Len(); n != 1 {
		t.Errorf("%d keys kept after all others refilled, want 1", n)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for _, cfg := range []Config{{Burst: 0, Every: time.Second}, {Burst: 1}, {Burst: 1, Every: time.Second, MaxKeys: -1}} {
		if _, err := New(cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("New(%+v) = %v, want ErrConfig", cfg, err)
		}
	}
}

func TestAddressKey(t *testing.T) {
	for in, want := range map[string]string{
		"198.51.100.7:51234":             "198.51.100.7",
		"198.51.100.7":                   "198.51.100.7",
		"[::ffff:198.51.100.7]:443":      "198.51.100.7",
		"[2001:db8:1:2:aaaa::1]:443":     "2001:db8:1:2::/64",
		"[2001:db8:1:2:bbbb::9%eth0]:80": "2001:db8:1:2::/64",
		"not an address":                 "not an address",
	} {
		if got := AddressKey(in); got != want {
			t.Errorf("AddressKey(%q) = %q, want %q", in, got, want)
		}
	}
}
