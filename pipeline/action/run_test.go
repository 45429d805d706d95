package action

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmbench/llmbench-action/pipeline/ghcomment/ghtest"
	"github.com/llmbench/llmbench-action/pipeline/metrics"
	"github.com/llmbench/llmbench-action/pipeline/record"
)

func planSummaries(speed float64) []metrics.Summary {
	return []metrics.Summary{
		fakeSummary("vllm", "facebook/opt-125m", "small", speed),
		fakeSummary("sglang", "facebook/opt-125m", "small", speed*0.8),
	}
}

func TestRunCreatesThenUpdatesComment(t *testing.T) {
	srv := ghtest.NewServer(t)
	issue := ghtest.NewIssue("acme", "serving", 7)
	env := newFakeEnv(t, srv.APIURL(), pullRequestEvent("acme/serving"))

	registerIssue(srv, issue)
	srv.Register("POST", issue.CommentsPath(), issue.Create(ghtest.ActionsBot))
	bench := &fakeBenchmark{summaries: planSummaries(1)}
	res, err := env.run(bench.run)
	if err != nil {
		t.Fatalf("first run: %v\nlog:\n%s", err, env.stdout)
	}
	comments := issue.Comments()
	if len(comments) != 1 {
		t.Fatalf("after the first run the issue has %d comments, want 1", len(comments))
	}
	if !strings.HasPrefix(comments[0].Body, "<!-- llmbench:comment matrix=default -->") {
		t.Errorf("comment does not start with the marker: %.80q", comments[0].Body)
	}

	out := env.outputs()
	if got := out["results-dir"]; got != env.vars["INPUT_RESULTS-DIR"] {
		t.Errorf("output results-dir = %q, want %q", got, env.vars["INPUT_RESULTS-DIR"])
	}
	if got := out["failed"]; got != "false" {
		t.Errorf("output failed = %q, want false", got)
	}
	if got, want := out["report"], filepath.Join(env.vars["INPUT_RESULTS-DIR"], "report.md"); got != want {
		t.Errorf("output report = %q, want %q", got, want)
	}
	if got := out["comment-url"]; got != res.CommentURL || !strings.Contains(got, "#issuecomment-") {
		t.Errorf("output comment-url = %q, result %q; want the comment's html_url", got, res.CommentURL)
	}
	var decoded []metrics.Summary
	if err := json.Unmarshal([]byte(out["summary-json"]), &decoded); err != nil || len(decoded) != 2 || decoded[0].Framework != "vllm" {
		t.Errorf("output summary-json = %q (%v), want the two summaries", out["summary-json"], err)
	}

	summary := env.readFile("GITHUB_STEP_SUMMARY")
	if !strings.Contains(summary, "| facebook/opt-125m | vllm ★ | 320.0 |") {
		t.Errorf("step summary lacks the vllm row:\n%s", summary)
	}
	if strings.Contains(summary, "llmbench:comment") {
		t.Error("step summary carries the comment marker")
	}
	log := env.stdout.String()
	if !strings.Contains(log, "::group::vllm facebook/opt-125m\n::endgroup::\n") {
		t.Errorf("log lacks the server group's ::group:: and ::endgroup::\n%s", log)
	}
	if _, err := os.Stat(filepath.Join(env.vars["INPUT_RESULTS-DIR"], PayloadFile)); err != nil {
		t.Errorf("payload file missing from the results directory: %v", err)
	}

	// Second run with faster numbers: the same comment is edited.
	registerIssue(srv, issue)
	srv.Register("PATCH", issue.CommentPath(comments[0].ID), issue.Edit())
	bench.summaries = planSummaries(2)
	if _, err := env.run(bench.run); err != nil {
		t.Fatalf("second run: %v\nlog:\n%s", err, env.stdout)
	}
	comments = issue.Comments()
	if len(comments) != 1 {
		t.Fatalf("after the second run the issue has %d comments, want 1", len(comments))
	}
	if !strings.Contains(comments[0].Body, "| 640.0 |") {
		t.Errorf("edited comment lacks the new throughput 640.0:\n%s", comments[0].Body)
	}

	// Third run with the same numbers and comment: on-change: no edit. The
	// stub router fails the test if a PATCH arrives.
	registerIssue(srv, issue)
	if _, err := env.run(bench.run); err != nil {
		t.Fatalf("third run: %v", err)
	}
}

func TestRunRefusesForkOnSelfHosted(t *testing.T) {
	srv := ghtest.NewServer(t)
	env := newFakeEnv(t, srv.APIURL(), pullRequestEvent("mallory/serving"))
	bench := &fakeBenchmark{summaries: planSummaries(1)}

	_, err := env.run(bench.run)
	if !errors.Is(err, ErrForkRefused) {
		t.Fatalf("error = %v, want ErrForkRefused", err)
	}
	if n := bench.callCount(); n != 0 {
		t.Errorf("benchmark ran %d times for a fork pull request", n)
	}
	log := env.stdout.String()
	if !strings.Contains(log, "::error title=llmbench%3A fork pull request refused::Pull request #7 comes from a fork (mallory/serving)") {
		t.Errorf("log lacks the refusal with its reason:\n%s", log)
	}

	out := env.outputs()
	want := map[string]string{"failed": "true", "results-dir": "", "summary-json": "[]", "report": "", "comment-url": ""}
	for name, value := range want {
		got, ok := out[name]
		if !ok {
			t.Errorf("output %s not set for a refused run", name)
		} else if got != value {
			t.Errorf("output %s = %q, want %q", name, got, value)
		}
	}

	summary := env.readFile("GITHUB_STEP_SUMMARY")
	for _, part := range []string{
		"Pull request from a fork rejected on a self-hosted runner",
		"pull request #7 comes from a fork &#40;mallory/serving&#41; and this runner is self-hosted",
		"`allow-fork-pull-requests: true`",
		"`workflow_run`",
		"docs/action.md",
	} {
		if !strings.Contains(summary, part) {
			t.Errorf("step summary lacks %q:\n%s", part, summary)
		}
	}
	if strings.Contains(summary, "DoNotLeak") {
		t.Error("step summary carries a token")
	}
}

func TestRunInvalidInputPublishesFailure(t *testing.T) {
	env := newFakeEnv(t, "http://127.0.0.1:9/api/v3", pullRequestEvent("acme/serving"))
	env.vars["INPUT_TARGET"] = "bogus"
	env.vars["INPUT_FAIL-ON"] = "sometimes"
	res, err := env.run((&fakeBenchmark{}).run)
	if err == nil {
		t.Fatal("run with invalid inputs succeeded")
	}
	if !res.Failed {
		t.Error("result of a run with invalid inputs is not failed")
	}

	out := env.outputs()
	if out["failed"] != "true" {
		t.Errorf("output failed = %q, want true", out["failed"])
	}
	if got, ok := out["results-dir"]; !ok || got != "" {
		t.Errorf("output results-dir = %q (set %v), want set and empty", got, ok)
	}
	summary := env.readFile("GITHUB_STEP_SUMMARY")
	for _, part := range []string{
		"Invalid input",
		"- input target: invalid value &quot;bogus&quot;",
		"- input fail-on: invalid value &quot;sometimes&quot;",
		"lists every input",
	} {
		if !strings.Contains(summary, part) {
			t.Errorf("step summary lacks %q:\n%s", part, summary)
		}
	}
}

func TestRunLogNamesMatrixFilters(t *testing.T) {
	for _, tt := range []struct {
		name string
		vars map[string]string
		want string
	}{
		{"unfiltered", nil, "Running the default matrix (all cells) against target sim;"},
		{"filtered", map[string]string{"INPUT_MODELS": "facebook/opt-125m", "INPUT_WORKLOADS": "small,\nmedium"},
			"Running the default matrix (only models: facebook/opt-125m; workloads: small, medium) against target sim;"},
		{"frameworks", map[string]string{"INPUT_FRAMEWORKS": "vllm"},
			"Running the default matrix (only frameworks: vllm) against target sim;"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := newFakeEnv(t, "http://127.0.0.1:9/api/v3", pullRequestEvent("acme/serving"))
			env.vars["INPUT_COMMENT"] = "never"
			for k, v := range tt.vars {
				env.vars[k] = v
			}
			if _, err := env.run((&fakeBenchmark{summaries: planSummaries(1)}).run); err != nil {
				t.Fatalf("run: %v", err)
			}
			if log := env.stdout.String(); !strings.Contains(log, tt.want) {
				t.Errorf("log lacks %q:\n%s", tt.want, log)
			}
		})
	}
}

func TestDescribeMatrixFile(t *testing.T) {
	got := describeMatrix(Inputs{Matrix: "bench/plan.yaml", Frameworks: []string{"vllm", "sglang"}})
	if want := "matrix file bench/plan.yaml (only frameworks: vllm, sglang)"; got != want {
		t.Errorf("describeMatrix = %q, want %q", got, want)
	}
}

func TestRunForkAllowedOrHosted(t *testing.T) {
	for _, tt := range []struct {
		name string
		vars map[string]string
	}{
		{"allowed", map[string]string{"INPUT_ALLOW-FORK-PULL-REQUESTS": "true"}},
		{"github-hosted", map[string]string{"RUNNER_ENVIRONMENT": "github-hosted"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := ghtest.NewServer(t)
			env := newFakeEnv(t, srv.APIURL(), pullRequestEvent("mallory/serving"))
			env.vars["INPUT_COMMENT"] = "never"
			for k, v := range tt.vars {
				env.vars[k] = v
			}
			bench := &fakeBenchmark{summaries: planSummaries(1)}
			if _, err := env.run(bench.run); err != nil {
				t.Fatalf("run: %v", err)
			}
			if bench.callCount() != 1 {
				t.Errorf("benchmark ran %d times, want 1", bench.callCount())
			}
		})
	}
}

func TestRunSecretsNeverLeak(t *testing.T) {
	srv := ghtest.NewServer(t)
	issue := ghtest.NewIssue("acme", "serving", 7)
	env := newFakeEnv(t, srv.APIURL(), pullRequestEvent("acme/serving"))
	registerIssue(srv, issue)
	srv.Register("POST", issue.CommentsPath(), issue.Create(ghtest.ActionsBot))

	// A server error that echoes the Hugging Face token, as a misbehaving
	// container log could.
	bench := &fakeBenchmark{
		summaries: planSummaries(1),
		failures: []CellFailure{{Framework: "sglang", Model: "Qwen/Qwen2-1.5B", Stage: "start",
			Message: "401 from huggingface.co with token " + fakeHFToken}},
		err: errors.New("download failed: Authorization: Bearer " + fakeHFToken),
	}
	_, err := env.run(bench.run)
	if !errors.Is(err, ErrFailed) {
		t.Fatalf("error = %v, want ErrFailed", err)
	}
	if got := bench.calls[0].HFToken; got != fakeHFToken {
		t.Errorf("benchmark got HF token %q, want the input", got)
	}

	lines := strings.Split(env.stdout.String(), "\n")
	if len(lines) < 2 || lines[0] != "::add-mask::"+fakeHFToken || lines[1] != "::add-mask::"+fakeGHToken {
		t.Errorf("the first log lines are not the two masks: %q", lines[:min(2, len(lines))])
	}
	for i, line := range lines {
		if strings.HasPrefix(line, "::add-mask::") {
			continue
		}
		if strings.Contains(line, "DoNotLeak") {
			t.Errorf("log line %d carries a token: %q", i+1, line)
		}
	}

	// "DoNotLeak" is in both tokens and survives Markdown escaping, which
	// would hide a leak from a search for the whole token.
	checkNoToken := func(where, text string) {
		t.Helper()
		if strings.Contains(text, "DoNotLeak") {
			t.Errorf("%s carries a token", where)
		}
	}
	checkNoToken("GITHUB_OUTPUT", env.readFile("GITHUB_OUTPUT"))
	checkNoToken("GITHUB_STEP_SUMMARY", env.readFile("GITHUB_STEP_SUMMARY"))
	for _, c := range issue.Comments() {
		checkNoToken("the comment", c.Body)
	}
	for _, req := range srv.Requests() {
		checkNoToken(req.Method+" "+req.Path+" body", string(req.Body))
	}
	err = filepath.WalkDir(env.vars["INPUT_RESULTS-DIR"], func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		checkNoToken(path, string(data))
		return err
	})
	if err != nil {
		t.Fatalf("walking the results directory: %v", err)
	}
	if !strings.Contains(issue.Comments()[0].Body, "&#42;&#42;&#42;") {
		t.Error("the comment does not show the redacted token as ***")
	}
}

func TestRunFailOn(t *testing.T) {
	failing := func() []metrics.Summary {
		s := planSummaries(1)
		s[1].RequestsOK, s[1].RequestsFailed = 7, 3
		s[1].Failures = map[record.FailureKind]int{record.FailureTimeout: 3}
		return s
	}
	for _, tt := range []struct {
		failOn  string
		wantErr error
	}{{"failure", ErrFailed}, {"none", nil}} {
		t.Run(tt.failOn, func(t *testing.T) {
			env := newFakeEnv(t, "http://127.0.0.1:9/api/v3", pullRequestEvent("acme/serving"))
			env.vars["INPUT_COMMENT"] = "never"
			env.vars["INPUT_FAIL-ON"] = tt.failOn
			bench := &fakeBenchmark{summaries: failing()}
			_, err := env.run(bench.run)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if got := env.outputs()["failed"]; got != "true" {
				t.Errorf("output failed = %q, want true", got)
			}
			want := "::error title=llmbench%3A sglang facebook/opt-125m small%3A 3 of 10 requests failed::failures by kind: timeout: 3"
			if !strings.Contains(env.stdout.String(), want) {
				t.Errorf("log lacks the annotation %q:\n%s", want, env.stdout)
			}
		})
	}
}

func TestRunReadOnlyTokenKeepsResults(t *testing.T) {
	srv := ghtest.NewServer(t)
	issue := ghtest.NewIssue("acme", "serving", 7)
	env := newFakeEnv(t, srv.APIURL(), pullRequestEvent("acme/serving"))
	env.vars["INPUT_FAIL-ON"] = "none"
	registerIssue(srv, issue)
	srv.Register("POST", issue.CommentsPath(), ghtest.JSON(http.StatusForbidden, ghtest.ErrorBody(
		"Resource not accessible by integration", "https://docs.github.com/rest/issues/comments#create-an-issue-comment")))

	bench := &fakeBenchmark{summaries: planSummaries(1)}
	if _, err := env.run(bench.run); err != nil {
		t.Fatalf("run with fail-on: none: %v", err)
	}
	log := env.stdout.String()
	if !strings.Contains(log, "::error title=llmbench%3A comment not posted::") || !strings.Contains(log, "workflow_run") {
		t.Errorf("log lacks the explained comment error:\n%s", log)
	}
	if out := env.outputs(); out["results-dir"] == "" || out["summary-json"] == "" {
		t.Errorf("outputs missing after a comment error: %v", out)
	}
	if !strings.Contains(env.readFile("GITHUB_STEP_SUMMARY"), "vllm") {
		t.Error("step summary missing after a comment error")
	}
}

func TestRunCommentMode(t *testing.T) {
	srv := ghtest.NewServer(t)
	issue := ghtest.NewIssue("acme", "serving", 7)

	// The pull_request job: benchmark, no comment.
	env := newFakeEnv(t, srv.APIURL(), pullRequestEvent("acme/serving"))
	env.vars["INPUT_COMMENT"] = "never"
	bench := &fakeBenchmark{summaries: planSummaries(1)}
	if _, err := env.run(bench.run); err != nil {
		t.Fatalf("benchmark run: %v", err)
	}

	// The workflow_run job: comment from the downloaded results.
	env.vars["GITHUB_EVENT_NAME"] = "workflow_run"
	env.vars["INPUT_MODE"] = "comment"
	env.vars["INPUT_COMMENT"] = "always"
	delete(env.vars, "INPUT_HF-TOKEN")
	env.writeEvent(map[string]any{
		"action":       "completed",
		"workflow_run": map[string]any{"id": 42, "head_sha": headSHA, "event": "pull_request", "pull_requests": []any{}},
		"repository":   map[string]any{"full_name": "acme/serving"},
	})
	srv.Register("GET", "/repos/acme/serving/pulls/7", func(req ghtest.Request) ghtest.Response {
		return ghtest.JSON(http.StatusOK, map[string]any{
			"number": 7, "state": "open",
			"head": map[string]any{"sha": headSHA, "ref": "feature/faster-kv"},
		})(req)
	})
	registerIssue(srv, issue)
	srv.Register("POST", issue.CommentsPath(), issue.Create(ghtest.ActionsBot))
	failed := &fakeBenchmark{}
	if _, err := env.run(failed.run); err != nil {
		t.Fatalf("comment run: %v\n%s", err, env.stdout)
	}
	if failed.callCount() != 0 {
		t.Error("comment mode ran the benchmark")
	}
	comments := issue.Comments()
	if len(comments) != 1 || !strings.Contains(comments[0].Body, "| facebook/opt-125m | vllm ★ |") {
		t.Fatalf("comments = %+v, want one comment with the results", comments)
	}
	if !strings.Contains(comments[0].Body, "[Run](https://github.com/acme/serving/actions/runs/42)") {
		t.Errorf("comment lacks the link to the benchmark run:\n%s", comments[0].Body)
	}
}

func TestRunCommentModeRejectsOtherHead(t *testing.T) {
	srv := ghtest.NewServer(t)
	env := newFakeEnv(t, srv.APIURL(), pullRequestEvent("acme/serving"))
	env.vars["INPUT_COMMENT"] = "never"
	if _, err := env.run((&fakeBenchmark{summaries: planSummaries(1)}).run); err != nil {
		t.Fatalf("benchmark run: %v", err)
	}

	env.vars["INPUT_MODE"] = "comment"
	env.vars["INPUT_COMMENT"] = "always"
	env.writeEvent(map[string]any{"workflow_run": map[string]any{"id": 42, "head_sha": headSHA}})
	srv.Register("GET", "/repos/acme/serving/pulls/7", ghtest.JSON(http.StatusOK, map[string]any{
		"number": 7, "head": map[string]any{"sha": "ffffffffffffffffffffffffffffffffffffffff"},
	}))
	_, err := env.run((&fakeBenchmark{}).run)
	if err == nil || !strings.Contains(err.Error(), "refusing to comment") {
		t.Fatalf("error = %v, want a refusal for a head that differs from the built commit", err)
	}
}

func TestParseInputsErrors(t *testing.T) {
	tests := []struct {
		inputs map[string]string
		want   string
	}{
		{map[string]string{"comment": "sometimes"}, `input comment: invalid value "sometimes"; allowed values: always, on-change, never`},
		{map[string]string{"fail-on": "warning"}, `input fail-on: invalid value "warning"; allowed values: none, failure`},
		{map[string]string{"target": "gpu"}, `input target: invalid value "gpu"; allowed values: container, endpoint, sim`},
		{map[string]string{"allow-fork-pull-requests": "yes"}, `input allow-fork-pull-requests: invalid value "yes"; allowed values: true, false`},
		{map[string]string{"price-per-hour": "-1"}, `input price-per-hour: invalid value "-1"`},
		{map[string]string{"target": "endpoint"}, `input endpoint: missing`},
		{map[string]string{"target": "endpoint", "endpoint": "localhost:8000"}, `input endpoint: invalid URL "localhost:8000"`},
		{map[string]string{"endpoint": "http://127.0.0.1:8000"}, `input endpoint: set to "http://127.0.0.1:8000" but target is container`},
		{map[string]string{"models": "facebook/opt-125m, bad model"}, `input models: invalid item "bad model"`},
		{map[string]string{"matrix": "does-not-exist.yaml"}, `input matrix: cannot read "does-not-exist.yaml"`},
		{map[string]string{"instance-type": "g5 xlarge"}, `input instance-type: invalid value "g5 xlarge"`},
		{map[string]string{"mode": "comment", "comment": "never"}, `input comment: never contradicts mode: comment`},
	}
	for _, tt := range tests {
		_, err := ParseInputs(func(name string) string { return tt.inputs[name] })
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseInputs(%v) error = %v, want it to contain %q", tt.inputs, err, tt.want)
		}
	}
}

func TestParseInputsDefaultsAndLists(t *testing.T) {
	in, err := ParseInputs(func(name string) string {
		return map[string]string{"frameworks": "vllm,\nsglang", "models": "facebook/opt-125m\nQwen/Qwen2-1.5B\n", "price-per-hour": "1.006"}[name]
	})
	if err != nil {
		t.Fatalf("ParseInputs: %v", err)
	}
	if strings.Join(in.Frameworks, ",") != "vllm,sglang" || strings.Join(in.Models, ",") != "facebook/opt-125m,Qwen/Qwen2-1.5B" {
		t.Errorf("lists = %q %q", in.Frameworks, in.Models)
	}
	if in.Mode != ModeBenchmark || in.Target != TargetContainer || in.Comment != CommentOnChange || in.FailOn != FailOnFailure {
		t.Errorf("defaults = mode %s target %s comment %s fail-on %s", in.Mode, in.Target, in.Comment, in.FailOn)
	}
	if in.AllowForkPullRequests || !in.SetupGo || in.ResultsDir != DefaultResultsDir || in.PricePerHourUSD != 1.006 {
		t.Errorf("defaults = %+v", in)
	}
}

func TestPullRequestFork(t *testing.T) {
	if pr := pullRequestFromEvent(pullRequestEvent("acme/serving")); pr == nil || pr.Fork {
		t.Errorf("same-repository pull request = %+v, want not a fork", pr)
	}
	if pr := pullRequestFromEvent(pullRequestEvent("mallory/serving")); pr == nil || !pr.Fork {
		t.Errorf("pull request from mallory/serving = %+v, want a fork", pr)
	}
	deleted := pullRequestEvent("x/y")
	deleted["pull_request"].(map[string]any)["head"].(map[string]any)["repo"] = nil
	if pr := pullRequestFromEvent(deleted); pr == nil || !pr.Fork {
		t.Errorf("pull request from a deleted repository = %+v, want a fork", pr)
	}
	if pr := pullRequestFromEvent(map[string]any{"ref": "refs/heads/main"}); pr != nil {
		t.Errorf("push event gave pull request %+v", pr)
	}
}

func TestMatrixID(t *testing.T) {
	for in, want := range map[string]string{"": "default", "matrices/plan.yaml": "plan", "x/a b.yml": "a-b"} {
		if got := matrixID(in); got != want {
			t.Errorf("matrixID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRunBenchmarkErrorSetsFailed(t *testing.T) {
	env := newFakeEnv(t, "http://127.0.0.1:9/api/v3", pullRequestEvent("acme/serving"))
	bench := &fakeBenchmark{err: errors.New("docker: no GPU runtime")}
	_, err := env.run(func(ctx context.Context, in BenchmarkInput) (BenchmarkOutput, error) {
		_, _ = bench.run(ctx, in)
		return BenchmarkOutput{}, bench.err
	})
	if err == nil || !strings.Contains(err.Error(), "no GPU runtime") {
		t.Fatalf("error = %v, want the benchmark's error", err)
	}
	if got := env.outputs()["failed"]; got != "true" {
		t.Errorf("output failed = %q, want true", got)
	}
	if !strings.Contains(env.stdout.String(), "::error title=llmbench%3A benchmark failed::running the benchmark: docker: no GPU runtime") {
		t.Errorf("log lacks the error annotation:\n%s", env.stdout)
	}
	if got, want := env.outputs()["results-dir"], env.vars["INPUT_RESULTS-DIR"]; got != want {
		t.Errorf("output results-dir = %q, want the created %q", got, want)
	}
	summary := env.readFile("GITHUB_STEP_SUMMARY")
	if !strings.Contains(summary, "- running the benchmark: docker: no GPU runtime") {
		t.Errorf("step summary lacks the error:\n%s", summary)
	}
}

func TestRunBenchmarkErrorRedactsSecrets(t *testing.T) {
	env := newFakeEnv(t, "http://127.0.0.1:9/api/v3", pullRequestEvent("acme/serving"))
	_, err := env.run(func(context.Context, BenchmarkInput) (BenchmarkOutput, error) {
		return BenchmarkOutput{}, errors.New("pull failed: Authorization: Bearer " + fakeHFToken)
	})
	if err == nil {
		t.Fatal("run succeeded, want the benchmark's error")
	}
	summary := env.readFile("GITHUB_STEP_SUMMARY")
	if strings.Contains(summary, "DoNotLeak") {
		t.Errorf("step summary carries the token:\n%s", summary)
	}
	if !strings.Contains(summary, "Bearer &#42;&#42;&#42;") {
		t.Errorf("step summary lacks the redacted error:\n%s", summary)
	}
	for i, line := range strings.Split(env.stdout.String(), "\n") {
		if !strings.HasPrefix(line, "::add-mask::") && strings.Contains(line, "DoNotLeak") {
			t.Errorf("log line %d carries a token: %q", i+1, line)
		}
	}
}

func TestRunCommentModeMissingPayload(t *testing.T) {
	env := newFakeEnv(t, "http://127.0.0.1:9/api/v3", map[string]any{"workflow_run": map[string]any{"id": 42, "head_sha": headSHA}})
	env.vars["GITHUB_EVENT_NAME"] = "workflow_run"
	env.vars["INPUT_MODE"] = "comment"
	_, err := env.run((&fakeBenchmark{}).run)
	if err == nil {
		t.Fatal("comment mode without results succeeded")
	}
	out := env.outputs()
	if out["failed"] != "true" || out["results-dir"] != "" {
		t.Errorf("outputs = %v, want failed true and no results-dir", out)
	}
	summary := env.readFile("GITHUB_STEP_SUMMARY")
	for _, part := range []string{"Results of the benchmark run not loaded", "github-comment.json", "download the results artifact"} {
		if !strings.Contains(summary, part) {
			t.Errorf("step summary lacks %q:\n%s", part, summary)
		}
	}
}

func TestRunMasksBeforeValidating(t *testing.T) {
	env := newFakeEnv(t, "http://127.0.0.1:9/api/v3", pullRequestEvent("acme/serving"))
	env.vars["INPUT_TARGET"] = "bogus"
	_, err := env.run((&fakeBenchmark{}).run)
	if err == nil || !strings.Contains(err.Error(), `input target: invalid value "bogus"`) {
		t.Fatalf("error = %v, want the invalid target", err)
	}
	lines := strings.Split(env.stdout.String(), "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "::add-mask::") || !strings.HasPrefix(lines[1], "::add-mask::") {
		t.Errorf("the masks are not the first log lines: %q", lines)
	}
	if !strings.HasPrefix(lines[2], "::error title=llmbench%3A invalid input::") {
		t.Errorf("third log line = %q, want the invalid-input annotation", lines[2])
	}
}

func TestRunUnreadableEventPublishesFailure(t *testing.T) {
	env := newFakeEnv(t, "http://127.0.0.1:9/api/v3", pullRequestEvent("acme/serving"))
	if err := os.WriteFile(env.vars["GITHUB_EVENT_PATH"], []byte("{not json"), 0o644); err != nil {
		t.Fatalf("writing the event file: %v", err)
	}
	_, err := env.run((&fakeBenchmark{}).run)
	if err == nil || !strings.Contains(err.Error(), "reading the GitHub Actions context") {
		t.Fatalf("error = %v, want the unreadable context", err)
	}
	if got := env.outputs()["failed"]; got != "true" {
		t.Errorf("output failed = %q, want true", got)
	}
	summary := env.readFile("GITHUB_STEP_SUMMARY")
	if !strings.Contains(summary, "- reading the GitHub Actions context: failed to unmarshal event payload") {
		t.Errorf("step summary lacks the error:\n%s", summary)
	}
}
