package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/llmbench/llmbench-action/pipeline/report"
	"github.com/llmbench/llmbench-action/pipeline/results"
	"github.com/llmbench/llmbench-action/pipeline/runner"
)

type reportOptions struct {
	results        string
	exportCSV      bool
	generateReport bool
	format         string
	params         []string
	charts         bool
}

func newReportCmd(s streams) *cobra.Command {
	var opts reportOptions
	cmd := &cobra.Command{
		Use:   "report --results DIR",
		Short: "Recompute the summaries of a results directory and print its report",
		Long: "report reads requests.parquet of a results directory, recomputes every summary from the records " +
			"and prints the report on stdout. It can also write summary.csv, summary.json and report.md into the directory.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReport(cmd.Context(), s, opts)
		},
	}
	flags := cmd.Flags()
	flags.StringVar(&opts.results, "results", "", "results directory to read (the --out directory of a run)")
	flags.BoolVar(&opts.exportCSV, "export-csv", false, "write summary.csv into the results directory")
	flags.BoolVar(&opts.generateReport, "generate-report", false, "write summary.json and report.md into the results directory")
	flags.StringVar(&opts.format, "format", "text", "format printed on stdout: text, markdown, json or csv")
	flags.BoolVar(&opts.charts, "charts", false, "draw the charts (PNG and SVG) into the charts folder of the results directory")
	flags.StringArrayVar(&opts.params, "params", nil,
		"parameter count of a model for the scaling section, as MODEL=COUNT with an optional K, M or B suffix, e.g. facebook/opt-125m=125M (repeatable)")
	return cmd
}

func runReport(ctx context.Context, s streams, opts reportOptions) error {
	if opts.results == "" {
		return fmt.Errorf("report: missing --results; pass the results directory of a run")
	}
	format := report.Format(opts.format)
	if !validFormat(format) {
		return fmt.Errorf("report: invalid --format %q; use text, markdown, json or csv", opts.format)
	}
	sizes, err := parseParams(opts.params)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}

	run, err := results.Open(opts.results)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	printCellStatus(s.err, run)
	in := runner.ReportInput(run, sizes)
	if opts.charts {
		if err := runner.WriteCharts(run.Dir, run, in); err != nil {
			return fmt.Errorf("report: drawing the charts: %w", err)
		}
	}
	in.Charts = runner.ChartFiles(run.Dir)
	summaries := in.Summaries()
	if opts.exportCSV {
		if err := results.WriteSummaryCSVFile(run.Dir, summaries); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	if opts.generateReport {
		if err := results.WriteSummaryJSONFile(run.Dir, summaries); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		err := results.WriteFile(filepath.Join(run.Dir, results.ReportFile), func(w io.Writer) error {
			return report.Markdown(w, in)
		})
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	if err := report.Write(s.out, format, in); err != nil {
		return fmt.Errorf("report: writing the %s report: %w", format, err)
	}
	return nil
}

func validFormat(format report.Format) bool {
	for _, f := range report.Formats {
		if f == format {
			return true
		}
	}
	return false
}

// printCellStatus prints a line for each missing or incomplete cell.
func printCellStatus(w io.Writer, run *results.Run) {
	for _, key := range run.Missing {
		fmt.Fprintf(w, "llmbench: cell %s is missing: the run has no results for it\n", key)
	}
	for _, key := range run.Incomplete() {
		fmt.Fprintf(w, "llmbench: cell %s is incomplete: its workload did not run to its end\n", key)
	}
	if run.Recovered {
		fmt.Fprintf(w, "llmbench: %s was not closed; cells were recovered from its %s folder\n", run.Dir, results.CellsDir)
	}
}

// parseParams parses MODEL=COUNT entries; COUNT takes a K, M or B suffix.
func parseParams(entries []string) (map[string]float64, error) {
	sizes := map[string]float64{}
	for _, entry := range entries {
		i := strings.LastIndex(entry, "=")
		if i <= 0 || i == len(entry)-1 {
			return nil, fmt.Errorf("invalid --params %q: want MODEL=COUNT, e.g. facebook/opt-125m=125M", entry)
		}
		model, count := entry[:i], entry[i+1:]
		scale := 1.0
		switch strings.ToUpper(count[len(count)-1:]) {
		case "K":
			scale, count = 1e3, count[:len(count)-1]
		case "M":
			scale, count = 1e6, count[:len(count)-1]
		case "B":
			scale, count = 1e9, count[:len(count)-1]
		}
		n, err := strconv.ParseFloat(count, 64)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("invalid --params %q: the count must be a positive number with an optional K, M or B suffix", entry)
		}
		sizes[model] = n * scale
	}
	return sizes, nil
}

// printSummaryTable prints one line per cell of a results directory: its
// status, successes, output throughput and median latencies.
func printSummaryTable(w io.Writer, dir string) error {
	run, err := results.Open(dir)
	if err != nil {
		return fmt.Errorf("printing the summary: %w", err)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FRAMEWORK\tMODEL\tWORKLOAD\tOK\tOUTPUT TOK/S\tTTFT P50 MS\tTPOT P50 MS\tE2E P50 MS")
	for i, summary := range run.Summaries() {
		status := fmt.Sprintf("%d/%d", summary.RequestsOK, summary.RequestsTotal)
		if !run.Cells[i].Info.Complete {
			status += " (incomplete)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", summary.Framework, summary.Model, summary.Workload, status,
			formatOptional(summary.OutputTokenThroughput, 1), formatOptional(summary.TTFT.P50, 2),
			formatOptional(summary.TPOT.P50, 2), formatOptional(summary.E2E.P50, 2))
	}
	for _, key := range run.Missing {
		fmt.Fprintf(tw, "%s\t%s\t%s\tmissing\tn/a\tn/a\tn/a\tn/a\n", key.Framework, key.Model, key.Workload)
	}
	return tw.Flush()
}

func formatOptional(v *float64, decimals int) string {
	if v == nil {
		return "n/a"
	}
	return strconv.FormatFloat(*v, 'f', decimals, 64)
}
