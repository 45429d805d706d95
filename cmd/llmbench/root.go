package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// streams are the standard streams of one invocation.
type streams struct {
	in  io.Reader
	out io.Writer
	err io.Writer
}

// run executes the command line args.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := newRootCmd(streams{in: stdin, out: stdout, err: stderr})
	cmd.SetArgs(args)
	return cmd.ExecuteContext(ctx)
}

func newRootCmd(s streams) *cobra.Command {
	root := &cobra.Command{
		Use:           "llmbench",
		Short:         "Benchmark LLM inference servers (vLLM, SGLang) with streaming load",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(s.in)
	root.SetOut(s.out)
	root.SetErr(s.err)

	root.AddCommand(
		newVersionCmd(s),
		newRunCmd(s),
		newSimCmd(s),
		newReportCmd(s),
		newMergeCmd(s),
		newResultsCmd(s),
		newMatrixCmd(s),
		newCleanupCmd(s),
		newActionCmd(s),
	)
	return root
}

func newVersionCmd(s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the llmbench version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := io.WriteString(s.out, "llmbench "+version+"\n")
			return err
		},
	}
}
