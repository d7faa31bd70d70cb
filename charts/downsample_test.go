package charts

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC)

// daily returns n daily points starting at t0 with values from f.
func daily(n int, f func(i int) float64) []Point {
	pts := make([]Point, n)
	for i := range pts {
		pts[i] = Point{At: t0.AddDate(0, 0, i), Value: f(i)}
	}
	return pts
}

func TestDownsampleKeepsMinAndMaxPerBucket(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pts := daily(1000, func(int) float64 { return rng.Float64() * 100 })
	const buckets = 50
	got := Downsample(pts, buckets)
	if len(got) > 2*buckets {
		t.Fatalf("len = %d, want at most %d", len(got), 2*buckets)
	}
	// 1000 days / 50 buckets: bucket b holds days 20b .. 20b+19.
	for b := range buckets {
		bucket := pts[20*b : 20*b+20]
		lo := slices.MinFunc(bucket, byValue)
		hi := slices.MaxFunc(bucket, byValue)
		if !slices.Contains(got, lo) || !slices.Contains(got, hi) {
			t.Errorf("bucket %d: min %v or max %v missing", b, lo, hi)
		}
	}
	for _, p := range got {
		if !slices.Contains(pts, p) {
			t.Errorf("%v is not an input point", p)
		}
	}
}

func byValue(a, b Point) int {
	switch {
	case a.Value < b.Value:
		return -1
	case a.Value > b.Value:
		return 1
	}
	return 0
}

func TestDownsamplePreservesTimeOrder(t *testing.T) {
	// A falling then rising shape puts each bucket's max before its min
	// in some buckets and after it in others.
	pts := daily(3650, func(i int) float64 { return math.Sin(float64(i) / 9) })
	got := Downsample(pts, 400)
	if !slices.IsSortedFunc(got, func(a, b Point) int { return a.At.Compare(b.At) }) {
		t.Fatal("result is not in time order")
	}
	for i := 1; i < len(got); i++ {
		if got[i].At.Equal(got[i-1].At) {
			t.Fatalf("point %v kept twice", got[i])
		}
	}
}

func TestDownsampleKeepsExtremes(t *testing.T) {
	pts := daily(3650, func(i int) float64 { return 120 + float64(i%7) })
	pts[1234].Value = 290
	pts[2345].Value = 45
	got := Downsample(pts, 400)
	if !slices.Contains(got, pts[1234]) || !slices.Contains(got, pts[2345]) {
		t.Fatalf("spike or dip lost: %d points kept", len(got))
	}
	if len(got) > 800 {
		t.Fatalf("len = %d, want at most 800", len(got))
	}
}

func TestDownsampleSmallInputUnchanged(t *testing.T) {
	pts := daily(10, func(i int) float64 { return float64(i) })
	for _, buckets := range []int{5, 10, 0, -1} {
		got := Downsample(pts, buckets)
		if len(got) != len(pts) || &got[0] != &pts[0] {
			t.Errorf("buckets %d: input not returned unchanged", buckets)
		}
	}
}

func TestDownsampleZeroAndOnePoint(t *testing.T) {
	if got := Downsample(nil, 10); len(got) != 0 {
		t.Errorf("nil: got %v", got)
	}
	if got := Downsample([]Point{}, 10); len(got) != 0 {
		t.Errorf("empty: got %v", got)
	}
	one := []Point{{At: t0, Value: 5}}
	if got := Downsample(one, 1); !slices.Equal(got, one) {
		t.Errorf("one: got %v", got)
	}
}

func TestDownsampleSameInstant(t *testing.T) {
	pts := make([]Point, 10)
	for i := range pts {
		pts[i] = Point{At: t0, Value: float64(i % 5)}
	}
	got := Downsample(pts, 2)
	want := []Point{pts[0], pts[4]}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestDownsampleDoesNotModifyInput(t *testing.T) {
	pts := daily(100, func(i int) float64 { return float64(100 - i) })
	before := slices.Clone(pts)
	Downsample(pts, 10)
	if !slices.Equal(pts, before) {
		t.Fatal("input modified")
	}
}
