package main

import (
	"context"
	"errors"
	"path/filepath"
	"strings"

	"github.com/sethvargo/go-githubactions"
	"github.com/spf13/cobra"

	"github.com/llmbench/llmbench-action/pipeline/action"
	"github.com/llmbench/llmbench-action/pipeline/results"
	"github.com/llmbench/llmbench-action/pipeline/runner"
)

func newActionCmd(s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "action",
		Short: "Run as the GitHub Action: inputs from INPUT_* variables, results to the step summary, outputs and a pull-request comment",
		Long: `Run llmbench as the GitHub Action defined in action.yml.

The inputs come from INPUT_<NAME> environment variables (for example INPUT_HF-TOKEN),
the event from GITHUB_EVENT_PATH, and the results go to the results directory, the
step summary (GITHUB_STEP_SUMMARY), the step outputs (GITHUB_OUTPUT) and one sticky
comment on the pull request. See docs/action.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := action.Run(cmd.Context(), action.Config{
				Action:      githubactions.New(githubactions.WithWriter(s.out)),
				Log:         s.out,
				Benchmark:   actionBenchmark(s),
				ToolVersion: version,
			})
			if errors.Is(err, action.ErrFailed) {
				return errSomeFailed
			}
			return err
		},
	}
}

// actionBenchmark returns the benchmark the action runs: the matrix runner
// of `llmbench run`, with its stage lines in the action's log.
func actionBenchmark(s streams) action.Benchmark {
	return func(ctx context.Context, in action.BenchmarkInput) (action.BenchmarkOutput, error) {
		opts := defaultRunOptions()
		opts.target = in.Target
		opts.endpoint = in.Endpoint
		opts.matrixFile = in.MatrixPath
		opts.frameworks = in.Frameworks
		opts.models = in.Models
		opts.workloads = in.Workloads
		opts.out = in.ResultsDir
		opts.instance = in.InstanceType
		opts.pricePerHour = in.PricePerHourUSD
		opts.hfToken = in.HFToken
		if in.Group != nil {
			var end func()
			opts.groupStart = func(name string) { end = in.Group(name) }
			opts.groupEnd = func() {
				if end != nil {
					end()
					end = nil
				}
			}
		}

		res, err := executeRun(ctx, opts, s)
		out := action.BenchmarkOutput{ResultsDir: res.out}
		if res.out == "" {
			return out, err
		}
		run, openErr := results.Open(res.out)
		if openErr != nil {
			return out, errors.Join(err, openErr)
		}
		out.Summaries = run.Summaries()
		out.ReportPath = filepath.Join(res.out, results.ReportFile)
		out.Environment = action.Environment{
			Commit:      run.Info.GitCommit,
			Runner:      run.Info.RunnerName,
			GPU:         strings.TrimSpace(run.Info.GPUName + " " + run.Info.GPUDriver),
			Date:        run.Info.StartedAt,
			ToolVersion: run.Info.ToolVersion,
		}
		seen := map[string]bool{}
		for _, c := range run.Cells {
			image := c.Info.Image
			if c.Info.ImageDigest != "" {
				image += "@" + c.Info.ImageDigest
			}
			if image != "" && !seen[image] {
				seen[image] = true
				out.Environment.Images = append(out.Environment.Images, image)
			}
		}
		for _, c := range res.outcome.Cells {
			if c.Err == nil || c.Skipped {
				continue
			}
			stageName := c.Cell.Workload.Name
			if errors.Is(c.Err, runner.ErrServerNotStarted) {
				stageName = "start"
			}
			out.Failures = append(out.Failures, action.CellFailure{
				Framework: c.Cell.Framework.Name,
				Model:     c.Cell.Model.ID,
				Workload:  c.Cell.Workload.Name,
				Stage:     stageName,
				Message:   c.Err.Error(),
			})
		}
		return out, err
	}
}
