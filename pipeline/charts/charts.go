// Package charts draws the charts of a benchmark run with gonum/plot, each as
// a PNG and an SVG file: throughput, latency distributions, model scaling,
// cost efficiency, load sweeps and a timeline of one cell.
//
// Rendering is deterministic: the same Input gives byte-identical files,
// because every date and label comes from the Input and neither SVG nor PNG
// output embeds a clock or random value.
package charts

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
	"github.com/llmbench/llmbench-action/pipeline/record"
)

// RunInfo describes the run the charts come from. Every chart's caption
// shows ID and Date.
type RunInfo struct {
	// ID identifies the run, e.g. the GitHub Actions run id.
	ID string
	// Date is the start of the run; captions print it in UTC.
	Date time.Time
	// InstanceType names the hardware, e.g. "g5.xlarge"; empty when unknown.
	InstanceType string
	// PricePerHourUSD is the hardware price in US dollars per hour. 0 means
	// unknown, and the cost chart is skipped.
	PricePerHourUSD float64
	// ModelParams maps a model id to its parameter count (e.g. 125e6). A
	// model missing here gets a count parsed from its name when the name
	// contains one ("opt-125m", "Qwen2-1.5B"), else it is left out of the
	// scaling chart.
	ModelParams map[string]float64
	// Frameworks sets the order of frameworks in legends and groups.
	// Frameworks missing here follow in order of first appearance.
	Frameworks []string
	// Workloads sets the order of workloads; workloads missing here follow
	// in order of first appearance.
	Workloads []string
}

// TimelineOf selects the (model, workload) whose timeline is drawn, one line
// per framework.
type TimelineOf struct {
	Model    string
	Workload string
}

// Input is everything the charts are drawn from.
type Input struct {
	Run       RunInfo
	Summaries []metrics.Summary
	// Records are the requests of the run; warm-up records are ignored. The
	// latency and timeline charts are drawn from them.
	Records []record.Record
	// Timelines lists the timelines to draw. When empty, one is drawn for
	// the (model, workload) with the most records.
	Timelines []TimelineOf
}

// formats lists the file formats WriteAll writes, as file extensions.
var formats = []string{"png", "svg"}

// WriteAll draws every chart that the input supports into dir (created when
// missing), each as name.png and name.svg, and returns the paths written in
// a stable order. Charts without data are skipped: cost without a price,
// scaling without parameter counts, sweeps without several load levels.
func WriteAll(dir string, in Input) ([]string, error) {
	figures, err := buildFigures(in)
	if err != nil {
		return nil, err
	}

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating chart directory: %w", err)
	}

	var paths []string
	for _, fig := range figures {
		for _, format := range formats {
			path := filepath.Join(dir, fig.name+"."+format)
			if err := writeFigure(path, fig, format); err != nil {
				return paths, err
			}
			paths = append(paths, path)
		}
	}
	return paths, nil
}

// buildFigures validates the input and lays out every chart it supports.
func buildFigures(in Input) ([]*figure, error) {
	run, err := newRunData(in)
	if err != nil {
		return nil, err
	}

	var figures []*figure
	for _, wl := range run.workloads {
		figures = append(figures,
			throughputFigure(run, wl, outputTokensPerSecond),
			throughputFigure(run, wl, requestsPerSecond),
		)
	}
	for _, wl := range run.workloads {
		for _, m := range latencyMetrics {
			figures = append(figures, latencyFigure(run, wl, m))
		}
	}
	for _, wl := range run.workloads {
		if fig := scalingFigure(run, wl); fig != nil {
			figures = append(figures, fig)
		}
	}
	if fig := costFigure(run); fig != nil {
		figures = append(figures, fig)
	}
	figures = append(figures, sweepFigures(run)...)

	timelines, err := timelineFigures(run, in.Timelines)
	if err != nil {
		return nil, err
	}
	figures = append(figures, timelines...)

	if err := assignNames(figures); err != nil {
		return nil, err
	}
	return figures, nil
}

var errNoSummaries = errors.New("no summaries to chart: the run produced no cells; check that the matrix is not empty")
