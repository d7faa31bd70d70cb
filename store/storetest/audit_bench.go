package storetest

import (
	"context"
	"sync"
	"testing"

	"github.com/omahoito/omahoito/audit"
)

// BenchAppend measures access-log appends through an audit.Log (group
// commit) with 1, 8 and 64 concurrent appenders, beside "unbatched": one
// AppendEntries transaction per entry from one appender, the chain
// computed but nothing gathered. open returns a new, empty store per run.
func BenchAppend(b *testing.B, open func(b *testing.B) Stores) {
	for _, n := range []int{1, 8, 64} {
		b.Run(map[int]string{1: "sequential", 8: "concurrent-8", 64: "concurrent-64"}[n], func(b *testing.B) {
			s := asAudit(b, open(b))
			l := NewAuditLog(b, s, audit.Options{})
			runAppenders(b, n, func(i int) error { return l.Append(context.Background(), AuditEntry("kainuu", "person-1", i)) })
		})
	}
	b.Run("unbatched", func(b *testing.B) {
		s := asAudit(b, open(b))
		var seq int64
		prev := audit.Genesis()
		runAppenders(b, 1, func(i int) error {
			e := AuditEntry("kainuu", "person-1", i)
			e.Seq = seq + 1
			e.Hash = audit.Chain(prev, e)
			if err := s.AppendEntries(context.Background(), "kainuu", seq, []audit.Entry{e}); err != nil {
				return err
			}
			seq, prev = e.Seq, e.Hash
			return nil
		})
	})
}

func asAudit(tb testing.TB, s Stores) audit.Store {
	as, ok := s.(audit.Store)
	if !ok {
		tb.Fatal("the store does not implement audit.Store")
	}
	return as
}

// runAppenders runs b.N appends spread over n goroutines and reports
// entries/s.
func runAppenders(b *testing.B, n int, op func(i int) error) {
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	work := make(chan int)
	for range n {
		wg.Go(func() {
			for i := range work {
				if err := op(i); err != nil {
					b.Error(err)
				}
			}
		})
	}
	for i := range b.N {
		work <- i
	}
	close(work)
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}
