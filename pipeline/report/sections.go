package report

import (
	"fmt"
	"math"
	"sort"

	"github.com/llmbench/llmbench-action/pipeline/record"
)

// scalingSection compares model sizes per framework and workload, smallest
// model first; models without a known parameter count come last.
func scalingSection(in Input) (section, bool) {
	s := section{
		title: "Scaling across model sizes",
		paragraphs: []string{"Per framework and workload, models by parameter count. " +
			"The ratios are against the smallest model with a known size."},
	}
	for _, workload := range workloads(in.Cells) {
		var frameworks []string
		seen := map[string]bool{}
		for _, c := range in.Cells {
			if c.Info.Workload == workload && !seen[c.Info.Framework] {
				seen[c.Info.Framework] = true
				frameworks = append(frameworks, c.Info.Framework)
			}
		}
		for _, framework := range frameworks {
			var group []*Cell
			for i := range in.Cells {
				c := &in.Cells[i]
				if c.Info.Workload == workload && c.Info.Framework == framework {
					group = append(group, c)
				}
			}
			if len(group) < 2 {
				continue
			}
			// NOTE: unlike the framework comparison, this does not check that the
			// models ran the same workload settings (settingsOf).
			s.tables = append(s.tables, scalingTable(in.Params, framework, workload, group))
		}
	}
	return s, len(s.tables) > 0
}

func scalingTable(sizes map[string]float64, framework, workload string, group []*Cell) table {
	size := func(c *Cell) (float64, bool) {
		n, ok := sizes[c.Info.Model]
		return n, ok && n > 0
	}
	sort.SliceStable(group, func(i, j int) bool {
		ni, iKnown := size(group[i])
		nj, jKnown := size(group[j])
		if iKnown != jKnown {
			return iKnown
		}
		return iKnown && ni < nj
	})

	t := table{
		title:  fmt.Sprintf("%s, %s", framework, workload),
		labels: 1,
		headers: []string{"model", "parameters", "output tok/s", "TTFT p50 (ms)", "TPOT p50 (ms)", "E2E p50 (ms)",
			"size ratio", "tok/s ratio"},
	}
	smallest, hasSmallest := size(group[0])
	baseThroughput := group[0].Summary.OutputTokenThroughput
	for _, c := range group {
		n, known := size(c)
		sizeRatio, throughputRatio := notAvailable, notAvailable
		if known && hasSmallest {
			sizeRatio = fmt.Sprintf("%.2fx", n/smallest)
			throughputRatio, _, _ = ratio(baseThroughput, c.Summary.OutputTokenThroughput)
		}
		t.rows = append(t.rows, []string{
			c.Info.Model, params(n, known), fixed(c.Summary.OutputTokenThroughput, 1),
			ms(c.Summary.TTFT.P50), ms(c.Summary.TPOT.P50), ms(c.Summary.E2E.P50), sizeRatio, throughputRatio,
		})
	}
	return t
}

// costSection lists the cost of each cell per workload, cheapest first;
// cells without a price come last.
func costSection(in Input) (section, bool) {
	s := section{
		title: "Cost efficiency",
		paragraphs: []string{"Price per hour / tokens per hour x 1,000,000, over the measured window; " +
			"`n/a` where no price per hour was given."},
	}
	anyPrice := false
	for _, workload := range workloads(in.Cells) {
		var group []*Cell
		for i := range in.Cells {
			if in.Cells[i].Info.Workload == workload {
				group = append(group, &in.Cells[i])
			}
		}
		cost := func(c *Cell) float64 {
			if v := c.Summary.CostPer1MOutputTokensUSD; v != nil && !math.IsNaN(*v) {
				return *v
			}
			return math.Inf(1)
		}
		sort.SliceStable(group, func(i, j int) bool { return cost(group[i]) < cost(group[j]) })

		t := table{
			title:   workload,
			labels:  2,
			headers: []string{"framework", "model", "$/hour", "$/1M output", "$/1M total", "output tok/s"},
		}
		for _, c := range group {
			price := notAvailable
			if p := c.Info.Options.PricePerHourUSD; p > 0 {
				anyPrice = true
				price = usd(ptr(p))
			}
			t.rows = append(t.rows, []string{
				c.Info.Framework, c.Info.Model, price,
				usd(c.Summary.CostPer1MOutputTokensUSD), usd(c.Summary.CostPer1MTotalTokensUSD),
				fixed(c.Summary.OutputTokenThroughput, 1),
			})
		}
		s.tables = append(s.tables, t)
	}
	return s, anyPrice
}

// maxMessagesPerKind is the number of distinct error messages the failure
// section shows per cell and failure kind.
const maxMessagesPerKind = 3

// failureSection lists each cell's failures by kind with their first
// distinct messages.
func failureSection(in Input) (section, bool) {
	t := table{labels: 4, text: []int{5}, headers: []string{"framework", "model", "workload", "kind", "count", "first messages"}}
	for i := range in.Cells {
		c := &in.Cells[i]
		for _, kind := range failureKinds(c.Summary.Failures) {
			t.rows = append(t.rows, []string{
				c.Info.Framework, c.Info.Model, c.Info.Workload, string(kind),
				fmt.Sprint(c.Summary.Failures[kind]), firstMessages(c.Records, kind),
			})
		}
	}
	if len(t.rows) == 0 {
		return section{}, false
	}
	return section{
		title:      "Failures",
		paragraphs: []string{"Failed requests are left out of every latency distribution and of token throughput."},
		tables:     []table{t},
	}, true
}

// firstMessages returns up to maxMessagesPerKind distinct error messages
// of measured failed records of the kind, in request order.
func firstMessages(records []record.Record, kind record.FailureKind) string {
	var messages []string
	seen := map[string]bool{}
	for i := range records {
		r := &records[i]
		if r.Warmup || r.OK || r.Failure != kind || r.ErrorMessage == "" || seen[r.ErrorMessage] {
			continue
		}
		seen[r.ErrorMessage] = true
		messages = append(messages, fmt.Sprintf("%q", r.ErrorMessage))
		if len(messages) == maxMessagesPerKind {
			break
		}
	}
	if len(messages) == 0 {
		return notAvailable
	}
	out := messages[0]
	for _, m := range messages[1:] {
		out += "; " + m
	}
	return out
}
