// Package ghcomment renders benchmark results as GitHub-flavoured Markdown
// (the pull-request comment and the step summary) and keeps one sticky
// comment per matrix up to date through the GitHub REST API.
//
// Rendering is pure: the same Report always gives the same bytes. Text from
// outside the tool (model and framework names, branch and runner names, error
// messages) is escaped. It cannot close an HTML element, start a link, mention
// a user or team, or change the Mermaid chart.
package ghcomment

import (
	"time"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
)

// Report is everything a comment or a step summary shows.
type Report struct {
	// MatrixID names the matrix; it goes into the hidden marker that makes the
	// comment sticky, so each matrix keeps one comment per pull request.
	MatrixID string
	// Summaries are the per-cell aggregates, in report order: workloads,
	// models and frameworks appear in the order of their first summary.
	Summaries []metrics.Summary
	// Failures are cells (or whole server groups) that produced no summary
	// or failed a stage.
	Failures []CellFailure
	// Errors are run-level errors that belong to no cell, such as a
	// benchmark that stopped early; untrusted text.
	Errors      []string
	Environment Environment
	Links       Links
}

// Environment describes where and on what the benchmark ran.
type Environment struct {
	// Commit is the git commit benchmarked (full or abbreviated hex).
	Commit string
	// Branch is the pull request's head branch; untrusted text.
	Branch string
	// Runner is the runner's name; untrusted text.
	Runner string
	// GPU is the GPU model and driver, e.g. "NVIDIA A10G (driver 550.54)".
	GPU string
	// Date is the start of the run.
	Date time.Time
	// Images lists the container image references and digests used.
	Images []string
	// ToolVersion is the llmbench version.
	ToolVersion string
	// InstanceType is the cloud instance type used for cost, e.g. "g5.xlarge".
	InstanceType string
	// PricePerHourUSD is the hardware price used for cost; 0 when unknown.
	PricePerHourUSD float64
}

// CellFailure is a cell that failed a stage. Workload is empty when the whole
// server group failed (for example, the server never became ready).
type CellFailure struct {
	Framework string
	Model     string
	Workload  string
	// Stage is the stage that failed: "start", "ready", "warmup", a workload
	// name, "scrape" or "stop".
	Stage string
	// Message is the error; untrusted text.
	Message string
}

// Links point to the run and its artifacts. Each is an http or https URL, or
// empty; anything else is left out of the rendering.
type Links struct {
	Run       string
	Artifacts string
	Charts    string
	Parquet   string
	Report    string
}
