// Package ratelimit limits how often one key — a client address, a person —
// may do something: a token bucket per key (golang.org/x/time/rate), so a
// client may burst a little and is then held to a steady rate.
//
// Memory is bounded whatever the traffic: at most MaxKeys buckets are kept.
// A bucket untouched for longer than it takes to fill up again is the same
// as a new one, so it is dropped first; when the table is full of active
// keys the least recently used one makes room. A flood of distinct keys
// therefore costs a fixed amount of memory, at worst resetting the oldest
// buckets, which is the lesser harm next to refusing every new client.
package ratelimit

import (
	"container/list"
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultMaxKeys is the number of keys kept when Config.MaxKeys is zero.
const DefaultMaxKeys = 10_000

// ErrConfig: the Config cannot make a limiter.
var ErrConfig = errors.New("ratelimit: invalid configuration")

// Config describes one limit: Burst actions at once, then one more every
// Every, per key.
type Config struct {
	Burst   int
	Every   time.Duration
	MaxKeys int              // buckets kept at most; 0: DefaultMaxKeys
	Now     func() time.Time // nil: time.Now; tests set a clock
}

// Limiter is a set of token buckets, one per key. It is safe for concurrent
// use.
type Limiter struct {
	limit   rate.Limit
	burst   int
	idle    time.Duration // an untouched bucket is full again after this
	maxKeys int
	now     func() time.Time

	mu    sync.Mutex
	keys  map[string]*list.Element // of *bucket
	order *list.List               // most recently used first
}

type bucket struct {
	key  string
	lim  *rate.Limiter
	seen time.Time
}

// New returns a limiter for cfg.
func New(cfg Config) (*Limiter, error) {
	switch {
	case cfg.Burst < 1:
		return nil, fmt.Errorf("%w: burst %d must be at least 1", ErrConfig, cfg.Burst)
	case cfg.Every <= 0:
		return nil, fmt.Errorf("%w: interval %v must be positive", ErrConfig, cfg.Every)
	case cfg.MaxKeys < 0:
		return nil, fmt.Errorf("%w: max keys %d is negative", ErrConfig, cfg.MaxKeys)
	}
	if cfg.MaxKeys == 0 {
		cfg.MaxKeys = DefaultMaxKeys
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Limiter{
		limit:   rate.Every(cfg.Every),
		burst:   cfg.Burst,
		idle:    refillTime(cfg.Every, cfg.Burst),
		maxKeys: cfg.MaxKeys,
		now:     cfg.Now,
		keys:    make(map[string]*list.Element),
		order:   list.New(),
	}, nil
}

// refillTime is how long an empty bucket takes to fill, without overflow.
func refillTime(every time.Duration, burst int) time.Duration {
	if every > time.Duration(math.MaxInt64)/time.Duration(burst) {
		return time.Duration(math.MaxInt64)
	}
	return every * time.Duration(burst)
}

// Allow takes one token from key's bucket. When there is none it returns
// false and how long until there will be one (for Retry-After); a refused
// attempt costs nothing.
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(key, now)
	r := b.lim.ReserveN(now, 1)
	if !r.OK() { // cannot happen with burst >= 1; refuse rather than panic
		return false, l.idle
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// Len is the number of keys that have a bucket now.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

// bucket returns key's bucket, marked as used at now, making one (and room
// for it) if need be. l.mu is held.
func (l *Limiter) bucket(key string, now time.Time) *bucket {
	if e, ok := l.keys[key]; ok {
		b := e.Value.(*bucket)
		b.seen = now
		l.order.MoveToFront(e)
		return b
	}
	l.evict(now)
	b := &bucket{key: key, lim: rate.NewLimiter(l.limit, l.burst), seen: now}
	l.keys[key] = l.order.PushFront(b)
	return b
}

// evict drops the buckets that are full again (idle since they would have
// refilled), oldest first, and then the least recently used ones until
// there is room for one more. l.mu is held.
func (l *Limiter) evict(now time.Time) {
	for e := l.order.Back(); e != nil; e = l.order.Back() {
		b := e.Value.(*bucket)
		if len(l.keys) < l.maxKeys && now.Sub(b.seen) < l.idle {
			return
		}
		l.order.Remove(e)
		delete(l.keys, b.key)
	}
}

// AddressKey is the key for a client address ("host:port" or a bare IP):
// the IP itself for IPv4, its /64 network for IPv6, since one client
// commonly holds a whole /64. An address that does not parse is its own key.
func AddressKey(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return addr
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is4() {
		return ip.String()
	}
	return netip.PrefixFrom(ip, 64).Masked().String()
}
