package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"gocloud.dev/blob"
)

// sweepBatch is how many final keys Sweep asks known about at a time.
const sweepBatch = 500

// Sweep removes content no record names, last modified before olderThan
// (the grace time, longer than any upload takes): temporary content, and
// final content for which known, asked about a batch of final keys,
// answers false. Temporary content whose final key known names — a record
// committed, and the process stopped before Promote — is promoted instead,
// so that the record never points at missing content. It returns how many
// objects it removed.
func (s *Store) Sweep(ctx context.Context, olderThan time.Time, known func(keys []string) (map[string]bool, error)) (int, error) {
	removed := 0
	for _, prefix := range []string{TempPrefix, FinalPrefix} {
		it := s.bucket.List(&blob.ListOptions{Prefix: prefix})
		var batch []string
		for {
			obj, err := it.Next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return removed, bucketErr("list", prefix, err)
			}
			if obj.IsDir || !obj.ModTime.Before(olderThan) {
				continue
			}
			if batch = append(batch, obj.Key); len(batch) == sweepBatch {
				n, err := s.sweepBatch(ctx, batch, known)
				removed += n
				if err != nil {
					return removed, err
				}
				batch = batch[:0]
			}
		}
		n, err := s.sweepBatch(ctx, batch, known)
		removed += n
		if err != nil {
			return removed, err
		}
	}
	return removed, nil
}

// sweepBatch removes or promotes the stale objects of keys, all of one
// prefix.
func (s *Store) sweepBatch(ctx context.Context, keys []string, known func([]string) (map[string]bool, error)) (int, error) {
	if len(keys) == 0 {
		return 0, nil
	}
	finals := make([]string, len(keys))
	for i, k := range keys {
		finals[i] = k
		if f, err := FinalKey(k); err == nil {
			finals[i] = f
		}
	}
	named, err := known(finals)
	if err != nil {
		return 0, fmt.Errorf("blob: sweep: %w", err)
	}
	removed := 0
	for i, k := range keys {
		switch {
		case named[finals[i]] && finals[i] != k:
			if _, err := s.Promote(ctx, k); err != nil {
				return removed, err
			}
		case named[finals[i]]:
		default:
			if err := s.Delete(ctx, k); err != nil {
				return removed, err
			}
			removed++
		}
	}
	return removed, nil
}
