package charts

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// latencyCaption explains the marks of a latency box.
const latencyCaption = "Each box: one cell's successful requests. Box p25 to p75, thick line p50, whiskers p10 and p90, diamond p99. " +
	"Failed requests are left out and counted above their box."

func latencyFigure(run *runData, workload string, metric latencyMetric) *figure {
	models := run.modelsIn(workload)
	frameworks := run.frameworksIn(workload)
	k := len(frameworks)

	slots := make([][]boxSlot, len(models))
	longest := vg.Length(0)
	labelStyle := rotatedLabelStyle(valueSize)
	for g, m := range models {
		slots[g] = make([]boxSlot, k)
		for s, f := range frameworks {
			slot := latencySlot(run, cellKey{f, m, workload}, metric)
			if slot.stats != nil && slot.label != "" {
				longest = max(longest, labelStyle.Width(slot.label))
			}
			slots[g][s] = slot
		}
	}

	p := newPanel("model", metric.name+" (ms)")
	p.Add(gridLines(false))
	p.Add(newPercentileBoxes(slots, run.colorsFor(frameworks), longest, groupHeight-60))
	p.Y.Min = 0
	notes := []string{latencyCaption}
	if n := modelTicks(p, run, models, k); n != "" {
		notes = append(notes, n)
	}
	notes = append(notes, run.failureNotes(workload, models)...)

	return &figure{
		name:        "latency-" + metric.slug + "-" + slug(workload),
		title:       fmt.Sprintf("%s distribution by model and framework, workload %s", metric.name, workload),
		subtitle:    fmt.Sprintf("%s (%s). Workload %s: %s. Lower is better.", metric.name, metric.long, workload, run.workloadDescription(workload)),
		legend:      run.legendFor(frameworks, false),
		panels:      []*plot.Plot{p},
		cols:        1,
		panelWidth:  yAxisReserve + vg.Length(len(models))*groupWidth(k),
		panelHeight: groupHeight,
		notes:       notes,
		caption:     run.caption(),
	}
}

// latencySlot returns the box of one cell, or its label when it has none.
func latencySlot(run *runData, key cellKey, metric latencyMetric) boxSlot {
	s := run.summaries[key]
	if label := failureLabel(s); label != "" {
		return boxSlot{label: label}
	}

	stats := newBoxStats(latencies(run.records[key], metric))
	if stats == nil {
		if len(run.records[key]) == 0 {
			return boxSlot{label: "no records"}
		}
		return boxSlot{label: "n/a"}
	}

	slot := boxSlot{stats: stats}
	if s.RequestsFailed > 0 {
		slot.label = fmt.Sprintf("%d of %d failed", s.RequestsFailed, s.RequestsTotal)
	}
	return slot
}
