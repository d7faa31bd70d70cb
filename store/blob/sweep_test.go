package blob

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestSweep(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		named := MustPut(t, s, []byte("a record names this"))
		unnamed := MustPut(t, s, []byte("the record was never committed"))
		orphan, err := s.Put(ctx, bytes.NewReader([]byte("upload abandoned")), 100)
		if err != nil {
			t.Fatal(err)
		}
		// The record was committed, then the process stopped before Promote.
		unpromoted, err := s.Put(ctx, bytes.NewReader([]byte("promote me")), 100)
		if err != nil {
			t.Fatal(err)
		}
		records := map[string]bool{named.FinalKey: true, unpromoted.FinalKey: true}
		var asked []string
		known := func(keys []string) (map[string]bool, error) {
			asked = append(asked, keys...)
			m := map[string]bool{}
			for _, k := range keys {
				m[k] = records[k]
			}
			return m, nil
		}

		// Everything is younger than the grace time: nothing goes.
		if n, err := s.Sweep(ctx, time.Now().Add(-time.Hour), known); err != nil || n != 0 {
			t.Fatalf("Sweep of fresh content = %d, %v; want 0", n, err)
		}
		if got := bucketKeys(t, s); len(got) != 4 {
			t.Fatalf("after sweeping fresh content the bucket holds %q", got)
		}

		n, err := s.Sweep(ctx, time.Now().Add(time.Hour), known)
		if err != nil || n != 2 {
			t.Errorf("Sweep = %d, %v; want 2 removed", n, err)
		}
		want := []string{named.FinalKey, unpromoted.FinalKey}
		slices.Sort(want)
		if got := bucketKeys(t, s); !slices.Equal(got, want) {
			t.Errorf("after Sweep the bucket holds %q; want %q", got, want)
		}
		for _, w := range []Written{named, unpromoted} {
			if _, err := getAll(s, w); err != nil {
				t.Errorf("Get %s after Sweep: %v", w.FinalKey, err)
			}
		}
		if _, err := getAll(s, unnamed); !errors.Is(err, ErrNotFound) {
			t.Errorf("content no record names: %v; want ErrNotFound", err)
		}
		if !slices.Contains(asked, orphan.FinalKey) || slices.Contains(asked, orphan.TempKey) {
			t.Errorf("Sweep asked about %q; want final keys only", asked)
		}
	})
}

func TestSweepKnownFails(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		w := MustPut(t, s, []byte("x"))
		down := errors.New("database down")
		_, err := s.Sweep(context.Background(), time.Now().Add(time.Hour), func([]string) (map[string]bool, error) { return nil, down })
		if !errors.Is(err, down) {
			t.Errorf("Sweep: %v; want the lookup's error", err)
		}
		if got := bucketKeys(t, s); len(got) != 1 || got[0] != w.FinalKey {
			t.Errorf("a failed lookup removed content: the bucket holds %q", got)
		}
	})
}
