package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/llmbench/llmbench-action/pipeline/matrix"
)

// Values of `llmbench matrix --by`.
const (
	byCell  = "cell"
	byGroup = "group"
)

// matrixOptions are the flags of `llmbench matrix`.
type matrixOptions struct {
	matrixFile string
	github     bool
	by         string
	only       string
}

func newMatrixCmd(s streams) *cobra.Command {
	opts := matrixOptions{by: byCell}
	cmd := &cobra.Command{
		Use:   "matrix",
		Short: "List the cells of a benchmark matrix, or print them as a GitHub Actions matrix",
		Long: `List the cells of a benchmark matrix: frameworks × models × workloads, with
excludes and overrides applied. Without --matrix the default matrix is used:
vllm and sglang × facebook/opt-125m, Qwen/Qwen2-1.5B, microsoft/phi-2 ×
small, medium, large.

With --github the cells are printed as one line of JSON for a GitHub Actions
strategy.matrix, so that a workflow fans out one job per cell (--by cell) or
per server group (--by group, one server start for all its workloads):

  echo "matrix=$(llmbench matrix --github --by group)" >> "$GITHUB_OUTPUT"`,
		Example: `  llmbench matrix
  llmbench matrix --matrix bench.yaml --only 'vllm//large'
  llmbench matrix --github --by group`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMatrix(opts, s.out)
		},
	}

	flags := cmd.Flags()
	flags.StringVar(&opts.matrixFile, "matrix", "", "matrix YAML `file` (default: the built-in 3 models × 2 frameworks × 3 workloads)")
	flags.BoolVar(&opts.github, "github", false, "print a GitHub Actions strategy.matrix as JSON instead of a table")
	flags.StringVar(&opts.by, "by", byCell, "one entry per cell or per server group: cell or group")
	flags.StringVar(&opts.only, "only", "", "select cells whose ID matches `PATTERN`: framework/model/workload, each part a regular expression or a glob (vllm//large, sglang/opt-*)")
	return cmd
}

func runMatrix(opts matrixOptions, out io.Writer) error {
	if opts.by != byCell && opts.by != byGroup {
		return fmt.Errorf("invalid --by %q: use %s or %s", opts.by, byCell, byGroup)
	}

	m := matrix.Default()
	if opts.matrixFile != "" {
		var err error
		if m, err = matrix.Load(opts.matrixFile); err != nil {
			return err
		}
	}
	cells, err := matrix.Select(m.Cells(), opts.only)
	if err != nil {
		return fmt.Errorf("--only: %w", err)
	}

	if opts.github {
		var data []byte
		if opts.by == byGroup {
			data, err = matrix.GitHubGroups(cells)
		} else {
			data, err = matrix.GitHubCells(cells)
		}
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "%s\n", data)
		return err
	}

	if opts.by == byGroup {
		return writeGroupTable(out, matrix.GroupCells(cells))
	}
	return writeCellTable(out, cells)
}

func writeCellTable(out io.Writer, cells []matrix.Cell) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CELL\tFRAMEWORK\tMODEL\tWORKLOAD\tREQUESTS\tMAX TOKENS")
	for _, c := range cells {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\n",
			c.ID, c.Framework.Name, c.Model.ID, c.Workload.Name, c.Workload.NumRequests, c.Workload.MaxTokens)
	}
	return tw.Flush()
}

func writeGroupTable(out io.Writer, groups []matrix.Group) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "GROUP\tFRAMEWORK\tMODEL\tPARAMS\tWORKLOADS")
	for _, g := range groups {
		workloads := make([]string, len(g.Cells))
		for i, c := range g.Cells {
			workloads[i] = c.Workload.Name
		}
		params := matrix.FormatParams(g.Model.Params)
		if params == "" {
			params = "?"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n",
			g.ID, g.Framework.Name, g.Model.ID, params, strings.Join(workloads, ","))
	}
	return tw.Flush()
}
