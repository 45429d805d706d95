package report

import (
	"fmt"
	"math"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
	"github.com/llmbench/llmbench-action/pipeline/record"
)

// comparedMetric is one row of a framework comparison.
type comparedMetric struct {
	name           string
	higherIsBetter bool
	value          func(s *metrics.Summary) *float64
	// samples returns the per-request samples the test compares, in
	// milliseconds; nil for metrics without a test.
	samples func(records []*record.Record) []float64
}

func durationSamples(get func(r *record.Record) (time.Duration, bool)) func([]*record.Record) []float64 {
	return func(records []*record.Record) []float64 {
		var out []float64
		for _, r := range records {
			if d, ok := get(r); ok {
				out = append(out, float64(d)/1e6)
			}
		}
		return out
	}
}

var comparedMetrics = []comparedMetric{
	{"output tok/s", true, func(s *metrics.Summary) *float64 { return s.OutputTokenThroughput }, nil},
	{"req/s", true, func(s *metrics.Summary) *float64 { return s.RequestThroughput }, nil},
	{"TTFT p50 (ms)", false, func(s *metrics.Summary) *float64 { return s.TTFT.P50 },
		durationSamples(func(r *record.Record) (time.Duration, bool) { return r.TTFT, r.HasTTFT })},
	{"TPOT p50 (ms)", false, func(s *metrics.Summary) *float64 { return s.TPOT.P50 },
		durationSamples(func(r *record.Record) (time.Duration, bool) { return r.TPOT() })},
	{"ITL p50 (ms)", false, func(s *metrics.Summary) *float64 { return s.ITL.P50 }, nil},
	{"E2E p50 (ms)", false, func(s *metrics.Summary) *float64 { return s.E2E.P50 },
		durationSamples(func(r *record.Record) (time.Duration, bool) { return r.E2E, r.HasTTFT })},
}

// noDifference is the "better" entry of a metric on which neither framework
// wins.
const noDifference = "~"

// negligibleChange is the largest relative difference, |ratio - 1|, that a
// metric without a significance test may show and still count as no
// difference: 5%. One throughput number per cell has no spread to test
// against, so a smaller difference is not evidence of a winner.
const negligibleChange = 0.05

// comparisonLegend explains the noDifference mark under each comparison
// table.
func comparisonLegend(alpha float64) string {
	return fmt.Sprintf("`~` in better: no difference. For a metric with a test, p >= %g; "+
		"for one without (output tok/s, req/s, ITL), the ratio is within %g%% of 1.", alpha, negligibleChange*100)
}

// comparisonSection compares, for each model and workload, every framework
// with the first one in cell order.
func comparisonSection(in Input) (section, bool) {
	alpha := in.alpha()
	s := section{
		title: "Framework comparison",
		paragraphs: []string{fmt.Sprintf(
			"Each framework against the first one measured for the same model and workload, when both ran the same "+
				"requests, max_tokens, concurrency, target rate and (where every prompt has the same length) input length. "+
				"The ratio is other / baseline. "+
				"Latency medians are compared with a two-sided Mann-Whitney U test on the per-request samples of successful requests "+
				"(exact when there are no ties and at most %d samples, else the normal approximation), at alpha = %g. "+
				"Throughput is one number per cell, so it has no test, "+
				"and per-chunk ITL samples are not independent, so ITL has none either.", maxExactSamples, alpha)},
	}

	for _, workload := range workloads(in.Cells) {
		var models []string
		seen := map[string]bool{}
		for _, c := range in.Cells {
			if c.Info.Workload == workload && !seen[c.Info.Model] {
				seen[c.Info.Model] = true
				models = append(models, c.Info.Model)
			}
		}
		for _, model := range models {
			var group []*Cell
			for i := range in.Cells {
				c := &in.Cells[i]
				if c.Info.Workload == workload && c.Info.Model == model {
					group = append(group, c)
				}
			}
			for _, other := range group[min(1, len(group)):] {
				s.tables = append(s.tables, comparePair(group[0], other, alpha))
			}
		}
	}
	return s, len(s.tables) > 0
}

// comparePair returns the table comparing other with base. When their
// workload settings differ, it returns a table without rows whose line
// states that, because numbers of different loads do not compare the
// frameworks.
func comparePair(base, other *Cell, alpha float64) table {
	baseSettings, otherSettings := settingsOf(base), settingsOf(other)
	if !baseSettings.matches(otherSettings) {
		return table{
			title:  comparisonTitle(base, other),
			legend: []string{notComparedLine(base, other, baseSettings, otherSettings)},
		}
	}
	return compareCells(base, other, alpha)
}

func comparisonTitle(base, other *Cell) string {
	return fmt.Sprintf("%s vs %s: %s, %s", other.Info.Framework, base.Info.Framework, base.Info.Model, base.Info.Workload)
}

// compareCells returns the table comparing other with base.
func compareCells(base, other *Cell, alpha float64) table {
	t := table{
		title:   comparisonTitle(base, other),
		labels:  1,
		text:    []int{4, 5},
		headers: []string{"metric", base.Info.Framework, other.Info.Framework, "ratio", "better", "test"},
		legend:  []string{comparisonLegend(alpha)},
	}
	baseOK, otherOK := measuredOK(base.Records), measuredOK(other.Records)
	for _, m := range comparedMetrics {
		a, b := m.value(&base.Summary), m.value(&other.Summary)
		ratioText, r, known := ratio(a, b)
		better := notAvailable
		if known {
			better = betterOf(r, m.higherIsBetter, base.Info.Framework, other.Info.Framework)
		}
		test := "none"
		if m.samples != nil {
			result, ok := mannWhitneyU(m.samples(baseOK), m.samples(otherOK))
			switch {
			case !ok:
				test = "no samples"
			case result.P >= alpha:
				test = fmt.Sprintf("%s n=%d+%d", pValue(result.P), result.N1, result.N2)
				better = noDifference
			default:
				test = fmt.Sprintf("%s n=%d+%d", pValue(result.P), result.N1, result.N2)
			}
		} else if known && math.Abs(r-1) <= negligibleChange {
			better = noDifference
		}
		decimals := 2
		if m.higherIsBetter && m.name == "output tok/s" {
			decimals = 1
		}
		t.rows = append(t.rows, []string{m.name, fixed(a, decimals), fixed(b, decimals), ratioText, better, test})
	}
	return t
}

// betterOf names the better framework given the ratio other/base, or
// noDifference when the values are equal.
func betterOf(r float64, higherIsBetter bool, base, other string) string {
	switch {
	case r == 1:
		return noDifference
	case (r > 1) == higherIsBetter:
		return other
	}
	return base
}
