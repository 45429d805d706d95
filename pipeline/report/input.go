// Package report renders the report of a benchmark run (report.md, a plain
// text form for terminals, CSV and JSON) from its summaries, records and run
// info.
//
// The output is deterministic: sections, cells and footnotes follow the
// run's cell order, maps are read in sorted order, and the generation time
// comes from the input rather than the clock.
package report

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
	"github.com/llmbench/llmbench-action/pipeline/record"
	"github.com/llmbench/llmbench-action/pipeline/results"
)

// DefaultAlpha is the significance level of framework comparisons.
const DefaultAlpha = 0.05

// DefaultSendDelayWarning is the 99th percentile of the send delay above
// which a cell gets a client saturation footnote.
const DefaultSendDelayWarning = 10 * time.Millisecond

// Cell is one cell of the report: what ran, its summary and its records.
type Cell struct {
	Info    results.CellInfo
	Summary metrics.Summary
	// Records are the cell's records, warm-up included; the comparison tests
	// use the measured successful ones.
	Records []record.Record
}

// Input is the data a report is rendered from.
type Input struct {
	Run   results.RunInfo
	Cells []Cell
	// Missing lists planned cells without results.
	Missing []results.CellKey
	// Params maps a model id to its parameter count; it overrides the
	// cells' ModelParams. Models without a count show "n/a" in the scaling
	// section.
	Params map[string]float64
	// GeneratedAt is the time printed as the report's generation time; zero
	// leaves it out.
	GeneratedAt time.Time
	// Alpha is the significance level of comparisons; 0 means DefaultAlpha.
	Alpha float64
	// SendDelayWarning is the send delay p99 above which a cell gets a
	// client saturation footnote; 0 means DefaultSendDelayWarning.
	SendDelayWarning time.Duration
	// Charts lists chart files relative to the results directory, such as
	// "charts/ttft.png", in the order the Charts section shows them. Empty
	// leaves the section out.
	Charts []string
}

// FromRun returns the input for a results directory read back, with
// summaries recomputed from its records. Parameter counts come from the
// cells' ModelParams, overridden by params.
func FromRun(run *results.Run, params map[string]float64, generatedAt time.Time) Input {
	summaries := run.Summaries()
	in := Input{Run: run.Info, Missing: run.Missing, Params: map[string]float64{}, GeneratedAt: generatedAt}
	for i, c := range run.Cells {
		in.Cells = append(in.Cells, Cell{Info: c.Info, Summary: summaries[i], Records: c.Records})
		if c.Info.ModelParams > 0 {
			in.Params[c.Info.Model] = c.Info.ModelParams
		}
	}
	for model, n := range params {
		in.Params[model] = n
	}
	return in
}

// Summaries returns the cells' summaries in order.
func (in *Input) Summaries() []metrics.Summary {
	out := make([]metrics.Summary, len(in.Cells))
	for i, c := range in.Cells {
		out[i] = c.Summary
	}
	return out
}

// validate checks the parts of in that the report cannot render as given.
func (in *Input) validate() error {
	for _, path := range in.Charts {
		switch {
		case strings.TrimSpace(path) == "":
			return errors.New("report input: empty chart path; list chart files relative to the results directory, e.g. charts/ttft.png")
		case filepath.IsAbs(path):
			return fmt.Errorf("report input: chart path %s is absolute; give it relative to the results directory, e.g. charts/ttft.png", path)
		}
	}
	return nil
}

func (in *Input) alpha() float64 {
	if in.Alpha > 0 && in.Alpha < 1 {
		return in.Alpha
	}
	return DefaultAlpha
}

func (in *Input) sendDelayWarning() time.Duration {
	if in.SendDelayWarning > 0 {
		return in.SendDelayWarning
	}
	return DefaultSendDelayWarning
}
