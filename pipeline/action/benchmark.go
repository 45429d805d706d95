// Package action runs llmbench as a GitHub Action: it reads the inputs and
// the event through go-githubactions, refuses fork pull requests on
// self-hosted runners, runs the benchmark, and publishes the results in this
// order: the results directory, the step summary, the step outputs, the error
// annotations and the sticky pull-request comment. A comment that cannot be
// posted loses no results, because everything else is written first.
package action

import (
	"context"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
)

// Benchmark runs a matrix and writes its results directory. It returns the
// results it has even when it also returns an error, so that partial results
// are still published.
type Benchmark func(ctx context.Context, in BenchmarkInput) (BenchmarkOutput, error)

// BenchmarkInput is the request of the action to the benchmark.
type BenchmarkInput struct {
	// MatrixPath is the matrix file; empty means the built-in default matrix.
	MatrixPath string
	// Frameworks, Models and Workloads keep only the matrix cells they name;
	// an empty list keeps all.
	Frameworks []string
	Models     []string
	Workloads  []string
	// Target is "container", "endpoint" or "sim".
	Target string
	// Endpoint is the base URL of an existing server when Target is
	// "endpoint".
	Endpoint string
	// HFToken is the Hugging Face token for gated models. It is a secret:
	// never log it or write it to a file.
	HFToken string
	// InstanceType names the cloud instance, e.g. "g5.xlarge", for cost.
	InstanceType string
	// PricePerHourUSD is the hardware price per hour in US dollars; 0 means
	// unknown (or taken from InstanceType by the benchmark).
	PricePerHourUSD float64
	// ResultsDir is the directory to write the results into.
	ResultsDir string
	// Group opens a folded log group named name and returns the function
	// that closes it; the benchmark opens one per server group.
	Group func(name string) func()
}

// BenchmarkOutput is the result of a benchmark run.
type BenchmarkOutput struct {
	// ResultsDir is the directory the results were written to.
	ResultsDir string
	// Summaries are the per-cell aggregates in report order.
	Summaries []metrics.Summary
	// Environment describes the run.
	Environment Environment
	// Failures are the stages that failed.
	Failures []CellFailure
	// ReportPath is the path of report.md.
	ReportPath string
}

// Environment describes where and on what the benchmark ran.
type Environment struct {
	// Commit is the git commit benchmarked.
	Commit string
	// Runner is the runner's name.
	Runner string
	// GPU is the GPU model and driver.
	GPU string
	// Date is the start of the run.
	Date time.Time
	// Images lists the container image references and digests used.
	Images []string
	// ToolVersion is the llmbench version.
	ToolVersion string
}

// CellFailure is a stage that failed. Workload is empty when the whole server
// group failed.
type CellFailure struct {
	Framework string
	Model     string
	Workload  string
	// Stage is "start", "ready", "warmup", a workload name, "scrape" or
	// "stop".
	Stage string
	// Message is the error text.
	Message string
}
