package ghcomment

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
	"github.com/llmbench/llmbench-action/pipeline/record"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func ptr(v float64) *float64 { return &v }

// dist returns a latency distribution around base milliseconds.
func dist(base float64, n int) metrics.Distribution {
	return metrics.Distribution{
		Mean: ptr(base * 1.1), P50: ptr(base), P90: ptr(base * 1.6), P95: ptr(base * 1.8),
		P99: ptr(base * 2.4), Min: ptr(base * 0.7), Max: ptr(base * 2.9), Stdev: ptr(base * 0.3), N: n,
	}
}

// summary returns a successful cell whose numbers scale with speed.
func summary(framework, model, workload string, requests int, speed float64) metrics.Summary {
	duration := float64(requests) / (2 * speed)
	outTokens := requests * 64
	return metrics.Summary{
		Framework: framework, Model: model, Workload: workload,
		RequestsTotal: requests, RequestsOK: requests, Failures: map[record.FailureKind]int{},
		DurationS:             duration,
		RequestThroughput:     ptr(float64(requests) / duration),
		OutputTokenThroughput: ptr(float64(outTokens) / duration),
		TotalTokenThroughput:  ptr(float64(outTokens*2) / duration),
		TTFT:                  dist(21.4/speed, requests),
		TPOT:                  dist(4.2/speed, requests),
		ITL:                   dist(4.0/speed, requests*63),
		ITLToken:              dist(4.1/speed, requests*63),
		E2E:                   dist(290/speed, requests),
		InputTokens:           requests * 64, OutputTokens: outTokens,
		CostPer1MOutputTokensUSD: ptr(1.006 / (float64(outTokens) / duration * 3600) * 1e6),
		CostPer1MTotalTokensUSD:  ptr(1.006 / (float64(outTokens*2) / duration * 3600) * 1e6),
	}
}

var planModels = []string{"facebook/opt-125m", "Qwen/Qwen2-1.5B", "microsoft/phi-2"}

var planWorkloads = []struct {
	name     string
	requests int
}{{"small", 10}, {"medium", 50}, {"large", 100}}

func planReport() Report {
	var r Report
	for _, w := range planWorkloads {
		for i, m := range planModels {
			speed := 3.0 / float64(i+1)
			r.Summaries = append(r.Summaries,
				summary("vllm", m, w.name, w.requests, speed),
				summary("sglang", m, w.name, w.requests, speed*0.97))
		}
	}
	// One cell with failed requests and warnings.
	s := &r.Summaries[3]
	s.RequestsOK, s.RequestsFailed = 8, 2
	s.Failures = map[record.FailureKind]int{record.FailureTimeout: 2}
	s.ShortOutputs = 1
	s.Warnings = []string{"requested 64 tokens, got 17, finish_reason=stop although ignore_eos was set"}
	// One model where SGLang is clearly faster.
	*r.Summaries[11].OutputTokenThroughput *= 1.5

	r.MatrixID = "plan"
	r.Environment = Environment{
		Commit: "0123456789abcdef0123456789abcdef01234567", Branch: "feature/faster-kv",
		Runner: "gpu-runner-1", GPU: "NVIDIA A10G (driver 550.54)",
		Date:        time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC),
		Images:      []string{"vllm/vllm-openai:v0.6.3@sha256:aaaa", "lmsysorg/sglang:v0.3.5@sha256:bbbb"},
		ToolVersion: "v0.1.0", InstanceType: "g5.xlarge", PricePerHourUSD: 1.006,
	}
	r.Links = Links{
		Run:       "https://github.com/acme/serving/actions/runs/42",
		Artifacts: "https://github.com/acme/serving/actions/runs/42#artifacts",
	}
	return r
}

func allFailedReport() Report {
	r := planReport()
	r.Summaries = r.Summaries[:2]
	r.Summaries[0] = metrics.Summary{
		Framework: "vllm", Model: "facebook/opt-125m", Workload: "small",
		RequestsTotal: 10, RequestsFailed: 10,
		Failures: map[record.FailureKind]int{record.FailureHTTP5xx: 7, record.FailureConnect: 3},
	}
	r.Failures = []CellFailure{{
		Framework: "sglang", Model: "Qwen/Qwen2-1.5B", Stage: "ready",
		Message: "server not ready after 10m0s: GET /health: connection refused",
	}}
	return r
}

func manyModelsReport(models int) Report {
	r := planReport()
	r.Summaries = nil
	for _, w := range planWorkloads {
		for i := range models {
			m := fmt.Sprintf("org-%02d/model-%02d-%dB", i, i, i+1)
			speed := 1 + float64(i%7)/3
			r.Summaries = append(r.Summaries,
				summary("vllm", m, w.name, w.requests, speed),
				summary("sglang", m, w.name, w.requests, speed*1.02))
		}
	}
	return r
}

const injection = "</details><img src=x onerror=alert(1)> | @org/team"

func injectionReport() Report {
	r := planReport()
	r.Summaries = r.Summaries[:2]
	for i := range r.Summaries {
		r.Summaries[i].Model = injection
		r.Summaries[i].Warnings = []string{"line one\n## heading [link](https://evil.example) `code` ```mermaid"}
	}
	r.Environment.Branch = "main\"><script>alert(1)</script>"
	r.Environment.Runner = "runner @everyone"
	r.Failures = []CellFailure{{Framework: "vllm\n|x|", Model: injection, Stage: "start", Message: "exit 1: <b>boom</b> ]]>"}}
	return r
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatalf("writing golden file: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the rendering; run go test -update and review the diff.\n--- got ---\n%s", path, got)
	}
}

func TestRenderGolden(t *testing.T) {
	tests := []struct {
		name   string
		render func() string
	}{
		{"comment_plan.md", func() string { return RenderComment(planReport()) }},
		{"summary_plan.md", func() string { return RenderStepSummary(planReport()) }},
		{"comment_all_failed.md", func() string { return RenderComment(allFailedReport()) }},
		{"summary_all_failed.md", func() string { return RenderStepSummary(allFailedReport()) }},
		{"comment_30_models.md", func() string { return RenderComment(manyModelsReport(30)) }},
		{"comment_injection.md", func() string { return RenderComment(injectionReport()) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkGolden(t, tt.name, tt.render())
		})
	}
}

func TestRenderCommentStartsWithMarker(t *testing.T) {
	body := RenderComment(planReport())
	if want := "<!-- llmbench:comment matrix=plan -->\n"; !strings.HasPrefix(body, want) {
		t.Errorf("comment starts with %q, want the marker %q", body[:min(len(body), 60)], want)
	}
	if strings.Contains(RenderStepSummary(planReport()), "llmbench:comment") {
		t.Error("step summary carries the sticky-comment marker")
	}
}

func TestRenderNullMetricsAsNA(t *testing.T) {
	r := planReport()
	r.Summaries = r.Summaries[:1]
	r.Summaries[0].TPOT = metrics.Distribution{}
	r.Summaries[0].CostPer1MOutputTokensUSD = nil
	body := RenderComment(r)
	row := tableRows(body)[0]
	cells := strings.Split(strings.Trim(row, "| "), " | ")
	if got := cells[6]; got != "n/a" {
		t.Errorf("TPOT p50 cell = %q, want n/a", got)
	}
	if got := cells[10]; got != "n/a" {
		t.Errorf("cost cell = %q, want n/a", got)
	}
}

func TestRenderAllFailedCell(t *testing.T) {
	body := RenderComment(allFailedReport())
	rows := tableRows(body)
	if len(rows) != 3 {
		t.Fatalf("got %d table rows, want 3 (vllm failed, sglang ok, sglang Qwen did not start):\n%s", len(rows), body)
	}
	if !strings.Contains(rows[0], "**0/10 succeeded**") {
		t.Errorf("all-failed row %q does not say 0/10 succeeded", rows[0])
	}
	for _, zero := range []string{"| 0.0 |", "| 0.00 |", "$0.0000"} {
		if strings.Contains(rows[0], zero) {
			t.Errorf("all-failed row %q shows a zero metric %q", rows[0], zero)
		}
	}
	if !strings.Contains(rows[2], "failed at ready") {
		t.Errorf("row of the server that never became ready = %q, want it to say failed at ready", rows[2])
	}
	for _, row := range rows {
		if strings.Contains(row, "★") || strings.Contains(row, "~") {
			t.Errorf("row %q of a model with one measured framework carries a mark", row)
		}
	}
}

func TestRenderMarksBetterFramework(t *testing.T) {
	body := RenderComment(planReport())
	rows := tableRows(body)
	// Workload medium, microsoft/phi-2: SGLang's throughput was raised by 50%.
	found := false
	for _, row := range rows {
		if strings.Contains(row, "phi-2") && strings.Contains(row, "sglang ★") {
			found = true
		}
		if strings.Contains(row, "vllm ★") && strings.Contains(row, "phi-2") {
			t.Errorf("row %q marks vllm better although sglang is faster", row)
		}
	}
	if !found {
		t.Errorf("no phi-2 row marks sglang as better:\n%s", strings.Join(rows, "\n"))
	}
	if !strings.Contains(body, "~") {
		t.Error("frameworks within 5% carry no ~ mark")
	}
}

func TestRender30ModelsFitsComment(t *testing.T) {
	body := RenderComment(manyModelsReport(30))
	if len(body) > CommentLimit {
		t.Fatalf("comment is %d bytes, over GitHub's limit of %d", len(body), CommentLimit)
	}
	if got := strings.Count(body, "<details><summary>60 rows: 30 models × 2 frameworks</summary>"); got != 3 {
		t.Errorf("%d workload tables folded, want 3", got)
	}
	if got := len(tableRows(body)); got != 180 {
		t.Errorf("%d table rows, want all 180 (folding alone should fit)", got)
	}
}

func TestRenderCutsRowsUnderLimit(t *testing.T) {
	o := CommentOptions()
	o.Limit = 12000
	body := Render(manyModelsReport(30), o)
	if len(body) > o.Limit {
		t.Fatalf("body is %d bytes, over the limit of %d", len(body), o.Limit)
	}
	if !regexp.MustCompile(`_… \d+ more rows in the report artifact\._`).MatchString(body) {
		t.Errorf("cut body does not say how many rows are in the report artifact:\n%s", body)
	}
	if strings.Count(body, "<details>") != strings.Count(body, "</details>") {
		t.Error("cut body leaves a <details> element open")
	}
}

func TestRenderTinyLimit(t *testing.T) {
	o := CommentOptions()
	o.Limit = 200
	body := Render(planReport(), o)
	if len(body) > o.Limit {
		t.Fatalf("body is %d bytes, over the limit of %d", len(body), o.Limit)
	}
	if !strings.HasPrefix(body, Marker("plan")) {
		t.Errorf("minimal body lost the marker: %q", body)
	}
}

func TestRenderInjectionHarmless(t *testing.T) {
	body := RenderComment(injectionReport())
	for _, bad := range []string{"<img", "</details><img", "<script", "<b>", "@org/team", "@everyone", "[link](https", "](https://evil", "```mermaid\"", "\n## heading"} {
		if strings.Contains(body, bad) {
			t.Errorf("rendered comment contains %q", bad)
		}
	}
	if open, closed := strings.Count(body, "<details>"), strings.Count(body, "</details>"); open != closed {
		t.Errorf("%d <details> but %d </details>", open, closed)
	}
	for _, row := range tableRows(body) {
		if n := strings.Count(row, "|"); n != 13 {
			t.Errorf("table row has %d pipes, want 13: %q", n, row)
		}
	}
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "x-axis") {
			labels := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(line), "x-axis ["), "]")
			for _, label := range strings.Split(labels, ", ") {
				inner := strings.Trim(label, `"`)
				if strings.ContainsAny(inner, "\"[]<>`,;") {
					t.Errorf("chart label %q carries Mermaid syntax", label)
				}
			}
		}
	}
}

func TestEscapeText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"facebook/opt-125m", "facebook/opt-125m"},
		{"a|b", "a&#124;b"},
		{"<x>&", "&lt;x&gt;&amp;"},
		{"@team", "@&#8203;team"},
		{"line\nbreak", "line break"},
		{"[t](u)", "&#91;t&#93;&#40;u&#41;"},
		{"`x`", "&#96;x&#96;"},
		{"https://x", "https:&#8203;//x"},
		{"\u202eevil", "evil"},
	}
	for _, tt := range tests {
		if got := escapeText(tt.in, maxTextRunes); got != tt.want {
			t.Errorf("escapeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMarkerID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "default"},
		{"plan", "plan"},
		{"matrices/plan.yaml", "matrices/plan.yaml"},
		{"a --> b", "a-----b"},
	}
	for _, tt := range tests {
		if got := MarkerID(tt.in); got != tt.want {
			t.Errorf("MarkerID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAxisTop(t *testing.T) {
	tests := []struct{ in, want float64 }{{0, 1}, {1843.2, 2500}, {90, 100}, {9, 10}}
	for _, tt := range tests {
		if got := axisTop(tt.in); got != tt.want {
			t.Errorf("axisTop(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// tableRows returns the data rows of the workload tables: the lines after a
// "| Model |" header and its separator, up to the next line that is not a
// table row.
func tableRows(body string) []string {
	var rows []string
	inTable := false
	for _, line := range strings.Split(body, "\n") {
		switch {
		case strings.HasPrefix(line, "| Model |"):
			inTable = true
		case inTable && strings.HasPrefix(line, "|---"):
		case inTable && strings.HasPrefix(line, "|"):
			rows = append(rows, line)
		default:
			inTable = false
		}
	}
	return rows
}

func BenchmarkRenderComment30Models(b *testing.B) {
	r := manyModelsReport(30)
	for b.Loop() {
		_ = RenderComment(r)
	}
}
