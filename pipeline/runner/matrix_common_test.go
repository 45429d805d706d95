package runner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/container"
	"github.com/llmbench/llmbench-action/pipeline/matrix"
	"github.com/llmbench/llmbench-action/pipeline/results"
	"github.com/llmbench/llmbench-action/pipeline/runner"
	"github.com/llmbench/llmbench-action/pipeline/stage"
)

// runWithSubtests runs opts with every stage mirrored as a subtest of t,
// and returns the outcome and the test2json events written.
func runWithSubtests(t *testing.T, ctx context.Context, opts runner.Options) (runner.Outcome, []stage.Event, error) {
	t.Helper()
	return runStages(t, ctx, opts, true)
}

// runStages runs opts and returns the outcome and the test2json events
// written. With mirror, every stage is also a subtest of t, so a failed
// stage fails t.
func runStages(t *testing.T, ctx context.Context, opts runner.Options, mirror bool) (runner.Outcome, []stage.Event, error) {
	var events bytes.Buffer
	rep := stage.NewReporter(io.Discard, &events, "llmbench", nil)
	if mirror {
		rep.SetObserver(newSubtests(t))
	}
	opts.Reporter = rep
	out, err := runner.Run(ctx, opts)
	rep.Finish()
	decoded, decodeErr := decodeEvents(events.Bytes())
	if decodeErr != nil {
		return out, nil, errors.Join(err, decodeErr)
	}
	return out, decoded, err
}

func decodeEvents(data []byte) ([]stage.Event, error) {
	var events []stage.Event
	dec := json.NewDecoder(bytes.NewReader(data))
	for dec.More() {
		var e stage.Event
		if err := dec.Decode(&e); err != nil {
			return nil, fmt.Errorf("decoding stage events: %w", err)
		}
		events = append(events, e)
	}
	return events, nil
}

// countStages counts the stages whose name ends with suffix and that ended
// with action.
func countStages(events []stage.Event, suffix, action string) int {
	n := 0
	for _, e := range events {
		if e.Action == action && strings.HasSuffix(e.Test, suffix) {
			n++
		}
	}
	return n
}

// checkDefaultMatrixResults checks a results directory of the default
// matrix: every cell present and complete, every request successful, the
// latencies consistent with the fixed simulator latencies (or only present
// when ttft is zero), and the report and charts written.
func checkDefaultMatrixResults(t *testing.T, dir string, ttft, itl time.Duration) {
	t.Helper()
	if err := runner.WriteArtifacts(dir, runner.ArtifactOptions{Charts: true}); err != nil {
		t.Fatalf("writing report and charts: %v", err)
	}
	run, err := results.Open(dir)
	if err != nil {
		t.Fatalf("opening results: %v", err)
	}
	cells := matrix.Default().Cells()
	if len(run.Cells) != len(cells) {
		t.Fatalf("results hold %d cells, want %d", len(run.Cells), len(cells))
	}
	if len(run.Missing) != 0 {
		t.Errorf("missing cells: %v", run.Missing)
	}
	if inc := run.Incomplete(); len(inc) != 0 {
		t.Errorf("incomplete cells: %v", inc)
	}

	for i, s := range run.Summaries() {
		c := cells[i]
		name := c.ID
		if s.RequestsOK != c.Workload.NumRequests || s.RequestsFailed != 0 {
			t.Errorf("%s: %d ok, %d failed; want %d ok", name, s.RequestsOK, s.RequestsFailed, c.Workload.NumRequests)
		}
		if want := c.Workload.NumRequests * c.Workload.MaxTokens; s.OutputTokens != want {
			t.Errorf("%s: %d output tokens, want %d (every token counted)", name, s.OutputTokens, want)
		}
		if s.OutputTokenThroughput == nil || *s.OutputTokenThroughput <= 0 {
			t.Errorf("%s: output token throughput %v, want > 0", name, s.OutputTokenThroughput)
		}
		if s.TTFT.P50 == nil || s.TPOT.P50 == nil || s.E2E.P99 == nil {
			t.Errorf("%s: TTFT p50 %v, TPOT p50 %v, E2E p99 %v; want all present", name, s.TTFT.P50, s.TPOT.P50, s.E2E.P99)
			continue
		}
		if ttft > 0 {
			// The server cannot send earlier than its fixed latencies, so these
			// lower bounds hold on any machine. How close the measurement comes
			// to them is checked by TestGroundTruthOnSimulator, alone on the
			// machine.
			wantTTFT := float64(ttft) / 1e6
			if *s.TTFT.Min < wantTTFT {
				t.Errorf("%s: TTFT min %.2f ms, below the server's fixed %.0f ms", name, *s.TTFT.Min, wantTTFT)
			}
			wantE2E := float64(ttft+time.Duration(c.Workload.MaxTokens-1)*itl) / 1e6
			if *s.E2E.Min < wantE2E {
				t.Errorf("%s: E2E min %.2f ms, below the server's %.0f ms for %d tokens", name, *s.E2E.Min, wantE2E, c.Workload.MaxTokens)
			}
		}
	}

	for _, name := range []string{"requests.parquet", "summary.parquet", "summary.json", "summary.csv", "report.md"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("results file: %v", err)
		}
	}
	charts, _ := filepath.Glob(filepath.Join(dir, "charts", "throughput-*.png"))
	if len(charts) != 3 {
		t.Errorf("found %d throughput charts, want 3 (one per workload): %v", len(charts), charts)
	}
	report, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, model := range []string{"facebook/opt-125m", "Qwen/Qwen2-1.5B", "microsoft/phi-2"} {
		if !bytes.Contains(report, []byte(model)) {
			t.Errorf("report.md does not mention %s", model)
		}
	}
}

// checkNoContainersLeft fails t when a container of the run is still there.
func checkNoContainersLeft(t *testing.T, opts runner.Options) {
	t.Helper()
	if opts.Target != runner.TargetContainer {
		return
	}
	left, err := container.List(context.Background(), opts.RunID)
	if err != nil {
		t.Fatalf("listing containers: %v", err)
	}
	if len(left) != 0 {
		t.Errorf("%d containers of run %s left running: %v", len(left), opts.RunID, left)
		_, _ = container.Cleanup(context.Background(), opts.RunID)
	}
}
