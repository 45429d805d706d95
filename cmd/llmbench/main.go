// Command llmbench benchmarks LLM inference servers (vLLM, SGLang) from a
// shell, a Go test or a GitHub Action. See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	tclog "github.com/testcontainers/testcontainers-go/log"

	"github.com/llmbench/llmbench-action/pipeline/container"
	"github.com/llmbench/llmbench-action/pipeline/sim"
)

func main() {
	os.Exit(runMain(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// runMain runs the command line argv (program name first) and maps its
// outcome to an exit status. The first interrupt cancels the context so that
// containers are stopped and finished results are written; a second one
// exits at once.
//
// Installed as "vllm" or "python3", the binary serves the simulator for the
// real framework's command line ("vllm serve MODEL ...", "python3 -m
// sglang.launch_server ..."). This lets the simulator image replace the vLLM
// and SGLang images in tests.
func runMain(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// A closed stdout pipe ("llmbench run | head") must not kill the run
	// before it stops its containers and writes its results: with SIGPIPE
	// received here, writes to the pipe fail with EPIPE instead, and the
	// run goes on with its output lost.
	brokenPipe := make(chan os.Signal, 1)
	signal.Notify(brokenPipe, syscall.SIGPIPE)
	defer signal.Stop(brokenPipe)
	go func() {
		<-ctx.Done()
		stop()
		second := make(chan os.Signal, 1)
		signal.Notify(second, os.Interrupt, syscall.SIGTERM)
		<-second
		fmt.Fprintln(stderr, "llmbench: second interrupt, exiting without cleanup")
		os.Exit(130)
	}()

	if handled, err := sim.ArgvMain(ctx, argv, stdout, stderr); handled {
		return exitCode(err, stderr)
	}

	// testcontainers-go prints a banner through its package logger. Its Ryuk
	// reaper image cannot be pulled on offline runners, so llmbench labels
	// and removes its own containers instead.
	tclog.SetDefault(tclog.NewNoopLogger())
	container.DisableReaper()

	err := run(ctx, argv[1:], stdin, stdout, stderr)
	return exitCode(err, stderr)
}

// exitError carries an exit status and an optional message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// errSomeFailed is returned when a benchmark ran to the end but some requests
// or cells failed; the details were already printed.
var errSomeFailed = &exitError{code: 1}

// exitCode prints err (unless it was already reported) and returns the exit
// status: 0 on success, 1 when a benchmark had failures, 2 for usage and
// input errors, 130 after an interrupt.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var exit *exitError
	if errors.As(err, &exit) {
		if exit.err != nil {
			fmt.Fprintf(stderr, "llmbench: %v\n", exit.err)
		}
		return exit.code
	}
	fmt.Fprintf(stderr, "llmbench: %v\n", err)
	if errors.Is(err, context.Canceled) {
		return 130
	}
	return 2
}
