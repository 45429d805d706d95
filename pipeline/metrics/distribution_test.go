package metrics

import (
	"math"
	"testing"
)

func TestPercentileNumpyLinear(t *testing.T) {
	// Expected values are numpy.percentile(x, p) with the default method.
	tests := []struct {
		x    []float64
		p    float64
		want float64
	}{
		{[]float64{1, 2, 3, 4}, 50, 2.5},
		{[]float64{1, 2, 3, 4}, 90, 3.7},
		{[]float64{1, 2, 3, 4}, 95, 3.85},
		{[]float64{1, 2, 3, 4}, 99, 3.97},
		{[]float64{15, 20, 35, 40, 50}, 50, 35},
		{[]float64{15, 20, 35, 40, 50}, 90, 46},
		{[]float64{15, 20, 35, 40, 50}, 95, 48},
		{[]float64{15, 20, 35, 40, 50}, 99, 49.6},
		{[]float64{15, 20, 35, 40, 50}, 0, 15},
		{[]float64{15, 20, 35, 40, 50}, 100, 50},
		{[]float64{7}, 99, 7},
		{[]float64{0, 0, 30}, 50, 0},
		{[]float64{0, 0, 30}, 90, 24},
	}
	for _, tt := range tests {
		got := percentile(tt.x, tt.p)
		if math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("percentile(%v, %v) = %v, want %v", tt.x, tt.p, got, tt.want)
		}
	}
}

func TestDistributionStatistics(t *testing.T) {
	// Unsorted on purpose; sorted: 2 4 4 4 5 5 7 9.
	d := newDistribution([]float64{9, 4, 2, 5, 4, 7, 4, 5})
	checks := []struct {
		name string
		got  *float64
		want float64
	}{
		{"mean", d.Mean, 5},
		{"p50", d.P50, 4.5},
		{"p90", d.P90, 7.6},  // h = 6.3: 7 + 0.3 x 2
		{"p95", d.P95, 8.3},  // h = 6.65: 9 - 0.35 x 2
		{"p99", d.P99, 8.86}, // h = 6.93: 9 - 0.07 x 2
		{"min", d.Min, 2},
		{"max", d.Max, 9},
		{"stdev", d.Stdev, math.Sqrt(32.0 / 7)}, // sample: sum of squares 32, n-1 = 7
	}
	for _, c := range checks {
		if c.got == nil {
			t.Errorf("%s = nil, want %v", c.name, c.want)
			continue
		}
		if math.Abs(*c.got-c.want) > 1e-12 {
			t.Errorf("%s = %v, want %v", c.name, *c.got, c.want)
		}
	}
	if d.N != 8 {
		t.Errorf("N = %d, want 8", d.N)
	}
}

func TestDistributionEmptyIsNil(t *testing.T) {
	d := newDistribution(nil)
	for name, v := range map[string]*float64{
		"mean": d.Mean, "p50": d.P50, "p90": d.P90, "p95": d.P95, "p99": d.P99,
		"min": d.Min, "max": d.Max, "stdev": d.Stdev,
	} {
		if v != nil {
			t.Errorf("%s = %v, want nil", name, *v)
		}
	}
	if d.N != 0 {
		t.Errorf("N = %d, want 0", d.N)
	}
}

func TestDistributionSingleSample(t *testing.T) {
	d := newDistribution([]float64{12.5})
	if d.Stdev != nil {
		t.Errorf("stdev of one sample = %v, want nil (the sample stdev needs 2)", *d.Stdev)
	}
	if d.P99 == nil || *d.P99 != 12.5 || d.Mean == nil || *d.Mean != 12.5 {
		t.Errorf("single sample distribution = %+v", d)
	}
}
