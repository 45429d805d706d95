package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
	"github.com/llmbench/llmbench-action/pipeline/results"
	"github.com/llmbench/llmbench-action/pipeline/results/resultstest"
)

// overrideCell returns a closed-loop cell of facebook/opt-125m, small with
// the given numbers of requests and max_tokens and concurrency 4.
func overrideCell(framework string, seed uint64, requests, maxTokens int) Cell {
	records := resultstest.Records(resultstest.Spec{
		Framework: framework, Model: "facebook/opt-125m", Workload: "small", Seed: seed,
		Requests: requests, Warmup: 1, MaxTokens: maxTokens, TTFT: 12 * time.Millisecond, ITL: 4 * time.Millisecond,
		TokensPerChunk: 1,
	})
	info := results.CellInfo{
		Framework: framework, Model: "facebook/opt-125m", Workload: "small",
		Options: metrics.Options{Concurrency: 4}, Complete: true,
	}
	return Cell{Info: info, Summary: metrics.Summarize(framework, info.Model, info.Workload, records, info.Options), Records: records}
}

func TestComparisonSkipsDifferentWorkloads(t *testing.T) {
	in := Input{Cells: []Cell{overrideCell("vllm", 1, 12, 32), overrideCell("sglang", 2, 10, 64)}}
	want := "not compared: the workloads differ (vllm: 12 requests, max_tokens 32, concurrency 4; " +
		"sglang: 10 requests, max_tokens 64, concurrency 4)"
	for _, format := range []Format{FormatMarkdown, FormatText} {
		var out bytes.Buffer
		if err := Write(&out, format, in); err != nil {
			t.Fatal(err)
		}
		report := out.String()
		start := strings.Index(report, "Framework comparison")
		if start < 0 {
			t.Fatalf("%s report has no framework comparison section:\n%s", format, report)
		}
		comparison := report[start:]
		if !strings.Contains(comparison, want) {
			t.Errorf("%s report lacks %q:\n%s", format, want, comparison)
		}
		for _, metric := range []string{"E2E p50", "output tok/s", "better"} {
			if strings.Contains(comparison, metric) {
				t.Errorf("%s report compares %s of different workloads:\n%s", format, metric, comparison)
			}
		}
	}
}

func TestComparisonSameWorkloadsCompared(t *testing.T) {
	in := Input{Cells: []Cell{overrideCell("vllm", 1, 10, 64), overrideCell("sglang", 2, 10, 64)}}
	got, ok := comparisonSection(in)
	if !ok || len(got.tables) != 1 {
		t.Fatalf("comparison section: ok %v, %d tables, want 1 table", ok, len(got.tables))
	}
	if rows := len(got.tables[0].rows); rows != len(comparedMetrics) {
		t.Errorf("comparison of the same workload has %d rows, want %d", rows, len(comparedMetrics))
	}
}

func TestWorkloadSettingsMatch(t *testing.T) {
	base := func() workloadSettings {
		return workloadSettings{requests: 10, complete: true, maxTokens: "64", concurrency: 4, targetRate: "2", inputLen: 128}
	}
	tests := []struct {
		name   string
		change func(s *workloadSettings)
		want   bool
	}{
		{"same", func(s *workloadSettings) {}, true},
		{"requests", func(s *workloadSettings) { s.requests = 12 }, false},
		{"fewer requests of an incomplete cell", func(s *workloadSettings) { s.requests, s.complete = 7, false }, true},
		{"max_tokens", func(s *workloadSettings) { s.maxTokens = "32" }, false},
		{"max_tokens unknown", func(s *workloadSettings) { s.maxTokens = "" }, true},
		{"concurrency", func(s *workloadSettings) { s.concurrency = 8 }, false},
		{"target rate", func(s *workloadSettings) { s.targetRate = "4" }, false},
		{"closed loop", func(s *workloadSettings) { s.targetRate = "" }, false},
		{"same rate in another form", func(s *workloadSettings) { s.targetRate = "2.0" }, true},
		{"input length", func(s *workloadSettings) { s.inputLen = 256 }, false},
		{"input length varies", func(s *workloadSettings) { s.inputLen = 0 }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			other := base()
			tt.change(&other)
			if got := base().matches(other); got != tt.want {
				t.Errorf("%+v matches %+v = %v, want %v", base(), other, got, tt.want)
			}
			if got := other.matches(base()); got != tt.want {
				t.Errorf("%+v matches %+v = %v, want %v", other, base(), got, tt.want)
			}
		})
	}
}

func TestSettingsOfRecords(t *testing.T) {
	c := overrideCell("vllm", 1, 12, 32)
	got := settingsOf(&c)
	if got.requests != 12 || got.maxTokens != "32" || got.concurrency != 4 || got.targetRate != "" {
		t.Errorf("settings %+v, want 12 requests, max_tokens 32, concurrency 4, closed loop", got)
	}
	if got.inputLen != 0 {
		t.Errorf("input length of prompts of varying length = %d, want 0 (not derivable)", got.inputLen)
	}

	for i := range c.Records {
		c.Records[i].InputTokensClient = 128
	}
	c.Records[len(c.Records)-1].MaxTokens = 16
	got = settingsOf(&c)
	if got.inputLen != 128 || got.maxTokens != "16-32" {
		t.Errorf("settings %+v, want input 128 tokens and max_tokens 16-32", got)
	}

	c.Records = nil
	c.Summary.RequestsTotal = 9
	got = settingsOf(&c)
	if got.requests != 9 || got.maxTokens != "" || got.inputLen != 0 {
		t.Errorf("settings without records %+v, want 9 requests from the summary and no max_tokens or input length", got)
	}
}

func TestComparisonSkipsDifferentInputLength(t *testing.T) {
	in := Input{Cells: []Cell{overrideCell("vllm", 1, 10, 64), overrideCell("sglang", 2, 10, 64)}}
	for i, length := range []int{128, 256} {
		records := in.Cells[i].Records
		for j := range records {
			records[j].InputTokensClient = length
		}
	}
	var out bytes.Buffer
	if err := Markdown(&out, in); err != nil {
		t.Fatal(err)
	}
	want := "not compared: the workloads differ (vllm: 10 requests, max_tokens 64, concurrency 4, input 128 tokens; " +
		"sglang: 10 requests, max_tokens 64, concurrency 4, input 256 tokens)"
	if !strings.Contains(out.String(), want) {
		t.Errorf("report.md lacks %q:\n%s", want, out.String())
	}
}
