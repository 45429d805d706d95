package action

import (
	"os"
	"path/filepath"

	"github.com/sethvargo/go-githubactions"

	"github.com/llmbench/llmbench-action/pipeline/ghcomment"
)

// stop is a run that ended before it had results to publish.
type stop struct {
	// title names the cause of the stop in the step summary.
	title string
	// err is the reason; secrets are redacted before it is written.
	err error
	// hints are Markdown list items with the next steps.
	hints []string
	// resultsDir is the results-dir output: empty when nothing was written
	// into the results directory by this run.
	resultsDir string
}

// forkHints are the ways to run pull requests from forks on a self-hosted
// runner and to comment on them safely with the workflow_run split.
var forkHints = []string{
	"Review the change and run the benchmark from a branch of this repository.",
	"Or set the input `allow-fork-pull-requests: true` to run pull requests from forks on this runner, " +
		"but only if the runner is ephemeral and isolated.",
	"To comment on pull requests from forks without giving their code a write token, split the work in two workflows " +
		"(section \"Security on self-hosted runners\" of docs/action.md in the llmbench action's repository): " +
		"a `pull_request` workflow benchmarks with `comment: never` and uploads `results-dir`, " +
		"and a `workflow_run` workflow downloads it and posts the comment with `mode: comment`.",
}

// inputHints point to the documentation of the inputs.
var inputHints = []string{
	"Fix the inputs named above in the workflow's `with:` block. " +
		"docs/action.md in the llmbench action's repository lists every input with its default and allowed values.",
}

// publishStopped writes the outputs and the step summary of a run that
// stopped early, so that later steps see failed=true and the job page shows
// the reason. The outputs are failed=true, results-dir=s.resultsDir,
// summary-json=[] and an empty report and comment-url. Secrets are redacted
// from the summary. Write errors become warnings because the run fails anyway.
func publishStopped(a *githubactions.Action, in Inputs, s stop) {
	redact := secretRedactor(in)
	outputs := [][2]string{
		{"results-dir", s.resultsDir},
		{"summary-json", "[]"},
		{"report", ""},
		{"failed", "true"},
		{"comment-url", ""},
	}
	for _, o := range outputs {
		if err := setOutput(a, o[0], o[1]); err != nil {
			a.Warningf("%s", err.Error())
		}
	}

	if a.Getenv("GITHUB_STEP_SUMMARY") == "" {
		a.Infof("GITHUB_STEP_SUMMARY is not set; no step summary written.")
		return
	}
	notice := ghcomment.Notice{
		MatrixID: matrixID(in.Matrix),
		Title:    redact.Replace(s.title),
		Hints:    s.hints,
	}
	if s.err != nil {
		notice.Message = redact.Replace(s.err.Error())
	}
	if err := guard("writing the step summary", func() { a.AddStepSummary(ghcomment.RenderNotice(notice)) }); err != nil {
		a.Warningf("%s", redact.Replace(err.Error()))
	}
}

// existingResultsDir returns the absolute path of the results directory when
// it exists, or "".
func existingResultsDir(in Inputs) string {
	dir, err := filepath.Abs(in.ResultsDir)
	if err != nil {
		return ""
	}
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return ""
	}
	return dir
}
