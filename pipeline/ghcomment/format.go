package ghcomment

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
	"github.com/llmbench/llmbench-action/pipeline/record"
)

// notAvailable is shown for a metric that has no value (JSON null).
const notAvailable = "n/a"

// formatRate formats a per-second rate with one decimal, or n/a.
func formatRate(v *float64) string {
	if !finite(v) {
		return notAvailable
	}
	return fmt.Sprintf("%.1f", *v)
}

// formatMS formats a duration in milliseconds: two decimals under 10 ms, one
// under 1000 ms, none above; n/a when there is no value.
func formatMS(v *float64) string {
	if !finite(v) {
		return notAvailable
	}
	switch x := *v; {
	case math.Abs(x) < 10:
		return fmt.Sprintf("%.2f", x)
	case math.Abs(x) < 1000:
		return fmt.Sprintf("%.1f", x)
	default:
		return fmt.Sprintf("%.0f", x)
	}
}

// formatUSD formats a price in US dollars with enough decimals to show small
// per-token costs, or n/a.
func formatUSD(v *float64) string {
	if !finite(v) {
		return notAvailable
	}
	switch x := *v; {
	case x < 0.01:
		return fmt.Sprintf("$%.4f", x)
	case x < 1:
		return fmt.Sprintf("$%.3f", x)
	default:
		return fmt.Sprintf("$%.2f", x)
	}
}

func finite(v *float64) bool {
	return v != nil && !math.IsNaN(*v) && !math.IsInf(*v, 0)
}

// formatFailures lists failure kinds with their counts in report order, e.g.
// "timeout 2, http_5xx 1"; kinds unknown to this version follow in name
// order.
func formatFailures(failures map[record.FailureKind]int) string {
	var parts []string
	seen := make(map[record.FailureKind]bool)
	for _, kind := range record.FailureKinds {
		seen[kind] = true
		if n := failures[kind]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", kind, n))
		}
	}
	var other []string
	for kind, n := range failures {
		if !seen[kind] && n > 0 {
			other = append(other, fmt.Sprintf("%s %d", escapeText(string(kind), 40), n))
		}
	}
	sort.Strings(other)
	return strings.Join(append(parts, other...), ", ")
}

// formatOKTotal formats the success count of a cell: "50/50", or
// "48/50 (timeout 2)" when some requests failed.
func formatOKTotal(s *metrics.Summary) string {
	text := fmt.Sprintf("%d/%d", s.RequestsOK, s.RequestsTotal)
	if kinds := formatFailures(s.Failures); kinds != "" {
		text += " (" + kinds + ")"
	} else if s.RequestsFailed > 0 {
		text += fmt.Sprintf(" (%d failed)", s.RequestsFailed)
	}
	return text
}

// shortModel returns the part of a Hugging Face repository id after the last
// slash, for chart labels.
func shortModel(model string) string {
	if i := strings.LastIndexByte(model, '/'); i >= 0 && i < len(model)-1 {
		return model[i+1:]
	}
	return model
}
