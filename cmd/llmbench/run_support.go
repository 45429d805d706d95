package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/llmbench/llmbench-action/pipeline/matrix"
	"github.com/llmbench/llmbench-action/pipeline/results"
)

// eventsFile is the test2json stage log in the results directory.
const eventsFile = "events.jsonl"

// openEvents opens <out>/events.jsonl, appending when resuming.
func openEvents(out string, resume bool) (*os.File, error) {
	flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if resume {
		flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	f, err := os.OpenFile(filepath.Join(out, eventsFile), flags, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening stage event log: %w", err)
	}
	return f, nil
}

// matrixJSON is the matrix definition stored in the results metadata: what
// was run, with the models' parameter counts.
type matrixJSON struct {
	RunID      string          `json:"run_id,omitempty"`
	Source     string          `json:"source"`
	Hash       string          `json:"hash,omitempty"`
	Target     string          `json:"target"`
	Frameworks []frameworkJSON `json:"frameworks"`
	Models     []modelJSON     `json:"models"`
	Workloads  []any           `json:"workloads"`
	Instance   string          `json:"instance,omitempty"`
	PriceUSD   float64         `json:"price_per_hour_usd,omitempty"`
}

type frameworkJSON struct {
	Name  string   `json:"name"`
	Image string   `json:"image,omitempty"`
	Args  []string `json:"args,omitempty"`
	GPUs  string   `json:"gpus,omitempty"`
}

type modelJSON struct {
	ID       string   `json:"id"`
	Params   float64  `json:"params,omitempty"`
	Revision string   `json:"revision,omitempty"`
	Args     []string `json:"args,omitempty"`
}

// runInfo returns the reproducibility metadata of a run.
func runInfo(m matrix.Matrix, opts runOptions) results.RunInfo {
	def := matrixJSON{
		RunID:    opts.runID,
		Source:   m.Source,
		Hash:     m.Hash,
		Target:   opts.target,
		Instance: instanceName(opts, m),
		PriceUSD: m.PricePerHourUSD,
	}
	for _, f := range m.Frameworks {
		def.Frameworks = append(def.Frameworks, frameworkJSON{Name: f.Name, Image: f.Image, Args: f.Args, GPUs: f.GPUs})
	}
	for _, model := range m.Models {
		def.Models = append(def.Models, modelJSON{ID: model.ID, Params: model.Params, Revision: model.Revision, Args: model.Args})
	}
	for _, w := range m.Workloads {
		def.Workloads = append(def.Workloads, w)
	}
	data, err := json.Marshal(def)
	if err != nil {
		data = nil
	}

	info := results.RunInfo{
		ToolVersion: version,
		GitCommit:   gitCommit(),
		Matrix:      data,
		RunnerName:  runnerName(),
		StartedAt:   time.Now().UTC(),
		Instance:    instanceName(opts, m),
	}
	if opts.target == "container" {
		info.GPUName, info.GPUDriver, info.GPUCount = gpuInfo()
	}
	if v, ok := os.LookupEnv("CUDA_VISIBLE_DEVICES"); ok {
		info.Env = map[string]string{"CUDA_VISIBLE_DEVICES": v}
	}
	return info
}

// gitCommit returns the commit being benchmarked: GITHUB_SHA in Actions,
// else the working directory's HEAD, else "".
func gitCommit() string {
	if sha := os.Getenv("GITHUB_SHA"); sha != "" {
		return sha
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "git", "rev-parse", "HEAD").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// runnerName returns the GitHub Actions runner name, else the host name.
func runnerName() string {
	if name := os.Getenv("RUNNER_NAME"); name != "" {
		return name
	}
	host, _ := os.Hostname()
	return host
}

// gpuInfo queries nvidia-smi for the first GPU's name and the driver version.
// It returns empty values on machines without it.
func gpuInfo() (name, driver string, count int) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader").Output()
	if err != nil {
		return "", "", 0
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	for _, line := range lines {
		if strings.TrimSpace(line) == "" {
			continue
		}
		count++
		if count == 1 {
			parts := strings.SplitN(line, ",", 2)
			name = strings.TrimSpace(parts[0])
			if len(parts) == 2 {
				driver = strings.TrimSpace(parts[1])
			}
		}
	}
	return name, driver, count
}

// actionsGroupStart returns a function that opens a GitHub Actions log
// group around a server group, or nil outside Actions and in JSON mode.
func actionsGroupStart(out io.Writer, jsonMode bool) func(string) {
	if jsonMode || os.Getenv("GITHUB_ACTIONS") != "true" {
		return nil
	}
	return func(name string) { fmt.Fprintf(out, "::group::%s\n", name) }
}

func actionsGroupEnd(out io.Writer, jsonMode bool) func() {
	if jsonMode || os.Getenv("GITHUB_ACTIONS") != "true" {
		return nil
	}
	return func() { fmt.Fprintln(out, "::endgroup::") }
}

// progress shows request progress: a bar on a terminal, plain lines on
// other outputs (CI logs).
type progress struct {
	mu       sync.Mutex
	out      io.Writer
	terminal bool
	// position maps a cell ID to its 1-based place in the run.
	position map[string]int
	cells    int
	bar      *progressbar.ProgressBar
	cell     string
	last     time.Time
	done     bool
}

const plainInterval = 10 * time.Second

func newProgress(out io.Writer, cells []matrix.Cell) *progress {
	p := &progress{out: out, position: map[string]int{}, cells: len(cells)}
	for i, c := range cells {
		p.position[c.ID] = i + 1
	}
	if f, ok := out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.terminal = true
	}
	return p
}

func (p *progress) update(cell string, done, failed, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return
	}
	if p.terminal {
		if cell != p.cell || p.bar == nil {
			if p.bar != nil {
				_ = p.bar.Finish()
				fmt.Fprintln(p.out)
			}
			p.cell = cell
			p.bar = progressbar.NewOptions(total,
				progressbar.OptionSetWriter(p.out),
				progressbar.OptionSetDescription(p.describe(cell)),
				progressbar.OptionShowCount(),
				progressbar.OptionSetElapsedTime(true),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionClearOnFinish(),
			)
		}
		_ = p.bar.Set(done)
		return
	}
	// Plain output: a line every plainInterval while a cell runs, so a CI
	// log shows steady progress without a line per request.
	now := time.Now()
	if cell != p.cell {
		p.cell = cell
		p.last = now
		return
	}
	if now.Sub(p.last) < plainInterval {
		return
	}
	p.last = now
	fmt.Fprintf(p.out, "progress: %s: %d/%d requests done, %d failed\n", p.describe(cell), done, total, failed)
}

// describe names a cell with its place in the run, e.g.
// "cell 3/18 vllm/opt-125m/large".
func (p *progress) describe(cell string) string {
	if k, ok := p.position[cell]; ok {
		return fmt.Sprintf("cell %d/%d %s", k, p.cells, cell)
	}
	return cell
}

func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil && !p.done {
		_ = p.bar.Finish()
	}
	p.done = true
}
