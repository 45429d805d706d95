package report

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
)

// noteSet holds the report's footnotes: numbered texts, and the numbers
// that belong to each cell.
type noteSet struct {
	texts  []string
	byCell map[int][]int
}

func (n *noteSet) add(cell int, text string) {
	n.texts = append(n.texts, text)
	n.byCell[cell] = append(n.byCell[cell], len(n.texts))
}

// marks returns the footnote marks of a cell, e.g. " [1][2]".
func (n *noteSet) marks(cell int) string {
	var b strings.Builder
	for _, number := range n.byCell[cell] {
		fmt.Fprintf(&b, "[%d]", number)
	}
	if b.Len() == 0 {
		return ""
	}
	return " " + b.String()
}

func (n *noteSet) section() (section, bool) {
	if len(n.texts) == 0 {
		return section{}, false
	}
	s := section{title: "Notes"}
	for i, text := range n.texts {
		s.bullets = append(s.bullets, fmt.Sprintf("[%d] %s", i+1, text))
	}
	return s, true
}

// tokenSourceWarnings are parts of the summary warnings that metrics.Summarize
// writes about where token counts come from. The report replaces those
// warnings with its own footnotes, built from the summary's counts, that
// also name the figures the counts affect.
var tokenSourceWarnings = []string{
	"input tokens are the client's count",
	"output tokens unknown",
}

// isTokenSourceWarning reports whether a summary warning is one that a token
// count footnote replaces.
func isTokenSourceWarning(warning string) bool {
	for _, part := range tokenSourceWarnings {
		if strings.Contains(warning, part) {
			return true
		}
	}
	return false
}

// collectNotes gathers the footnotes of every cell in cell order. They cover
// an incomplete run, the summary's warnings (short outputs despite
// ignore_eos, usage mismatches, per-request warnings) and token counts that
// are not the server's usage. They also cover client-side delay: late sends
// and waits for a concurrency slot.
func collectNotes(in Input) *noteSet {
	notes := &noteSet{byCell: map[int][]int{}}
	threshold := in.sendDelayWarning()
	for i := range in.Cells {
		c := &in.Cells[i]
		name := "`" + c.Info.Key().String() + "`: "
		if !c.Info.Complete {
			notes.add(i, name+"the workload did not run to its end; the numbers cover the requests that finished.")
		}
		for _, w := range c.Summary.Warnings {
			if !isTokenSourceWarning(w) {
				notes.add(i, name+w)
			}
		}
		addTokenSourceNotes(notes, i, name, c)

		var delays []float64
		waited, maxWait := 0, time.Duration(0)
		for j := range c.Records {
			r := &c.Records[j]
			if r.Warmup {
				continue
			}
			delays = append(delays, float64(r.SendDelay)/1e6)
			if r.SlotWait > 0 {
				waited++
				maxWait = max(maxWait, r.SlotWait)
			}
		}
		if p99, maxDelay, ok := percentile99(delays); ok && p99 > float64(threshold)/1e6 {
			notes.add(i, fmt.Sprintf("%sclient saturation: send delay p99 %.2f ms (max %.2f ms) is above %.2f ms, "+
				"so the load generator sent late and the offered load was lower than planned.",
				name, p99, maxDelay, float64(threshold)/1e6))
		}
		if waited > 0 {
			notes.add(i, fmt.Sprintf("%s%d requests waited for a concurrency slot (max %.2f ms); the wait is part of their TTFT and E2E.",
				name, waited, float64(maxWait)/1e6))
		}
	}
	return notes
}

// addTokenSourceNotes adds the footnotes of a cell whose token counts are
// not all the server's usage.
func addTokenSourceNotes(notes *noteSet, cell int, name string, c *Cell) {
	if n := c.Summary.InputTokensFromClient; n > 0 {
		notes.add(cell, fmt.Sprintf("%sinput tokens of %d requests are the client's count (the server sent no prompt_tokens); %s",
			name, n, inputCountUse(&c.Summary)))
	}
	if n := c.Summary.OutputTokensEstimated; n > 0 {
		notes.add(cell, fmt.Sprintf("%s%d of %d successful requests have estimated output token counts (%s), not the server's usage.",
			name, n, c.Summary.RequestsOK, estimateSources(c)))
	}
	if n := c.Summary.OutputTokensUnknown; n > 0 {
		notes.add(cell, fmt.Sprintf("%soutput tokens of %d requests are unknown (no usage from the server and no tokenizer); "+
			"token throughput and cost are n/a.", name, n))
	}
}

// inputCountUse names the figures of a summary that use an input token count
// from the client, and explains why a figure that would use it is n/a.
func inputCountUse(s *metrics.Summary) string {
	if n := s.OutputTokensUnknown; n > 0 {
		return fmt.Sprintf("total tok/s and cost per 1M total tokens would use it, but both are n/a "+
			"because the output tokens of %d requests are unknown.", n)
	}
	switch {
	case s.TotalTokenThroughput != nil && s.CostPer1MTotalTokensUSD != nil:
		return "total tok/s and cost per 1M total tokens use it."
	case s.TotalTokenThroughput != nil:
		return "total tok/s uses it; cost per 1M total tokens is n/a without a price per hour."
	}
	return "total tok/s and cost per 1M total tokens would use it, but both are n/a because the measured window is empty."
}

// estimateSources lists the distinct sources of estimated output token
// counts of a cell, sorted.
func estimateSources(c *Cell) string {
	seen := map[string]bool{}
	var sources []string
	for i := range c.Records {
		r := &c.Records[i]
		if r.Warmup || !r.OK || !r.OutputTokensEstimated || seen[r.OutputTokensSource] {
			continue
		}
		seen[r.OutputTokensSource] = true
		sources = append(sources, r.OutputTokensSource)
	}
	sort.Strings(sources)
	if len(sources) == 0 {
		return "source unknown"
	}
	return strings.Join(sources, ", ")
}

// percentile99 returns the nearest-rank 99th percentile and the maximum.
func percentile99(values []float64) (p99, maxValue float64, ok bool) {
	if len(values) == 0 {
		return 0, 0, false
	}
	sorted := append([]float64(nil), values...)
	sort.Float64s(sorted)
	rank := int(math.Ceil(0.99*float64(len(sorted)))) - 1
	return sorted[max(rank, 0)], sorted[len(sorted)-1], true
}
