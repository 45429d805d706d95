package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/llmbench/llmbench-action/pipeline/container"
	"github.com/spf13/cobra"
)

// cleanupOptions are the flags of llmbench cleanup.
type cleanupOptions struct {
	runID  string
	dryRun bool
}

func newCleanupCmd(s streams) *cobra.Command {
	var opts cleanupOptions
	cmd := &cobra.Command{
		Use:   "cleanup",
		Short: "Remove the server containers that llmbench runs left behind",
		Long: `Remove the containers that llmbench started and that still exist, running or
not, for example after a run was killed. Every container that llmbench starts
carries the label ` + container.LabelManaged + `=true and its run id in
` + container.LabelRunID + `. Without flags, cleanup removes every such
container. --run-id limits it to one run, and --dry-run lists the containers
without removing them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCleanup(cmd, s, opts)
		},
	}
	cmd.Flags().StringVar(&opts.runID, "run-id", "", "remove only the containers of this run id (default: every llmbench container)")
	cmd.Flags().BoolVar(&opts.dryRun, "dry-run", false, "list the containers without removing them")
	return cmd
}

func runCleanup(cmd *cobra.Command, s streams, opts cleanupOptions) error {
	ctx := cmd.Context()

	if opts.dryRun {
		leftovers, err := container.List(ctx, opts.runID)
		if err != nil {
			return err
		}
		if len(leftovers) == 0 {
			fmt.Fprintln(s.err, "llmbench: no llmbench containers found")
			return nil
		}
		w := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "CONTAINER\tSTATE\tFRAMEWORK\tMODEL\tRUN ID\tCREATED")
		for _, c := range leftovers {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", c.Name, c.State, c.Framework, c.Model, c.RunID, c.Created.Format("2006-01-02 15:04:05"))
		}
		return w.Flush()
	}

	removed, err := container.Cleanup(ctx, opts.runID)
	for _, name := range removed {
		fmt.Fprintf(s.out, "removed %s\n", name)
	}
	if err != nil {
		return err
	}
	if len(removed) == 0 {
		fmt.Fprintln(s.err, "llmbench: no llmbench containers found")
	}
	return nil
}
