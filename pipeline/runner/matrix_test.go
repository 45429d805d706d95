//go:build !gpu

package runner_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmbench/llmbench-action/internal/simimage"
	"github.com/llmbench/llmbench-action/pipeline/matrix"
	"github.com/llmbench/llmbench-action/pipeline/results"
	"github.com/llmbench/llmbench-action/pipeline/runner"
	"github.com/llmbench/llmbench-action/pipeline/stage"
)

// Fixed simulator latencies: short, so the 18 cells run in seconds, and
// exact, so the measured numbers can be checked against them.
const (
	simTTFT = 5 * time.Millisecond
	simITL  = 1 * time.Millisecond
)

// simTarget returns options that run on simulator containers when a Docker
// engine is reachable, else on in-process simulators (never in CI, where a
// missing engine fails the test).
func simTarget(t *testing.T) runner.Options {
	t.Helper()
	opts := runner.Options{
		Matrix:         matrix.Default(),
		OutDir:         t.TempDir(),
		SimTTFT:        simTTFT,
		SimITL:         simITL,
		ScrapeInterval: 200 * time.Millisecond,
		RunID:          "test-" + t.Name(),
	}
	if err := simimage.Ping(context.Background()); err != nil && os.Getenv(simimage.RequireDockerEnv) != "1" {
		t.Logf("no Docker engine (%v): running in-process simulators", err)
		opts.Target = runner.TargetSim
		return opts
	}
	opts.Target = runner.TargetContainer
	opts.Image = simimage.Image(t)
	opts.GPUs = "none"
	opts.StartupTimeout = 2 * time.Minute
	return opts
}

// TestMatrix runs the default matrix (3 models × vllm, sglang × small,
// medium, large) on simulator containers started through the code that
// starts the real images, with every stage as a subtest.
func TestMatrix(t *testing.T) {
	opts := simTarget(t)
	out, events, err := runWithSubtests(t, context.Background(), opts)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if out.Failed {
		t.Errorf("run reported failed cells")
	}
	if n := countStages(events, "/start", "pass"); n != 6 {
		t.Errorf("%d server starts passed, want 6 (one per framework and model)", n)
	}
	if n := countStages(events, "/stop", "pass"); n != 6 {
		t.Errorf("%d server stops passed, want 6", n)
	}
	if len(out.Cells) != 18 {
		t.Errorf("outcome holds %d cells, want 18", len(out.Cells))
	}
	checkDefaultMatrixResults(t, opts.OutDir, simTTFT, simITL)
	checkNoContainersLeft(t, opts)
}

// writeFile writes content to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestMatrixBrokenCells runs a matrix where one model's server cannot start
// (the simulator rejects its flag, as vLLM would) and one workload times
// out: the other cells complete, the failures carry their reasons, and the
// run reports failure.
func TestMatrixBrokenCells(t *testing.T) {
	opts := simTarget(t)
	dir := t.TempDir()
	writeFile(t, dir, "slow.json", `{"name": "slow", "num_requests": 4, "max_tokens": 1500, "concurrency": 4,
		"input_len": 16, "warmup_requests": 0, "timeout": "1s"}`)
	path := writeFile(t, dir, "matrix.yaml", `
frameworks: [vllm]
models:
  - id: facebook/opt-125m
  - id: Qwen/Qwen2-1.5B
    args: ["--no-such-flag"]
workloads: [small, ./slow.json]
`)
	m, err := matrix.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	opts.Matrix = m

	out, events, err := runStages(t, context.Background(), opts, false)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if !out.Failed {
		t.Error("outcome.Failed = false, want true")
	}
	byID := map[string]runner.CellResult{}
	for _, c := range out.Cells {
		byID[c.Cell.ID] = c
	}
	if c := byID["vllm/opt-125m/small"]; c.Err != nil || c.Summary == nil || c.Summary.RequestsOK != 10 {
		t.Errorf("vllm/opt-125m/small: err %v, summary %+v; want 10 ok", c.Err, c.Summary)
	}
	slow := byID["vllm/opt-125m/slow"]
	if slow.Err == nil || slow.Summary == nil || slow.Summary.Failures["timeout"] != 4 {
		t.Errorf("vllm/opt-125m/slow: err %v, summary %+v; want 4 timeouts", slow.Err, slow.Summary)
	}
	for _, id := range []string{"vllm/Qwen2-1.5B/small", "vllm/Qwen2-1.5B/slow"} {
		c := byID[id]
		if !errors.Is(c.Err, runner.ErrServerNotStarted) {
			t.Errorf("%s: err %v, want ErrServerNotStarted", id, c.Err)
			continue
		}
		if !strings.Contains(c.Err.Error(), "--no-such-flag") {
			t.Errorf("%s: error %q does not name the rejected flag", id, c.Err)
		}
	}
	if n := countStages(events, "/start", "fail"); n != 1 {
		t.Errorf("%d failed start stages, want 1", n)
	}

	run, err := results.Open(opts.OutDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Cells) != 2 {
		t.Errorf("results hold %d cells, want the 2 measured ones", len(run.Cells))
	}
	checkNoContainersLeft(t, opts)
}

// stopAfterFirstGroup cancels the run once the first server group stopped.
type stopAfterFirstGroup struct {
	*subtests
	cancel context.CancelFunc
}

func (s stopAfterFirstGroup) StageEnded(name, action string) {
	s.subtests.StageEnded(name, action)
	if strings.HasSuffix(name, "/stop") {
		s.cancel()
	}
}

// TestMatrixInterruptAndResume interrupts a run after its first server
// group: no container is left, the finished cells are readable, and
// --resume runs only the rest.
func TestMatrixInterruptAndResume(t *testing.T) {
	opts := simTarget(t)
	m := matrix.Default()
	m.Frameworks = m.Frameworks[:1]
	m.Models = m.Models[:2]
	m.Workloads = m.Workloads[:1]
	opts.Matrix = m

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rep := stage.NewReporter(io.Discard, nil, "llmbench", nil)
	rep.SetObserver(stopAfterFirstGroup{subtests: newSubtests(t), cancel: cancel})
	opts.Reporter = rep
	_, err := runner.Run(ctx, opts)
	if !errors.Is(err, runner.ErrInterrupted) || !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: err %v, want ErrInterrupted and context.Canceled", err)
	}
	checkNoContainersLeft(t, opts)

	run, err := results.Open(opts.OutDir)
	if err != nil {
		t.Fatalf("opening the interrupted run: %v", err)
	}
	if len(run.Cells) != 1 || !run.Cells[0].Info.Complete || len(run.Cells[0].Records) != 10 {
		t.Fatalf("interrupted run holds %d cells, want 1 complete cell of 10 records", len(run.Cells))
	}
	if len(run.Missing) != 1 || run.Missing[0].Model != "Qwen/Qwen2-1.5B" {
		t.Errorf("missing cells %v, want the Qwen/Qwen2-1.5B cell", run.Missing)
	}

	opts.Resume = true
	out, events, err := runWithSubtests(t, context.Background(), opts)
	if err != nil {
		t.Fatalf("resumed run: %v", err)
	}
	if n := countStages(events, "/start", "pass"); n != 1 {
		t.Errorf("resumed run started %d servers, want 1", n)
	}
	if n := countStages(events, "opt-125m/small", "skip"); n != 1 {
		t.Errorf("resumed run skipped %d finished cells, want 1", n)
	}
	if out.Failed {
		t.Error("resumed run failed")
	}
	run, err = results.Open(opts.OutDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Cells) != 2 || len(run.Missing) != 0 {
		t.Errorf("after resume: %d cells, missing %v; want 2 cells, none missing", len(run.Cells), run.Missing)
	}
	checkNoContainersLeft(t, opts)
}

// TestMatrixServerExits stops the first server in the middle of its
// workload: the cell fails with the server's exit, the records measured so
// far are kept, and the next server group still runs.
func TestMatrixServerExits(t *testing.T) {
	opts := simTarget(t)
	if opts.Target != runner.TargetContainer {
		t.Skip("needs containers: an in-process simulator has no exit code")
	}
	dir := t.TempDir()
	writeFile(t, dir, "long.json", `{"name": "long", "num_requests": 40, "max_tokens": 500, "concurrency": 4,
		"input_len": 16, "warmup_requests": 0, "timeout": "30s"}`)
	path := writeFile(t, dir, "matrix.yaml", `
frameworks: [vllm]
models:
  - id: facebook/opt-125m
    args: ["--sim-exit-after", "1500ms"]
  - id: Qwen/Qwen2-1.5B
workloads: [./long.json]
`)
	m, err := matrix.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	opts.Matrix = m

	out, _, err := runStages(t, context.Background(), opts, false)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if len(out.Cells) != 2 {
		t.Fatalf("outcome holds %d cells, want 2", len(out.Cells))
	}
	died, next := out.Cells[0], out.Cells[1]
	if !errors.Is(died.Err, runner.ErrServerExited) {
		t.Errorf("first cell: err %v, want ErrServerExited", died.Err)
	} else if !strings.Contains(died.Err.Error(), "code") {
		t.Errorf("first cell: error %q does not give the exit code", died.Err)
	}
	if next.Err != nil || next.Summary == nil || next.Summary.RequestsOK != 40 {
		t.Errorf("second group: err %v, summary %+v; want 40 ok", next.Err, next.Summary)
	}

	run, err := results.Open(opts.OutDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Cells) != 2 {
		t.Fatalf("results hold %d cells, want 2", len(run.Cells))
	}
	first := run.Cells[0]
	if first.Info.Complete {
		t.Error("the cell whose server exited is marked complete")
	}
	ok := 0
	for _, r := range first.Records {
		if r.OK {
			ok++
		}
	}
	if ok == 0 || ok == 40 {
		t.Errorf("the cell whose server exited kept %d successful records, want some but not all 40", ok)
	}
	checkNoContainersLeft(t, opts)
}
