package sim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
)

// ArgvMain runs the simulator when the process was started with a real
// framework's command line, so one static binary installed as
// /usr/local/bin/vllm and /usr/local/bin/python3 in an image serves the
// command lines of both frameworks:
//
//	vllm serve <model> [flags]                        → vLLM flavor
//	python3 -m sglang.launch_server [flags]           → SGLang flavor
//	python -m sglang.launch_server [flags]            → SGLang flavor
//
// It returns handled false, doing nothing, for any other argv. Otherwise it
// serves until ctx ends and returns handled true with nil, or with the error
// that stopped the server. Simulator flags may also come from LLMBENCH_SIM_*
// environment variables. Logs go to stderr; help goes to stdout.
func ArgvMain(ctx context.Context, argv []string, stdout, stderr io.Writer) (handled bool, err error) {
	flavor, args, ok := flavorFromArgv(argv)
	if !ok {
		return false, nil
	}

	cfg, err := ParseArgsEnv(flavor, args, os.LookupEnv)
	if errors.Is(err, ErrHelp) {
		_, err = io.WriteString(stdout, Usage(flavor))
		return true, err
	}
	if err != nil {
		return true, fmt.Errorf("simulated %s: %w", flavor, err)
	}

	logger := slog.New(slog.NewTextHandler(stderr, nil))
	return true, New(cfg, logger).ListenAndServe(ctx)
}

// flavorFromArgv recognizes a framework's command line and returns the
// flavor and the arguments that follow the command.
func flavorFromArgv(argv []string) (flavor string, args []string, ok bool) {
	if len(argv) < 2 {
		return "", nil, false
	}
	switch filepath.Base(argv[0]) {
	case "vllm":
		if argv[1] == "serve" {
			return FlavorVLLM, argv[2:], true
		}
	case "python3", "python":
		if len(argv) >= 3 && argv[1] == "-m" && argv[2] == "sglang.launch_server" {
			return FlavorSGLang, argv[3:], true
		}
	}
	return "", nil, false
}
