package main

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/omahoito/omahoito/auth"
)

// loginParallelism multiplies GOMAXPROCS into the number of browsers that
// log in at once in the parallel sub-benchmarks.
const loginParallelism = 4

// returningPool is how many people are registered before the timer starts,
// for the sub-benchmarks of returning logins.
const returningPool = 64

// BenchmarkCitizenLogin measures complete citizen logins over loopback, as a
// browser does them: GET /login, the development provider's login page,
// POST of the hetu form, the redirect with the code, the callback (token
// exchange, ID token verification, person lookup or registration, session
// creation) and the landing page. Every iteration is a new browser.
//
//	first               a hetu never seen before: the callback registers the person
//	returning           a hetu registered before the timer started
//	parallel-first      as first, GOMAXPROCS*loginParallelism browsers at once
//	parallel-returning  as returning, GOMAXPROCS*loginParallelism browsers at once
func BenchmarkCitizenLogin(b *testing.B) {
	for _, db := range databases {
		b.Run(db, func(b *testing.B) {
			a := MustStartApp(b, db)
			tr := benchTransport(b)
			hetus := &hetuSource{}
			pool := make([]string, returningPool)
			for i := range pool {
				pool[i] = hetus.take()
				a.benchLogin(b, tr, pool[i])
			}
			b.Run("first", func(b *testing.B) {
				a.expectRegistrations(b, true, func() {
					for b.Loop() {
						a.benchLogin(b, tr, hetus.take())
					}
				})
				reportLoginRate(b)
			})
			b.Run("returning", func(b *testing.B) {
				a.expectRegistrations(b, false, func() {
					i := 0
					for b.Loop() {
						a.benchLogin(b, tr, pool[i%len(pool)])
						i++
					}
				})
				reportLoginRate(b)
			})
			b.Run("parallel-first", func(b *testing.B) {
				a.expectRegistrations(b, true, func() {
					b.SetParallelism(loginParallelism)
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							a.benchLogin(b, tr, hetus.take())
						}
					})
				})
				reportLoginRate(b)
			})
			b.Run("parallel-returning", func(b *testing.B) {
				var next atomic.Int64
				a.expectRegistrations(b, false, func() {
					b.SetParallelism(loginParallelism)
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							a.benchLogin(b, tr, pool[int(next.Add(1))%len(pool)])
						}
					})
				})
				reportLoginRate(b)
			})
		})
	}
}

// benchTransport is the connection pool the benchmark's browsers share.
// Each browser has its own cookie jar; like real browsers they keep
// connections alive, so the figures are not about TCP handshakes.
func benchTransport(b *testing.B) *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	b.Cleanup(tr.CloseIdleConnections)
	return tr
}

// benchLogin logs hetu in with a new browser and checks that it landed,
// signed in, on the front page.
func (a *testApp) benchLogin(b *testing.B, tr http.RoundTripper, hetu string) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		b.Fatal(err)
	}
	res, body := a.citizenLogin(b, &http.Client{Jar: jar, Transport: tr}, hetu, "kainuu")
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/" || !strings.Contains(body, `action="/logout"`) {
		b.Fatalf("login landed on %s with %d, want / with 200 and signed in", res.Request.URL, res.StatusCode)
	}
}

// expectRegistrations runs f and checks from the log that every login in
// it registered a new person (want true) or that none did (want false).
func (a *testApp) expectRegistrations(b *testing.B, want bool, f func()) {
	before := strings.Count(a.log.String(), `"registered":true`)
	f()
	got := strings.Count(a.log.String(), `"registered":true`) - before
	wantN := 0
	if want {
		wantN = b.N
	}
	if got != wantN {
		b.Fatalf("%d logins registered a new person, want %d", got, wantN)
	}
}

func reportLoginRate(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "logins/s")
}

// hetuSource hands out distinct valid test hetus; safe for concurrent use.
type hetuSource struct{ next atomic.Int64 }

func (s *hetuSource) take() string { return benchHetu(int(s.next.Add(1) - 1)) }

// hetuCheckChars is the check character alphabet, index = number mod 31.
const hetuCheckChars = "0123456789ABCDEFHJKLMNPRSTUVWXY"

// benchHetu returns the i'th of 3,360,000 distinct valid test hetus
// DDMMYY-9NNC: born on day 1–28 of a month of 1900–1999, individual
// number 900–999, the range reserved for test and temporary codes.
func benchHetu(i int) string {
	day, month, year := 1+i%28, 1+i/28%12, i/(28*12)%100
	individual := 900 + i/(28*12*100)%100
	n := (day*10000+month*100+year)*1000 + individual
	return fmt.Sprintf("%02d%02d%02d-%03d%c", day, month, year, individual, hetuCheckChars[n%31])
}

func TestBenchHetusAreValidAndDistinct(t *testing.T) {
	seen := map[string]bool{}
	for _, i := range []int{0, 1, 27, 28, 335, 336, 33599, 33600, 3359999} {
		s := benchHetu(i)
		h, err := auth.ParseHetu(s)
		if err != nil || !h.IsTestCode() {
			t.Fatalf("benchHetu(%d) = %s: %v, test code %v", i, s, err, err == nil && h.IsTestCode())
		}
		if seen[s] {
			t.Fatalf("benchHetu(%d) = %s repeats", i, s)
		}
		seen[s] = true
	}
	if benchHetu(0) != benchHetu(3360000) {
		t.Error("benchHetu does not cycle after 3,360,000")
	}
}
