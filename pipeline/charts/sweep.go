package charts

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
)

// Sweep chart geometry in points.
const (
	sweepPanelWidth  = 320
	sweepPanelHeight = 280
)

// loadLevel is a workload's offered load, comparable across workloads.
type loadLevel struct {
	rate        float64 // requests/s; 0 for closed loop, +Inf for all at once
	concurrency int
}

func loadOf(s *metrics.Summary) loadLevel {
	l := loadLevel{concurrency: s.Concurrency}
	switch s.TargetRate {
	case "":
	case "inf":
		l.rate = math.Inf(1)
	default:
		l.rate, _ = strconv.ParseFloat(s.TargetRate, 64) // validated in newRunData
	}
	return l
}

func (l loadLevel) label() string {
	var s string
	switch {
	case math.IsInf(l.rate, 1):
		s = "burst"
	case l.rate > 0:
		s = formatValue(l.rate) + "/s"
	}
	if l.concurrency > 0 {
		if s != "" {
			s += " "
		}
		s += "c" + strconv.Itoa(l.concurrency)
	}
	if s == "" {
		s = "c1"
	}
	return s
}

func compareLoad(a, b loadLevel) int {
	if c := cmp.Compare(a.rate, b.rate); c != 0 {
		return c
	}
	return cmp.Compare(a.concurrency, b.concurrency)
}

// workloadShape is the part of a workload that must match for workloads to
// form one sweep: output length and input length, taken as the most frequent
// values in the records.
type workloadShape struct {
	maxTokens, inputTokens int
}

// sweepGroups returns groups of two or more workloads that share a shape
// and differ in load, each sorted by load. Workloads without records have
// no known shape and join no group.
func sweepGroups(run *runData) [][]string {
	shapes := map[workloadShape][]string{}
	var order []workloadShape
	for _, wl := range run.workloads {
		var maxTokens, inputs []int
		for key, recs := range run.records {
			if key.workload != wl {
				continue
			}
			for _, r := range recs {
				maxTokens = append(maxTokens, r.MaxTokens)
				inputs = append(inputs, r.InputTokensClient)
			}
		}
		if len(maxTokens) == 0 {
			continue
		}
		shape := workloadShape{mode(maxTokens), mode(inputs)}
		if _, ok := shapes[shape]; !ok {
			order = append(order, shape)
		}
		shapes[shape] = append(shapes[shape], wl)
	}

	var groups [][]string
	for _, shape := range order {
		wls := shapes[shape]
		loads := map[loadLevel]bool{}
		for _, wl := range wls {
			loads[run.workloadLoad(wl)] = true
		}
		if len(loads) < 2 {
			continue
		}
		slices.SortStableFunc(wls, func(a, b string) int {
			return compareLoad(run.workloadLoad(a), run.workloadLoad(b))
		})
		groups = append(groups, wls)
	}
	return groups
}

// workloadLoad returns the load of a workload's first cell in run order.
func (run *runData) workloadLoad(workload string) loadLevel {
	for _, m := range run.models {
		for _, f := range run.frameworks {
			if s := run.summary(f, m, workload); s != nil {
				return loadOf(s)
			}
		}
	}
	return loadLevel{}
}

// sweepFigures draws, per model and sweep group, output tokens/s against
// TTFT p50 and E2E p50 with a point per load level.
func sweepFigures(run *runData) []*figure {
	var figures []*figure
	for _, group := range sweepGroups(run) {
		for _, m := range run.models {
			if fig := sweepFigure(run, m, group); fig != nil {
				figures = append(figures, fig)
			}
		}
	}
	return figures
}

func sweepFigure(run *runData, model string, workloads []string) *figure {
	var frameworks []string
	for _, f := range run.frameworks {
		n := 0
		for _, wl := range workloads {
			if s := run.summary(f, model, wl); s != nil && failureLabel(s) == "" {
				n++
			}
		}
		if n >= 2 {
			frameworks = append(frameworks, f)
		}
	}
	if len(frameworks) == 0 {
		return nil
	}

	ttft := sweepPanel(run, model, workloads, frameworks, "TTFT p50 (ms)",
		func(s *metrics.Summary) *float64 { return s.TTFT.P50 })
	ttft.Title.Text = "Time to first token, median"
	e2e := sweepPanel(run, model, workloads, frameworks, "E2E latency p50 (ms)",
		func(s *metrics.Summary) *float64 { return s.E2E.P50 })
	e2e.Title.Text = "End-to-end latency, median"

	var levels []string
	for _, wl := range workloads {
		levels = append(levels, fmt.Sprintf("%s = workload %s", run.workloadLoad(wl).label(), wl))
	}
	return &figure{
		name:     "sweep-" + slug(model) + "-" + slug(workloads[0]),
		title:    fmt.Sprintf("Throughput against latency as load rises, %s", run.displayModel(model)),
		subtitle: "One point per load level; points to the right deliver more tokens/s, points higher wait longer. Labels: req/s offered (burst = all at once), cN = concurrency N.",
		legend:   run.legendFor(frameworks, true),
		panels:   []*plot.Plot{ttft, e2e},
		cols:     2,
		notes: []string{
			"Load levels: " + strings.Join(levels, "; ") + ".",
		},
		panelWidth:  sweepPanelWidth,
		panelHeight: sweepPanelHeight,
		caption:     run.caption(),
	}
}

func sweepPanel(run *runData, model string, workloads, frameworks []string, yLabel string, latency func(*metrics.Summary) *float64) *plot.Plot {
	p := newPanel("output tokens/s", yLabel)
	p.Add(gridLines(true))
	labels := &pointLabels{}
	right, top := 0.0, 0.0
	for _, f := range frameworks {
		var xys plotter.XYs
		for _, wl := range workloads {
			s := run.summary(f, model, wl)
			if s == nil || failureLabel(s) != "" || s.OutputTokenThroughput == nil || latency(s) == nil {
				continue
			}
			x, y := *s.OutputTokenThroughput, *latency(s)
			xys = append(xys, plotter.XY{X: x, Y: y})
			labels.xs = append(labels.xs, x)
			labels.ys = append(labels.ys, y)
			labels.labels = append(labels.labels, loadOf(s).label())
			right, top = max(right, x), max(top, y)
		}
		if len(xys) > 0 {
			addLinePoints(p, xys, run.colorOf(f))
		}
	}
	// NOTE: labels of points that land close together can overlap.
	p.Add(labels)
	p.X.Min, p.X.Max = 0, max(right*1.2, 1)
	p.Y.Min, p.Y.Max = 0, max(top*1.15, 1)
	return p
}
