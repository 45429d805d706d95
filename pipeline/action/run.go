package action

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/llmbench/llmbench-action/pipeline/ghcomment"
)

// Errors Run returns, for errors.Is.
var (
	// ErrFailed means the run finished and published its results, but cells
	// or requests failed (or the comment could not be posted) and fail-on
	// is failure.
	ErrFailed = errors.New("the benchmark had failures")
	// ErrForkRefused means a pull request from a fork was refused on a
	// self-hosted runner.
	ErrForkRefused = errors.New("pull request from a fork rejected on a self-hosted runner")
)

// Config is the configuration of Run besides the environment.
type Config struct {
	// Action reads inputs and the event and writes commands, outputs and the
	// step summary.
	Action *githubactions.Action
	// Log is the writer Action writes to; the GitHub client logs its
	// retries there. Nil discards them.
	Log io.Writer
	// Benchmark runs the matrix.
	Benchmark Benchmark
	// GitHubTransport sends GitHub API requests; nil means
	// http.DefaultTransport.
	GitHubTransport http.RoundTripper
	// Retry bounds retries of GitHub API requests.
	Retry ghcomment.RetryPolicy
	// ToolVersion is the llmbench version, shown in the report.
	ToolVersion string
}

// Result is the summary of what Run published.
type Result struct {
	ResultsDir string
	Failed     bool
	CommentURL string
}

// Run runs the action. It masks the secret inputs before anything else is
// logged and validates the inputs. It rejects fork pull requests on
// self-hosted runners unless allow-fork-pull-requests is true. Then it runs
// the benchmark (or, in comment mode, loads the results of an earlier run) and
// publishes them.
// It returns ErrFailed when fail-on is failure and something failed.
func Run(ctx context.Context, cfg Config) (Result, error) {
	a := cfg.Action
	maskSecrets(a)

	in, err := ParseInputs(a.GetInput)
	if err != nil {
		annotate(a, "llmbench: invalid input", err.Error())
		publishStopped(a, in, stop{title: "Invalid input", err: err, hints: inputHints})
		return Result{Failed: true}, err
	}
	gh, err := a.Context()
	if gh == nil {
		err = fmt.Errorf("reading the GitHub Actions context: %w", err)
		annotate(a, "llmbench: no GitHub Actions context", err.Error())
		publishStopped(a, in, stop{title: "GitHub Actions context not readable", err: err})
		return Result{Failed: true}, err
	}
	if err != nil {
		a.Warningf("some GitHub Actions variables could not be parsed: %v", err)
	}
	pr := pullRequestFromEvent(gh.Event)

	var p published
	switch in.Mode {
	case ModeComment:
		p, err = loadPublished(ctx, cfg, in, gh)
	default:
		if err := checkFork(a, in, gh, pr); err != nil {
			return Result{Failed: true}, err
		}
		p, err = runBenchmark(ctx, cfg, in, gh, pr)
	}
	if err != nil {
		redact := secretRedactor(in)
		annotate(a, "llmbench: "+in.Mode+" failed", redact.Replace(err.Error()))
		dir := existingResultsDir(in)
		title := "Benchmark failed before it had results"
		if in.Mode == ModeComment {
			title = "Results of the benchmark run not loaded"
		}
		publishStopped(a, in, stop{title: title, err: err, resultsDir: dir})
		return Result{ResultsDir: dir, Failed: true}, err
	}
	return publish(ctx, cfg, in, gh, p)
}

// maskSecrets registers the token inputs with the runner's log masking, one
// line at a time, since a mask covers one line.
func maskSecrets(a *githubactions.Action) {
	for _, name := range []string{"hf-token", "github-token"} {
		for _, line := range strings.Split(a.GetInput(name), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				a.AddMask(line)
			}
		}
	}
}

// checkFork refuses a pull request from a fork on a self-hosted runner: its
// code would run on the runner with access to its network, caches and
// anything else left on the machine.
func checkFork(a *githubactions.Action, in Inputs, gh *githubactions.GitHubContext, pr *pullRequest) error {
	if pr == nil || !pr.Fork {
		return nil
	}
	hosted := a.Getenv("RUNNER_ENVIRONMENT") == "github-hosted"
	if hosted {
		a.Infof("Pull request #%d comes from a fork (%s); running on a GitHub-hosted runner.", pr.Number, pr.HeadRepo)
		return nil
	}
	if in.AllowForkPullRequests {
		a.Warningf("Pull request #%d comes from a fork (%s) and runs on a self-hosted runner because allow-fork-pull-requests is true.", pr.Number, pr.HeadRepo)
		return nil
	}
	head := pr.HeadRepo
	if head == "" {
		head = "a deleted repository"
	}
	msg := fmt.Sprintf("Pull request #%d comes from a fork (%s), and this runner is self-hosted (RUNNER_ENVIRONMENT=%q). "+
		"Code from a fork must not run on a self-hosted GPU runner: it could read whatever the runner keeps and persist on it. "+
		"Review the change and run the benchmark from a branch of %s, or set allow-fork-pull-requests: true if this runner is ephemeral and isolated.",
		pr.Number, head, a.Getenv("RUNNER_ENVIRONMENT"), gh.Repository)
	annotate(a, "llmbench: fork pull request refused", msg)
	reason := fmt.Errorf("pull request #%d comes from a fork (%s) and this runner is self-hosted (RUNNER_ENVIRONMENT=%q), "+
		"so the benchmark did not run: code from a fork could read what the runner keeps and persist on it",
		pr.Number, head, a.Getenv("RUNNER_ENVIRONMENT"))
	publishStopped(a, in, stop{title: "Pull request from a fork rejected on a self-hosted runner", err: reason, hints: forkHints})
	return fmt.Errorf("%w: pull request #%d from %s", ErrForkRefused, pr.Number, head)
}

// annotate writes an error annotation with a title.
func annotate(a *githubactions.Action, title, msg string) {
	a.WithFieldsMap(map[string]string{"title": title}).Errorf("%s", msg)
}

// newLogger returns a logger for library code that writes plain key=value
// lines without timestamps to w.
func newLogger(w io.Writer) *slog.Logger {
	if w == nil {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, attr slog.Attr) slog.Attr {
			if len(groups) == 0 && attr.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return attr
		},
	}))
}

// matrixID names the matrix for the sticky-comment marker: the matrix file's
// name without extension, or "default".
func matrixID(matrix string) string {
	if matrix == "" {
		return "default"
	}
	base := filepath.Base(matrix)
	return ghcomment.MarkerID(strings.TrimSuffix(base, filepath.Ext(base)))
}
