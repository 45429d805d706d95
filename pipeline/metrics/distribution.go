package metrics

import (
	"math"
	"slices"
	"time"

	"gonum.org/v1/gonum/stat"
)

// newDistribution describes samples given in milliseconds. It sorts them
// first, so the result does not depend on the order of the records.
//
// Percentiles interpolate linearly between the two closest ranks: the p-th
// percentile of n sorted samples x[0..n-1] is x[h] for h = (n-1)·p/100,
// interpolated between x[floor(h)] and x[floor(h)+1]. This is numpy's
// default ("linear", method 7 of Hyndman and Fan), which vLLM's
// benchmark_serving.py uses, so the numbers compare directly. Stdev is the
// sample standard deviation (divisor n-1) and is nil for fewer than 2
// samples. Every statistic is nil for an empty set.
func newDistribution(samples []float64) Distribution {
	d := Distribution{N: len(samples)}
	if len(samples) == 0 {
		return d
	}
	sorted := slices.Clone(samples)
	slices.Sort(sorted)

	d.Mean = ptr(stat.Mean(sorted, nil))
	d.P50 = ptr(percentile(sorted, 50))
	d.P90 = ptr(percentile(sorted, 90))
	d.P95 = ptr(percentile(sorted, 95))
	d.P99 = ptr(percentile(sorted, 99))
	d.Min = ptr(sorted[0])
	d.Max = ptr(sorted[len(sorted)-1])
	if len(sorted) > 1 {
		d.Stdev = ptr(stat.StdDev(sorted, nil))
	}
	return d
}

// percentile returns the p-th percentile (0-100) of sorted, which must not
// be empty, with numpy's linear interpolation. Like numpy, it computes
// a+(b-a)·t below t = 0.5 and b-(b-a)·(1-t) from t = 0.5, which keeps the
// result between a and b despite rounding.
func percentile(sorted []float64, p float64) float64 {
	h := float64(len(sorted)-1) * p / 100
	lower := math.Floor(h)
	i := int(lower)
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	a, b, t := sorted[i], sorted[i+1], h-lower
	if t >= 0.5 {
		return b - (b-a)*(1-t)
	}
	return a + (b-a)*t
}

// ms converts a duration to milliseconds.
func ms(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}

func ptr(v float64) *float64 { return &v }
