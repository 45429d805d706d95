package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
)

// goodputSection lists, per workload with an SLO, each cell's SLO
// thresholds, goodput and the share of successful requests that met every
// SLO. The counts are metrics.Summary.GoodRequests, so the report and
// summary.json agree. Cells without an SLO show "none" and n/a. The
// section is left out when no cell has an SLO.
func goodputSection(in Input) (section, bool) {
	s := section{
		title: "Goodput",
		paragraphs: []string{"Goodput is the number of successful requests per second, over the measured window, " +
			"that met every SLO set for the cell. A request with one output token meets the TPOT objective; " +
			"one whose output token count is unknown does not. " +
			"\"met SLO\" is the share of successful requests that met every SLO."},
	}
	for _, workload := range workloads(in.Cells) {
		t := table{
			title:   workload,
			labels:  2,
			text:    []int{2},
			headers: []string{"framework", "model", "SLO", "goodput (req/s)", "met SLO"},
		}
		anySLO := false
		for i := range in.Cells {
			c := &in.Cells[i]
			if c.Info.Workload != workload {
				continue
			}
			objectives := sloText(c.Info.Options.SLO)
			if objectives == "" {
				t.rows = append(t.rows, []string{c.Info.Framework, c.Info.Model, "none", notAvailable, notAvailable})
				continue
			}
			anySLO = true
			t.rows = append(t.rows, []string{
				c.Info.Framework, c.Info.Model, objectives, fixed(c.Summary.Goodput, 2),
				metShare(c.Summary.GoodRequests, c.Summary.RequestsOK),
			})
		}
		if anySLO {
			s.tables = append(s.tables, t)
		}
	}
	return s, len(s.tables) > 0
}

// sloText lists the set objectives of an SLO, "ttft ≤ 200 ms, e2e ≤ 2000
// ms", or returns "" when none is set.
func sloText(slo metrics.SLO) string {
	var parts []string
	for _, objective := range []struct {
		name string
		d    time.Duration
	}{{"ttft", slo.TTFT}, {"tpot", slo.TPOT}, {"e2e", slo.E2E}} {
		if objective.d > 0 {
			ms := strconv.FormatFloat(float64(objective.d)/1e6, 'f', -1, 64)
			parts = append(parts, objective.name+" ≤ "+ms+" ms")
		}
	}
	return strings.Join(parts, ", ")
}

// metShare formats good of ok requests with the percentage, "24/45
// (53.3%)", or returns n/a when no request succeeded.
func metShare(good, ok int) string {
	if ok == 0 {
		return notAvailable
	}
	return fmt.Sprintf("%d/%d (%.1f%%)", good, ok, 100*float64(good)/float64(ok))
}
