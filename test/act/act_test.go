package act_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmbench/llmbench-action/pipeline/ghcomment/ghtest"
)

// The repository and pull request of the events, and the tokens the
// workflow in testdata/workflow.yml passes to the action.
const (
	baseRepo    = "acme/serving"
	forkRepo    = "mallory/serving"
	prNumber    = 7
	githubToken = "fake-token-act-e2e-7c41"
	hfToken     = "hf_fakeacte2e7c41"
	// commentMarker starts the sticky comment of the default matrix.
	commentMarker = "<!-- llmbench:comment matrix=default -->"
)

// TestActionUnderAct runs action.yml with act on the host: a pull request
// from a branch of the repository creates the comment, a second run edits
// it, and a pull request from a fork is rejected on the self-hosted runner.
func TestActionUnderAct(t *testing.T) {
	act := findAct(t)
	if testing.Short() {
		t.Skip("builds llmbench inside act; skipped with -short")
	}
	checkWorkflowTokens(t)

	srv := ghtest.NewServer(t)
	issue := ghtest.NewIssue("acme", "serving", prNumber)
	h := newActHarness(t, act, srv.APIURL())

	// First run: no comment yet, so the action creates one.
	registerIssue(srv, issue)
	srv.Register("POST", issue.CommentsPath(), issue.Create(ghtest.ActionsBot))
	first := h.run("create", pullRequestEvent(baseRepo), "RUNNER_ENVIRONMENT=self-hosted")
	requireJobSucceeded(t, "first run", first)
	comments := issue.Comments()
	if len(comments) != 1 {
		t.Fatalf("after the first run the pull request has %d comments, want 1", len(comments))
	}
	created := comments[0]
	checkComment(t, created.Body)
	checkOutputs(t, first, issue, created.ID)
	checkStepSummary(t, first)
	checkResultsKept(t, first)
	checkTokensMasked(t, first)
	checkAuthorization(t, srv.Requests())

	// Second run: the action finds its comment by the marker and edits it.
	registerIssue(srv, issue)
	srv.Register("PATCH", issue.CommentPath(created.ID), issue.Edit())
	second := h.run("update", pullRequestEvent(baseRepo), "RUNNER_ENVIRONMENT=self-hosted")
	requireJobSucceeded(t, "second run", second)
	comments = issue.Comments()
	if len(comments) != 1 {
		t.Fatalf("after the second run the pull request has %d comments, want 1 (edited in place)", len(comments))
	}
	if comments[0].ID != created.ID {
		t.Errorf("second run left comment %d, want the first run's comment %d", comments[0].ID, created.ID)
	}
	if !comments[0].Updated.After(created.Updated) {
		t.Errorf("second run did not edit comment %d: updated_at %s", created.ID, comments[0].Updated)
	}
	checkComment(t, comments[0].Body)
	checkOutputs(t, second, issue, created.ID)
	checkTokensMasked(t, second)

	// Fork: rejected before anything runs or reaches GitHub. Any request to
	// the fake server now fails the test, since no stub is registered.
	before := len(srv.Requests())
	fork := h.run("fork", pullRequestEvent(forkRepo), "RUNNER_ENVIRONMENT=self-hosted")
	var exitErr *exec.ExitError
	if !errors.As(fork.Err, &exitErr) {
		t.Fatalf("fork run: act error = %v, want a failed job (exit status 1)\nlog:\n%s", fork.Err, fork.Log)
	}
	checkForkRejected(t, fork)
	if n := len(srv.Requests()) - before; n != 0 {
		t.Errorf("fork run sent %d requests to GitHub, want 0", n)
	}
	checkTokensMasked(t, fork)
}

// checkForkRejected checks that the action stopped a fork's pull request
// with an error annotation naming the fork and the self-hosted runner, and
// that no later step ran.
func checkForkRejected(t *testing.T, r actRun) {
	t.Helper()
	var annotation string
	for line := range strings.SplitSeq(r.Log, "\n") {
		if strings.Contains(line, "::error") && strings.Contains(line, forkRepo) {
			annotation = line
			break
		}
	}
	if annotation == "" {
		t.Fatalf("fork run log has no ::error annotation naming %s\nlog:\n%s", forkRepo, r.Log)
	}
	for _, want := range []string{"fork", `RUNNER_ENVIRONMENT="self-hosted"`, "allow-fork-pull-requests"} {
		if !strings.Contains(annotation, want) {
			t.Errorf("fork annotation lacks %q: %s", want, annotation)
		}
	}
	if !strings.Contains(r.Log, "Failure - Main Run llmbench") || !strings.Contains(r.Log, "Job failed") {
		t.Errorf("fork run log lacks the failed step \"Run llmbench\" and \"Job failed\"\nlog:\n%s", r.Log)
	}
	if out := r.outputs(); len(out) != 0 {
		t.Errorf("fork run reached the step after the action; it printed the outputs %v", out)
	}
	if _, err := os.Stat(r.Results); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("fork run kept results at %s (stat: %v), want none", r.Results, err)
	}
}

// checkWorkflowTokens fails the test when the workflow in testdata no longer
// passes the tokens the checks search for.
func checkWorkflowTokens(t *testing.T) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "workflow.yml"))
	if err != nil {
		t.Fatalf("reading the workflow: %v", err)
	}
	for _, want := range []string{"github-token: " + githubToken, "hf-token: " + hfToken} {
		if !strings.Contains(string(data), want) {
			t.Fatalf("testdata/workflow.yml lacks %q", want)
		}
	}
}

// registerIssue serves the requests every posting run makes before it
// writes: GET /user, rejected as GitHub rejects it for the GITHUB_TOKEN, and
// the list of the pull request's comments.
func registerIssue(srv *ghtest.Server, issue *ghtest.Issue) {
	srv.Register("GET", "/user", ghtest.JSON(http.StatusForbidden, ghtest.ErrorBody("Resource not accessible by integration",
		"https://docs.github.com/rest/users/users#get-the-authenticated-user")))
	srv.Register("GET", issue.CommentsPath(), issue.List())
}

func requireJobSucceeded(t *testing.T, runName string, r actRun) {
	t.Helper()
	if r.Err != nil {
		t.Fatalf("%s: act failed: %v\nlog:\n%s", runName, r.Err, r.Log)
	}
	if !strings.Contains(r.Log, "Job succeeded") {
		t.Fatalf("%s: act log lacks \"Job succeeded\"\nlog:\n%s", runName, r.Log)
	}
}

func checkComment(t *testing.T, body string) {
	t.Helper()
	if !strings.HasPrefix(body, commentMarker) {
		t.Errorf("comment does not start with the marker %q: %.120q", commentMarker, body)
	}
	if !strings.Contains(body, "| facebook/opt-125m | vllm") {
		t.Errorf("comment lacks the row of facebook/opt-125m on vllm:\n%s", body)
	}
	if !strings.Contains(body, "10/10") {
		t.Errorf("comment lacks the 10/10 successful requests of the small workload:\n%s", body)
	}
	for _, token := range []string{githubToken, hfToken} {
		if strings.Contains(body, token) {
			t.Errorf("comment carries the token %q", token)
		}
	}
}

// checkOutputs checks the action's outputs as a later step of the workflow
// reads them.
func checkOutputs(t *testing.T, r actRun, issue *ghtest.Issue, commentID int64) {
	t.Helper()
	out := r.outputs()

	wantURL := issue.JSON(ghtest.Comment{ID: commentID}, "")["html_url"].(string)
	if got := out["comment-url"]; got != wantURL {
		t.Errorf("output comment-url = %q, want %q", got, wantURL)
	}
	if got := out["failed"]; got != "false" {
		t.Errorf("output failed = %q, want false", got)
	}
	dir := out["results-dir"]
	if !filepath.IsAbs(dir) || filepath.Base(dir) != "llmbench-results" {
		t.Errorf("output results-dir = %q, want an absolute path ending in llmbench-results", dir)
	}
	if got, want := out["report"], filepath.Join(dir, "report.md"); got != want {
		t.Errorf("output report = %q, want %q", got, want)
	}

	var cells []struct {
		Framework     string `json:"framework"`
		Model         string `json:"model"`
		Workload      string `json:"workload"`
		RequestsTotal int    `json:"requests_total"`
		RequestsOK    int    `json:"requests_ok"`
	}
	if err := json.Unmarshal([]byte(out["summary-json"]), &cells); err != nil {
		t.Fatalf("output summary-json is not a JSON list of summaries: %v: %q", err, out["summary-json"])
	}
	if len(cells) != 1 {
		t.Fatalf("output summary-json has %d cells, want 1 (vllm, facebook/opt-125m, small): %q", len(cells), out["summary-json"])
	}
	c := cells[0]
	if c.Framework != "vllm" || c.Model != "facebook/opt-125m" || c.Workload != "small" {
		t.Errorf("output summary-json cell = %s, %s, %s; want vllm, facebook/opt-125m, small", c.Framework, c.Model, c.Workload)
	}
	if c.RequestsTotal != 10 || c.RequestsOK != 10 {
		t.Errorf("output summary-json cell has %d/%d requests ok, want 10/10", c.RequestsOK, c.RequestsTotal)
	}
}

func checkStepSummary(t *testing.T, r actRun) {
	t.Helper()
	summary := r.stepSummary()
	if summary == "" {
		t.Fatalf("act printed no step summary (\"Summary - \")\nlog:\n%s", r.Log)
	}
	if !strings.Contains(summary, "| facebook/opt-125m | vllm") {
		t.Errorf("step summary lacks the row of facebook/opt-125m on vllm:\n%s", summary)
	}
	if strings.Contains(summary, "llmbench:comment") {
		t.Errorf("step summary carries the comment marker:\n%s", summary)
	}
}

// checkResultsKept checks the results directory the workflow copied out of
// act's workspace.
func checkResultsKept(t *testing.T, r actRun) {
	t.Helper()
	for _, name := range []string{"summary.json", "report.md", "github-comment.json"} {
		data, err := os.ReadFile(filepath.Join(r.Results, name))
		if err != nil {
			t.Errorf("results directory: %v", err)
			continue
		}
		for _, token := range []string{githubToken, hfToken} {
			if strings.Contains(string(data), token) {
				t.Errorf("results file %s carries the token %q", name, token)
			}
		}
	}
}

// checkTokensMasked checks that no line of act's log shows a token, except a
// ::add-mask:: command (act itself prints those as ***), and that act masked
// the tokens the workflow echoes after the action registered them.
func checkTokensMasked(t *testing.T, r actRun) {
	t.Helper()
	for i, line := range strings.Split(r.Log, "\n") {
		if strings.Contains(line, "::add-mask::") {
			continue
		}
		for _, token := range []string{githubToken, hfToken} {
			if strings.Contains(line, token) {
				t.Errorf("act log line %d shows the token %q: %q", i+1, token, line)
			}
		}
	}
	if r.Err == nil && !strings.Contains(r.Log, "tokens after masking *** ***") {
		t.Errorf("act log lacks the echoed tokens masked as *** ***\nlog:\n%s", r.Log)
	}
}

// checkAuthorization checks that every request to the fake GitHub carried
// the github-token input.
func checkAuthorization(t *testing.T, requests []ghtest.Request) {
	t.Helper()
	if len(requests) == 0 {
		t.Fatal("the action sent no request to the fake GitHub")
	}
	for _, req := range requests {
		if got := req.Header.Get("Authorization"); !strings.HasSuffix(got, " "+githubToken) {
			t.Errorf("%s %s: Authorization = %q, want the github-token input", req.Method, req.Path, got)
		}
	}
}
