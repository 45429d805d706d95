package container

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// hfCacheTarget is the Hugging Face cache directory of both engines when they
// run as root.
const hfCacheTarget = "/root/.cache/huggingface"

// ErrStartupTimeout is returned when a server is not ready within its
// startup timeout.
var ErrStartupTimeout = errors.New("server not ready within the startup timeout")

// Start starts spec's framework serving spec's model in a container and
// returns once the server is ready. On any error, including a canceled ctx
// and the startup timeout, the container is removed before Start returns.
// Errors start with "starting FRAMEWORK for MODEL:" and carry the container's
// last log lines when it had started.
func Start(ctx context.Context, spec Spec) (*Server, error) {
	f, err := LookupFramework(spec.Framework)
	if err != nil {
		return nil, fmt.Errorf("starting %s for %s: %w", spec.Framework, spec.Model, err)
	}
	spec = spec.withDefaults(f)
	r := redactor{secrets: spec.secrets()}
	spec.Log = serialize(spec.Log)

	s, err := start(ctx, f, spec, r)
	if err != nil {
		return nil, &redactedError{err: fmt.Errorf("starting %s for %s: %w", f.Name, spec.Model, err), r: r}
	}
	return s, nil
}

func start(ctx context.Context, f Framework, spec Spec, r redactor) (*Server, error) {
	if err := spec.validate(); err != nil {
		return nil, err
	}
	gpus, err := parseGPUs(spec.GPUs)
	if err != nil {
		return nil, err
	}

	ctx, cancel := context.WithTimeoutCause(ctx, spec.StartupTimeout, ErrStartupTimeout)
	defer cancel()

	cli, err := newDockerClient(ctx)
	if err != nil {
		return nil, err
	}
	devices, err := deviceRequests(ctx, cli, gpus)
	if err != nil {
		cli.Close()
		return nil, err
	}
	loopback, err := daemonIsLocal(ctx)
	if err != nil {
		cli.Close()
		return nil, err
	}

	instance := randomID()
	if spec.RunID == "" {
		spec.RunID = randomID()
	}
	s := &Server{
		Framework:       f.Name,
		Model:           spec.Model,
		Revision:        spec.Revision,
		ServedModelName: spec.ServedModelName,
		Image:           spec.Image,
		ContainerName:   "llmbench-" + f.Name + "-" + instance,
		RunID:           spec.RunID,
		Command:         r.redactAll(f.Command(spec)),
		IgnoreEOS:       f.IgnoreEOS,
		cli:             cli,
		instance:        instance,
		tail:            newLogTail(tailLines),
		redact:          r,
		stopTimeout:     spec.StopTimeout,
		logsDone:        make(chan struct{}),
		exited:          make(chan struct{}),
	}

	opts, err := containerOptions(f, spec, s, instance, devices, loopback)
	if err != nil {
		cli.Close()
		return nil, err
	}
	spec.Logger.Info("starting server", "framework", f.Name, "model", spec.Model, "image", spec.Image, "container", s.ContainerName, "run_id", spec.RunID)

	ctr, err := testcontainers.Run(ctx, spec.Image, opts...)
	if err != nil {
		// Run may fail after the engine created the container, or while it
		// was creating it, so remove by label instead of through ctr.
		removeErr := removeInstance(cli, instance)
		cli.Close()
		return nil, errors.Join(startCause(ctx, spec.StartupTimeout, fmt.Errorf("creating container from %s: %w", spec.Image, err)), removeErr)
	}
	s.ctr = ctr
	s.ContainerID = ctr.GetContainerID()

	logsCtx, cancelLogs := context.WithCancel(context.Background())
	s.cancelLogs = cancelLogs
	go s.followLogs(logsCtx, spec.Log)
	watchCtx, cancelWatch := context.WithCancel(context.Background())
	s.cancelWatch = cancelWatch
	go s.watch(watchCtx)

	if err := s.waitReady(ctx, f, spec); err != nil {
		if stopErr := s.Stop(context.Background()); stopErr != nil {
			err = errors.Join(err, stopErr)
		}
		return nil, err
	}

	s.ImageDigest = imageDigest(ctx, cli, ctr.Image)
	spec.Logger.Info("server ready", "framework", f.Name, "model", spec.Model, "url", s.BaseURL, "container", s.ContainerName)
	return s, nil
}

// containerOptions returns the testcontainers-go options for spec.
func containerOptions(f Framework, spec Spec, s *Server, instance string, devices []container.DeviceRequest, loopback bool) ([]testcontainers.ContainerCustomizer, error) {
	var mounts []mount.Mount
	if spec.HFCacheDir != "" {
		dir, err := filepath.Abs(spec.HFCacheDir)
		if err != nil {
			return nil, fmt.Errorf("invalid Hugging Face cache directory %q: %w", spec.HFCacheDir, err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("creating the Hugging Face cache directory: %w", err)
		}
		mounts = append(mounts, mount.Mount{Type: mount.TypeBind, Source: dir, Target: hfCacheTarget})
	}

	port := strconv.Itoa(f.Port) + "/tcp"
	labels := maps.Clone(spec.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	labels[LabelManaged] = "true"
	labels[LabelRunID] = spec.RunID
	labels[LabelFramework] = f.Name
	labels[LabelModel] = spec.Model
	labels[LabelInstance] = instance

	hostConfig := func(hc *container.HostConfig) {
		hc.DeviceRequests = devices
		hc.Mounts = append(hc.Mounts, mounts...)
		if spec.IPCHost {
			hc.IpcMode = container.IPCModeHost
		} else {
			hc.ShmSize = spec.ShmSize
		}
		if loopback {
			// Publish on the loopback interface only: the server has no
			// authentication and the runner may be reachable from others.
			p := network.MustParsePort(port)
			hc.PortBindings = network.PortMap{p: {{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: "0"}}}
		}
	}

	return []testcontainers.ContainerCustomizer{
		testcontainers.WithName(s.ContainerName),
		testcontainers.WithEntrypoint(f.Entrypoint...),
		testcontainers.WithCmd(f.Args(spec)...),
		testcontainers.WithExposedPorts(port),
		testcontainers.WithEnv(spec.env()),
		testcontainers.WithLabels(labels),
		testcontainers.WithHostConfigModifier(hostConfig),
		testcontainers.WithLogger(slogAdapter{logger: spec.Logger, r: s.redact}),
	}, nil
}

// followLogs streams the container's output line by line to the tail and to
// log until the container stops. It closes s.logsDone.
func (s *Server) followLogs(ctx context.Context, log func(string)) {
	defer close(s.logsDone)

	emit := func(line string) {
		line = s.redact.redact(line)
		s.tail.add(line)
		log(line)
	}
	stdout := &lineWriter{emit: emit}
	stderr := &lineWriter{emit: emit}

	rc, err := s.cli.ContainerLogs(ctx, s.ContainerID, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true, Follow: true})
	if err != nil {
		emit(fmt.Sprintf("llmbench: reading the container log failed: %v", err))
		return
	}
	defer rc.Close()
	_, _ = stdcopy.StdCopy(stdout, stderr, rc)
	stdout.flush()
	stderr.flush()
}

// startCause turns a failure under the start context into the reason that
// context ended, when it did: the startup timeout or the caller's
// cancellation.
func startCause(ctx context.Context, timeout time.Duration, err error) error {
	if ctx.Err() == nil {
		return err
	}
	cause := context.Cause(ctx)
	if errors.Is(cause, ErrStartupTimeout) {
		return fmt.Errorf("%w (%s): %w", ErrStartupTimeout, timeout, err)
	}
	return fmt.Errorf("%w: %w", cause, err)
}

// daemonIsLocal reports whether the Docker engine runs on this host, in which
// case ports are published on the loopback interface only.
func daemonIsLocal(ctx context.Context) (bool, error) {
	provider, err := testcontainers.NewDockerProvider()
	if err != nil {
		return false, fmt.Errorf("connecting to the Docker engine: %w", err)
	}
	defer provider.Close()
	host, err := provider.DaemonHost(ctx)
	if err != nil {
		return false, fmt.Errorf("finding the Docker engine's host: %w", err)
	}
	if host == "localhost" {
		return true, nil
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback(), nil
}

// imageDigest returns the image's repository digest, or its local id when it
// has none (an image built locally), or "" when the engine cannot tell.
func imageDigest(ctx context.Context, cli client.APIClient, image string) string {
	info, err := cli.ImageInspect(ctx, image)
	if err != nil {
		return ""
	}
	for _, ref := range info.RepoDigests {
		if _, digest, ok := strings.Cut(ref, "@"); ok {
			return digest
		}
	}
	return info.ID
}

// serialize returns log guarded by a mutex, because the log follower and the
// readiness loop both write lines.
func serialize(log func(string)) func(string) {
	var mu sync.Mutex
	return func(line string) {
		mu.Lock()
		defer mu.Unlock()
		log(line)
	}
}

func randomID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// slogAdapter routes testcontainers-go's messages to a slog.Logger at debug
// level.
type slogAdapter struct {
	logger *slog.Logger
	r      redactor
}

func (a slogAdapter) Printf(format string, v ...any) {
	a.logger.Debug(a.r.redact(strings.TrimSpace(fmt.Sprintf(format, v...))), "source", "testcontainers")
}
