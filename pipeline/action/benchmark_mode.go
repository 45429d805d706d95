package action

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/llmbench/llmbench-action/pipeline/ghcomment"
)

// published is the report the action publishes and where its files are.
type published struct {
	resultsDir string
	reportPath string
	report     ghcomment.Report
	// target is the pull request to comment on; nil outside pull requests.
	target *ghcomment.Target
	// verifyHeadSHA, when set, must be the target's head commit before the
	// comment is posted (comment mode under workflow_run).
	verifyHeadSHA string
	// headSHA is the benchmarked pull request's head commit.
	headSHA string
}

// runBenchmark runs the benchmark and writes the comment payload into the
// results directory. Partial results are kept: a benchmark error with
// summaries or failures becomes a run-level error in the report.
func runBenchmark(ctx context.Context, cfg Config, in Inputs, gh *githubactions.GitHubContext, pr *pullRequest) (published, error) {
	a := cfg.Action
	dir, err := filepath.Abs(in.ResultsDir)
	if err != nil {
		return published{}, fmt.Errorf("input results-dir: %q: %w", in.ResultsDir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return published{}, fmt.Errorf("input results-dir: creating %s: %w", dir, err)
	}

	a.Infof("Running %s against target %s; results go to %s.", describeMatrix(in), in.Target, dir)
	out, benchErr := cfg.Benchmark(ctx, BenchmarkInput{
		MatrixPath:      in.Matrix,
		Frameworks:      in.Frameworks,
		Models:          in.Models,
		Workloads:       in.Workloads,
		Target:          in.Target,
		Endpoint:        in.Endpoint,
		HFToken:         in.HFToken,
		InstanceType:    in.InstanceType,
		PricePerHourUSD: in.PricePerHourUSD,
		ResultsDir:      dir,
		Group: func(name string) func() {
			a.Group(name)
			return a.EndGroup
		},
	})
	if benchErr != nil && len(out.Summaries) == 0 && len(out.Failures) == 0 {
		return published{}, fmt.Errorf("running the benchmark: %w", benchErr)
	}
	if out.ResultsDir == "" {
		out.ResultsDir = dir
	}

	p := published{
		resultsDir: out.ResultsDir,
		reportPath: out.ReportPath,
		report:     buildReport(cfg, in, gh, pr, out),
	}
	if benchErr != nil {
		p.report.Errors = append(p.report.Errors, "the benchmark stopped early: "+benchErr.Error())
	}
	if pr != nil {
		owner, repo := gh.Repo()
		p.target = &ghcomment.Target{Owner: owner, Repo: repo, Number: pr.Number, MatrixID: p.report.MatrixID}
		p.headSHA = pr.HeadSHA
	}
	return p, nil
}

// describeMatrix names the matrix the benchmark runs and the filters that
// narrow it, e.g. "the default matrix (only models: facebook/opt-125m;
// workloads: small)".
func describeMatrix(in Inputs) string {
	matrix := "the default matrix"
	if in.Matrix != "" {
		matrix = "matrix file " + in.Matrix
	}
	var filters []string
	for _, f := range []struct {
		input string
		names []string
	}{{"frameworks", in.Frameworks}, {"models", in.Models}, {"workloads", in.Workloads}} {
		if len(f.names) > 0 {
			filters = append(filters, f.input+": "+strings.Join(f.names, ", "))
		}
	}
	if len(filters) == 0 {
		return matrix + " (all cells)"
	}
	return matrix + " (only " + strings.Join(filters, "; ") + ")"
}

// buildReport converts the benchmark output into the report the comment and
// the step summary show.
func buildReport(cfg Config, in Inputs, gh *githubactions.GitHubContext, pr *pullRequest, out BenchmarkOutput) ghcomment.Report {
	env := out.Environment
	r := ghcomment.Report{
		MatrixID:  matrixID(in.Matrix),
		Summaries: out.Summaries,
		Environment: ghcomment.Environment{
			Commit:          env.Commit,
			Runner:          env.Runner,
			GPU:             env.GPU,
			Date:            env.Date,
			Images:          env.Images,
			ToolVersion:     env.ToolVersion,
			InstanceType:    in.InstanceType,
			PricePerHourUSD: in.PricePerHourUSD,
		},
	}
	for _, f := range out.Failures {
		r.Failures = append(r.Failures, ghcomment.CellFailure(f))
	}

	if r.Environment.Commit == "" && pr != nil {
		r.Environment.Commit = pr.HeadSHA
	}
	if r.Environment.Commit == "" {
		r.Environment.Commit = gh.SHA
	}
	if pr != nil {
		r.Environment.Branch = pr.HeadRef
	} else {
		r.Environment.Branch = gh.RefName
	}
	if r.Environment.Runner == "" {
		r.Environment.Runner = cfg.Action.Getenv("RUNNER_NAME")
	}
	if r.Environment.ToolVersion == "" {
		r.Environment.ToolVersion = cfg.ToolVersion
	}

	if gh.RunID > 0 && gh.Repository != "" {
		run := strings.TrimRight(gh.ServerURL, "/") + "/" + gh.Repository + "/actions/runs/" + strconv.FormatInt(gh.RunID, 10)
		r.Links.Run = run
		r.Links.Artifacts = run + "#artifacts"
	}
	return r
}
