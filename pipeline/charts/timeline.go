package charts

import (
	"cmp"
	"fmt"
	"image/color"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/llmbench/llmbench-action/pipeline/record"
)

// Timeline geometry: about timelineBins bins over the longest framework's
// window, in panels of these sizes in points.
const (
	timelineBins        = 40
	timelinePanelWidth  = 560
	timelinePanelHeight = 190
)

// timelineFigures draws the timelines listed, or one for the (model,
// workload) with the most records when none is listed.
func timelineFigures(run *runData, listed []TimelineOf) ([]*figure, error) {
	if len(listed) == 0 {
		if pick, ok := busiestCell(run); ok {
			listed = []TimelineOf{pick}
		}
	}

	var figures []*figure
	for _, t := range listed {
		found := false
		for _, f := range run.frameworks {
			found = found || run.summary(f, t.Model, t.Workload) != nil
		}
		if !found {
			return nil, fmt.Errorf("timeline of model %q, workload %q: no cell of the run has them; use a model and workload from the summaries", t.Model, t.Workload)
		}
		figures = append(figures, timelineFigure(run, t))
	}
	return figures, nil
}

// busiestCell returns the (model, workload) of the cell with the most
// records, the first in run order on a tie.
func busiestCell(run *runData) (TimelineOf, bool) {
	var best TimelineOf
	bestN := 0
	for _, wl := range run.workloads {
		for _, m := range run.models {
			for _, f := range run.frameworks {
				if n := len(run.records[cellKey{f, m, wl}]); n > bestN {
					best, bestN = TimelineOf{Model: m, Workload: wl}, n
				}
			}
		}
	}
	return best, bestN > 0
}

// timelineSeries is one framework's binned timeline.
type timelineSeries struct {
	framework string
	tokens    []float64 // output tokens/s per bin
	inFlight  []float64 // mean requests in flight per bin
}

func timelineFigure(run *runData, t TimelineOf) *figure {
	var frameworks []string
	end := time.Duration(0)
	for _, f := range run.frameworks {
		recs := run.records[cellKey{f, t.Model, t.Workload}]
		if len(recs) == 0 {
			continue
		}
		frameworks = append(frameworks, f)
		for i := range recs {
			end = max(end, recs[i].Completion())
		}
	}

	bin := time.Duration(niceStep(float64(max(end, time.Millisecond)) / timelineBins))
	bins := int((end + bin - 1) / bin)
	bins = max(bins, 1)

	var series []timelineSeries
	for _, f := range frameworks {
		series = append(series, binRecords(f, run.records[cellKey{f, t.Model, t.Workload}], bin, bins))
	}

	tokens := newPanel("seconds since the workload started", "output tokens/s")
	tokens.Title.Text = "Output tokens per second"
	inFlight := newPanel("seconds since the workload started", "requests")
	inFlight.Title.Text = "Requests in flight"
	for _, p := range []*plot.Plot{tokens, inFlight} {
		p.Add(gridLines(true))
		p.X.Min, p.X.Max = 0, (time.Duration(bins) * bin).Seconds()
		p.Y.Min = 0
	}
	for _, s := range series {
		col := run.colorOf(s.framework)
		tokens.Add(stepLine(s.tokens, bin, col))
		inFlight.Add(stepLine(s.inFlight, bin, col))
	}
	tokens.Y.Max = max(tokens.Y.Max*1.05, 1)
	inFlight.Y.Max = max(inFlight.Y.Max*1.05, 1)

	notes := []string{
		fmt.Sprintf("Bins of %v. Tokens count at the arrival of their event, successful requests only; "+
			"requests are in flight from their actual send to their stream end, averaged over each bin. Warm-up requests are not shown.", bin),
	}
	if len(frameworks) == 0 {
		notes = append(notes, "No records for this cell.")
	}
	notes = append(notes, run.failureNotes(t.Workload, []string{t.Model})...)

	return &figure{
		name:        "timeline-" + slug(t.Model) + "-" + slug(t.Workload),
		title:       fmt.Sprintf("Timeline of %s, workload %s", run.displayModel(t.Model), t.Workload),
		subtitle:    fmt.Sprintf("Workload %s: %s. Shows warm-up at the start and saturation where tokens/s stops rising.", t.Workload, run.workloadDescription(t.Workload)),
		legend:      run.legendFor(frameworks, true),
		panels:      []*plot.Plot{tokens, inFlight},
		cols:        1,
		panelWidth:  timelinePanelWidth,
		panelHeight: timelinePanelHeight,
		notes:       notes,
		caption:     run.caption(),
	}
}

// binRecords sums output tokens and time in flight into bins of width bin.
func binRecords(framework string, recs []record.Record, bin time.Duration, bins int) timelineSeries {
	s := timelineSeries{framework: framework, tokens: make([]float64, bins), inFlight: make([]float64, bins)}
	index := func(t time.Duration) int { return min(int(t/bin), bins-1) }

	for i := range recs {
		r := &recs[i]
		if r.OK {
			for j, t := range r.TokenTimes {
				s.tokens[index(r.ScheduledOffset+t)] += tokensOfEvent(r, j)
			}
		}

		start := r.ScheduledOffset + r.SendDelay
		stop := cmp.Or(r.StreamEnd, r.FailureLatency)
		stop += r.ScheduledOffset
		for b := index(start); b <= index(stop) && stop > start; b++ {
			lo := max(start, time.Duration(b)*bin)
			hi := min(stop, time.Duration(b+1)*bin)
			if hi > lo {
				s.inFlight[b] += float64(hi-lo) / float64(bin)
			}
		}
	}
	for b := range s.tokens {
		s.tokens[b] /= bin.Seconds()
	}
	return s
}

// tokensOfEvent returns the output tokens carried by token event j: the
// server's count when known, else the output tokens spread evenly over the
// events, else one.
func tokensOfEvent(r *record.Record, j int) float64 {
	if len(r.TokensPerEvent) == len(r.TokenTimes) {
		return float64(r.TokensPerEvent[j])
	}
	if r.OutputTokensKnown && r.OutputTokens > 0 {
		return float64(r.OutputTokens) / float64(len(r.TokenTimes))
	}
	return 1
}

// stepLine draws values as a step line, each bin's value held over the bin.
func stepLine(values []float64, bin time.Duration, col color.Color) *plotter.Line {
	xys := make(plotter.XYs, 0, len(values)+1)
	for b, v := range values {
		xys = append(xys, plotter.XY{X: (time.Duration(b) * bin).Seconds(), Y: v})
	}
	if len(values) > 0 {
		xys = append(xys, plotter.XY{X: (time.Duration(len(values)) * bin).Seconds(), Y: values[len(values)-1]})
	}
	return &plotter.Line{XYs: xys, StepStyle: plotter.PostStep, LineStyle: draw.LineStyle{Color: col, Width: vg.Points(1.5)}}
}
