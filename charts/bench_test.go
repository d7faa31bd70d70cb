package charts

import (
	"math"
	"testing"
)

// BenchmarkRender3650 draws ten years of daily blood pressure readings (two
// series of 3,650 points) with a target band.
func BenchmarkRender3650(b *testing.B) {
	c := bpChart(3650)
	var svg []byte
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if svg, err = Render(c); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(svg)), "bytes")
}

func BenchmarkDownsample(b *testing.B) {
	pts := daily(3650, func(i int) float64 { return 120 + 20*math.Sin(float64(i)/9) })
	b.ReportAllocs()
	for b.Loop() {
		Downsample(pts, 360)
	}
}
