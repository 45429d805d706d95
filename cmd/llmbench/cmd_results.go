package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/llmbench/llmbench-action/pipeline/results"
)

func newResultsCmd(s streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "results",
		Short: "Inspect results directories",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "ls DIR",
		Short: "List the cells of a results directory, complete or not, with their request counts",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			run, err := results.Open(args[0])
			if err != nil {
				return fmt.Errorf("results ls: %w", err)
			}
			tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "FRAMEWORK\tMODEL\tWORKLOAD\tSTATUS\tREQUESTS\tFAILED\tWARMUP")
			for _, c := range run.Cells {
				measured, failed, warmup := 0, 0, 0
				for i := range c.Records {
					switch r := &c.Records[i]; {
					case r.Warmup:
						warmup++
					case !r.OK:
						measured++
						failed++
					default:
						measured++
					}
				}
				status := "complete"
				if !c.Info.Complete {
					status = "incomplete"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\n", c.Info.Framework, c.Info.Model, c.Info.Workload, status, measured, failed, warmup)
			}
			for _, key := range run.Missing {
				fmt.Fprintf(tw, "%s\t%s\t%s\tmissing\t0\t0\t0\n", key.Framework, key.Model, key.Workload)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if run.Recovered {
				fmt.Fprintf(s.err, "llmbench: %s was not closed; cells were recovered from its %s folder\n", run.Dir, results.CellsDir)
			}
			return nil
		},
	})
	return cmd
}
