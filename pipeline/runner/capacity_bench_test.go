package runner_test

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/matrix"
	"github.com/llmbench/llmbench-action/pipeline/record"
	"github.com/llmbench/llmbench-action/pipeline/results"
	"github.com/llmbench/llmbench-action/pipeline/runner"
	"github.com/llmbench/llmbench-action/pipeline/workload"
)

// BenchmarkStreamCapacity measures how accurately one core of client
// measures TTFT as the number of concurrent streams grows. The simulator
// runs in a child process with a fixed TTFT of 50 ms and 10 ms between
// tokens; the client runs with GOMAXPROCS=1. Reported per stream count:
// the TTFT error (measured minus 50 ms) at p50 and p99, the TPOT error at
// p50, and the peak Go heap per open stream.
//
//	go test -run '^$' -bench StreamCapacity -benchtime 1x ./pipeline/runner
func BenchmarkStreamCapacity(b *testing.B) {
	const (
		ttft   = 50 * time.Millisecond
		itl    = 10 * time.Millisecond
		tokens = 64
	)
	endpoint := startSimProcess(b, "--model", "facebook/opt-125m", "--max-num-seqs", "4096",
		"--sim-ttft", ttft.String(), "--sim-itl", itl.String())

	for _, streams := range []int{64, 128, 256, 512, 1024} {
		b.Run(fmt.Sprintf("streams=%d", streams), func(b *testing.B) {
			w := capacityWorkload(b, streams, tokens)
			previous := runtime.GOMAXPROCS(1)
			defer runtime.GOMAXPROCS(previous)

			for i := 0; i < b.N; i++ {
				var base runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&base)
				peak, stop := samplePeakHeap()

				records := runCapacity(b, endpoint, w)
				stop()

				ttftErr, tpotErr := timingErrors(records, ttft, itl)
				b.ReportMetric(percentile(ttftErr, 0.50), "ttft-err-p50-ms")
				b.ReportMetric(percentile(ttftErr, 0.99), "ttft-err-p99-ms")
				b.ReportMetric(percentile(tpotErr, 0.50), "tpot-err-p50-ms")
				b.ReportMetric(float64(peak()-base.HeapAlloc)/float64(streams)/1024, "heap-KiB/stream")
			}
		})
	}
}

// BenchmarkCellOverhead measures the time a cell takes beyond what the
// server needs. The medium workload (50 requests of 128 tokens, 8 users)
// runs against the in-process simulator with a fixed TTFT of 5 ms and 1 ms
// between tokens, which needs 7 rounds of 5 ms + 127 ms. Everything above
// that is llmbench: scheduling, the client, writing Parquet and summarizing.
//
//	go test -run '^$' -bench CellOverhead -benchtime 5x ./pipeline/runner
func BenchmarkCellOverhead(b *testing.B) {
	const (
		ttft = 5 * time.Millisecond
		itl  = 1 * time.Millisecond
	)
	w, err := workload.Builtin("medium")
	if err != nil {
		b.Fatal(err)
	}
	w.WarmupRequests = 0
	rounds := (w.NumRequests + w.Concurrency - 1) / w.Concurrency
	ideal := time.Duration(rounds) * (ttft + time.Duration(w.MaxTokens-1)*itl)

	m := matrix.Default()
	m.Frameworks = m.Frameworks[:1]
	m.Models = m.Models[:1]
	m.Workloads = []workload.Workload{w}

	var total time.Duration
	for i := 0; i < b.N; i++ {
		opts := runner.Options{
			Matrix: m, Target: runner.TargetSim, OutDir: b.TempDir(),
			SimTTFT: ttft, SimITL: itl, ScrapeInterval: -1,
		}
		_, events, err := runStages(nil, context.Background(), opts, false)
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range events {
			if e.Test == "vllm/opt-125m/medium" && e.Action == "pass" && e.Elapsed != nil {
				total += time.Duration(*e.Elapsed * float64(time.Second))
			}
		}
	}
	perCell := total / time.Duration(b.N)
	b.ReportMetric(float64(perCell-ideal)/1e6, "overhead-ms/cell")
	b.ReportMetric(float64(ideal)/1e6, "server-ms/cell")
}

func capacityWorkload(b *testing.B, streams, tokens int) workload.Workload {
	w, err := workload.Builtin("medium")
	if err != nil {
		b.Fatal(err)
	}
	w.Name = "capacity"
	w.NumRequests = streams
	w.Concurrency = streams
	w.MaxTokens = tokens
	w.InputLen = 32
	w.WarmupRequests = streams
	return w
}

func runCapacity(b *testing.B, endpoint string, w workload.Workload) []record.Record {
	m := matrix.Default()
	m.Frameworks = m.Frameworks[:1]
	m.Models = m.Models[:1]
	m.Workloads = []workload.Workload{w}
	opts := runner.Options{
		Matrix: m, Target: runner.TargetEndpoint, Endpoint: endpoint,
		OutDir: b.TempDir(), ScrapeInterval: -1,
	}
	if _, _, err := runStages(nil, context.Background(), opts, false); err != nil {
		b.Fatal(err)
	}
	run, err := results.Open(opts.OutDir)
	if err != nil {
		b.Fatal(err)
	}
	return run.Records()
}

// timingErrors returns, in ms, each successful request's TTFT minus ttft
// and TPOT minus itl.
func timingErrors(records []record.Record, ttft, itl time.Duration) (ttftErr, tpotErr []float64) {
	for _, r := range records {
		if r.Warmup || !r.OK {
			continue
		}
		ttftErr = append(ttftErr, float64(r.TTFT-ttft)/1e6)
		if tpot, ok := r.TPOT(); ok {
			tpotErr = append(tpotErr, float64(tpot-itl)/1e6)
		}
	}
	return ttftErr, tpotErr
}

func percentile(values []float64, q float64) float64 {
	if len(values) == 0 {
		return 0
	}
	sorted := append([]float64(nil), values...)
	sort.Float64s(sorted)
	return sorted[int(q*float64(len(sorted)-1))]
}

// samplePeakHeap samples the Go heap every 10 ms until stop is called and
// returns the peak.
func samplePeakHeap() (peak func() uint64, stop func()) {
	var max atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ticker := time.NewTicker(10 * time.Millisecond)
		defer ticker.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > max.Load() {
				max.Store(m.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-ticker.C:
			}
		}
	}()
	return max.Load, func() { close(done); wg.Wait() }
}
