package report

import (
	"io"

	"github.com/llmbench/llmbench-action/pipeline/metrics"
	"github.com/llmbench/llmbench-action/pipeline/results"
)

// Format is an output format of the report command.
type Format string

// Output formats.
const (
	FormatText     Format = "text"
	FormatMarkdown Format = "markdown"
	FormatJSON     Format = "json"
	FormatCSV      Format = "csv"
)

// Formats lists the formats in help order.
var Formats = []Format{FormatText, FormatMarkdown, FormatJSON, FormatCSV}

// Markdown writes the report as Markdown (report.md). It returns an error
// for an empty or absolute path in in.Charts.
func Markdown(w io.Writer, in Input) error {
	if err := in.validate(); err != nil {
		return err
	}
	return renderMarkdown(w, build(in))
}

// Text writes the report as plain text with aligned columns, for
// terminals and CI logs. It returns an error for an empty or absolute path
// in in.Charts.
func Text(w io.Writer, in Input) error {
	if err := in.validate(); err != nil {
		return err
	}
	return renderText(w, build(in))
}

// CSV writes the summaries as summary.csv writes them.
func CSV(w io.Writer, summaries []metrics.Summary) error {
	return results.WriteSummaryCSV(w, summaries)
}

// JSON writes the summaries as summary.json writes them.
func JSON(w io.Writer, summaries []metrics.Summary) error {
	return results.WriteSummaryJSON(w, summaries)
}

// Write writes the report of in in the given format.
func Write(w io.Writer, format Format, in Input) error {
	switch format {
	case FormatText:
		return Text(w, in)
	case FormatMarkdown:
		return Markdown(w, in)
	case FormatJSON:
		return JSON(w, in.Summaries())
	case FormatCSV:
		return CSV(w, in.Summaries())
	}
	return &FormatError{Format: string(format)}
}

// FormatError reports an unknown output format.
type FormatError struct {
	Format string
}

func (e *FormatError) Error() string {
	return "unknown report format " + `"` + e.Format + `"` + "; use text, markdown, json or csv"
}
