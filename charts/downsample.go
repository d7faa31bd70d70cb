package charts

import (
	"math"
	"time"
)

// Downsample reduces points to at most two per bucket: the time span from
// the earliest to the latest point is cut into buckets of equal length, and
// of each bucket only its lowest and its highest point are kept, so every
// extreme value survives. Points should be in time order (Render sorts
// them); the result is then in time order too. When there are no more than
// 2*buckets points, or buckets < 1, points is returned unchanged (the same
// slice). The input is never modified.
func Downsample(points []Point, buckets int) []Point {
	if buckets < 1 || len(points) <= 2*buckets {
		return points
	}
	first, span := timeSpan(points)
	lo := make([]int, buckets)
	hi := make([]int, buckets)
	for b := range lo {
		lo[b], hi[b] = -1, -1
	}
	for i, p := range points {
		b := bucketOf(p.At.Sub(first), span, buckets)
		if lo[b] < 0 || p.Value < points[lo[b]].Value {
			lo[b] = i
		}
		if hi[b] < 0 || p.Value > points[hi[b]].Value {
			hi[b] = i
		}
	}
	return collect(points, lo, hi)
}

// timeSpan returns the earliest time of points and the duration to the
// latest one.
func timeSpan(points []Point) (first time.Time, span time.Duration) {
	first, last := points[0].At, points[0].At
	for _, p := range points[1:] {
		if p.At.Before(first) {
			first = p.At
		}
		if p.At.After(last) {
			last = p.At
		}
	}
	return first, last.Sub(first)
}

// bucketOf maps an offset into [0, span] to a bucket index in [0, buckets).
func bucketOf(offset, span time.Duration, buckets int) int {
	if span <= 0 {
		return 0
	}
	b := int(math.Floor(float64(offset) / float64(span) * float64(buckets)))
	return min(max(b, 0), buckets-1)
}

// collect returns, bucket by bucket, the lowest and highest points in input
// order (one point when they are the same).
func collect(points []Point, lo, hi []int) []Point {
	out := make([]Point, 0, 2*len(lo))
	for b := range lo {
		switch {
		case lo[b] < 0:
		case lo[b] == hi[b]:
			out = append(out, points[lo[b]])
		case lo[b] < hi[b]:
			out = append(out, points[lo[b]], points[hi[b]])
		default:
			out = append(out, points[hi[b]], points[lo[b]])
		}
	}
	return out
}
