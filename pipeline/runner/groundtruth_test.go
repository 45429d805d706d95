package runner_test

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/container"
	"github.com/llmbench/llmbench-action/pipeline/matrix"
	"github.com/llmbench/llmbench-action/pipeline/results"
	"github.com/llmbench/llmbench-action/pipeline/runner"
	"github.com/llmbench/llmbench-action/pipeline/sim"
	"github.com/llmbench/llmbench-action/pipeline/workload"
)

// TestGroundTruthOnSimulator checks the whole measuring path (load
// generator, streaming client, metrics) against the simulator's exact
// latencies. It runs 64 concurrent streams of 128 tokens with a time to
// first token of 50 ms and 10 ms between tokens, and every output token
// must be counted.
//
// The simulator runs in a child process, as a real server would, so that
// its goroutines do not share the client's scheduler. Scheduling noise only
// ever adds latency, so a run that meets the bounds is evidence of
// accuracy. The test therefore tries up to eight times before it fails.
//
// The latency bounds depend on LLMBENCH_STRICT_TIMING, and are never
// checked under the race detector:
//   - unset: none; other test binaries running beside this one delay its
//     goroutines by milliseconds.
//   - "1" (CI runs the test alone with it): TTFT p50 within 2 ms of 50 ms,
//     p99 within 5 ms, TPOT p50 within 0.2 ms. These hold on a shared 2-core
//     virtual machine, where the arrival of 64 requests at once costs the
//     simulator 1 ms to 4 ms before its clock starts.
//   - "goal": the accuracy goal, TTFT p50 within 1 ms and p99 within 3 ms,
//     for a quiet machine with more cores.
func TestGroundTruthOnSimulator(t *testing.T) {
	if testing.Short() {
		t.Skip("takes several seconds")
	}
	const (
		ttft    = 50 * time.Millisecond
		itl     = 10 * time.Millisecond
		streams = 64
		tokens  = 128
	)
	w, err := workload.Builtin("medium")
	if err != nil {
		t.Fatal(err)
	}
	w.Name = "ground-truth"
	w.NumRequests = streams
	w.Concurrency = streams
	w.MaxTokens = tokens
	w.WarmupRequests = 64

	m := matrix.Default()
	m.Frameworks = m.Frameworks[:1]
	m.Models = m.Models[:1]
	m.Workloads = []workload.Workload{w}

	var failures []string
	endpoint := startSimProcess(t, "--model", "facebook/opt-125m", "--sim-ttft", ttft.String(), "--sim-itl", itl.String())
	bounds, strict := timingBounds[os.Getenv(strictTimingEnv)]
	strict = strict && !raceEnabled
	for attempt := 1; attempt <= 8; attempt++ {
		opts := runner.Options{
			Matrix:         m,
			Target:         runner.TargetEndpoint,
			Endpoint:       endpoint,
			OutDir:         t.TempDir(),
			ScrapeInterval: -1,
		}
		if _, _, err := runStages(t, context.Background(), opts, false); err != nil {
			t.Fatalf("run: %v", err)
		}
		run, err := results.Open(opts.OutDir)
		if err != nil {
			t.Fatal(err)
		}
		s := run.Summaries()[0]

		// Counts are exact on every attempt.
		if s.RequestsOK != streams {
			t.Fatalf("%d of %d requests succeeded", s.RequestsOK, streams)
		}
		if s.OutputTokens != streams*tokens {
			t.Fatalf("%d output tokens counted, want %d", s.OutputTokens, streams*tokens)
		}

		failures = checkGroundTruth(s.TTFT.P50, s.TTFT.P99, s.TPOT.P50, ttft, itl, bounds)
		t.Logf("attempt %d: TTFT p50 %.3f ms p99 %.3f ms, TPOT p50 %.4f ms", attempt, *s.TTFT.P50, *s.TTFT.P99, *s.TPOT.P50)
		if len(failures) == 0 {
			return
		}
		if !strict {
			t.Logf("latency bounds not checked: set %s=1 (or goal) and run this test alone, without -race", strictTimingEnv)
			return
		}
	}
	for _, f := range failures {
		t.Error(f)
	}
}

// strictTimingEnv turns on the latency bounds of TestGroundTruthOnSimulator.
const strictTimingEnv = "LLMBENCH_STRICT_TIMING"

// groundTruthBounds are the allowed distances from the simulator's
// latencies, in milliseconds.
type groundTruthBounds struct {
	ttftP50, ttftP99, tpotP50 float64
}

// timingBounds maps the values of LLMBENCH_STRICT_TIMING to their bounds.
var timingBounds = map[string]groundTruthBounds{
	"1":    {ttftP50: 2, ttftP99: 5, tpotP50: 0.2},
	"goal": {ttftP50: 1, ttftP99: 3, tpotP50: 0.2},
}

// checkGroundTruth returns the bounds a measurement misses.
func checkGroundTruth(ttftP50, ttftP99, tpotP50 *float64, ttft, itl time.Duration, b groundTruthBounds) []string {
	var failures []string
	want := float64(ttft) / 1e6
	if ttftP50 == nil || math.Abs(*ttftP50-want) > b.ttftP50 {
		failures = append(failures, fmt.Sprintf("TTFT p50 %v ms, want %.0f ± %g ms", deref(ttftP50), want, b.ttftP50))
	}
	if ttftP99 == nil || math.Abs(*ttftP99-want) > b.ttftP99 {
		failures = append(failures, fmt.Sprintf("TTFT p99 %v ms, want %.0f ± %g ms", deref(ttftP99), want, b.ttftP99))
	}
	wantTPOT := float64(itl) / 1e6
	if tpotP50 == nil || math.Abs(*tpotP50-wantTPOT) > b.tpotP50 {
		failures = append(failures, fmt.Sprintf("TPOT p50 %v ms, want %.0f ± %g ms", deref(tpotP50), wantTPOT, b.tpotP50))
	}
	return failures
}

func deref(v *float64) any {
	if v == nil {
		return "n/a"
	}
	return *v
}

// simProcessEnv makes the test binary serve as a vLLM simulator; its value
// is the flag list, one flag per line.
const simProcessEnv = "LLMBENCH_TEST_SIM_ARGS"

// TestMain serves the simulator when the test binary was started as a
// child by startSimProcess.
func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(simProcessEnv); ok {
		os.Exit(serveSim(args))
	}
	container.DisableReaper()
	os.Exit(m.Run())
}

func serveSim(args string) int {
	argv := append([]string{"vllm", "serve"}, strings.Split(args, "\n")...)
	if handled, err := sim.ArgvMain(context.Background(), argv, os.Stdout, os.Stderr); !handled || err != nil {
		fmt.Fprintln(os.Stderr, "simulator:", err)
		return 2
	}
	return 0
}

// startSimProcess starts the simulator with the vLLM flags args in a child
// process on a free loopback port and returns its base URL.
func startSimProcess(t testing.TB, args ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	args = append(args, "--host", "127.0.0.1", "--port", strconv.Itoa(port))
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), simProcessEnv+"="+strings.Join(args, "\n"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the simulator process: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	go func() {
		lines := bufio.NewScanner(stderr)
		for lines.Scan() {
			t.Log("simulator: " + lines.Text())
		}
	}()

	base := "http://127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
			conn.Close()
			return base
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the simulator process did not listen on port %d within 10s", port)
	return ""
}
