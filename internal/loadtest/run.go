package loadtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// driver is one run in progress.
type driver struct {
	cfg      Config
	rec      *recorder
	runID    string // prefix of this run's identifiers
	requests atomic.Int64
	capped   atomic.Bool
	verified atomic.Int64 // acknowledged writes found in the final check
	now      func() time.Time
}

// Run logs cfg.Citizens citizens in, drives them for cfg.Duration (or
// until cfg.MaxRequests), then verifies every citizen's record. The error
// is for a run that could not be made at all — a refused configuration, no
// citizen able to log in, ctx ended; what went wrong under load is in the
// Report (see Report.Failures).
func Run(ctx context.Context, cfg Config) (Report, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return Report{}, err
	}
	d := &driver{cfg: cfg, rec: newRecorder(), runID: fmt.Sprintf("run-%x", rand.Uint64()), now: time.Now}
	tr := newTransport(cfg)
	defer tr.CloseIdleConnections()

	wal := startWALSampler(cfg.WALPath)
	defer wal.stop()

	citizens, loginErr := d.loginAll(ctx, tr)
	if len(citizens) == 0 {
		return d.report(nil, 0, wal.stop()), fmt.Errorf("no citizen logged in: %w", loginErr)
	}
	start := time.Now()
	d.load(ctx, citizens, start.Add(cfg.Duration))
	elapsed := time.Since(start)
	if err := ctx.Err(); err != nil {
		return d.report(citizens, elapsed, wal.stop()), fmt.Errorf("loadtest: run ended early: %w", err)
	}
	d.verifyAll(ctx, citizens)
	return d.report(citizens, elapsed, wal.stop()), nil
}

// loginAll logs every citizen in, LoginConcurrency at a time, and returns
// those who made it; a failed login is in the report's errors.
func (d *driver) loginAll(ctx context.Context, tr *http.Transport) ([]*citizen, error) {
	var (
		mu       sync.Mutex
		ok       []*citizen
		firstErr error
		wg       sync.WaitGroup
		slots    = make(chan struct{}, d.cfg.LoginConcurrency)
	)
	for i := range d.cfg.Citizens {
		z := &citizen{n: i, hetu: testHetu(d.cfg.FirstHetu + i), c: newBrowser(tr, d.cfg.Timeout),
			rng: rand.New(rand.NewPCG(uint64(d.cfg.FirstHetu), uint64(i))), baseline: map[string]bool{},
			acked: map[string]measurement{}, failed: map[string]string{}}
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			err := d.login(ctx, z)
			if err == nil {
				err = d.recordBaseline(ctx, z)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				firstErr = cmpOr(firstErr, err)
				return
			}
			ok = append(ok, z)
		})
	}
	wg.Wait()
	return ok, firstErr
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// load runs every citizen's loop until end, the request cap or ctx.
// Requests in flight at the end are let finish rather than cut off, so
// that no write is left with an unknown outcome.
func (d *driver) load(ctx context.Context, citizens []*citizen, end time.Time) {
	var wg sync.WaitGroup
	for _, z := range citizens {
		wg.Go(func() {
			for d.more(ctx, end) {
				d.write(ctx, z)
				for r := 0; r < d.cfg.ReadsPerWrite && d.more(ctx, end); r++ {
					if r%2 == 0 {
						d.search(ctx, z)
					} else {
						d.readBack(ctx, z)
					}
				}
			}
		})
	}
	wg.Wait()
}

// more reports whether another load request may start, and counts it.
func (d *driver) more(ctx context.Context, end time.Time) bool {
	if ctx.Err() != nil || !time.Now().Before(end) {
		return false
	}
	if d.requests.Add(1) > d.cfg.MaxRequests {
		d.capped.Store(true)
		return false
	}
	return true
}

// verifyAll checks every citizen's record, LoginConcurrency at a time.
func (d *driver) verifyAll(ctx context.Context, citizens []*citizen) {
	var wg sync.WaitGroup
	slots := make(chan struct{}, d.cfg.LoginConcurrency)
	for _, z := range citizens {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			d.verify(ctx, z)
		})
	}
	wg.Wait()
}

// walSampler records the largest size of a file, once a second.
type walSampler struct {
	path string
	max  atomic.Int64
	last atomic.Int64
	done chan struct{}
	once sync.Once
	wg   sync.WaitGroup
}

func startWALSampler(path string) *walSampler {
	w := &walSampler{path: path, done: make(chan struct{})}
	if path == "" {
		return w
	}
	w.sample()
	w.wg.Go(func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-w.done:
				return
			case <-t.C:
				w.sample()
			}
		}
	})
	return w
}

// sample reads the size; a WAL that does not exist (yet, or after a
// truncating checkpoint) is empty.
func (w *walSampler) sample() {
	var size int64
	if fi, err := os.Stat(w.path); err == nil {
		size = fi.Size()
	}
	w.last.Store(size)
	if size > w.max.Load() {
		w.max.Store(size)
	}
}

// stop ends sampling, takes a last sample and returns the figures.
func (w *walSampler) stop() walFigures {
	w.once.Do(func() {
		close(w.done)
		w.wg.Wait()
		if w.path != "" {
			w.sample()
		}
	})
	return walFigures{Path: w.path, Max: w.max.Load(), Final: w.last.Load()}
}

type walFigures struct {
	Path       string
	Max, Final int64
}
