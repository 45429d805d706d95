package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
	"github.com/llmbench/llmbench-action/pipeline/results"
	"github.com/llmbench/llmbench-action/pipeline/results/resultstest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// testInput builds a run of 2 frameworks x 3 models x 2 workloads from
// seeded records. sglang streams 3 tokens per event; phi-2 has no
// parameter count; one cell is incomplete and one is missing. The medium
// cells have an SLO except phi-2 on sglang.
func testInput() Input {
	models := []struct {
		id   string
		ttft time.Duration
		itl  time.Duration
	}{
		{"facebook/opt-125m", 12 * time.Millisecond, 4 * time.Millisecond},
		{"Qwen/Qwen2-1.5B", 25 * time.Millisecond, 9 * time.Millisecond},
		{"microsoft/phi-2", 40 * time.Millisecond, 14 * time.Millisecond},
	}
	workloads := []struct {
		name      string
		requests  int
		maxTokens int
		rate      float64
	}{
		{"small", 10, 64, 2},
		{"medium", 50, 128, 8},
	}

	in := Input{
		Run: results.RunInfo{
			ToolVersion: "v0.3.0",
			GitCommit:   "0123456789abcdef0123456789abcdef01234567",
			GPUName:     "NVIDIA A10G",
			GPUDriver:   "550.54.15",
			GPUCount:    1,
			RunnerName:  "gpu-runner-1",
			StartedAt:   time.Date(2025, 3, 14, 9, 26, 0, 0, time.UTC),
			Env:         map[string]string{"CUDA_VISIBLE_DEVICES": "0"},
		},
		Params:      map[string]float64{"facebook/opt-125m": 125e6, "Qwen/Qwen2-1.5B": 1.5e9},
		GeneratedAt: time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC),
		Missing:     []results.CellKey{{Framework: "sglang", Model: "microsoft/phi-2", Workload: "large"}},
		Charts:      []string{"charts/ttft.png", "charts/output throughput.svg"},
	}
	seed := uint64(10)
	for _, w := range workloads {
		for _, m := range models {
			for _, framework := range []string{"vllm", "sglang"} {
				seed++
				spec := resultstest.Spec{
					Framework: framework, Model: m.id, Workload: w.name, Seed: seed,
					Requests: w.requests, Warmup: 2, MaxTokens: w.maxTokens, TTFT: m.ttft, ITL: m.itl,
					Rate: w.rate, TokensPerChunk: 1,
				}
				if framework == "sglang" {
					spec.TokensPerChunk = 3
					spec.TTFT = m.ttft * 8 / 10
					spec.ITL = m.itl * 11 / 10
				}
				if w.name == "medium" && m.id == "Qwen/Qwen2-1.5B" {
					spec.FailEvery = 9
					spec.Quirks = true
				}
				if w.name == "small" && m.id == "microsoft/phi-2" {
					// The same distribution for both frameworks, so no
					// difference is significant.
					spec.TTFT, spec.ITL, spec.TokensPerChunk = m.ttft, m.itl, 1
				}
				info := results.CellInfo{
					Framework: framework, Model: m.id, Workload: w.name,
					Options:  metrics.Options{PricePerHourUSD: 1.006, TargetRate: w.rate},
					Image:    map[string]string{"vllm": "vllm/vllm-openai:v0.8.5", "sglang": "lmsysorg/sglang:v0.4.6"}[framework],
					Complete: !(framework == "sglang" && w.name == "medium" && m.id == "microsoft/phi-2"),
				}
				if m.id == "microsoft/phi-2" {
					info.Options.PricePerHourUSD = 0
				}
				if w.name == "medium" && !(framework == "sglang" && m.id == "microsoft/phi-2") {
					info.Options.SLO = metrics.SLO{TTFT: 14 * time.Millisecond, TPOT: 10500 * time.Microsecond}
				}
				records := resultstest.Records(spec)
				in.Cells = append(in.Cells, Cell{
					Info:    info,
					Summary: metrics.Summarize(framework, m.id, w.name, records, info.Options),
					Records: records,
				})
			}
		}
	}
	return in
}

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; run go test -update to create it", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test -update and review the diff.\ngot:\n%s", name, got)
	}
}

func TestGoldenOutputs(t *testing.T) {
	in := testInput()
	for _, format := range Formats {
		t.Run(string(format), func(t *testing.T) {
			var out bytes.Buffer
			if err := Write(&out, format, in); err != nil {
				t.Fatal(err)
			}
			name := map[Format]string{
				FormatText: "report.txt", FormatMarkdown: "report.md", FormatJSON: "summary.json", FormatCSV: "summary.csv",
			}[format]
			checkGolden(t, name, out.Bytes())

			var again bytes.Buffer
			if err := Write(&again, format, testInput()); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), again.Bytes()) {
				t.Errorf("two renderings of the same input differ")
			}
		})
	}
}

func TestMarkdownSections(t *testing.T) {
	var out bytes.Buffer
	if err := Markdown(&out, testInput()); err != nil {
		t.Fatal(err)
	}
	md := out.String()
	for _, want := range []string{
		"## Environment", "| GPU | NVIDIA A10G, driver 550.54.15 |", "| image vllm | `vllm/vllm-openai:v0.8.5` |",
		"## Workload small", "## Workload medium", "## Framework comparison", "### sglang vs vllm: facebook/opt-125m, small",
		"## Scaling across model sizes", "| microsoft/phi-2 | n/a |", "## Cost efficiency", "## Failures", "## Notes",
		"missing: `sglang/microsoft/phi-2/large` (no results)",
		"incomplete: `sglang/microsoft/phi-2/medium`",
		"requests waited for a concurrency slot",
		"estimated output token counts (estimated (whitespace))",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
}

func TestComparisonMarksNoSignificantDifference(t *testing.T) {
	in := testInput()
	var base, other *Cell
	for i := range in.Cells {
		c := &in.Cells[i]
		if c.Info.Model == "microsoft/phi-2" && c.Info.Workload == "small" {
			if c.Info.Framework == "vllm" {
				base = c
			} else {
				other = c
			}
		}
	}
	got := compareCells(base, other, DefaultAlpha)
	for _, row := range got.rows {
		if row[0] == "TTFT p50 (ms)" && row[4] != "~" {
			t.Errorf("TTFT of the same distribution: better = %q, want ~ (row %v)", row[4], row)
		}
	}

	// Faster TTFT in sglang for opt-125m medium (50 requests each) is
	// significant.
	for i := range in.Cells {
		c := &in.Cells[i]
		if c.Info.Model == "facebook/opt-125m" && c.Info.Workload == "medium" {
			if c.Info.Framework == "vllm" {
				base = c
			} else {
				other = c
			}
		}
	}
	got = compareCells(base, other, DefaultAlpha)
	for _, row := range got.rows {
		if row[0] == "TTFT p50 (ms)" && row[4] != "sglang" {
			t.Errorf("TTFT 20%% lower in sglang: better = %q, want sglang (row %v)", row[4], row)
		}
	}
}

func TestNullShownAsNotAvailable(t *testing.T) {
	in := testInput()
	in.Cells = in.Cells[:1]
	records := in.Cells[0].Records
	for i := range records {
		records[i].OK = false
		records[i].Failure = "http_5xx"
		records[i].HasTTFT = false
		records[i].ErrorMessage = "503 Service Unavailable"
	}
	in.Cells[0].Summary = metrics.Summarize("vllm", "facebook/opt-125m", "small", records, in.Cells[0].Info.Options)
	var out bytes.Buffer
	if err := Text(&out, in); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	if !strings.Contains(text, "vllm       facebook/opt-125m  TTFT     n/a  n/a  n/a  n/a  n/a  0") {
		t.Errorf("latency row of a cell without successes does not show n/a:\n%s", text)
	}
	if !strings.Contains(text, `small     http_5xx     10  "503 Service Unavailable"`) {
		t.Errorf("failure table lacks the count and first message:\n%s", text)
	}
}

func TestUnknownFormat(t *testing.T) {
	err := Write(&bytes.Buffer{}, "html", testInput())
	want := `unknown report format "html"; use text, markdown, json or csv`
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}
