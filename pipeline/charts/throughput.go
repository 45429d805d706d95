package charts

import (
	"fmt"
	"image/color"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
	"github.com/llmbench/llmbench-action/pipeline/record"
)

// throughputMetric is one throughput of a cell, drawn as grouped bars.
type throughputMetric struct {
	slug  string
	title string
	axis  string
	value func(s *metrics.Summary) *float64
}

var (
	outputTokensPerSecond = throughputMetric{
		slug: "throughput", title: "Output throughput", axis: "output tokens/s",
		value: func(s *metrics.Summary) *float64 { return s.OutputTokenThroughput },
	}
	requestsPerSecond = throughputMetric{
		slug: "requests", title: "Request throughput", axis: "requests/s",
		value: func(s *metrics.Summary) *float64 { return s.RequestThroughput },
	}
)

// Grouped chart geometry in points.
const (
	minSlotWidth  = 26  // narrowest bar or box slot
	minGroupWidth = 110 // narrowest group of slots
	yAxisReserve  = 70  // room left of the groups for the y axis
	groupHeight   = 300 // panel height of grouped charts
	tickLines     = 3   // lines a model name may wrap to
)

// groupWidth returns the width of one group of k slots.
func groupWidth(k int) vg.Length {
	return max(vg.Length(minGroupWidth), vg.Length(k)*minSlotWidth/groupSpan)
}

// modelTicks sets nominal x ticks at 0..n-1 labelled with the models' names,
// wrapped and shortened to fit a group of k slots. It returns a note with
// the full names when any name had to be shortened.
func modelTicks(p *plot.Plot, run *runData, models []string, k int) string {
	sty := p.X.Tick.Label
	maxWidth := groupWidth(k) - vg.Points(8)
	ticks := make([]plot.Tick, len(models))
	shortened := false
	for i, m := range models {
		label := wrapLabel(sty, run.displayModel(m), maxWidth, tickLines)
		shortened = shortened || strings.Contains(label, ellipsis)
		ticks[i] = plot.Tick{Value: float64(i), Label: label}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Tick.Length = 0
	p.X.Min, p.X.Max = -0.5, float64(len(models))-0.5
	if !shortened {
		return ""
	}
	return "Models, left to right: " + strings.Join(models, ", ") + "."
}

func (run *runData) legendFor(frameworks []string, line bool) []legendEntry {
	out := make([]legendEntry, len(frameworks))
	for i, f := range frameworks {
		out[i] = legendEntry{label: f, color: run.colorOf(f), line: line}
	}
	return out
}

func (run *runData) colorsFor(frameworks []string) []color.Color {
	out := make([]color.Color, len(frameworks))
	for i, f := range frameworks {
		out[i] = run.colorOf(f)
	}
	return out
}

func throughputFigure(run *runData, workload string, metric throughputMetric) *figure {
	models := run.modelsIn(workload)
	frameworks := run.frameworksIn(workload)
	k := len(frameworks)

	slots := make([][]barSlot, len(models))
	for g, m := range models {
		slots[g] = make([]barSlot, k)
		for s, f := range frameworks {
			sum := run.summary(f, m, workload)
			slot := barSlot{label: failureLabel(sum)}
			if sum != nil {
				if v := metric.value(sum); v != nil && slot.label == "" {
					slot = barSlot{value: *v, ok: true, label: formatValue(*v)}
				} else if slot.label == "" {
					slot.label = "n/a"
				}
			}
			slots[g][s] = slot
		}
	}

	p := newPanel("model", metric.axis)
	p.Add(gridLines(false))
	p.Add(&groupedBars{slots: slots, colors: run.colorsFor(frameworks)})
	p.Y.Min = 0
	notes := []string{}
	if n := modelTicks(p, run, models, k); n != "" {
		notes = append(notes, n)
	}
	notes = append(notes, run.failureNotes(workload, models)...)

	return &figure{
		name:        metric.slug + "-" + slug(workload),
		title:       fmt.Sprintf("%s by model and framework, workload %s", metric.title, workload),
		subtitle:    fmt.Sprintf("Workload %s: %s. Higher is better; failed requests count no tokens.", workload, run.workloadDescription(workload)),
		legend:      run.legendFor(frameworks, false),
		panels:      []*plot.Plot{p},
		cols:        1,
		panelWidth:  yAxisReserve + vg.Length(len(models))*groupWidth(k),
		panelHeight: groupHeight,
		notes:       notes,
		caption:     run.caption(),
	}
}

// failureNotes lists the cells of workload with failed requests, with the
// counts by kind, e.g. "vllm, opt-125m: 3 of 50 failed (timeout 3)".
func (run *runData) failureNotes(workload string, models []string) []string {
	var cells []string
	for _, m := range models {
		for _, f := range run.frameworks {
			s := run.summary(f, m, workload)
			if s == nil || s.RequestsFailed == 0 {
				continue
			}
			var kinds []string
			for _, kind := range record.FailureKinds {
				if n := s.Failures[kind]; n > 0 {
					kinds = append(kinds, fmt.Sprintf("%s %d", kind, n))
				}
			}
			cell := fmt.Sprintf("%s, %s: %d of %d failed", f, run.displayModel(m), s.RequestsFailed, s.RequestsTotal)
			if len(kinds) > 0 {
				cell += " (" + strings.Join(kinds, ", ") + ")"
			}
			cells = append(cells, cell)
		}
	}
	if len(cells) == 0 {
		return nil
	}
	return []string{"Failed requests: " + strings.Join(cells, "; ") + "."}
}

// displayModel returns a model id without its organisation when no other
// model of the run has the same name.
func (run *runData) displayModel(model string) string {
	short := shortModel(model)
	for _, m := range run.models {
		if m != model && shortModel(m) == short {
			return model
		}
	}
	return short
}

// caption returns the line that closes every chart: run id, date, hardware.
func (run *runData) caption() string {
	parts := []string{}
	if run.info.ID != "" {
		parts = append(parts, "Run "+run.info.ID)
	}
	if !run.info.Date.IsZero() {
		parts = append(parts, run.info.Date.UTC().Format("2006-01-02 15:04 UTC"))
	}
	if run.info.InstanceType != "" {
		hw := run.info.InstanceType
		if run.info.PricePerHourUSD > 0 {
			hw += fmt.Sprintf(" at $%.3f/h", run.info.PricePerHourUSD)
		}
		parts = append(parts, hw)
	}
	parts = append(parts, "llmbench")
	return strings.Join(parts, " · ")
}
