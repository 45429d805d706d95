package runner

import (
	"fmt"
	"sort"
	"strings"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
	"github.com/llmbench/llmbench-action/pipeline/record"
	"github.com/llmbench/llmbench-action/pipeline/scrape"
)

// summaryLine is the one-line result of a cell under its stage, e.g.
// "medium: 50/50 ok  1843.2 tok/s  TTFT p50 21.4ms p99 48.0ms".
func summaryLine(workloadName string, s metrics.Summary, planned int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d/%d ok", workloadName, s.RequestsOK, s.RequestsTotal)
	if planned > s.RequestsTotal {
		fmt.Fprintf(&b, " (%d not sent)", planned-s.RequestsTotal)
	}
	fmt.Fprintf(&b, "  %s tok/s", formatFloat(s.OutputTokenThroughput, 1))
	fmt.Fprintf(&b, "  %s req/s", formatFloat(s.RequestThroughput, 2))
	fmt.Fprintf(&b, "  TTFT p50 %s p99 %s", formatMs(s.TTFT.P50), formatMs(s.TTFT.P99))
	fmt.Fprintf(&b, "  TPOT p50 %s", formatMs(s.TPOT.P50))
	fmt.Fprintf(&b, "  E2E p50 %s", formatMs(s.E2E.P50))
	if s.RequestsFailed > 0 {
		fmt.Fprintf(&b, "  failed: %s", formatFailures(s.Failures))
	}
	return b.String()
}

// formatFloat formats an optional value; nil is "n/a".
func formatFloat(v *float64, decimals int) string {
	if v == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.*f", decimals, *v)
}

// formatMs formats an optional millisecond value.
func formatMs(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.1fms", *v)
}

// formatFailures lists failure counts by kind, in report order.
func formatFailures(failures map[record.FailureKind]int) string {
	var parts []string
	for _, kind := range record.FailureKinds {
		if n := failures[kind]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", kind, n))
		}
	}
	return strings.Join(parts, ", ")
}

// formatPeaks lists gauge peaks and counter increases in name order.
func formatPeaks(peaks map[string]float64) string {
	names := make([]string, 0, len(peaks))
	for name := range peaks {
		names = append(names, name)
	}
	sort.Strings(names)
	parts := make([]string, 0, len(names))
	for _, name := range names {
		if scrape.IsCounter(name) {
			parts = append(parts, fmt.Sprintf("%s +%g", name, peaks[name]))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s peak %.3g", name, peaks[name]))
	}
	return strings.Join(parts, ", ")
}
