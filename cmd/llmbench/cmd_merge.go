package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/llmbench/llmbench-action/pipeline/results"
)

func newMergeCmd(s streams) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "merge DIR... --out DIR",
		Short: "Join the results directories of jobs that ran different cells",
		Long: "merge joins results directories whose cells do not overlap into a new results directory with " +
			"requests.parquet and the summaries. It rejects directories of different schema versions and a cell present twice.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, dirs []string) error {
			if out == "" {
				return fmt.Errorf("merge: missing --out; pass the directory to write the merged results to")
			}
			if err := results.Merge(dirs, out); err != nil {
				return err
			}
			run, err := results.Open(out)
			if err != nil {
				return fmt.Errorf("merge: reading the merged results: %w", err)
			}
			fmt.Fprintf(s.out, "merged %s into %s: %s\n",
				countNoun(len(dirs), "results directory", "results directories"), out, countNoun(len(run.Cells), "cell", "cells"))
			printCellStatus(s.err, run)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "directory to write the merged results to; it must not contain results yet")
	return cmd
}

// countNoun returns n with the singular or plural noun, e.g. "1 cell" or
// "2 cells".
func countNoun(n int, singular, plural string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, singular)
	}
	return fmt.Sprintf("%d %s", n, plural)
}
