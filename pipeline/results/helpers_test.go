package results

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
	"github.com/llmbench/llmbench-action/pipeline/record"
	"github.com/llmbench/llmbench-action/pipeline/results/resultstest"
)

// testCell is a cell and its generated records.
type testCell struct {
	info    CellInfo
	records []record.Record
}

func testRunInfo() RunInfo {
	return RunInfo{
		ToolVersion: "v0.3.0",
		GitCommit:   "0123456789abcdef0123456789abcdef01234567",
		Matrix:      json.RawMessage(`{"frameworks":["vllm","sglang"],"models":["facebook/opt-125m"],"workloads":["small"]}`),
		Planned: []CellKey{
			{Framework: "vllm", Model: "facebook/opt-125m", Workload: "small"},
			{Framework: "sglang", Model: "facebook/opt-125m", Workload: "small"},
		},
		GPUName:    "NVIDIA A10G",
		GPUDriver:  "550.54.15",
		GPUCount:   1,
		RunnerName: "gpu-runner-1",
		StartedAt:  time.Date(2025, 3, 14, 9, 26, 0, 0, time.UTC),
		Env:        map[string]string{"CUDA_VISIBLE_DEVICES": "0"},
	}
}

func testCells() []testCell {
	opts := metrics.Options{PricePerHourUSD: 1.006, TargetRate: 4, Concurrency: 8, SLO: metrics.SLO{TTFT: 250 * time.Millisecond}}
	vllm := resultstest.Spec{
		Framework: "vllm", Model: "facebook/opt-125m", Workload: "small",
		Seed: 1, Requests: 10, Warmup: 2, MaxTokens: 64, TTFT: 20 * time.Millisecond, ITL: 8 * time.Millisecond,
		Rate: 4, FailEvery: 4, TokensPerChunk: 1, Quirks: true,
	}
	sglang := vllm
	sglang.Framework = "sglang"
	sglang.Seed = 2
	sglang.TokensPerChunk = 3
	return []testCell{
		{
			info:    CellInfo{Framework: "vllm", Model: "facebook/opt-125m", Workload: "small", Options: opts, Image: "vllm/vllm-openai:v0.8.5", ImageDigest: "sha256:aaaa", ModelRevision: "main", Target: "container", Complete: true},
			records: resultstest.Records(vllm),
		},
		{
			info:    CellInfo{Framework: "sglang", Model: "facebook/opt-125m", Workload: "small", Options: opts, Image: "lmsysorg/sglang:v0.4.6", ImageDigest: "sha256:bbbb", ModelRevision: "main", Target: "container", Complete: false},
			records: resultstest.Records(sglang),
		},
	}
}

// writeTestRun writes the test cells into dir and closes the writer.
func writeTestRun(t *testing.T, dir string) []testCell {
	t.Helper()
	cells := testCells()
	w, err := Create(dir, testRunInfo())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	for _, c := range cells {
		if err := w.WriteCell(c.info, c.records); err != nil {
			t.Fatalf("WriteCell %s: %v", c.info.Key(), err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return cells
}

// stored returns records as they read back: the scheduled time in UTC at
// microsecond precision, without a monotonic reading.
func stored(records []record.Record) []record.Record {
	out := make([]record.Record, len(records))
	for i, r := range records {
		r.ScheduledAt = r.ScheduledAt.Truncate(time.Microsecond).UTC().Round(0)
		out[i] = r
	}
	return out
}
