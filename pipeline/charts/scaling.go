package charts

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
)

// Scaling chart geometry in points.
const (
	scalingPanelWidth  = 300
	scalingPanelHeight = 280
)

// scalingFigure draws output tokens/s and TTFT p50 against model size, a
// line per framework. It returns nil when fewer than two models of the
// workload have a parameter count.
func scalingFigure(run *runData, workload string) *figure {
	var models, unknown []string
	for _, m := range run.modelsIn(workload) {
		if _, ok := run.params[m]; ok {
			models = append(models, m)
		} else {
			unknown = append(unknown, run.displayModel(m))
		}
	}
	if len(models) < 2 {
		return nil
	}
	frameworks := run.frameworksIn(workload)

	throughput := scalingPanel(run, workload, models, frameworks, "output tokens/s",
		func(s *metrics.Summary) *float64 { return s.OutputTokenThroughput })
	throughput.Title.Text = "Output throughput (higher is better)"
	ttft := scalingPanel(run, workload, models, frameworks, "TTFT p50 (ms)",
		func(s *metrics.Summary) *float64 { return s.TTFT.P50 })
	ttft.Title.Text = "Time to first token, median (lower is better)"

	var sizes []string
	for _, m := range models {
		sizes = append(sizes, fmt.Sprintf("%s %s", run.displayModel(m), formatParams(run.params[m])))
	}
	notes := []string{"Models: " + strings.Join(sizes, ", ") + "."}
	if len(unknown) > 0 {
		notes = append(notes, "Left out, parameter count unknown: "+strings.Join(unknown, ", ")+".")
	}
	if missing := missingCells(run, workload, models, frameworks); missing != "" {
		notes = append(notes, "No point for: "+missing+".")
	}

	return &figure{
		name:        "scaling-" + slug(workload),
		title:       fmt.Sprintf("Model scaling: throughput and TTFT against parameters, workload %s", workload),
		subtitle:    fmt.Sprintf("Workload %s: %s. Parameters on a log axis.", workload, run.workloadDescription(workload)),
		legend:      run.legendFor(frameworks, true),
		panels:      []*plot.Plot{throughput, ttft},
		cols:        2,
		panelWidth:  scalingPanelWidth,
		panelHeight: scalingPanelHeight,
		notes:       notes,
		caption:     run.caption(),
	}
}

func scalingPanel(run *runData, workload string, models, frameworks []string, yLabel string, value func(*metrics.Summary) *float64) *plot.Plot {
	p := newPanel("parameters", yLabel)
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = paramTicks{}
	p.Add(gridLines(true))

	top := 0.0
	for _, f := range frameworks {
		var xys plotter.XYs
		for _, m := range models {
			s := run.summary(f, m, workload)
			if s == nil || failureLabel(s) != "" {
				continue
			}
			if v := value(s); v != nil {
				xys = append(xys, plotter.XY{X: run.params[m], Y: *v})
				top = max(top, *v)
			}
		}
		if len(xys) == 0 {
			continue
		}
		addLinePoints(p, xys, run.colorOf(f))
	}

	lo, hi := math.Inf(1), 0.0
	for _, m := range models {
		lo = min(lo, run.params[m])
		hi = max(hi, run.params[m])
	}
	p.X.Min, p.X.Max = lo/1.6, hi*1.6
	p.Y.Min = 0
	p.Y.Max = max(top*1.1, 1)
	return p
}

// addLinePoints adds a line with a dot at each point in col.
func addLinePoints(p *plot.Plot, xys plotter.XYs, col color.Color) {
	line := &plotter.Line{XYs: xys, LineStyle: draw.LineStyle{Color: col, Width: vg.Points(1.5)}}
	dots := &plotter.Scatter{XYs: xys, GlyphStyle: draw.GlyphStyle{Color: col, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}}
	p.Add(line, dots)
}

// missingCells lists the cells among models × frameworks without data, with
// the reason, e.g. "sglang, phi-2 (all 100 failed)".
func missingCells(run *runData, workload string, models, frameworks []string) string {
	var out []string
	for _, m := range models {
		for _, f := range frameworks {
			s := run.summary(f, m, workload)
			label := failureLabel(s)
			if label == "" && (s.OutputTokenThroughput == nil || s.TTFT.P50 == nil) {
				label = "no throughput or TTFT"
			}
			if label != "" {
				out = append(out, fmt.Sprintf("%s, %s (%s)", f, run.displayModel(m), label))
			}
		}
	}
	return strings.Join(out, "; ")
}
