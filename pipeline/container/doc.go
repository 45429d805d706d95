// Package container starts LLM inference servers (vLLM, SGLang) in Docker
// containers with testcontainers-go, waits until they serve their model, and
// removes them on every path: success, failure, startup timeout and
// cancellation.
//
// Each framework is defined once (see Framework): its pinned image, its
// entrypoint and arguments, its port and its readiness endpoints. A server is
// ready when its health endpoint returns 200 and its model list contains the
// served model name. Tests replace the image with the simulator image, which
// accepts the same command lines, so they run through the same code path.
//
// The Ryuk reaper of testcontainers-go is disabled: Start, List and Cleanup
// set TESTCONTAINERS_RYUK_DISABLED=true unless the variable is already set.
// Its image cannot be pulled where no registry is reachable, and a reaper
// container would outlive nothing that llmbench does not already remove.
// Instead, every container carries labels (LabelManaged, LabelRunID, ...),
// Start removes its container on every error path, Server.Stop removes it at
// the end, and Cleanup ("llmbench cleanup") removes what a crashed run left.
package container

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/testcontainers/testcontainers-go"
)

var disableReaperOnce sync.Once

// DisableReaper sets TESTCONTAINERS_RYUK_DISABLED=true unless the variable is
// already set. testcontainers-go reads it once per process, when it first
// connects to Docker, so it takes effect only if called before that.
func DisableReaper() {
	disableReaperOnce.Do(func() {
		if _, ok := os.LookupEnv("TESTCONTAINERS_RYUK_DISABLED"); !ok {
			os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
		}
	})
}

// newDockerClient connects to the Docker engine that testcontainers-go
// resolves (DOCKER_HOST, the Docker context or the default socket).
func newDockerClient(ctx context.Context) (*testcontainers.DockerClient, error) {
	DisableReaper()
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return nil, fmt.Errorf("no Docker engine reachable (start Docker or set DOCKER_HOST): %w", err)
	}
	return cli, nil
}
