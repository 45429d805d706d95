package runner

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/container"
	"github.com/llmbench/llmbench-action/pipeline/sim"
)

// server is a running server of one group, whatever its target.
type server struct {
	baseURL     string
	servedModel string
	// flavor selects the Prometheus metric names to scrape ("vllm" or
	// "sglang"); empty turns scraping off.
	flavor string
	image  string
	digest string
	// exited receives the reason when the server stops on its own; nil when
	// the target cannot tell (an existing endpoint).
	exited <-chan error
	stop   func(ctx context.Context) error
	// lastLogs returns the server's last log lines, if it has a log.
	lastLogs func() []string
}

// startServer starts (or, for an endpoint, adopts) the server of group g.
func startServer(ctx context.Context, opts Options, g group, logf func(string, ...any)) (*server, error) {
	switch opts.Target {
	case TargetEndpoint:
		return &server{
			baseURL:     strings.TrimRight(opts.Endpoint, "/"),
			servedModel: g.Model.ID,
			flavor:      knownFlavor(g.Framework.Name),
			stop:        func(context.Context) error { return nil },
			lastLogs:    func() []string { return nil },
		}, nil
	case TargetSim:
		return startSim(ctx, opts, g)
	default:
		return startContainer(ctx, opts, g, logf)
	}
}

// containerSpec returns the container spec of group g.
func containerSpec(opts Options, g group) container.Spec {
	env := map[string]string{}
	for k, v := range g.Framework.Env {
		env[k] = v
	}
	for k, v := range simEnv(opts) {
		env[k] = v
	}
	image := g.Framework.Image
	if opts.Image != "" {
		image = opts.Image
	}
	gpus := g.Framework.GPUs
	if opts.GPUs != "" {
		gpus = opts.GPUs
	}
	args := append(append([]string{}, g.Framework.Args...), g.Model.Args...)
	return container.Spec{
		Framework:      g.Framework.Name,
		Model:          g.Model.ID,
		Revision:       g.Model.Revision,
		Image:          image,
		Args:           args,
		Env:            env,
		GPUs:           gpus,
		ShmSize:        g.Framework.ShmSizeBytes,
		HFToken:        opts.HFToken,
		HFCacheDir:     opts.HFCacheDir,
		StartupTimeout: opts.StartupTimeout,
		RunID:          opts.RunID,
	}
}

// simEnv returns the LLMBENCH_SIM_* settings for simulated servers. Real
// servers ignore them.
func simEnv(opts Options) map[string]string {
	env := map[string]string{}
	if opts.SimTTFT > 0 {
		env[sim.EnvPrefix+"TTFT"] = opts.SimTTFT.String()
	}
	if opts.SimITL > 0 {
		env[sim.EnvPrefix+"ITL"] = opts.SimITL.String()
	}
	for k, v := range opts.SimEnv {
		env[k] = v
	}
	return env
}

func startContainer(ctx context.Context, opts Options, g group, logf func(string, ...any)) (*server, error) {
	spec := containerSpec(opts, g)
	prefix := g.ID + " | "
	spec.Log = func(line string) {
		fmt.Fprintln(opts.ServerLog, prefix+line)
	}
	spec.Logger = opts.Logger
	spec.ProgressInterval = 15 * time.Second
	srv, err := container.Start(ctx, spec)
	if err != nil {
		return nil, err
	}
	exited := make(chan error, 1)
	go func() {
		<-srv.Exited()
		if err := srv.Err(); err != nil {
			exited <- err
		}
	}()
	return &server{
		baseURL:     srv.BaseURL,
		servedModel: srv.ServedModelName,
		flavor:      knownFlavor(g.Framework.Name),
		image:       srv.Image,
		digest:      srv.ImageDigest,
		exited:      exited,
		stop:        srv.Stop,
		lastLogs:    func() []string { return srv.LastLogs(20) },
	}, nil
}

// startSim starts an in-process simulator with the same command line the
// container target would give the framework, so argument errors show on any
// machine.
func startSim(ctx context.Context, opts Options, g group) (*server, error) {
	flavor := knownFlavor(g.Framework.Name)
	if flavor == "" {
		return nil, fmt.Errorf("the simulator serves vllm and sglang, not %q; use --target endpoint or container for it", g.Framework.Name)
	}
	fw, err := container.LookupFramework(flavor)
	if err != nil {
		return nil, err
	}
	args := fw.Args(containerSpec(opts, g))

	// Simulator settings come as LLMBENCH_SIM_* variables, as they would in
	// a container: the run's, then the framework's, then this process's.
	env := simEnv(opts)
	for k, v := range g.Framework.Env {
		env[k] = v
	}
	if _, ok := env[sim.EnvPrefix+"PARAMS_B"]; !ok && g.Model.Params > 0 {
		env[sim.EnvPrefix+"PARAMS_B"] = strconv.FormatFloat(g.Model.Params/1e9, 'g', -1, 64)
	}
	lookup := func(name string) (string, bool) {
		if v, ok := env[name]; ok {
			return v, true
		}
		return os.LookupEnv(name)
	}

	cfg, err := sim.ParseArgsEnv(flavor, args, lookup)
	if err != nil {
		return nil, fmt.Errorf("starting simulated %s for %s: %w", flavor, g.Model.ID, err)
	}
	baseURL, stop, err := sim.StartLocal(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &server{
		baseURL:     baseURL,
		servedModel: cfg.ServedName(),
		flavor:      flavor,
		image:       "llmbench-sim (in-process)",
		stop: func(context.Context) error {
			stop()
			return nil
		},
		lastLogs: func() []string { return nil },
	}, nil
}

// knownFlavor returns name when it is a framework whose metric names the
// scraper reads, else "".
func knownFlavor(name string) string {
	switch name {
	case container.VLLM, container.SGLang:
		return name
	}
	return ""
}

// describeServer describes the started server for the start stage's detail
// line.
func describeServer(opts Options, s *server) string {
	switch opts.Target {
	case TargetEndpoint:
		return "using the existing endpoint"
	case TargetSim:
		return "simulated " + s.flavor + " serving " + s.servedModel
	}
	description := s.image
	if s.digest != "" {
		description += " (" + s.digest + ")"
	}
	return description + " serving " + s.servedModel
}
