// Package runner runs a benchmark matrix: one server per (framework, model)
// serving all its workloads, each step reported as a stage, every cell's
// records written to the results directory as soon as the cell ends.
package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/client"
	"github.com/llmbench/llmbench-action/pipeline/container"
	"github.com/llmbench/llmbench-action/pipeline/matrix"
	"github.com/llmbench/llmbench-action/pipeline/metrics"
	"github.com/llmbench/llmbench-action/pipeline/results"
	"github.com/llmbench/llmbench-action/pipeline/stage"
)

// Targets: where servers come from.
const (
	TargetContainer = "container"
	TargetEndpoint  = "endpoint"
	TargetSim       = "sim"
)

// Options configure a run.
type Options struct {
	Matrix matrix.Matrix
	// Cells are the cells to run, in order; nil runs every cell of Matrix.
	Cells []matrix.Cell

	// Target is TargetContainer, TargetEndpoint or TargetSim.
	Target string
	// Endpoint is the base URL of an existing server (TargetEndpoint).
	Endpoint string

	// OutDir is the results directory.
	OutDir string
	// Resume skips cells already complete in OutDir.
	Resume bool

	// Container settings (TargetContainer).
	HFToken        string
	HFCacheDir     string
	GPUs           string // overrides every framework's gpus when set
	Image          string // overrides every framework's image when set
	StartupTimeout time.Duration
	RunID          string

	// SimTTFT and SimITL fix the simulator's latencies (TargetSim, and
	// simulator images through LLMBENCH_SIM_* variables); zero uses its
	// latency model.
	SimTTFT time.Duration
	SimITL  time.Duration
	// SimEnv holds extra simulator settings as LLMBENCH_SIM_* variables,
	// for fault-injection runs.
	SimEnv map[string]string

	// PricePerHourUSD overrides the matrix's price; 0 keeps it.
	PricePerHourUSD float64
	// ScrapeInterval is the server-metrics scrape period; 0 means 1s,
	// negative turns scraping off.
	ScrapeInterval time.Duration
	// Tokenizer estimates output tokens when a server sends no usage ("gpt2"
	// or "").
	Tokenizer string
	// KeepText stores generated text in the records.
	KeepText bool

	// RunInfo is written into every results file.
	RunInfo results.RunInfo

	Reporter *stage.Reporter
	Logger   *slog.Logger
	// Progress, when set, is called as requests of a cell complete.
	Progress func(cell string, done, failed, total int)
	// ServerLog receives the server's log lines (containers), prefixed by
	// group; nil discards them.
	ServerLog io.Writer
	// GroupStart and GroupEnd, when set, are called around each server
	// group, e.g. to fold its log lines in a GitHub Actions log group.
	GroupStart func(name string)
	GroupEnd   func()
}

// CellResult is the outcome of one cell.
type CellResult struct {
	Cell    matrix.Cell
	Summary *metrics.Summary
	// Peaks are the server-side metric peaks during the workload.
	Peaks map[string]float64
	// Err is the cell's failure; nil when all its requests succeeded.
	Err error
	// Skipped is true for a cell already complete in the results directory
	// (Resume) or never started because the run was interrupted.
	Skipped bool
}

// Outcome is the result of a run.
type Outcome struct {
	Dir   string
	Cells []CellResult
	// Failed is true when any cell failed.
	Failed bool
}

// ErrInterrupted is returned (wrapped) when the context was canceled before
// every cell ran.
var ErrInterrupted = errors.New("run interrupted")

// Run runs the selected cells, one server group at a time, and writes the
// results directory. It returns an error only when the run could not be
// carried out or was interrupted; failed cells are reported in the Outcome.
func Run(ctx context.Context, opts Options) (Outcome, error) {
	if err := opts.Validate(); err != nil {
		return Outcome{}, err
	}
	opts.defaults()

	cells := opts.Cells
	if cells == nil {
		cells = opts.Matrix.Cells()
	}
	if len(cells) == 0 {
		return Outcome{}, errors.New("no cells to run: the matrix and --only selection leave nothing; run `llmbench matrix` to list the cells")
	}

	out := Outcome{Dir: opts.OutDir}
	done, err := completedCells(opts)
	if err != nil {
		return out, err
	}

	info := opts.RunInfo
	info.Planned = nil
	for _, c := range cells {
		info.Planned = append(info.Planned, cellKey(c))
	}
	if info.StartedAt.IsZero() {
		info.StartedAt = time.Now().UTC()
	}
	writer, err := openWriter(opts, info)
	if err != nil {
		return out, err
	}

	for _, group := range groupCells(cells) {
		if ctx.Err() != nil {
			for _, c := range group.Cells {
				out.Cells = append(out.Cells, CellResult{Cell: c, Skipped: true, Err: ErrInterrupted})
			}
			continue
		}
		var todo []matrix.Cell
		for _, c := range group.Cells {
			if done[cellKey(c)] {
				st := opts.Reporter.Run(c.ID)
				st.Skip("already complete in " + opts.OutDir)
				out.Cells = append(out.Cells, CellResult{Cell: c, Skipped: true})
				continue
			}
			todo = append(todo, c)
		}
		if len(todo) == 0 {
			continue
		}
		group.Cells = todo
		if opts.GroupStart != nil {
			opts.GroupStart(group.ID)
		}
		out.Cells = append(out.Cells, runGroup(ctx, opts, writer, group)...)
		if opts.GroupEnd != nil {
			opts.GroupEnd()
		}
	}

	if err := writer.Close(); err != nil {
		return out, fmt.Errorf("writing results to %s: %w", opts.OutDir, err)
	}
	for _, c := range out.Cells {
		if c.Err != nil && !c.Skipped {
			out.Failed = true
		}
	}
	if ctx.Err() != nil {
		finished := 0
		for _, c := range out.Cells {
			if c.Summary != nil {
				finished++
			}
		}
		if finished == 0 {
			return out, fmt.Errorf("%w (%w) before any cell finished", ErrInterrupted, ctx.Err())
		}
		return out, fmt.Errorf("%w (%w): finished cells are in %s; run again with --resume to complete the rest", ErrInterrupted, ctx.Err(), opts.OutDir)
	}
	return out, nil
}

// Validate checks the options that can be checked before anything starts.
func (o *Options) Validate() error {
	switch o.Target {
	case TargetContainer, TargetSim:
	case TargetEndpoint:
		if err := validateEndpoint(o.Endpoint); err != nil {
			return err
		}
	default:
		return fmt.Errorf("invalid target %q: use container, endpoint or sim", o.Target)
	}
	if o.OutDir == "" {
		return errors.New("missing results directory: set --out DIR")
	}
	if o.GPUs != "" {
		if o.Target != TargetContainer {
			return fmt.Errorf("--gpus %q applies to --target container only; remove it for --target %s", o.GPUs, o.Target)
		}
		if err := container.ValidateGPUs(o.GPUs); err != nil {
			return fmt.Errorf("--gpus: %w", err)
		}
	}
	if o.SimTTFT < 0 || o.SimITL < 0 {
		return fmt.Errorf("invalid simulator latency (TTFT %v, ITL %v): must be 0 (latency model) or positive", o.SimTTFT, o.SimITL)
	}
	if !o.Resume && HoldsResults(o.OutDir) {
		return fmt.Errorf("results directory %s already contains results: choose another --out, remove it, or pass --resume to complete it", o.OutDir)
	}
	return nil
}

// validateEndpoint checks that endpoint is an http or https base URL.
func validateEndpoint(endpoint string) error {
	if endpoint == "" {
		return errors.New("--target endpoint needs --endpoint URL, e.g. --endpoint http://127.0.0.1:8000")
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("invalid --endpoint %q: want a base URL with scheme and host, e.g. http://127.0.0.1:8000", client.RedactURL(endpoint))
	}
	if u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(endpoint, "?") || strings.HasSuffix(endpoint, "#") {
		return fmt.Errorf("invalid --endpoint %q: a base URL has no query or fragment; remove them (an API key belongs in the server's settings, not the URL)", client.RedactURL(endpoint))
	}
	return nil
}

func (o *Options) defaults() {
	if o.Reporter == nil {
		o.Reporter = stage.NewReporter(nil, nil, "llmbench", nil)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.ScrapeInterval == 0 {
		o.ScrapeInterval = time.Second
	}
	if o.StartupTimeout == 0 {
		o.StartupTimeout = 30 * time.Minute
	}
	if o.ServerLog == nil {
		o.ServerLog = io.Discard
	}
}

// cellKey returns the results key of a cell.
func cellKey(c matrix.Cell) results.CellKey {
	return results.CellKey{Framework: c.Framework.Name, Model: c.Model.ID, Workload: c.Workload.Name}
}

// group is one server group: the cells one server serves.
type group struct {
	ID        string
	Framework matrix.Framework
	Model     matrix.Model
	Cells     []matrix.Cell
}

// groupCells groups consecutive cells by (framework, model), keeping the
// cells' order.
func groupCells(cells []matrix.Cell) []group {
	var groups []group
	index := map[string]int{}
	for _, c := range cells {
		i, ok := index[c.GroupID]
		if !ok {
			i = len(groups)
			index[c.GroupID] = i
			groups = append(groups, group{ID: c.GroupID, Framework: c.Framework, Model: c.Model})
		}
		groups[i].Cells = append(groups[i].Cells, c)
	}
	return groups
}
