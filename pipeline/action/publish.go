package action

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/llmbench/llmbench-action/pipeline/ghcomment"
	"github.com/llmbench/llmbench-action/pipeline/metrics"
)

// fileCommandDelimiter is the heredoc delimiter go-githubactions v1.3.0 uses
// in GITHUB_OUTPUT; a value that contains it could set other outputs.
const fileCommandDelimiter = "_GitHubActionsFileCommandDelimeter_"

// maxAnnotations is the number of failure annotations written one by one;
// GitHub shows at most 10 error annotations per step.
const maxAnnotations = 10

// publish writes, in order, the comment payload into the results directory,
// the step summary, the outputs, the failure annotations and the comment.
// Each step runs even when an earlier one failed, so that no result is lost.
func publish(ctx context.Context, cfg Config, in Inputs, gh *githubactions.GitHubContext, p published) (Result, error) {
	a := cfg.Action
	redact := secretRedactor(in)
	res := Result{ResultsDir: p.resultsDir, Failed: hasFailures(p.report)}
	var problems []error
	if report, err := redactReport(p.report, redact); err != nil {
		problems = append(problems, err)
	} else {
		p.report = report
	}

	if in.Mode == ModeBenchmark {
		if err := writePayload(p, gh, redact); err != nil {
			problems = append(problems, err)
		}
	}

	if a.Getenv("GITHUB_STEP_SUMMARY") == "" {
		a.Infof("GITHUB_STEP_SUMMARY is not set; no step summary written.")
	} else if err := guard("writing the step summary", func() {
		a.AddStepSummary(redact.Replace(ghcomment.RenderStepSummary(p.report)))
	}); err != nil {
		problems = append(problems, err)
	}

	summaries, err := summariesJSON(p.report.Summaries)
	if err != nil {
		problems = append(problems, err)
	}
	outputs := [][2]string{
		{"results-dir", p.resultsDir},
		{"summary-json", redact.Replace(summaries)},
		{"report", p.reportPath},
		{"failed", strconv.FormatBool(res.Failed)},
	}
	for _, o := range outputs {
		if err := setOutput(a, o[0], o[1]); err != nil {
			problems = append(problems, err)
		}
	}

	annotateFailures(a, p.report, redact)

	if url, err := maybeComment(ctx, cfg, in, gh, p, redact); err != nil {
		annotate(a, "llmbench: comment not posted", redact.Replace(err.Error())+
			fmt.Sprintf(" The results are in %s and in the step summary.", p.resultsDir))
		problems = append(problems, err)
	} else if url != "" {
		res.CommentURL = url
		if err := setOutput(a, "comment-url", url); err != nil {
			problems = append(problems, err)
		}
	}

	if in.FailOn == FailOnNone {
		for _, err := range problems {
			a.Warningf("%s", redact.Replace(err.Error()))
		}
		return res, nil
	}
	if len(problems) > 0 {
		return res, fmt.Errorf("publishing the results: %w", errors.Join(problems...))
	}
	if res.Failed {
		return res, ErrFailed
	}
	return res, nil
}

// maybeComment posts the sticky comment unless comment is never or the run
// belongs to no pull request. It returns the comment's URL.
func maybeComment(ctx context.Context, cfg Config, in Inputs, gh *githubactions.GitHubContext, p published, redact *strings.Replacer) (string, error) {
	a := cfg.Action
	switch {
	case in.Comment == CommentNever:
		a.Infof("comment: never; no pull-request comment.")
		return "", nil
	case p.target == nil:
		a.Infof("This run belongs to no pull request; no comment.")
		return "", nil
	case in.GitHubToken == "":
		return "", errors.New("input github-token: missing; pass ${{ github.token }} or a token with pull-requests: write")
	}

	logger := newLogger(cfg.Log)
	client, err := ghcomment.NewClient(ghcomment.ClientOptions{
		APIURL:    gh.APIURL,
		Token:     in.GitHubToken,
		Transport: cfg.GitHubTransport,
		Retry:     cfg.Retry,
		Logger:    logger,
	})
	if err != nil {
		return "", err
	}

	if p.verifyHeadSHA != "" {
		pr, _, err := client.PullRequests.Get(ctx, p.target.Owner, p.target.Repo, p.target.Number)
		if err != nil {
			return "", fmt.Errorf("checking pull request %s before commenting: %w", p.target, err)
		}
		if got := pr.GetHead().GetSHA(); got != p.verifyHeadSHA {
			return "", fmt.Errorf("refusing to comment on %s: its head is %s, but the workflow run that produced the results built %s",
				p.target, got, p.verifyHeadSHA)
		}
	}

	mode := ghcomment.ModeAlways
	if in.Comment == CommentOnChange {
		mode = ghcomment.ModeOnChange
	}
	render := ghcomment.CommentRenderer(p.report)
	poster := ghcomment.NewPoster(client, ghcomment.PosterOptions{Logger: logger})
	result, err := poster.Upsert(ctx, *p.target, mode, func(limit int) string {
		return redact.Replace(render(limit))
	})
	if err != nil {
		return "", err
	}
	a.Infof("Pull-request comment %s: %s", result.Outcome, result.URL)
	return result.URL, nil
}

// annotateFailures writes one error annotation per failed stage and per cell
// with failed requests, up to maxAnnotations, then one for the rest.
func annotateFailures(a *githubactions.Action, r ghcomment.Report, redact *strings.Replacer) {
	type note struct{ title, msg string }
	var notes []note
	for _, e := range r.Errors {
		notes = append(notes, note{"llmbench: benchmark error", e})
	}
	for _, f := range r.Failures {
		title := fmt.Sprintf("llmbench: %s %s failed at %s", f.Framework, f.Model, f.Stage)
		if f.Workload != "" {
			title = fmt.Sprintf("llmbench: %s %s %s failed at %s", f.Framework, f.Model, f.Workload, f.Stage)
		}
		notes = append(notes, note{title, f.Message})
	}
	for _, s := range r.Summaries {
		if s.RequestsFailed == 0 {
			continue
		}
		title := fmt.Sprintf("llmbench: %s %s %s: %d of %d requests failed", s.Framework, s.Model, s.Workload, s.RequestsFailed, s.RequestsTotal)
		notes = append(notes, note{title, failureKinds(s)})
	}

	for i, n := range notes {
		if i == maxAnnotations {
			annotate(a, "llmbench: more failures", fmt.Sprintf("%d more failures; see the step summary.", len(notes)-maxAnnotations))
			break
		}
		annotate(a, redact.Replace(n.title), redact.Replace(n.msg))
	}
}

func failureKinds(s metrics.Summary) string {
	var parts []string
	for kind, n := range s.Failures {
		parts = append(parts, fmt.Sprintf("%s: %d", kind, n))
	}
	if len(parts) == 0 {
		return fmt.Sprintf("%d requests failed", s.RequestsFailed)
	}
	sort.Strings(parts)
	return "failures by kind: " + strings.Join(parts, ", ")
}

func hasFailures(r ghcomment.Report) bool {
	if len(r.Failures) > 0 || len(r.Errors) > 0 {
		return true
	}
	for _, s := range r.Summaries {
		if s.RequestsFailed > 0 {
			return true
		}
	}
	return false
}

// summariesJSON encodes the summaries as one line of JSON, [] when empty.
func summariesJSON(s []metrics.Summary) (string, error) {
	if s == nil {
		s = []metrics.Summary{}
	}
	data, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("encoding the summary-json output: %w", err)
	}
	return string(data), nil
}

// setOutput sets a step output, or returns an error when GITHUB_OUTPUT is
// not set or the value could break out of its heredoc.
func setOutput(a *githubactions.Action, name, value string) error {
	if a.Getenv("GITHUB_OUTPUT") == "" {
		return fmt.Errorf("setting output %s: GITHUB_OUTPUT is not set", name)
	}
	if strings.Contains(value, fileCommandDelimiter) {
		return fmt.Errorf("setting output %s: the value contains the file command delimiter", name)
	}
	return guard("setting output "+name, func() { a.SetOutput(name, value) })
}

// guard runs f and turns a panic of go-githubactions (which panics when it
// cannot write a file command) into an error.
func guard(what string, f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: %v", what, r)
		}
	}()
	f()
	return nil
}

// redactReport replaces the secrets in every text of r. It works on the JSON
// encoding of r, so no field is forgotten. A secret with characters that JSON
// escapes is missed here but still replaced in the rendered text.
func redactReport(r ghcomment.Report, redact *strings.Replacer) (ghcomment.Report, error) {
	data, err := json.Marshal(r)
	if err != nil {
		return r, fmt.Errorf("redacting secrets from the report: %w", err)
	}
	var out ghcomment.Report
	if err := json.Unmarshal([]byte(redact.Replace(string(data))), &out); err != nil {
		return r, fmt.Errorf("redacting secrets from the report: %w", err)
	}
	return out, nil
}

// secretRedactor replaces the secret inputs with *** in text the action
// writes to files, outputs and the comment, in case an error message or a
// server log carried one.
func secretRedactor(in Inputs) *strings.Replacer {
	var pairs []string
	for _, s := range []string{in.HFToken, in.GitHubToken} {
		for _, line := range strings.Split(s, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				pairs = append(pairs, line, "***")
			}
		}
	}
	return strings.NewReplacer(pairs...)
}
