package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/llmbench/llmbench-action/pipeline/matrix"
	"github.com/llmbench/llmbench-action/pipeline/metrics"
	"github.com/llmbench/llmbench-action/pipeline/runner"
	"github.com/llmbench/llmbench-action/pipeline/stage"
	"github.com/llmbench/llmbench-action/pipeline/workload"
)

// runOptions are the flags of `llmbench run`.
type runOptions struct {
	target   string
	endpoint string

	matrixFile string
	frameworks []string
	models     []string
	workloads  []string
	only       string
	cell       string

	out    string
	resume bool
	json   bool
	charts bool

	pricePerHour float64
	instance     string

	simTTFT time.Duration
	simITL  time.Duration

	image          string
	gpus           string
	hfCache        string
	startupTimeout time.Duration
	runID          string

	tokenizer      string
	keepText       bool
	scrapeInterval time.Duration
	verbose        bool

	// hfToken is the Hugging Face token; it comes from HF_TOKEN or the
	// action's input, never from a flag, so it stays out of process lists.
	hfToken string
	// groupStart and groupEnd, when set, fold each server group's lines in
	// a log group.
	groupStart func(name string)
	groupEnd   func()
}

// defaultRunOptions returns the options of `llmbench run` with every flag
// at its default.
func defaultRunOptions() runOptions {
	opts := runOptions{}
	_ = newRunFlags(&opts).Parse(nil)
	return opts
}

func newRunCmd(s streams) *cobra.Command {
	opts := runOptions{}
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run a benchmark matrix against containers, an endpoint or the simulator",
		Long: `Run every cell of a benchmark matrix (frameworks × models × workloads): one
server per framework and model, serving all its workloads. Each step is
reported the way go test reports tests; results go to --out as Parquet,
JSON, CSV, a Markdown report and charts.

Targets:
  container  start each framework's official image with testcontainers-go
             (needs Docker and, for real models, the NVIDIA container toolkit)
  endpoint   use an existing OpenAI-compatible server at --endpoint
  sim        start the built-in simulator in-process (no GPU, no Docker)

The Hugging Face token is read from the HF_TOKEN environment variable.
The exit status is 1 when any request or cell failed.`,
		Example: `  llmbench run --target sim
  llmbench run --target sim --framework vllm --model facebook/opt-125m --workload medium --sim-ttft 50ms --sim-itl 10ms
  llmbench run --target endpoint --endpoint http://127.0.0.1:8000 --framework vllm --model facebook/opt-125m --workload small
  llmbench run --matrix bench.yaml --only 'vllm//large' --instance g5.xlarge`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRun(cmd, opts, s)
		},
	}

	cmd.Flags().AddFlagSet(newRunFlags(&opts))
	return cmd
}

// newRunFlags defines the flags of `llmbench run` on opts.
func newRunFlags(opts *runOptions) *pflag.FlagSet {
	f := pflag.NewFlagSet("run", pflag.ContinueOnError)
	f.StringVar(&opts.target, "target", runner.TargetContainer, "where servers come from: container, endpoint or sim")
	f.StringVar(&opts.endpoint, "endpoint", "", "base `URL` of an existing server, for --target endpoint")
	f.StringVar(&opts.matrixFile, "matrix", "", "matrix YAML `file` (default: 3 models × vllm, sglang × small, medium, large)")
	f.StringSliceVar(&opts.frameworks, "framework", nil, "run only these frameworks (comma-separated or repeated)")
	f.StringSliceVar(&opts.models, "model", nil, "run only these models, by Hugging Face id; ids not in the matrix are added")
	f.StringSliceVar(&opts.workloads, "workload", nil, "run these workloads: built-in names (small, medium, large) or workload JSON files")
	f.StringVar(&opts.only, "only", "", "run only cells whose ID matches `PATTERN` (framework/model/workload, each part a regexp or glob)")
	f.StringVar(&opts.cell, "cell", "", "run the one cell with this `ID`, as printed by llmbench matrix")
	f.StringVar(&opts.out, "out", "", "results `directory` (default results/run-<UTC time>)")
	f.BoolVar(&opts.resume, "resume", false, "skip cells already complete in --out and run the rest")
	f.BoolVar(&opts.json, "json", false, "print stage events as test2json JSON lines instead of text")
	f.BoolVar(&opts.charts, "charts", true, "draw charts into <out>/charts")
	f.Float64Var(&opts.pricePerHour, "price-per-hour", 0, "hardware price in `USD` per hour, for cost per 1M tokens")
	f.StringVar(&opts.instance, "instance", "", "cloud instance `type` whose list price to use, e.g. g5.xlarge")
	f.DurationVar(&opts.simTTFT, "sim-ttft", 0, "simulator: fix the time to first token (e.g. 50ms); 0 uses its latency model")
	f.DurationVar(&opts.simITL, "sim-itl", 0, "simulator: fix the inter-token latency (e.g. 10ms); 0 uses its latency model")
	f.StringVar(&opts.image, "image", "", "container `image` for every framework, overriding the pinned defaults")
	f.StringVar(&opts.gpus, "gpus", "", "GPUs for every container: all, none, a count, or device ids such as 0,1")
	f.StringVar(&opts.hfCache, "hf-cache", defaultHFCache(), "host `directory` mounted as the Hugging Face cache in containers")
	f.DurationVar(&opts.startupTimeout, "startup-timeout", 30*time.Minute, "maximum time for a server to become ready")
	f.StringVar(&opts.runID, "run-id", "", "run id in container labels and results (default: generated)")
	f.StringVar(&opts.tokenizer, "tokenizer", "gpt2", "tokenizer for estimating output tokens when a server sends no usage: gpt2 or none")
	f.BoolVar(&opts.keepText, "keep-text", false, "store generated text in requests.parquet")
	f.DurationVar(&opts.scrapeInterval, "scrape-interval", time.Second, "server /metrics scrape period; 0 turns scraping off")
	f.BoolVar(&opts.verbose, "verbose", false, "print server log lines and diagnostics to stderr")
	return f
}

func defaultHFCache() string {
	if dir := os.Getenv("HF_HOME"); dir != "" {
		return dir
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".cache", "huggingface")
}

func runRun(cmd *cobra.Command, opts runOptions, s streams) error {
	opts.hfToken = os.Getenv("HF_TOKEN")
	res, err := executeRun(cmd.Context(), opts, s)
	if err != nil {
		return err
	}
	if res.failed {
		return errSomeFailed
	}
	return nil
}

// runResult is the outcome of executeRun.
type runResult struct {
	out     string
	outcome runner.Outcome
	// failed is true when any stage failed or the report could not be written.
	failed bool
}

// executeRun runs the selected cells and writes the results directory,
// report and charts. `llmbench run` and `llmbench action` share it.
func executeRun(ctx context.Context, opts runOptions, s streams) (runResult, error) {
	m, cells, err := selectCells(opts)
	if err != nil {
		return runResult{}, &exitError{code: 2, err: err}
	}
	price, err := resolvePrice(opts)
	if err != nil {
		return runResult{}, &exitError{code: 2, err: err}
	}
	tokenizer := opts.tokenizer
	switch tokenizer {
	case "none", "":
		tokenizer = ""
	case "gpt2":
	default:
		return runResult{}, &exitError{code: 2, err: fmt.Errorf("invalid --tokenizer %q: use gpt2 or none", opts.tokenizer)}
	}
	if opts.scrapeInterval < 0 {
		return runResult{}, &exitError{code: 2, err: fmt.Errorf("invalid --scrape-interval %v: use a positive period, or 0 to turn scraping off", opts.scrapeInterval)}
	}
	scrapeInterval := opts.scrapeInterval
	if scrapeInterval == 0 {
		scrapeInterval = -1
	}

	out := opts.out
	if out == "" {
		out = filepath.Join("results", "run-"+time.Now().UTC().Format("20060102-150405"))
	}
	// Everything that can be checked is checked before the results
	// directory is created, so a usage error leaves nothing behind.
	check := runner.Options{Target: opts.target, Endpoint: opts.endpoint, OutDir: out, Resume: opts.resume, SimTTFT: opts.simTTFT, SimITL: opts.simITL}
	if err := check.Validate(); err != nil {
		return runResult{}, &exitError{code: 2, err: err}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return runResult{}, &exitError{code: 2, err: fmt.Errorf("creating results directory: %w", err)}
	}
	events, err := openEvents(out, opts.resume)
	if err != nil {
		return runResult{}, &exitError{code: 2, err: err}
	}
	defer events.Close()

	var text io.Writer = s.out
	var eventSink io.Writer = events
	if opts.json {
		text = io.Discard
		eventSink = io.MultiWriter(events, s.out)
	}
	rep := stage.NewReporter(text, eventSink, "llmbench", nil)

	logLevel := slog.LevelWarn
	serverLog := io.Discard
	if opts.verbose {
		logLevel = slog.LevelDebug
		serverLog = s.err
	}
	logger := slog.New(slog.NewTextHandler(s.err, &slog.HandlerOptions{Level: logLevel}))

	progress := newProgress(s.err, cells)
	defer progress.finish()

	groupStart, groupEnd := opts.groupStart, opts.groupEnd
	if groupStart == nil {
		groupStart, groupEnd = actionsGroupStart(s.out, opts.json), actionsGroupEnd(s.out, opts.json)
	}
	runOpts := runner.Options{
		Matrix:          m,
		Cells:           cells,
		Target:          opts.target,
		Endpoint:        opts.endpoint,
		OutDir:          out,
		Resume:          opts.resume,
		HFToken:         opts.hfToken,
		HFCacheDir:      opts.hfCache,
		GPUs:            opts.gpus,
		Image:           opts.image,
		StartupTimeout:  opts.startupTimeout,
		RunID:           opts.runID,
		SimTTFT:         opts.simTTFT,
		SimITL:          opts.simITL,
		PricePerHourUSD: price,
		ScrapeInterval:  scrapeInterval,
		Tokenizer:       tokenizer,
		KeepText:        opts.keepText,
		RunInfo:         runInfo(m, opts),
		Reporter:        rep,
		Logger:          logger,
		Progress:        progress.update,
		ServerLog:       serverLog,
		GroupStart:      groupStart,
		GroupEnd:        groupEnd,
	}
	outcome, runErr := runner.Run(ctx, runOpts)
	progress.finish()
	if runErr != nil && len(outcome.Cells) == 0 {
		return runResult{out: out}, runErr
	}
	failed := rep.Finish()
	res := runResult{out: out, outcome: outcome, failed: failed || outcome.Failed}

	measured := 0
	for _, c := range outcome.Cells {
		if c.Summary != nil || (c.Skipped && c.Err == nil) {
			measured++
		}
	}
	if measured == 0 {
		fmt.Fprintf(s.err, "llmbench: no cell was measured, so there is no report; see the failed stages above\n")
		return res, runErr
	}

	// The records are on disk; the report and charts come after, so that a
	// failure here loses nothing.
	if err := runner.WriteArtifacts(out, runner.ArtifactOptions{Charts: opts.charts, Instance: instanceName(opts, m)}); err != nil {
		fmt.Fprintf(s.err, "llmbench: %v\n", err)
		res.failed = true
	}
	if !opts.json {
		fmt.Fprintln(s.out)
		if err := printSummaryTable(s.out, out); err != nil {
			fmt.Fprintf(s.err, "llmbench: %v\n", err)
		}
	}
	fmt.Fprintf(s.err, "results: %s\n", out)
	return res, runErr
}

// selectCells loads the matrix, narrows it by the flags and returns the
// cells to run.
func selectCells(opts runOptions) (matrix.Matrix, []matrix.Cell, error) {
	m := matrix.Default()
	if opts.matrixFile != "" {
		var err error
		if m, err = matrix.Load(opts.matrixFile); err != nil {
			return m, nil, err
		}
	}
	if err := narrowMatrix(&m, opts); err != nil {
		return m, nil, err
	}

	if opts.cell != "" {
		if opts.only != "" {
			return m, nil, errors.New("--cell and --only both select cells; use one of them")
		}
		c, err := m.Cell(opts.cell)
		if err != nil {
			return m, nil, fmt.Errorf("--cell: %w", err)
		}
		return m, []matrix.Cell{c}, nil
	}
	cells, err := matrix.Select(m.Cells(), opts.only)
	if err != nil {
		return m, nil, fmt.Errorf("--only: %w", err)
	}
	return m, cells, nil
}

// narrowMatrix applies --framework, --model and --workload to m.
func narrowMatrix(m *matrix.Matrix, opts runOptions) error {
	if len(opts.frameworks) > 0 {
		var kept []matrix.Framework
		for _, name := range opts.frameworks {
			f, ok := findFramework(m.Frameworks, name)
			if !ok {
				if !isKnownFramework(name) {
					return fmt.Errorf("--framework %q: unknown framework; use one of %s", name, strings.Join(matrix.KnownFrameworks, ", "))
				}
				f = matrix.Framework{Name: name}
			}
			kept = append(kept, f)
		}
		m.Frameworks = kept
	}
	if len(opts.models) > 0 {
		var kept []matrix.Model
		for _, id := range opts.models {
			model, ok := findModel(m.Models, id)
			if !ok {
				model = matrix.Model{ID: id, Params: matrix.KnownParams(id)}
			}
			kept = append(kept, model)
		}
		m.Models = kept
	}
	if len(opts.workloads) > 0 {
		var kept []workload.Workload
		for _, name := range opts.workloads {
			w, err := workload.Resolve(name)
			if err != nil {
				return fmt.Errorf("--workload: %w", err)
			}
			kept = append(kept, w)
		}
		m.Workloads = kept
	}
	return nil
}

func findFramework(list []matrix.Framework, name string) (matrix.Framework, bool) {
	for _, f := range list {
		if f.Name == name {
			return f, true
		}
	}
	return matrix.Framework{}, false
}

func findModel(list []matrix.Model, id string) (matrix.Model, bool) {
	for _, model := range list {
		if model.ID == id {
			return model, true
		}
	}
	return matrix.Model{}, false
}

func isKnownFramework(name string) bool {
	for _, known := range matrix.KnownFrameworks {
		if known == name {
			return true
		}
	}
	return false
}

// resolvePrice returns the hardware price per hour from the flags, else 0
// (the matrix's own price then applies).
func resolvePrice(opts runOptions) (float64, error) {
	if opts.pricePerHour < 0 {
		return 0, fmt.Errorf("invalid --price-per-hour %g: must be a positive price in USD per hour", opts.pricePerHour)
	}
	if opts.instance != "" {
		if opts.pricePerHour > 0 {
			return 0, errors.New("--price-per-hour and --instance both set the price; use one of them")
		}
		inst, err := metrics.LookupInstance(opts.instance)
		if err != nil {
			return 0, fmt.Errorf("--instance: %w", err)
		}
		return inst.PricePerHourUSD, nil
	}
	return opts.pricePerHour, nil
}

func instanceName(opts runOptions, m matrix.Matrix) string {
	if opts.instance != "" {
		return opts.instance
	}
	if opts.pricePerHour > 0 {
		return ""
	}
	return m.Instance
}
