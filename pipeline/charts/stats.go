package charts

import (
	"math"
	"slices"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/record"
)

// percentile returns the q-th percentile (0..100) of sorted values by linear
// interpolation between closest ranks, NumPy's default method and the one
// package metrics uses, so a box's p50, p90 and p99 match the report's.
// sorted must not be empty.
func percentile(sorted []float64, q float64) float64 {
	if len(sorted) == 1 {
		return sorted[0]
	}
	pos := q / 100 * float64(len(sorted)-1)
	lo := math.Floor(pos)
	i := int(lo)
	if i >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	return sorted[i] + (pos-lo)*(sorted[i+1]-sorted[i])
}

// newBoxStats returns the percentiles of values, or nil when values is empty.
func newBoxStats(values []float64) *boxStats {
	if len(values) == 0 {
		return nil
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	return &boxStats{
		p10: percentile(sorted, 10),
		p25: percentile(sorted, 25),
		p50: percentile(sorted, 50),
		p75: percentile(sorted, 75),
		p90: percentile(sorted, 90),
		p99: percentile(sorted, 99),
		n:   len(sorted),
	}
}

// latencyMetric is one per-request latency drawn as a distribution.
type latencyMetric struct {
	slug  string // file name part
	name  string // as in titles: "TTFT"
	long  string // spelled out: "time to first token"
	value func(r *record.Record) (time.Duration, bool)
}

var latencyMetrics = []latencyMetric{
	{
		slug: "ttft", name: "TTFT", long: "time to first token",
		value: func(r *record.Record) (time.Duration, bool) { return r.TTFT, r.OK && r.HasTTFT },
	},
	{
		slug: "tpot", name: "TPOT", long: "time per output token after the first",
		value: func(r *record.Record) (time.Duration, bool) { return r.TPOT() },
	},
	{
		slug: "e2e", name: "E2E latency", long: "scheduled send to last token",
		value: func(r *record.Record) (time.Duration, bool) { return r.E2E, r.OK && r.HasTTFT },
	},
}

// latencies returns a metric's values in milliseconds over the successful
// records; failed requests are kept out of every latency distribution.
func latencies(records []record.Record, m latencyMetric) []float64 {
	var out []float64
	for i := range records {
		r := &records[i]
		if !r.OK {
			continue
		}
		if d, ok := m.value(r); ok {
			out = append(out, float64(d)/float64(time.Millisecond))
		}
	}
	return out
}
