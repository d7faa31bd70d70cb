package loadtest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"strings"
	"time"
)

// ErrNotLoopback is returned for a base URL (or any URL the run is sent to)
// whose host is not a loopback address.
var ErrNotLoopback = errors.New("loadtest: only loopback addresses may be driven")

// ErrConfig is returned for a configuration that cannot be run.
var ErrConfig = errors.New("loadtest: invalid configuration")

// Config describes one run. Zero fields take the defaults below.
type Config struct {
	BaseURL          string        // e.g. http://127.0.0.1:8080; host must be loopback
	Citizens         int           // concurrent citizens; default 256
	Duration         time.Duration // length of the load phase; default 60 s
	ReadsPerWrite    int           // reads after each write (alternately a search and a read-back); default 2
	Timeout          time.Duration // per request; default 30 s
	MaxRequests      int64         // cap on load-phase requests; default 2,000,000
	LoginConcurrency int           // logins at once before the load starts; default 16
	Region           string        // region a first login registers in; default kainuu
	FirstHetu        int           // index of the first test hetu; default random, so runs rarely share people
	WALPath          string        // SQLite write-ahead log to sample each second; empty: not sampled
	WALLimit         int64         // largest acceptable WAL size in bytes; default 64 MiB
}

// Defaults.
const (
	DefaultCitizens         = 256
	DefaultDuration         = 60 * time.Second
	DefaultReadsPerWrite    = 2
	DefaultTimeout          = 30 * time.Second
	DefaultMaxRequests      = 2_000_000
	DefaultLoginConcurrency = 16
	DefaultRegion           = "kainuu"
	DefaultWALLimit         = 64 << 20
)

func (c Config) withDefaults() Config {
	setDefault(&c.Citizens, DefaultCitizens)
	setDefault(&c.Duration, DefaultDuration)
	setDefault(&c.ReadsPerWrite, DefaultReadsPerWrite)
	setDefault(&c.Timeout, DefaultTimeout)
	setDefault(&c.MaxRequests, DefaultMaxRequests)
	setDefault(&c.LoginConcurrency, DefaultLoginConcurrency)
	setDefault(&c.Region, DefaultRegion)
	setDefault(&c.WALLimit, DefaultWALLimit)
	if c.FirstHetu == 0 {
		c.FirstHetu = rand.IntN(hetuCount)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	return c
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

func (c Config) validate() error {
	if c.Citizens < 0 || c.Duration < 0 || c.ReadsPerWrite < 0 || c.Timeout < 0 || c.MaxRequests < 0 || c.LoginConcurrency < 0 {
		return fmt.Errorf("%w: negative count or duration", ErrConfig)
	}
	if c.Citizens > hetuCount {
		return fmt.Errorf("%w: at most %d citizens", ErrConfig, hetuCount)
	}
	return CheckLoopback(c.BaseURL)
}

// CheckLoopback returns nil when raw is an http(s) URL whose host is
// localhost, in 127.0.0.0/8 or ::1, and an error wrapping ErrNotLoopback
// otherwise.
func CheckLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNotLoopback, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%w: scheme %q, want http or https", ErrNotLoopback, u.Scheme)
	}
	return checkLoopbackHost(u.Hostname())
}

func checkLoopbackHost(host string) error {
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%w: host %q", ErrNotLoopback, host)
}
