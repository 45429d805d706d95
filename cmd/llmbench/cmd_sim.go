package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/llmbench/llmbench-action/pipeline/sim"
)

const simUsage = `Usage: llmbench sim --flavor vllm|sglang [framework flags] [--sim-* flags]

Serve the OpenAI-compatible API the way vLLM or SGLang does, without a GPU,
until interrupted. The framework flags are the real ones, for example:

  llmbench sim --flavor vllm facebook/opt-125m --port 8000 --max-num-seqs 64
  llmbench sim --flavor sglang --model-path facebook/opt-125m --port 30000 --enable-metrics

Run "llmbench sim --flavor vllm --help" to list a flavor's flags.
`

func newSimCmd(s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "sim --flavor vllm|sglang [flags]",
		Short: "Serve a simulated vLLM or SGLang server (no GPU needed)",
		Long:  simUsage,
		// The flavor's own flags pass through to sim.ParseArgs unchanged.
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSim(cmd, s, args)
		},
	}
}

func runSim(cmd *cobra.Command, s streams, args []string) error {
	flavor, rest, err := splitFlavor(args)
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("sim: %w", err)}
	}
	if flavor == "" {
		if hasHelp(rest) {
			_, err := io.WriteString(s.out, simUsage)
			return err
		}
		return &exitError{code: 2, err: errors.New("sim: missing --flavor: use --flavor vllm or --flavor sglang")}
	}

	cfg, err := sim.ParseArgsEnv(flavor, rest, os.LookupEnv)
	if errors.Is(err, sim.ErrHelp) {
		_, err := io.WriteString(s.out, sim.Usage(flavor))
		return err
	}
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("sim: %w", err)}
	}

	ln, err := net.Listen("tcp", cfg.Addr())
	if err != nil {
		return fmt.Errorf("sim: listening on %s: %w", cfg.Addr(), err)
	}
	logger := slog.New(slog.NewTextHandler(s.err, nil))
	logger.Info("simulated server listening", "flavor", cfg.Flavor, "model", cfg.ServedName(), "url", localURL(ln.Addr()))
	return sim.New(cfg, logger).Serve(cmd.Context(), ln)
}

// splitFlavor removes --flavor X (or --flavor=X) from args.
func splitFlavor(args []string) (flavor string, rest []string, err error) {
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--flavor":
			if i+1 >= len(args) {
				return "", nil, errors.New("flag --flavor needs a value: vllm or sglang")
			}
			flavor = args[i+1]
			i++
		case strings.HasPrefix(arg, "--flavor="):
			flavor = strings.TrimPrefix(arg, "--flavor=")
		default:
			rest = append(rest, arg)
			continue
		}
		if flavor != sim.FlavorVLLM && flavor != sim.FlavorSGLang {
			return "", nil, fmt.Errorf("invalid --flavor %q: use vllm or sglang", flavor)
		}
	}
	return flavor, rest, nil
}

func hasHelp(args []string) bool {
	for _, a := range args {
		if a == "-h" || a == "--help" {
			return true
		}
	}
	return false
}

// localURL returns the base URL of a listener, with 127.0.0.1 in place of an
// unspecified address.
func localURL(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || tcp.IP.IsUnspecified() {
		port := 0
		if ok {
			port = tcp.Port
		}
		return fmt.Sprintf("http://127.0.0.1:%d", port)
	}
	return "http://" + tcp.String()
}
