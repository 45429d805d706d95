package action

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sethvargo/go-githubactions"

	"github.com/llmbench/llmbench-action/pipeline/ghcomment"
	"github.com/llmbench/llmbench-action/pipeline/ghcomment/ghtest"
	"github.com/llmbench/llmbench-action/pipeline/metrics"
	"github.com/llmbench/llmbench-action/pipeline/record"
)

const (
	headSHA     = "89abcdef0123456789abcdef0123456789abcdef"
	fakeHFToken = "hf_FAKEtokenDoNotLeak0123456789"
	fakeGHToken = "ghs_FAKEtokenDoNotLeak9876543210"
)

// fakeEnv is a GitHub Actions step environment in a temporary directory:
// GITHUB_* variables, the event file, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY
// files, inputs, and the captured log.
type fakeEnv struct {
	t      *testing.T
	dir    string
	vars   map[string]string
	stdout *bytes.Buffer
}

func newFakeEnv(t *testing.T, apiURL string, event map[string]any) *fakeEnv {
	t.Helper()
	dir := t.TempDir()
	e := &fakeEnv{t: t, dir: dir, stdout: &bytes.Buffer{}}
	e.vars = map[string]string{
		"GITHUB_ACTIONS":          "true",
		"GITHUB_REPOSITORY":       "acme/serving",
		"GITHUB_REPOSITORY_OWNER": "acme",
		"GITHUB_SHA":              "0000000000000000000000000000000000000000",
		"GITHUB_REF":              "refs/pull/7/merge",
		"GITHUB_REF_NAME":         "7/merge",
		"GITHUB_RUN_ID":           "42",
		"GITHUB_RUN_ATTEMPT":      "1",
		"GITHUB_SERVER_URL":       "https://github.com",
		"GITHUB_API_URL":          apiURL,
		"GITHUB_EVENT_NAME":       "pull_request",
		"GITHUB_EVENT_PATH":       filepath.Join(dir, "event.json"),
		"GITHUB_OUTPUT":           filepath.Join(dir, "output"),
		"GITHUB_STEP_SUMMARY":     filepath.Join(dir, "summary.md"),
		"RUNNER_ENVIRONMENT":      "self-hosted",
		"RUNNER_NAME":             "gpu-runner-1",
		"INPUT_TARGET":            "sim",
		"INPUT_RESULTS-DIR":       filepath.Join(dir, "results"),
		"INPUT_GITHUB-TOKEN":      fakeGHToken,
		"INPUT_HF-TOKEN":          fakeHFToken,
		"INPUT_COMMENT":           "on-change",
		"INPUT_FAIL-ON":           "failure",
	}
	e.writeEvent(event)
	return e
}

func (e *fakeEnv) writeEvent(event map[string]any) {
	e.t.Helper()
	data, err := json.Marshal(event)
	if err != nil {
		e.t.Fatalf("encoding the event: %v", err)
	}
	if err := os.WriteFile(e.vars["GITHUB_EVENT_PATH"], data, 0o644); err != nil {
		e.t.Fatalf("writing the event: %v", err)
	}
}

func (e *fakeEnv) action() *githubactions.Action {
	return githubactions.New(
		githubactions.WithWriter(e.stdout),
		githubactions.WithGetenv(func(k string) string { return e.vars[k] }),
	)
}

// run runs the action once with bench and a retry policy that never sleeps.
func (e *fakeEnv) run(bench Benchmark) (Result, error) {
	return Run(context.Background(), Config{
		Action:      e.action(),
		Log:         e.stdout,
		Benchmark:   bench,
		Retry:       ghcomment.RetryPolicy{Sleep: func(context.Context, time.Duration) error { return nil }},
		ToolVersion: "v0.1.0-test",
	})
}

func (e *fakeEnv) readFile(name string) string {
	e.t.Helper()
	data, err := os.ReadFile(e.vars[name])
	if err != nil {
		e.t.Fatalf("reading %s: %v", name, err)
	}
	return string(data)
}

// outputs parses the GITHUB_OUTPUT file written with heredoc delimiters.
func (e *fakeEnv) outputs() map[string]string {
	e.t.Helper()
	data, err := os.ReadFile(e.vars["GITHUB_OUTPUT"])
	if os.IsNotExist(err) {
		return map[string]string{}
	}
	if err != nil {
		e.t.Fatalf("reading GITHUB_OUTPUT: %v", err)
	}
	out := map[string]string{}
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			continue
		}
		var value []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			value = append(value, lines[i])
		}
		out[name] = strings.Join(value, "\n")
	}
	return out
}

func pullRequestEvent(headRepo string) map[string]any {
	return map[string]any{
		"action": "synchronize",
		"number": 7,
		"pull_request": map[string]any{
			"number": 7,
			"state":  "open",
			"head": map[string]any{
				"ref": "feature/faster-kv", "sha": headSHA,
				"repo": map[string]any{"full_name": headRepo, "fork": headRepo != "acme/serving", "name": "serving"},
			},
			"base": map[string]any{
				"ref": "main", "sha": "1111111111111111111111111111111111111111",
				"repo": map[string]any{"full_name": "acme/serving", "fork": false, "name": "serving"},
			},
		},
		"repository": map[string]any{"full_name": "acme/serving", "name": "serving", "owner": map[string]any{"login": "acme"}},
	}
}

func ptr(v float64) *float64 { return &v }

// fakeSummary returns a successful cell; speed scales its throughput.
func fakeSummary(framework, model, workload string, speed float64) metrics.Summary {
	d := metrics.Distribution{P50: ptr(20 / speed), P90: ptr(30 / speed), P95: ptr(35 / speed), P99: ptr(40 / speed), Mean: ptr(22 / speed), Min: ptr(10 / speed), Max: ptr(45 / speed), Stdev: ptr(5 / speed), N: 10}
	return metrics.Summary{
		Framework: framework, Model: model, Workload: workload,
		RequestsTotal: 10, RequestsOK: 10, Failures: map[record.FailureKind]int{},
		DurationS: 2, RequestThroughput: ptr(5 * speed), OutputTokenThroughput: ptr(320 * speed),
		TTFT: d, TPOT: d, ITL: d, ITLToken: d, E2E: d,
	}
}

// fakeBenchmark writes a results directory with summary.json and report.md
// and returns its summaries. It records every input it was called with.
type fakeBenchmark struct {
	mu        sync.Mutex
	calls     []BenchmarkInput
	summaries []metrics.Summary
	failures  []CellFailure
	err       error
}

func (f *fakeBenchmark) run(_ context.Context, in BenchmarkInput) (BenchmarkOutput, error) {
	f.mu.Lock()
	f.calls = append(f.calls, in)
	f.mu.Unlock()

	end := in.Group("vllm facebook/opt-125m")
	end()

	if err := os.MkdirAll(in.ResultsDir, 0o755); err != nil {
		return BenchmarkOutput{}, err
	}
	data, err := json.Marshal(f.summaries)
	if err != nil {
		return BenchmarkOutput{}, err
	}
	if err := os.WriteFile(filepath.Join(in.ResultsDir, "summary.json"), data, 0o644); err != nil {
		return BenchmarkOutput{}, err
	}
	report := filepath.Join(in.ResultsDir, "report.md")
	if err := os.WriteFile(report, []byte("# report\n"), 0o644); err != nil {
		return BenchmarkOutput{}, err
	}
	return BenchmarkOutput{
		ResultsDir: in.ResultsDir,
		Summaries:  f.summaries,
		Failures:   f.failures,
		ReportPath: report,
		Environment: Environment{
			Commit: headSHA, Runner: "gpu-runner-1", GPU: "NVIDIA A10G",
			Date: time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC), Images: []string{"vllm/vllm-openai:v0.6.3"},
		},
	}, f.err
}

func (f *fakeBenchmark) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// registerIssue registers the requests of one comment run: GET /user (the
// Actions token may not), the comment list, and the given writes.
func registerIssue(srv *ghtest.Server, issue *ghtest.Issue) {
	srv.Register("GET", "/user", ghtest.JSON(403, ghtest.ErrorBody("Resource not accessible by integration",
		"https://docs.github.com/rest/users/users#get-the-authenticated-user")))
	srv.Register("GET", issue.CommentsPath(), issue.List())
}
